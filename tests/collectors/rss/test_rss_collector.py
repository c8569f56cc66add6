"""Feeds over HTTP from a local news site: conditional GET, charsets, broken feeds, full text, retries."""
from __future__ import annotations

import json
import logging

import pytest

from collectors.base import CollectorError, SourceUnavailable
from collectors.text import MAX_TEXT
from testing.fakes.http import Reply, sequence, static
from tests.collectors.rss.conftest import ETAG, MODIFIED, fixture


def test_feed_then_not_modified(feed, site):
    vesti = feed("/rss.xml")
    first = vesti.collect(None)
    posts = {p.native_id: p for p in first.posts}
    assert set(posts) == {f"vesti-74{i:02d}" for i in (1, 2, 3, 4, 5, 6)}
    assert posts["vesti-7402"].text == "Подрядчик попросил больше времени."  # HTML stripped
    assert posts["vesti-7405"].text.startswith("Депутаты Думы Пестовского")  # content:encoded wins
    assert posts["vesti-7404"].text == "🎉🎉🎉" and posts["vesti-7401"].reach == 4000
    assert posts["vesti-7406"].title == "Объявление" and "граждан главой" in posts["vesti-7406"].text  # zero-width gone
    assert any("vesti: item Запись без адреса: field «id»" in p for p in first.problems)
    mark = json.loads(first.watermark)
    assert mark["etag"] == ETAG and mark["modified"] == MODIFIED and mark["ids"] == ["vesti-7401"]
    second = vesti.collect(first.watermark)
    assert second.posts == [] and second.watermark == first.watermark
    request = site.hits("/rss.xml")[-1]
    assert request.headers["if-none-match"] == ETAG and request.headers["if-modified-since"] == MODIFIED
    assert second.problems == []


def test_last_modified_alone_and_a_changed_feed(feed, site):
    atom = feed("/atom.xml", key="adm")
    first = atom.collect(None)
    assert {p.native_id for p in first.posts} == {"urn:pestovo-adm:n-31", "urn:pestovo-adm:n-30"}
    assert atom.collect(first.watermark).posts == []
    assert site.hits("/atom.xml")[-1].headers["if-modified-since"] == "Thu, 19 Nov 2026 07:00:00 GMT"
    site.routes["/atom.xml"] = static(fixture("atom_v2.xml"), "application/atom+xml",
                                      modified="Thu, 19 Nov 2026 13:00:00 GMT")
    third = atom.collect(first.watermark)
    posts = {p.native_id: p for p in third.posts}
    # a new entry at the same minute as the newest read one, and an edited entry: the same id again
    assert set(posts) == {"urn:pestovo-adm:n-32", "urn:pestovo-adm:n-31"}
    assert posts["urn:pestovo-adm:n-31"].id == next(p.id for p in first.posts if p.native_id.endswith("n-31"))
    assert "четвергам" in posts["urn:pestovo-adm:n-31"].text
    assert atom.collect(third.watermark).posts == []


@pytest.mark.parametrize("path", ["/adm.xml", "/nodecl.xml"])
def test_windows_1251_feeds(feed, path):
    batch = feed(path, key="adm").collect(None)
    titles = {p.title for p in batch.posts}
    assert "Плановое отключение электроэнергии на улице Пушкина" in titles
    assert batch.problems == []


def test_encoding_override_for_a_server_that_lies(feed, site):
    lying = fixture("adm_cp1251.xml").replace(b'encoding="windows-1251"', b'encoding="utf-8"')
    site.routes["/lies.xml"] = static(lying, "application/rss+xml; charset=utf-8")
    wrong = feed("/lies.xml", key="adm").collect(None)
    assert "Плановое отключение электроэнергии на улице Пушкина" not in {p.title for p in wrong.posts}
    right = feed("/lies.xml", key="adm", encoding="cp1251").collect(None)
    assert "Плановое отключение электроэнергии на улице Пушкина" in {p.title for p in right.posts}


def test_broken_feed_reads_what_parses_and_reports(feed):
    batch = feed("/broken.xml", key="overheard").collect(None)
    assert {p.native_id for p in batch.posts} == {"p-55", "p-54"}
    assert len(batch.problems) == 1 and "overheard: лента с ошибками разметки" in batch.problems[0]


def test_a_page_that_is_no_feed_is_a_clear_error(feed):
    with pytest.raises(CollectorError, match="это не RSS и не Atom"):
        feed("/index.html").collect(None)


def test_full_text_where_the_feed_has_a_teaser(feed, site):
    batch = feed("/rss.xml", full_text=True).collect(None)
    posts = {p.native_id: p for p in batch.posts}
    water = posts["vesti-7401"].text
    assert water.startswith("Подача холодной воды в деревне Лаптево")  # cp1251 page, charset in <meta>
    assert "автоцистерной" in water and "Раздел" not in water and "Все права защищены" not in water
    assert "реверсивным" in posts["vesti-7402"].text  # utf-8 page, charset in the header
    assert posts["vesti-7403"].text == "Заявки принимает отдел благоустройства."  # 404: the teaser stays
    assert posts["vesti-7404"].text == "🎉🎉🎉"  # a gallery page: the teaser stays
    assert posts["vesti-7405"].text.startswith("Депутаты Думы")  # full text in the feed: no fetch
    assert not site.hits("/news/7405.html")
    (note,) = [p for p in batch.problems if "полный текст не получен" in p]
    assert "для 2 статей" in note and "7403" in note and "7404" in note


def test_article_budget_per_scan(feed, site):
    batch = feed("/rss.xml", full_text=True, max_articles=1).collect(None)
    fetched = [r.path for r in site.log if r.path.startswith("/news/")]
    assert fetched == ["/news/7401.html"]
    assert any("лимит max_articles" in p for p in batch.problems)


def test_server_errors_are_retried_then_reported_as_transient(feed, site):
    site.routes["/flaky.xml"] = sequence(Reply(503, b"busy"), Reply(502, b"gateway"),
                                         Reply(200, fixture("broken.xml"), {"Content-Type": "application/rss+xml"}))
    assert len(feed("/flaky.xml", retries=3).collect(None).posts) == 2
    assert len(site.hits("/flaky.xml")) == 3
    site.routes["/down.xml"] = lambda r: Reply(503, b"busy")
    with pytest.raises(SourceUnavailable, match="недоступен после 2 попыток"):
        feed("/down.xml", retries=2).collect(None)
    assert len(site.hits("/down.xml")) == 2


def test_timeouts_are_retried(feed, site):
    site.routes["/slow.xml"] = sequence(Reply(200, b"", delay=1.0),
                                        Reply(200, fixture("broken.xml"), {"Content-Type": "application/rss+xml"}))
    assert len(feed("/slow.xml", timeout=0.3, retries=2).collect(None).posts) == 2


def test_missing_feed_is_permanent(feed, site):
    with pytest.raises(CollectorError, match="HTTP 404"):
        feed("/gone.xml").collect(None)
    assert len(site.hits("/gone.xml")) == 1


def test_huge_and_empty_entries(feed, site, caplog):
    huge = "Очень длинный текст. " * 2000
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f'<item><guid>big</guid><title>Большая</title><pubDate>Thu, 19 Nov 2026 09:00:00 +0300</pubDate>'
            f'<description>{huge}</description></item>'
            '<item><guid>empty</guid><pubDate>Thu, 19 Nov 2026 08:00:00 +0300</pubDate><description>\u200b</description></item>'
            '<item><guid>nodate</guid><title>Без даты</title></item>'
            '</channel></rss>').encode("utf-8")
    site.routes["/huge.xml"] = static(body, "application/rss+xml")
    with caplog.at_level(logging.WARNING):
        batch = feed("/huge.xml", key="big").collect(None)
    assert [p.native_id for p in batch.posts] == ["big"] and len(batch.posts[0].text) <= MAX_TEXT
    assert "big: item big: field «text»: text longer than 20000 characters" in caplog.text
    assert any("big: item empty: field «text»: empty entry" in p for p in batch.problems)
    assert any("big: item nodate: field «published»" in p for p in batch.problems)
    assert batch.skipped == 2
    again = feed("/huge.xml", key="big").collect(batch.watermark)
    assert again.posts == [] and again.problems == []  # the same bad entries are reported once
    assert again.skipped == 1  # the entry without a date is still there; the empty one is behind the watermark


def test_cut_off_feed_without_entries_is_an_error(feed, site):
    site.routes["/cut.xml"] = static('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                     '<title>Обрыв</title><item><title>Нач'.encode("utf-8"), "application/rss+xml")
    with pytest.raises(CollectorError, match="vesti: лента с ошибками разметки.*ни одной записи прочитать не удалось"):
        feed("/cut.xml").collect(None)


def test_the_watermark_follows_a_changed_last_modified(feed, site):
    atom = feed("/atom.xml", key="adm")
    first = atom.collect(None)
    assert json.loads(first.watermark)["modified"] == "Thu, 19 Nov 2026 07:00:00 GMT"
    site.routes["/atom.xml"] = static(fixture("atom_v2.xml"), "application/atom+xml",
                                      modified="Thu, 19 Nov 2026 13:00:00 GMT")
    changed = atom.collect(first.watermark)
    assert json.loads(changed.watermark)["modified"] == "Thu, 19 Nov 2026 13:00:00 GMT"
    again = atom.collect(changed.watermark)
    assert again.posts == [] and site.hits("/atom.xml")[-1].headers["if-modified-since"] == \
        "Thu, 19 Nov 2026 13:00:00 GMT"


# --- the feed watermark itself (FeedState): what is remembered and what counts as read ---

def test_the_feed_watermark_round_trips_and_leaves_out_what_it_lacks():
    from datetime import datetime, timezone

    from collectors.rss.collector import FeedState

    at = datetime(2026, 11, 19, 9, 0, tzinfo=timezone.utc)
    state = FeedState(at, ["b", "a"], ETAG, MODIFIED, ["9f1c"])
    text = state.dump()
    assert json.loads(text) == {"published": "2026-11-19T09:00:00+00:00", "ids": ["b", "a"], "etag": ETAG,
                                "modified": MODIFIED, "reported": ["9f1c"]}
    assert "Пестово" in FeedState(reported=["Пестово"]).dump()  # kept as written, not \\u-escaped
    assert FeedState.parse(text, "vesti") == state
    assert FeedState().dump() is None and FeedState(ids=[]).dump() is None
    assert FeedState(modified=MODIFIED).dump() == json.dumps({"modified": MODIFIED}, separators=(",", ":"))
    assert FeedState.parse(None, "vesti") == FeedState() == FeedState.parse("", "vesti")
    old = FeedState.parse('{"published": "2026-11-19T09:00:00+00:00"}', "vesti")
    assert (old.published, old.ids, old.etag, old.modified, old.reported) == (at, None, None, None, [])
    for bad in ("не json", "[1]", '{"published": "вчера"}', '{"published": 5}'):
        with pytest.raises(CollectorError, match=r"^vesti: stored watermark is not a feed watermark \(.+\); "
                                                 r"run the scan with --full to start over$"):
            FeedState.parse(bad, "vesti")


def test_an_entry_is_read_when_older_or_already_seen_at_the_newest_minute():
    from datetime import datetime, timedelta, timezone

    from collectors.rss.collector import FeedState

    at = datetime(2026, 11, 19, 9, 0, tzinfo=timezone.utc)
    state = FeedState(at, ["vesti-1"])
    assert state.is_read("vesti-0", at - timedelta(seconds=1))
    assert state.is_read("vesti-1", at) and not state.is_read("vesti-2", at)  # a new entry at the same minute
    assert not state.is_read("vesti-1", at + timedelta(seconds=1))  # edited after it was read
    by_time = FeedState(at)  # an old watermark: by time only
    assert by_time.is_read("vesti-2", at) and not by_time.is_read("vesti-2", at + timedelta(seconds=1))
    assert not FeedState().is_read("vesti-1", at - timedelta(days=365))


def test_entries_of_the_newest_minute_are_all_remembered(feed, site):
    from testing.fakes.http import static as serve

    items = "".join(f"<item><guid>n-{i}</guid><title>Новость {i}</title><description>Текст {i}</description>"
                    f"<pubDate>Thu, 19 Nov 2026 {hour} +0000</pubDate></item>"
                    for i, hour in ((1, "09:00:00"), (2, "10:00:00"), (3, "10:00:00"), (4, "08:00:00")))
    site.routes["/same.xml"] = serve(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                     f'<title>Вести</title>{items}</channel></rss>'.encode("utf-8"),
                                     "application/rss+xml")
    batch = feed("/same.xml").collect(None)
    assert len(batch.posts) == 4
    mark = json.loads(batch.watermark)
    assert mark["published"] == "2026-11-19T10:00:00+00:00" and mark["ids"] == ["n-2", "n-3"]
    assert feed("/same.xml").collect(batch.watermark).posts == []


def test_two_articles_a_scan_when_the_budget_is_two(feed, site):
    batch = feed("/rss.xml", full_text=True, max_articles=2).collect(None)
    fetched = [r.path for r in site.log if r.path.startswith("/news/")]
    assert len(fetched) == 2 and fetched[0] == "/news/7401.html"
    assert any("лимит max_articles" in p for p in batch.problems)


def test_a_feed_without_reach_repeats_and_teasers(feed, site):
    from testing.fakes.http import static as serve

    item = ("<item><guid>n-1</guid><title>Новость</title><description>Текст</description>"
            "<pubDate>Thu, 19 Nov 2026 09:00:00 +0000</pubDate></item>")
    site.routes["/twice.xml"] = serve(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                      f'<title>Вести</title>{item}{item}</channel></rss>'.encode("utf-8"),
                                      "application/rss+xml")
    batch = feed("/twice.xml", reach=None).collect(None)
    (post,) = batch.posts  # the same entry twice in one feed: one post
    assert post.reach == 0
    assert batch.raw[post.id].context == {"reach": 0}  # no article was fetched: none is kept


def test_entries_without_a_title_empty_ones_and_a_foreign_watermark(feed, site):
    from testing.fakes.http import static as serve

    items = ("<item><guid>n-1</guid><description>Текст без заголовка</description>"
             "<pubDate>Thu, 19 Nov 2026 09:00:00 +0000</pubDate></item>"
             + "".join(f"<item><guid>e-{i}</guid><pubDate>Thu, 19 Nov 2026 09:00:00 +0000</pubDate></item>"
                       for i in (1, 2)))
    site.routes["/mixed.xml"] = serve(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                      f'<title>Вести</title>{items}</channel></rss>'.encode("utf-8"),
                                      "application/rss+xml")
    batch = feed("/mixed.xml").collect(None)
    assert [p.text for p in batch.posts] == ["Текст без заголовка"] and batch.skipped == 2
    assert batch.raw[batch.posts[0].id].context == {"reach": 4000}
    with pytest.raises(CollectorError, match="^vesti: stored watermark is not a feed watermark"):
        feed("/mixed.xml").collect("не json")


def test_a_fetched_article_is_kept_in_the_raw_item(feed, site):
    batch = feed("/rss.xml", full_text=True, max_articles=1).collect(None)
    post = next(p for p in batch.posts if p.native_id == "vesti-7401")
    context = batch.raw[post.id].context
    assert context["reach"] == 4000 and context["article"] == post.text and len(post.text) > 200
