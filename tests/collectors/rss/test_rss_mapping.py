"""The pure map of feed entries (``collectors/rss/mapping.py``), on feeds parsed by feedparser as
the collector parses them: what an RSS item or an Atom entry becomes, field by field, which date
it carries, and the clear error an unusable entry gets."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import feedparser
import pytest

from collectors.base import BadPayload
from collectors.rss.mapping import changed_time, entry_time, map_entry, raw_entry, remap
from collectors.text import MAX_TEXT
from core.domain import Platform, post_id


def rss(*items: str) -> list:
    return feedparser.parse("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Вести</title>"
                            + "".join(f"<item>{i}</item>" for i in items) + "</channel></rss>").entries


def atom(*entries: str) -> list:
    return feedparser.parse("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                            "<title>Администрация</title>" + "".join(f"<entry>{e}</entry>" for e in entries)
                            + "</feed>").entries


ITEM = ("<title>Ремонт  дороги</title><link>https://vesti.example/news/1</link><guid>vesti-1</guid>"
        "<pubDate>Wed, 19 Nov 2026 09:30:00 +0300</pubDate><author>editor@vesti.example (Иванов)</author>"
        "<description>&lt;p&gt;Начался ремонт&lt;/p&gt;&lt;p&gt;на улице Ленина.&lt;/p&gt;</description>")


def test_an_rss_item_becomes_a_post():
    (entry,) = rss(ITEM)
    post = map_entry(entry, "vesti", 4000)
    assert (post.platform, post.source, post.native_id, post.id) == (
        Platform.rss, "vesti", "vesti-1", post_id(Platform.rss, "vesti", "vesti-1"))
    assert post.url == "https://vesti.example/news/1" and post.title == "Ремонт дороги"
    assert post.text == "Начался ремонт\nна улице Ленина."
    assert post.published_at == datetime(2026, 11, 19, 6, 30, tzinfo=timezone.utc)
    assert post.author is None and post.reach == 4000 and post.attachments == []


def test_the_link_is_the_id_when_there_is_no_guid_and_only_web_links_are_kept():
    (entry,) = rss("<title>Т</title><link>https://vesti.example/news/2</link>"
                   "<pubDate>Wed, 19 Nov 2026 09:30:00 +0300</pubDate><description>текст</description>")
    assert map_entry(entry, "vesti", 0).native_id == "https://vesti.example/news/2"
    (entry,) = rss("<title>Т</title><guid>g-3</guid><link>javascript:alert(1)</link>"
                   "<pubDate>Wed, 19 Nov 2026 09:30:00 +0300</pubDate><description>текст</description>")
    assert map_entry(entry, "vesti", 0).url is None
    (entry,) = rss("<guid>g-4</guid><link>http://vesti.example/4</link>"
                   "<pubDate>Wed, 19 Nov 2026 09:30:00 +0300</pubDate><description>текст</description>")
    post = map_entry(entry, "vesti", 0)
    assert post.url == "http://vesti.example/4" and post.title is None


def test_an_entry_without_id_link_or_date_names_the_source_and_the_field():
    (entry,) = rss("<title>Без ссылки</title><pubDate>Wed, 19 Nov 2026 09:30:00 +0300</pubDate>")
    with pytest.raises(BadPayload) as error:
        map_entry(entry, "vesti", 0)
    assert (error.value.source, error.value.item, error.value.field, error.value.reason) == (
        "vesti", "Без ссылки", "id", "entry has neither id nor link")
    (entry,) = rss("<pubDate>Wed, 19 Nov 2026 09:30:00 +0300</pubDate>")
    with pytest.raises(BadPayload) as error:
        map_entry(entry, "vesti", 0)
    assert error.value.item == "?"
    (entry,) = rss("<guid>g-5</guid><pubDate>вчера</pubDate><description>текст</description>")
    with pytest.raises(BadPayload) as error:
        map_entry(entry, "vesti", 0)
    assert (error.value.item, error.value.field, error.value.reason) == (
        "g-5", "published", "entry has no parseable date")


def test_an_atom_entry_takes_its_content_before_the_summary():
    (entry,) = atom("<id>urn:adm:7</id><title>График</title><link href='https://pestovo-adm.example/news/7'/>"
                    "<published>2026-11-19T06:00:00Z</published><updated>2026-11-19T08:00:00Z</updated>"
                    "<summary>Кратко</summary><content type='html'>&lt;b&gt;Полный&lt;/b&gt; текст</content>")
    post = map_entry(entry, "adm", 2500)
    assert post.native_id == "urn:adm:7" and post.text == "Полный текст"
    assert post.published_at == datetime(2026, 11, 19, 6, 0, tzinfo=timezone.utc)  # published, not updated
    (entry,) = atom("<id>urn:adm:8</id><updated>2026-11-19T08:00:00Z</updated><summary>Кратко</summary>"
                    "<content type='html'>  </content>")
    post = map_entry(entry, "adm", 0)
    assert post.text == "Кратко" and post.published_at == datetime(2026, 11, 19, 8, 0, tzinfo=timezone.utc)


def test_dates_published_updated_and_the_latest_change():
    published, updated = time.gmtime(1_763_540_000), time.gmtime(1_763_550_000)
    both = {"published_parsed": published, "updated_parsed": updated}
    assert entry_time(both) == datetime.fromtimestamp(1_763_540_000, tz=timezone.utc)
    assert changed_time(both) == datetime.fromtimestamp(1_763_550_000, tz=timezone.utc)
    assert changed_time({"published_parsed": updated, "updated_parsed": published}) == \
        datetime.fromtimestamp(1_763_550_000, tz=timezone.utc)
    assert entry_time({"updated_parsed": updated}) == changed_time({"updated_parsed": updated})
    assert entry_time({}) is None and changed_time({}) is None and entry_time("запись") is None
    assert entry_time({"published_parsed": "не время", "updated_parsed": updated}) == \
        datetime.fromtimestamp(1_763_550_000, tz=timezone.utc)
    assert entry_time({"published_parsed": (99999999, 1, 1, 0, 0, 0, 0, 0, 0)}) is None  # out of range
    assert changed_time({"published_parsed": published, "updated_parsed": None}) == \
        datetime.fromtimestamp(1_763_540_000, tz=timezone.utc)


def test_enclosures_are_attachments_by_their_type():
    (entry,) = rss("<guid>g-6</guid><pubDate>Wed, 19 Nov 2026 09:30:00 +0300</pubDate><description>т</description>"
                   "<enclosure url='https://vesti.example/a.jpg' type='image/jpeg' length='1'/>"
                   "<enclosure url='https://vesti.example/a.mp4' type='video/mp4' length='1'/>"
                   "<enclosure url='https://vesti.example/a.mp3' type='audio/mpeg' length='1'/>"
                   "<enclosure url='https://vesti.example/a.pdf' type='application/pdf' length='1'/>"
                   "<enclosure url='http://vesti.example/b' length='1'/>"
                   "<enclosure url='ftp://vesti.example/c.jpg' type='image/jpeg' length='1'/>")
    assert [(a.type, a.url) for a in map_entry(entry, "vesti", 0).attachments] == [
        ("photo", "https://vesti.example/a.jpg"), ("video", "https://vesti.example/a.mp4"),
        ("audio", "https://vesti.example/a.mp3"), ("doc", "https://vesti.example/a.pdf"),
        ("doc", "http://vesti.example/b")]
    (alternate,) = rss("<guid>g-7</guid><pubDate>Wed, 19 Nov 2026 09:30:00 +0300</pubDate><description>т"
                       "</description><link>https://vesti.example/news/7.jpg</link>")
    assert map_entry(alternate, "vesti", 0).attachments == []  # the item's own link is not an attachment
    odd = {"id": "g", "published_parsed": time.gmtime(0), "summary": "т",
           "links": [{"href": 5, "rel": "enclosure"}, "x", {"rel": "enclosure"}]}
    assert map_entry(odd, "vesti", 0).attachments == []
    assert map_entry(odd | {"links": {"href": "https://x.example/a.jpg", "rel": "enclosure"}}, "vesti",
                     0).attachments == []


def test_an_atom_enclosure_is_an_attachment_too():
    (entry,) = atom("<id>urn:adm:9</id><updated>2026-11-19T08:00:00Z</updated><summary>Фото с места</summary>"
                    "<link rel='alternate' href='https://pestovo-adm.example/news/9'/>"
                    "<link rel='enclosure' type='image/png' href='https://pestovo-adm.example/9.png'/>")
    assert [(a.type, a.url) for a in map_entry(entry, "adm", 0).attachments] == [
        ("photo", "https://pestovo-adm.example/9.png")]


def test_a_huge_body_is_cut_at_the_text_limit():
    entry = {"id": "big", "published_parsed": time.gmtime(0), "summary": "слово " * (MAX_TEXT // 3)}
    text = map_entry(entry, "vesti", 0).text
    assert len(text) <= MAX_TEXT and text.startswith("слово слово") and len(text) > MAX_TEXT - 10
    first = {"id": "c", "published_parsed": time.gmtime(0), "content": [{"value": "я" * (MAX_TEXT + 50)}],
             "summary": "кратко"}
    assert map_entry(first, "vesti", 0).text == "я" * MAX_TEXT
    assert map_entry(first | {"content": "не список"}, "vesti", 0).text == "кратко"
    assert map_entry(first | {"content": ["не объект"]}, "vesti", 0).text == "кратко"
    assert map_entry(first | {"content": [], "summary": ["не текст"]}, "vesti", 0).text == ""


def test_a_stored_entry_maps_again_with_the_article_it_was_given():
    (entry,) = rss(ITEM)
    post = map_entry(entry, "vesti", 4000)
    raw = raw_entry(post, entry, 4000)
    assert (raw.kind, raw.context) == ("entry", {"reach": 4000})
    assert remap(raw) == post
    with_article = raw_entry(post, entry, 4000, article="Полный текст статьи с сайта")
    assert with_article.context == {"reach": 4000, "article": "Полный текст статьи с сайта"}
    assert remap(with_article) == post.model_copy(update={"text": "Полный текст статьи с сайта"})
    assert remap(raw_entry(post, entry, 4000, article="")).text == ""
    with pytest.raises(BadPayload, match="no rss mapping for items of kind «comment»"):
        remap(raw.model_copy(update={"kind": "comment"}))
    with pytest.raises(BadPayload, match="context.reach"):
        remap(raw.model_copy(update={"context": {}}))


def test_a_long_title_names_an_unusable_entry_cut_to_80_characters(caplog):
    title = "Очень длинный заголовок новости без ссылки " * 5
    with caplog.at_level("WARNING", logger="collectors.text"), pytest.raises(BadPayload) as error:
        map_entry({"title": title, "published_parsed": time.gmtime(0)}, "vesti", 0)
    assert error.value.item == title[:80].rstrip() and error.value.field == "id"
    assert [r.getMessage() for r in caplog.records] == [
        "vesti: item ?: field «title»: text longer than 80 characters, cut"]


def test_cut_texts_are_logged_with_the_entry_and_the_field(caplog):
    entry = {"id": "big", "published_parsed": time.gmtime(0), "title": "Заголовок " * 150,
             "content": [{"value": "я" * (MAX_TEXT + 5)}]}
    with caplog.at_level("WARNING", logger="collectors.text"):
        post = map_entry(entry, "vesti", 0)
    assert len(post.title) == 999 and post.title == ("Заголовок " * 150)[:1000].rstrip()
    assert sorted(r.getMessage() for r in caplog.records) == [
        f"vesti: item big: field «text»: text longer than {MAX_TEXT} characters, cut",
        "vesti: item big: field «title»: text longer than 1000 characters, cut"]
    caplog.clear()
    with caplog.at_level("WARNING", logger="collectors.text"):
        exact = map_entry({"id": "fits", "published_parsed": time.gmtime(0), "summary": "я" * MAX_TEXT}, "vesti", 0)
    assert len(exact.text) == MAX_TEXT and caplog.records == []  # exactly the limit: nothing cut
