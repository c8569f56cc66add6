"""The site collector against a Bitrix-like municipal site: the ways to articles, extraction, re-reads."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from collectors.base import CollectorError, SourceUnavailable
from testing.fakes.http import Reply
from testing.fakes.site import MunicipalSite, SiteArticle, pestovo_articles
from tests.collectors.raw_checks import check_raw
from tests.collectors.site.conftest import site_collector, site_source

ARTICLES = ["/news/1841/", "/news/1845/", "/news/1852/", "/news/1858/", "/news/1863/", "/news/1867/", "/news/1870/"]


def paths(server, prefix: str = "/news/1") -> list[str]:
    return [r.path for r in server.log if r.path.startswith(prefix)]


def test_the_sitemap_leads_to_every_article_with_its_text_and_date(site, now):
    batch = site_collector(site).collect(None)
    assert sorted(p.native_id.removeprefix(site.url) for p in batch.posts) == ARTICLES
    assert json.loads(batch.watermark)["way"] == ["sitemap", site.url + "/sitemap.xml"]
    water = next(p for p in batch.posts if p.native_id.endswith("/news/1863/"))
    assert water.title == "Водоканал промывает сети на улице Советской"
    assert water.text.startswith("В связи с обращениями жителей улицы Советской о ржавой воде МУП «Водоканал»")
    assert "Приёмная" not in water.text and "Все права защищены" not in water.text  # header and footer left out
    assert water.published_at == now - timedelta(days=2)  # «DD.MM.YYYY HH:MM» of the page, Moscow time
    assert water.reach == 2500 and water.url == site.url + "/news/1863/" and water.author is None
    assert check_raw(batch, site_source(site)) == {"page": 7}
    assert batch.raw[water.id].payload["dated_by"] == "page"
    assert not any(r.path in ("/about/", "/contacts/") for r in site.log)  # sitemap pages that are no articles
    assert len(site.hits("/robots.txt")) == 1 and batch.problems == []


def test_without_a_sitemap_the_listing_and_its_pages_are_read(now):
    with MunicipalSite(pestovo_articles(now), sitemap=False) as site:
        batch = site_collector(site).collect(None)
        assert sorted(p.native_id.removeprefix(site.url) for p in batch.posts) == ARTICLES
        assert json.loads(batch.watermark)["way"] == ["listing", site.url + "/news/"]
        assert [r.query.get("PAGEN_1") for r in site.hits("/news/")] == [None, None, ["2"], ["3"]]
        assert site.hits("/sitemap.xml")  # looked for first


def test_a_feed_the_site_announces_comes_first(now):
    with MunicipalSite(pestovo_articles(now), sitemap=False, feed=True) as site:
        batch = site_collector(site).collect(None)
        assert json.loads(batch.watermark)["way"] == ["feed", site.url + "/rss/"]
        assert len(batch.posts) == 7 and not site.hits("/sitemap.xml")


def test_a_site_without_feed_sitemap_or_pattern_is_refused_with_what_to_set(now):
    with MunicipalSite(pestovo_articles(now), sitemap=False) as site:
        with pytest.raises(CollectorError, match="задайте link_pattern"):
            site_collector(site, link_pattern=None).collect(None)


def test_second_scan_asks_conditionally_and_stores_nothing(site):
    first = site_collector(site).collect(None)
    start = len(site.log)
    second = site_collector(site).collect(first.watermark)
    assert (second.posts, second.problems) == ([], [])
    again = [r for r in site.log[start:] if r.path != "/robots.txt"]
    assert [r.path for r in again] == ["/sitemap.xml", "/sitemap-iblock-3.xml", "/sitemap-files.xml",  # index, children
                                       "/news/1863/", "/news/1867/", "/news/1870/"]  # recheck_days: 3 days back
    assert all(r.headers.get("if-none-match") for r in again)


def test_a_new_and_an_edited_article_are_found(site, now):
    first = site_collector(site).collect(None)
    site.articles.append(SiteArticle(1874, "Снегоуборочная техника вышла на улицы", now - timedelta(hours=1), [
        "С утра на улицах Пестово работают три трактора и грейдер: расчищают Советскую, Курганскую и подъезды "
        "к школам."]))
    site.articles[5].paragraphs.append("Дополнено: в субботу автобус не ходит.")
    third = site_collector(site).collect(first.watermark)
    assert sorted(p.native_id.removeprefix(site.url) for p in third.posts) == ["/news/1867/", "/news/1874/"]
    edited = next(p for p in third.posts if p.native_id.endswith("1867/"))
    assert edited.text.endswith("Дополнено: в субботу автобус не ходит.")


def test_robots_txt_is_obeyed(now):
    robots = "User-agent: *\nDisallow: /bitrix/\nDisallow: /news/1852/\n"
    with MunicipalSite(pestovo_articles(now), robots=robots) as site:
        batch = site_collector(site).collect(None)
        assert "/news/1852/" not in paths(site) and len(batch.posts) == 6
        assert any("robots.txt запрещает читать" in p and "/news/1852/" in p for p in batch.problems)
        assert site_collector(site).collect(batch.watermark).problems == []  # not asked again


def test_an_unreachable_robots_txt_stops_the_scan_before_any_page(site):
    site.routes["/robots.txt"] = lambda request: Reply(503, b"busy")
    with pytest.raises(SourceUnavailable, match="robots.txt"):
        site_collector(site, retries=2).collect(None)
    assert paths(site, "/news") == []


def test_old_articles_are_remembered_not_stored(site):
    first = site_collector(site, backfill_days=3).collect(None)
    assert sorted(p.native_id.removeprefix(site.url) for p in first.posts) == ["/news/1863/", "/news/1867/",
                                                                              "/news/1870/"]
    start = len(site.log)
    site_collector(site, backfill_days=3).collect(first.watermark)
    assert not [r for r in site.log[start:] if r.path in ("/news/1841/", "/news/1845/")]


def test_max_articles_leaves_the_rest_to_the_next_scan(site):
    first = site_collector(site, max_articles=4).collect(None)
    assert len(first.posts) == 4 and "лимит max_articles" in first.problems[0]
    second = site_collector(site, max_articles=4).collect(first.watermark)
    assert len(first.posts) + len(second.posts) == 7
    assert {p.id for p in first.posts}.isdisjoint(p.id for p in second.posts)


def test_a_missing_article_is_reported_and_tried_again(site):
    site.routes["/news/1858/"] = lambda request: Reply(404, b"not found")
    first = site_collector(site).collect(None)
    assert len(first.posts) == 6 and any("/news/1858/ отвечает HTTP 404" in p for p in first.problems)
    del site.routes["/news/1858/"]
    second = site_collector(site).collect(first.watermark)
    assert [p.native_id.removeprefix(site.url) for p in second.posts] == ["/news/1858/"]


def test_a_public_discussion_page_is_one_item_updated_as_proposals_come(site, now):
    page = site.url + "/obshchestvennye-obsuzhdeniya/blagoustroystvo-2027/"
    fields = {"pages": [page], "url": site.url + "/", "link_pattern": None, "include_comments": True}
    first = site_collector(site, **fields).collect(None)
    (discussion,) = first.posts
    assert discussion.title == "Общественные обсуждения: благоустройство сквера на улице Курганской"
    assert "Сделать пандус у входа со стороны школы." in discussion.text
    assert discussion.text.startswith("Администрация округа выносит на общественные обсуждения")  # no headline, date
    assert discussion.published_at == now - timedelta(days=6)
    assert site_collector(site, **fields).collect(first.watermark).posts == []
    site.discussions[0].proposals.append("Поставить скамейки и урны у детской площадки.")
    (updated,) = site_collector(site, **fields).collect(first.watermark).posts
    assert updated.id == discussion.id and "скамейки и урны" in updated.text
    assert not site.hits("/sitemap.xml") and not site.hits("/news/")  # no discovery for listed pages
