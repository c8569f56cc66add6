"""Raw items of feed entries read over HTTP: the entry as feedparser gives it, and the article
text that replaced a teaser, so that re-mapping needs no fetch."""
from __future__ import annotations

from tests.collectors.raw_checks import check_raw


def test_entries_and_fetched_articles_carry_raw_items(feed, site):
    collector = feed("/rss.xml", full_text=True)
    batch = collector.collect(None)
    requests = len(site.log)
    assert check_raw(batch, collector.source) == {"entry": len(batch.posts)}
    assert len(site.log) == requests  # re-mapping fetched nothing
    with_article = [p for p in batch.posts if "article" in batch.raw[p.id].context]
    assert with_article, "the site serves article pages for teasers"
    for post in batch.posts:
        raw = batch.raw[post.id]
        assert raw.context["reach"] == 4000
        if post in with_article:
            assert raw.context["article"] == post.text and raw.payload["summary"] != post.text
