"""The VK collector through the real vk_api client against a VK stand-in on 127.0.0.1."""
from __future__ import annotations

import copy
import json

from collectors.vk.collector import VkCollector, live_client
from core.domain import Platform, post_id
from tests.collectors.vk.conftest import NOW, T

OWNER = -217000001


def collector(settings) -> VkCollector:
    source = settings.sources[0]
    return VkCollector(source, live_client(source, settings), clock=lambda: NOW)


def by_native(batch):
    return {p.native_id: p for p in batch.posts}


def test_wall_comments_threads_and_bad_items(vk_settings, vk_server):
    batch = collector(vk_settings()).collect(None)
    posts = by_native(batch)
    wall = {n for n, p in posts.items() if not p.is_comment}
    assert wall == {f"{OWNER}_{i}" for i in (100, 210, 209, 208, 207, 205, 204)}
    photo = posts[f"{OWNER}_208"]  # a photo and no text: kept, with its attachment
    assert photo.text == "" and [a.type for a in photo.attachments] == ["photo"] and photo.display_text == "[фото]"
    water = posts[f"{OWNER}_210"]
    assert water.text.startswith("Третий день нет воды в Лаптево")  # zero-width space removed
    assert water.reach == 5400 and water.engagement.likes == 40 and water.engagement.comments == 15
    assert water.author == "51234001" and water.url == "https://vk.com/wall-217000001_210"
    assert posts[f"{OWNER}_209"].text.startswith("Администрация округа: 21 ноября")  # a repost's text
    assert posts[f"{OWNER}_207"].text == "🔥🔥🔥"  # emoji-only posts are kept
    assert posts[f"{OWNER}_205"].text == "12345" and posts[f"{OWNER}_205"].engagement.likes == 0  # wrong types
    comments = {n for n, p in posts.items() if p.is_comment}
    expected = {211, *range(212, 222), 223, 224, 225}  # 222 is a deleted placeholder
    assert comments == {f"{OWNER}_210_c{i}" for i in expected}
    assert posts[f"{OWNER}_210_c224"].parent_id == posts[f"{OWNER}_210_c211"].id  # from the long thread
    assert posts[f"{OWNER}_210_c211"].parent_id == water.id and posts[f"{OWNER}_210_c224"].thread_id == water.id
    problems = "\n".join(batch.problems)
    assert "pestovo_test: item 206: field «date»: expected int" in problems
    assert "pestovo_test: item ?: field «id»: expected int, got missing" in problems
    assert "комментарии недоступны у 1 пост(ов) (-217000001_204)" in problems and "код 15" in problems
    assert len(batch.problems) == 3 and batch.skipped == 2  # 206 (date), the one without id
    # one groups.getById, one wall.get, comments of both posts in one execute, the long thread in a second
    assert [r.path for r in vk_server.log] == ["/method/groups.getById", "/method/wall.get",
                                               "/method/execute", "/method/execute"]
    first_round = [m for m in vk_server.methods if m[0] == "wall.getComments"][:2]
    assert {int(p["post_id"]) for _, p in first_round} == {210, 204}
    watermark = json.loads(batch.watermark)
    assert watermark["date"] == T - 600
    assert set(watermark["recent"]) == {f"{OWNER}_{i}" for i in (210, 209, 208, 207, 205)}  # younger than 24 h
    assert watermark["recent"][f"{OWNER}_210"][3] == 225


def test_rescan_reads_nothing_new_and_reports_nothing_twice(vk_settings, vk_server):
    vk = collector(vk_settings())
    first = vk.collect(None)
    calls = len(vk_server.log)
    again = vk.collect(first.watermark)
    assert again.posts == [] and again.problems == []
    assert again.skipped == 2  # still skipped (206, no id), only not reported again
    assert [r.path for r in vk_server.log[calls:]] == ["/method/groups.getById", "/method/wall.get"]


def test_edited_post_and_new_comments_are_updates_of_the_same_ids(vk_settings, vk_server, wall_calls):
    vk = collector(vk_settings())
    first = vk.collect(None)
    wall = next(c for c in vk_server.calls if c["method"] == "wall.get")["response"]["items"]
    edited = next(i for i in wall if isinstance(i, dict) and i.get("id") == 210)
    edited.update(text="Третий день нет воды в Лаптево. UPD: аварию устранили к 18:00", edited=T + 3600)
    edited["comments"]["count"] = 16
    thread = next(c for c in vk_server.calls if c["params"].get("comment_id") == 211)["response"]
    reply = copy.deepcopy(thread["items"][-1])
    reply.update(id=226, date=T + 3700, text="Спасибо, вода пошла")
    thread["items"].append(reply)
    thread["count"] = 13
    third = vk.collect(first.watermark)
    posts = by_native(third)
    assert set(posts) == {f"{OWNER}_210", f"{OWNER}_210_c226"}
    assert posts[f"{OWNER}_210"].id == by_native(first)[f"{OWNER}_210"].id  # same id: an upsert, not a duplicate
    assert "аварию устранили" in posts[f"{OWNER}_210"].text
    assert json.loads(third.watermark)["recent"][f"{OWNER}_210"][3] == 226


def test_watermark_of_the_first_version_is_read(vk_settings):
    batch = collector(vk_settings()).collect(json.dumps({"date": T - 3000}))
    fresh = {n for n, p in by_native(batch).items() if not p.is_comment}
    assert fresh == {f"{OWNER}_210"}  # older posts in the re-read window are remembered, not stored again
    assert len([p for p in batch.posts if p.is_comment]) == 14
    assert set(json.loads(batch.watermark)["recent"]) == {f"{OWNER}_{i}" for i in (210, 209, 208, 207, 205)}


def test_no_recheck_keeps_the_plain_watermark(vk_settings, vk_server):
    vk = collector(vk_settings(recheck_hours=0, comments=False))
    batch = vk.collect(None)
    assert not any(p.is_comment for p in batch.posts)
    assert not vk_server.requests_of("execute")
    assert json.loads(batch.watermark)["date"] == T - 600 and "recent" not in json.loads(batch.watermark)


def test_search_keeps_the_source_key_pages_and_skips_duplicates(vk_settings, vk_server):
    vk = collector(vk_settings(search=["Пестово"]))
    batch = vk.collect(None)
    posts = by_native(batch)
    assert {"-3000111_41", "7001_9", "-3000222_7"} <= set(posts)
    assert all(p.source == "pestovo_test" for p in batch.posts)
    assert posts["-3000111_41"].id == post_id(Platform.vk, "pestovo_test", "-3000111_41")
    assert posts["-3000111_41"].reach == 91000 and posts["7001_9"].reach == 150
    assert [p.native_id for p in batch.posts].count(f"{OWNER}_210") == 1  # on the wall and in the search
    assert any("item 8: field «date»" in p for p in batch.problems)
    searches = [p for m, p in vk_server.methods if m == "newsfeed.search"]
    assert [s.get("start_from") for s in searches] == [None, "8/5_-3000111_40:1"]
    assert int(searches[0]["start_time"]) == NOW - 86400 + 1 and searches[0]["count"] == "200"
    assert json.loads(batch.watermark)["search"] == {"Пестово": T - 600}
    vk.collect(batch.watermark)
    later = [p for m, p in vk_server.methods if m == "newsfeed.search"][2]
    assert int(later["start_time"]) == T - 600 + 1


def test_geo_search_without_a_wall(vk_settings, vk_server):
    settings = vk_settings(owner=None, search=["Пестово дерево провода"], latitude=58.5973, longitude=35.8144)
    batch = collector(settings).collect(None)
    assert [p.native_id for p in batch.posts] == ["-3000333_12"] and batch.posts[0].reach == 400
    (method, params), = [m for m in vk_server.methods]
    assert method == "newsfeed.search" and params["latitude"] == "58.5973" and params["longitude"] == "35.8144"


def test_first_read_goes_back_backfill_days_only(vk_settings):
    batch = collector(vk_settings(backfill_days=1, comments=False)).collect(None)
    assert {p.native_id for p in batch.posts} == {f"{OWNER}_{i}" for i in (210, 209, 208, 207, 205)}  # not 204, 100
