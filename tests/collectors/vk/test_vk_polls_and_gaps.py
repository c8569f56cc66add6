"""VK polls with their votes, the community's own replies, posts found deleted, and the comments of
search results: through the real vk_api client against the VK stand-in on 127.0.0.1."""
from __future__ import annotations

import copy

from collectors.base import remap
from collectors.vk.mapping import AUTHOR_FIELDS
from core.domain import Platform, post_id
from core.polls import Poll, PollOption
from core.privacy import Pseudonymizer
from tests.collectors.vk.conftest import T
from tests.collectors.vk.test_vk_collector import OWNER, by_native, collector

POLL_POST = {
    "id": 230, "owner_id": OWNER, "from_id": OWNER, "date": T - 300, "post_type": "post",
    "text": "Жители просили новую остановку. Голосуем до пятницы!",
    "comments": {"count": 0}, "likes": {"count": 12}, "reposts": {"count": 1}, "views": {"count": 800},
    "attachments": [{"type": "poll", "poll": {
        "id": 900001, "owner_id": OWNER, "created": T - 300, "question": "Где поставить новую остановку?",
        "votes": 57, "answers": [{"id": 1, "text": "У рынка", "votes": 35, "rate": 61.4},
                                 {"id": 2, "text": "У школы №1", "votes": 22, "rate": 38.6}],
        "anonymous": True, "multiple": False, "closed": False, "end_date": 0, "author_id": 51230777}}],
}
PAGE_REPLY = {"id": 226, "from_id": OWNER, "post_id": 210, "owner_id": OWNER, "date": T - 100,
              "text": "Администрация: аварийная бригада уже на месте, воду дадут к 18:00",
              "reply_to_comment": 211, "parents_stack": [211], "likes": {"count": 9}}


def wall_items(server) -> list:
    return next(c for c in server.calls if c["method"] == "wall.get")["response"]["items"]


def test_a_poll_is_stored_with_its_votes_and_new_votes_update_it(vk_settings, vk_server):
    wall_items(vk_server).insert(1, copy.deepcopy(POLL_POST))
    vk = collector(vk_settings())
    first = vk.collect(None)
    poll = by_native(first)[f"{OWNER}_230"].poll
    assert poll == Poll(question="Где поставить новую остановку?", voters=57,
                        options=[PollOption(text="У рынка", votes=35), PollOption(text="У школы №1", votes=22)])
    assert poll.results_ru() == "У рынка — 35 (61%); У школы №1 — 22 (39%)"
    assert by_native(first)[f"{OWNER}_230"].full_text.endswith("Где поставить новую остановку?\nУ рынка\nУ школы №1")

    unchanged = vk.collect(first.watermark)
    assert unchanged.posts == []
    body = wall_items(vk_server)[1]["attachments"][0]["poll"]
    body["answers"][1]["votes"], body["votes"] = 30, 65
    again = vk.collect(unchanged.watermark)
    assert [p.native_id for p in again.posts] == [f"{OWNER}_230"]  # only the poll, re-read in the window
    assert [o.votes for o in again.posts[0].poll.options] == [35, 30] and again.posts[0].poll.voters == 65


def test_the_communitys_own_reply_is_marked_and_survives_pseudonymised_remap(vk_settings, vk_server):
    comments = next(c for c in vk_server.calls if c["method"] == "wall.getComments"
                    and c["params"] == {"owner_id": OWNER, "post_id": 210, "offset": 0})["response"]
    comments["items"].append(copy.deepcopy(PAGE_REPLY))
    batch = collector(vk_settings()).collect(None)
    posts = by_native(batch)
    reply, question = posts[f"{OWNER}_210_c226"], posts[f"{OWNER}_210_c211"]
    assert reply.by_owner is True and question.by_owner is False
    assert reply.parent_id == question.id
    raw = Pseudonymizer(b"test-salt").raw(batch.raw[reply.id], AUTHOR_FIELDS)
    assert raw.payload["from_id"].startswith("anon-")  # the id is gone from the payload ...
    assert remap(raw).by_owner is True  # ... the context still says who wrote it


def test_a_post_gone_from_the_wall_is_reported_deleted(vk_settings, vk_server):
    vk = collector(vk_settings())
    first = vk.collect(None)
    assert first.deleted == []
    items = wall_items(vk_server)
    items.remove(next(i for i in items if isinstance(i, dict) and i.get("id") == 209))
    again = vk.collect(first.watermark)
    assert again.deleted == [post_id(Platform.vk, "pestovo_test", f"{OWNER}_209")]
    assert vk.collect(again.watermark).deleted == []  # reported once


def test_search_results_bring_their_comments(vk_settings, vk_server):
    found = next(c for c in vk_server.calls if c["method"] == "newsfeed.search" and c["params"] == {"q": "Пестово"})
    puddle = next(i for i in found["response"]["items"] if i["id"] == 41)
    puddle["comments"] = {"count": 2}
    vk_server.calls.append({"method": "wall.getComments", "params": {"owner_id": -3000111, "post_id": 41, "offset": 0},
                            "response": {"count": 2, "current_level_count": 2, "items": [
                                {"id": 501, "from_id": 7002, "post_id": 41, "owner_id": -3000111, "date": T - 200,
                                 "text": "Там каждую осень так, когда уже сделают ливнёвку?"},
                                {"id": 502, "from_id": 7003, "post_id": 41, "owner_id": -3000111, "date": T - 150,
                                 "text": "Вчера там машина застряла"}]}})
    batch = collector(vk_settings(search=["Пестово"])).collect(None)
    root = post_id(Platform.vk, "pestovo_test", "-3000111_41")
    found_comments = sorted((p.native_id, p.parent_id, p.reach) for p in batch.posts
                            if p.is_comment and p.native_id.startswith("-3000111"))
    assert found_comments == [("-3000111_41_c501", root, 91000), ("-3000111_41_c502", root, 91000)]
    asked = [(p["owner_id"], p["post_id"]) for m, p in vk_server.methods
             if m == "wall.getComments" and "comment_id" not in p and p["offset"] == "0"]
    # the wall's own post 210, found by search too, is not asked twice; 41 is asked once
    assert sorted(asked) == [(str(OWNER), "204"), (str(OWNER), "210"), ("-3000111", "41")]
