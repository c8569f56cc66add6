"""The OK collector against the local OK server: topics, comments, re-reads, watermarks, problems."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

from collectors.base import CollectorError
from collectors.ok.client import LiveOkClient, ReplayOkClient
from collectors.ok.collector import OkCollector
from collectors.ok.guard import OkStop
from core.domain import post_id
from testing.fakes.ok import APP_KEY, SECRET_KEY, TOKEN, OkServer
from tests.collectors.ok.conftest import FIXTURES, GID, NOW, T, ok_source
from tests.collectors.raw_checks import check_raw


def collector(server, **fields) -> OkCollector:
    client = LiveOkClient(APP_KEY, SECRET_KEY, TOKEN, server.url, timeout=5)
    return OkCollector(ok_source(server, **fields), client, clock=lambda: NOW)


def topics_page(server) -> list[dict]:
    return next(c for c in server.calls if c["method"] == "mediatopic.getTopics" and "anchor" not in c["params"]
                )["response"]["media_topics"]


def test_first_read_maps_topics_and_comments(ok_server):
    batch = collector(ok_server).collect(None)
    by_native = {p.native_id: p for p in batch.posts}
    topics = sorted(n for n, p in by_native.items() if not p.is_comment)
    assert topics == [f"{GID}_1557000000008{n}" for n in ("32", "50", "61", "84", "98")] + [
        f"{GID}_155700000000905", f"{GID}_155700000000917"]  # the old pinned rules are passed over
    water = by_native[f"{GID}_155700000000917"]
    assert water.text.startswith("Жители улицы Советской, у вас тоже из крана бежит ржавая вода?")
    assert (water.engagement.likes, water.engagement.reposts, water.engagement.views, water.engagement.comments) == \
        (23, 4, 1510, 3)
    assert water.reach == 6840 and water.author == "user:575113008812"
    assert water.url == f"https://ok.ru/group/{GID}/topic/155700000000917"
    assert water.published_at == datetime.fromtimestamp(T - 600, tz=timezone.utc)
    road = by_native[f"{GID}_155700000000905"]
    assert [a.type for a in road.attachments] == ["photo", "photo"]
    assert [(a.type, a.title) for a in by_native[f"{GID}_155700000000898"].attachments] == \
        [("poll", "Где нужен новый пешеходный переход?")]
    link = by_native[f"{GID}_155700000000884"].attachments[0]
    assert (link.type, link.url) == ("link", "https://pestovo-adm.example/news/2311-raspisanie")

    comments = [p for p in batch.posts if p.is_comment]
    assert len(comments) == 6  # 3 + 2 (two pages) + 1; the closed topic's comment is reported
    reply = by_native[f"{GID}_155700000000917_cMTU1NzAwMDAwMDAwOTE3OjI="]
    assert reply.parent_id == post_id("ok", "pestovo_ok", f"{GID}_155700000000917_cMTU1NzAwMDAwMDAwOTE3OjE=")
    assert reply.thread_id == water.id and reply.author == "575113008812"
    # "2026-11-19 17:48:20" Moscow time is 14:48:20 UTC
    assert reply.published_at == datetime.fromtimestamp(T - 300, tz=timezone.utc)
    assert check_raw(batch, ok_source(ok_server)) == {"topic": 7, "comment": 6}
    assert batch.skipped == 1
    assert any("item 155700000000880: field «created_ms»: expected int, got missing" in p for p in batch.problems)
    assert any("комментарии к теме" in p and "155700000000861" in p and "код 8" in p for p in batch.problems)
    assert len(ok_server.calls_of("discussions.getComments")) == 5


def test_rereads_store_only_what_changed(ok_server):
    first = collector(ok_server).collect(None)
    second = collector(ok_server).collect(first.watermark)
    assert (second.posts, second.problems) == ([], [])  # the same bad items are not reported again

    page = topics_page(ok_server)
    fresh = copy.deepcopy(page[1])
    fresh.update(id="155700000000930", created_ms=(T + 60) * 1000,
                 media=[{"type": "text", "text": "В Устье с утра нет электричества, кто знает причину?"}],
                 discussion_summary={"comments_count": 0})
    page.insert(1, fresh)
    road = next(t for t in page if t.get("id") == "155700000000905")
    road["media"][0]["text"] += " UPD: сегодня начали ямочный ремонт"
    water = next(t for t in page if t.get("id") == "155700000000917")
    water["discussion_summary"]["comments_count"] = 4
    thread = next(c for c in ok_server.calls if c["method"] == "discussions.getComments"
                  and c["params"] == {"entityId": "155700000000917"})["response"]["comments"]
    thread.append({"id": "MTU1NzAwMDAwMDAwOTE3OjQ=", "date": "2026-11-19 17:55:00", "author_id": "575113440019",
                   "text": "Вечером вода уже чище, видимо промыли", "like_count": 0})

    third = collector(ok_server).collect(second.watermark)
    assert sorted(p.native_id for p in third.posts) == [  # 917 again: its comment count (engagement) grew
        f"{GID}_155700000000905", f"{GID}_155700000000917", f"{GID}_155700000000917_cMTU1NzAwMDAwMDAwOTE3OjQ=",
        f"{GID}_155700000000930"]
    assert "UPD: сегодня начали ямочный ремонт" in next(p for p in third.posts if p.native_id.endswith("905")).text
    state = json.loads(third.watermark)
    assert state["created"] == (T + 60) * 1000
    assert state["recent"]["155700000000917"][2:] == [4, 1795100100000]  # 17:55 MSK = T + 100 s


def test_a_stop_keeps_the_watermark(ok_calls):
    calls = [{"method": "mediatopic.getTopics", "error": {"error_code": 102, "error_msg": "Session expired"}}] + ok_calls
    with OkServer(calls) as server:
        with pytest.raises(OkStop, match="MCU_OK_TOKEN"):
            collector(server).collect('{"created":1795000000000}')


def test_a_short_name_that_is_not_a_group_is_refused(ok_calls):
    calls = [{"method": "url.getInfo", "response": {"type": "USER", "objectId": 575113008812}}]
    with OkServer(calls) as server:
        with pytest.raises(CollectorError, match="ok.ru/pestovo_gorod: это не группа Одноклассников"):
            collector(server).collect(None)


def test_a_deleted_group_is_skipped_and_reported_once(ok_calls):
    calls = [{"method": "group.getInfo", "error": {"error_code": 300, "error_msg": "Group not found"}}] + ok_calls
    with OkServer(calls) as server:
        first = collector(server).collect('{"created":1795000000000}')
        assert first.posts == [] and "группа «pestovo_gorod» пропущена: не найдено (удалено)" in first.problems[0]
        assert json.loads(first.watermark)["created"] == 1795000000000
        assert collector(server).collect(first.watermark).problems == []


def test_replay_reads_the_same_recording_as_the_server():
    source = ok_source(OkServer([]), api_url=None, replay=FIXTURES / "group_pestovo.json")
    batch = OkCollector(source, ReplayOkClient(FIXTURES / "group_pestovo.json"), clock=lambda: NOW).collect(None)
    assert len([p for p in batch.posts if not p.is_comment]) == 7 and len(batch.posts) == 13


def test_a_broken_watermark_is_named():
    with pytest.raises(CollectorError, match="pestovo_ok: stored watermark is not an OK watermark"):
        OkCollector(ok_source(OkServer([])), ReplayOkClient(FIXTURES / "group_pestovo.json")).collect('{"recent": 5}')


def test_an_empty_topic_is_reported_once_and_not_stored(ok_calls):
    page = next(c for c in ok_calls if c["method"] == "mediatopic.getTopics" and "anchor" not in c["params"])
    page["response"]["media_topics"].insert(1, {"id": "155700000000920", "created_ms": (T - 300) * 1000, "media": []})
    with OkServer(ok_calls) as server:
        first = collector(server).collect(None)
        assert f"{GID}_155700000000920" not in {p.native_id for p in first.posts} and first.skipped == 2
        assert any("155700000000920: field «media»: no text and no attachments" in p for p in first.problems)
        second = collector(server).collect(first.watermark)
        assert (second.posts, second.problems, second.skipped) == ([], [], 1)  # the broken one, counted again
