"""The pure map of VK API objects (``collectors/vk/mapping.py``), field by field, on payloads in
VK API 5.199's wire format: a wall post (``wall.get``, ``newsfeed.search``) with its reposts
(``copy_history``), attachments and poll, a comment (``wall.getComments``) and a community
(``groups.getById``); the clear error a malformed item gets (source, item and field), and the
signature that decides whether a re-read post is stored again."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest

from collectors.base import BadPayload
from collectors.vk.mapping import attachments_of, map_comment, map_group, map_post, poll_of, signature
from core.domain import Engagement, Platform, Post, post_id
from core.polls import Poll, PollOption

SOURCE = "pestovo_test"
OWNER = -217000001
T = 1795100000
AT = datetime(2026, 11, 19, 14, 53, 20, tzinfo=timezone.utc)  # T
ROOT = post_id(Platform.vk, SOURCE, f"{OWNER}_210")


def wall_post(**fields) -> dict:
    """A ``wall.get`` item of the community's wall, as VK sends it."""
    return {"id": 210, "owner_id": OWNER, "from_id": OWNER, "date": T, "post_type": "post",
            "text": "Третий день нет воды в Лаптево", "comments": {"can_post": 1, "count": 15},
            "likes": {"can_like": 1, "count": 40, "user_likes": 0, "can_publish": 1},
            "reposts": {"count": 3, "user_reposted": 0}, "views": {"count": 5400}, **fields}


def comment(**fields) -> dict:
    """A ``wall.getComments`` item under post 210."""
    return {"id": 211, "from_id": 51234002, "post_id": 210, "owner_id": OWNER, "parents_stack": [],
            "date": T + 60, "text": "У нас на Заречной тоже нет воды",
            "likes": {"can_like": 1, "count": 3, "user_likes": 0}, **fields}


def poll(question="Где поставить новую остановку?", **fields) -> dict:
    """A ``poll`` attachment."""
    return {"type": "poll", "poll": {
        "id": 900001, "owner_id": OWNER, "created": T, "question": question, "votes": 57,
        "answers": [{"id": 1, "text": "У рынка", "votes": 35, "rate": 61.4},
                    {"id": 2, "text": "У школы №1", "votes": 22, "rate": 38.6}],
        "anonymous": True, "multiple": False, "closed": False, "end_date": 0, "author_id": 51230777, **fields}}


def photo(*sizes: dict, text: str = "") -> dict:
    return {"type": "photo", "photo": {"id": 457239017, "album_id": -7, "owner_id": OWNER, "date": T,
                                       "sizes": list(sizes), "text": text}}


def kinds(item: dict) -> list[tuple]:
    return [(a.type, a.url, a.title) for a in attachments_of(item)]


# --- wall posts -------------------------------------------------------------------------------

def test_a_wall_post_becomes_a_post():
    post = map_post(wall_post(), SOURCE, 5400)
    assert (post.platform, post.source, post.native_id, post.id) == (Platform.vk, SOURCE, f"{OWNER}_210", ROOT)
    assert post.url == "https://vk.com/wall-217000001_210"
    assert post.author == "-217000001" and post.text == "Третий день нет воды в Лаптево"
    assert post.published_at == AT and post.reach == 5400
    assert post.engagement.model_dump() == {"likes": 40, "comments": 15, "reposts": 3, "views": 5400}
    assert (post.parent_id, post.thread_id, post.attachments, post.poll, post.by_owner) == (None, None, [], None,
                                                                                             False)


@pytest.mark.parametrize("fields, author", [
    ({"signer_id": 51234001}, "51234001"),  # the community's post, signed by the citizen who suggested it
    ({"from_id": 51234009}, "51234009"),  # a citizen's post on an open wall
    ({"signer_id": 0, "from_id": 51234009}, "51234009"), ({"signer_id": [51234001], "from_id": 51234009}, "51234009"),
    ({"from_id": None}, "-217000001"),  # nobody named: the wall's owner
])
def test_the_author_is_the_signer_then_the_sender_then_the_wall(fields, author):
    assert map_post(wall_post(**fields), SOURCE, 0).author == author


def test_counters_that_are_missing_or_malformed_count_zero():
    post = map_post(wall_post(likes={"can_like": 1, "user_likes": 0}, comments={"count": -1},
                              reposts={"count": True}, views="900"), SOURCE, 0)
    assert post.engagement == Engagement(likes=0, comments=0, reposts=0, views=0)
    assert map_post(wall_post(likes=7, reposts={"count": 0}), SOURCE, 0).engagement.likes == 7  # a plain number


def test_a_repost_carries_its_own_words_then_those_of_the_posts_it_shares():
    """``copy_history`` is the chain: the reposted post first, then the post that one reposted."""
    history = [{"id": 55, "owner_id": -3000111, "from_id": -3000111, "date": T - 600, "post_type": "post",
                "text": "Администрация округа: 21 ноября отключат воду"},
               "junk", {"id": 54, "owner_id": -3000222, "text": "   "},
               {"id": 9, "owner_id": -3000333, "text": "Исходное сообщение МЧС"}]
    post = map_post(wall_post(text="Делимся важным:", copy_history=history), SOURCE, 0)
    assert post.text == ("Делимся важным:\n\nАдминистрация округа: 21 ноября отключат воду\n\n"
                         "Исходное сообщение МЧС")
    bare = wall_post(copy_history=history[:1])
    del bare["text"]
    assert map_post(bare, SOURCE, 0).text == "Администрация округа: 21 ноября отключат воду"


def test_a_huge_text_is_cut_and_the_cut_logged_with_source_item_and_field(caplog):
    with caplog.at_level(logging.WARNING, logger="collectors.text"):
        post = map_post(wall_post(text="вода" * 5001), SOURCE, 0)
        reply = map_comment(comment(text="нет" * 6700), SOURCE, OWNER, 210, 0)
    assert len(post.text) == 20_000 and len(reply.text) == 20_000
    assert [r.getMessage() for r in caplog.records] == [
        "pestovo_test: item -217000001_210: field «text»: text longer than 20000 characters, cut",
        "pestovo_test: item -217000001_210_c211: field «text»: text longer than 20000 characters, cut"]


@pytest.mark.parametrize("item, message", [
    ([], "item ?: field «(item)»: expected an object, got list"),
    ({"owner_id": OWNER, "date": T}, "item ?: field «id»: expected int, got missing"),
    (wall_post(owner_id=str(OWNER)), "item 210: field «owner_id»: expected int, got str '-217000001'"),
    (wall_post(date=True), "item 210: field «date»: expected int, got bool True"),
    (wall_post(date="19.11.2026 14:53"), "item 210: field «date»: expected int, got str '19.11.2026 14:53'"),
    (wall_post(date=10 ** 12), "item 210: field «date»: not a valid unix time: 1000000000000"),  # year 33658
])
def test_a_malformed_post_names_source_item_and_field(item, message):
    with pytest.raises(BadPayload) as raised:
        map_post(item, SOURCE, 0)
    assert str(raised.value) == f"pestovo_test: {message}"


# --- comments ---------------------------------------------------------------------------------

def test_a_comment_becomes_a_post_under_its_wall_post():
    item = comment(attachments=[photo({"type": "x", "url": "https://sun.userapi.com/puddle.jpg", "width": 604,
                                       "height": 453})])
    reply = map_comment(item, SOURCE, OWNER, 210, 5400)
    assert reply.native_id == f"{OWNER}_210_c211" and reply.id == post_id(Platform.vk, SOURCE, f"{OWNER}_210_c211")
    assert reply.url == "https://vk.com/wall-217000001_210?reply=211"
    assert reply.author == "51234002" and reply.text == "У нас на Заречной тоже нет воды"
    assert reply.published_at == datetime(2026, 11, 19, 14, 54, 20, tzinfo=timezone.utc) and reply.reach == 5400
    assert reply.engagement == Engagement(likes=3)
    assert (reply.parent_id, reply.thread_id, reply.by_owner, reply.poll) == (ROOT, ROOT, False, None)
    assert [(a.type, a.url) for a in reply.attachments] == [("photo", "https://sun.userapi.com/puddle.jpg")]


@pytest.mark.parametrize("fields, parent", [
    ({}, None),  # a comment on the post
    ({"parents_stack": [211]}, 211),  # a reply in the thread of comment 211
    ({"parents_stack": [211], "reply_to_comment": 215, "reply_to_user": 51234003}, 215),  # to one reply in it
    ({"reply_to_comment": 215}, 215),
    ({"parents_stack": "211"}, None),  # not a list: ignored
    ({"parents_stack": None}, None),
])
def test_a_reply_hangs_under_the_comment_it_answers(fields, parent):
    reply = map_comment(comment(id=216, **fields), SOURCE, OWNER, 210, 0)
    expected = post_id(Platform.vk, SOURCE, f"{OWNER}_210_c{parent}") if parent else ROOT
    assert reply.parent_id == expected and reply.thread_id == ROOT


@pytest.mark.parametrize("fields, author", [
    ({"from_id": OWNER}, "-217000001"), ({"from_id": "anon-50d3449cadf23a50"}, "anon-50d3449cadf23a50"),
    ({"from_id": None}, None), ({"from_id": 0}, None), ({"from_id": ""}, None), ({"from_id": [51234002]}, None),
    ({"from_id": True}, None)])
def test_the_author_of_a_comment_is_its_sender(fields, author):
    assert map_comment(comment(**fields), SOURCE, OWNER, 210, 0).author == author


def test_a_comment_without_a_sender_field_has_no_author():
    item = comment()
    del item["from_id"]
    assert map_comment(item, SOURCE, OWNER, 210, 0).author is None


def test_the_community_wrote_a_comment_when_its_sender_is_the_wall():
    assert map_comment(comment(from_id=OWNER), SOURCE, OWNER, 210, 0).by_owner is True
    assert map_comment(comment(), SOURCE, OWNER, 210, 0).by_owner is False
    # a stored comment's from_id is pseudonymised: its raw item's context says who wrote it
    assert map_comment(comment(from_id="anon-1f"), SOURCE, OWNER, 210, 0, by_owner=True).by_owner is True
    assert map_comment(comment(from_id=OWNER), SOURCE, OWNER, 210, 0, by_owner=False).by_owner is False


@pytest.mark.parametrize("item, message", [
    ("удалён", "item ?: field «(item)»: expected an object, got str"),
    ({"from_id": 51234002, "date": T}, "item ?: field «id»: expected int, got missing"),
    (comment(date=None), "item 211: field «date»: expected int, got missing"),
    (comment(date=-10 ** 13), "item 211: field «date»: not a valid unix time: -10000000000000"),
])
def test_a_malformed_comment_names_source_item_and_field(item, message):
    with pytest.raises(BadPayload) as raised:
        map_comment(item, SOURCE, OWNER, 210, 0)
    assert str(raised.value) == f"pestovo_test: {message}"


# --- attachments ------------------------------------------------------------------------------

def test_a_photo_links_its_largest_size_and_keeps_its_caption():
    item = {"attachments": [photo({"type": "s", "url": "https://sun.userapi.com/s.jpg", "width": 75, "height": 56},
                                  {"type": "x", "url": "https://sun.userapi.com/x.jpg", "width": 604, "height": 453},
                                  {"type": "w", "width": 2560, "height": 1920},  # no address: not a candidate
                                  "junk", text="Яма на Советской, 12")]}
    assert kinds(item) == [("photo", "https://sun.userapi.com/x.jpg", "Яма на Советской, 12")]


@pytest.mark.parametrize("unsized", [{"height": 2000}, {"width": 2000}, {"width": 0, "height": 2000}])
def test_a_size_without_both_dimensions_never_counts_as_the_largest(unsized):
    item = {"attachments": [photo({"type": "o", "url": "https://sun.userapi.com/o.jpg", **unsized},
                                  {"type": "m", "url": "https://sun.userapi.com/m.jpg", "width": 20, "height": 20})]}
    assert kinds(item) == [("photo", "https://sun.userapi.com/m.jpg", None)]  # an empty caption is no title


def test_attachments_with_missing_or_malformed_parts():
    item = {"attachments": [
        {"type": "video", "video": {"owner_id": -1, "title": "Ремонт моста"}},  # no id: no address
        {"type": "video", "video": {"id": 5, "title": "Паводок"}},
        {"type": "photo", "photo": "deleted"}, {"type": "video", "video": None},
        {"type": "doc", "doc": {"url": 123, "title": "график.pdf"}},
        {"type": "link", "link": {"url": "https://pestovo-adm.example/n/2", "title": 2024}},
        {"type": "link", "link": {"url": "https://pestovo-adm.example/n/3", "title": "Д" * 400}},
        poll()]}
    assert kinds(item) == [
        ("video", None, "Ремонт моста"), ("video", None, "Паводок"), ("photo", None, None), ("video", None, None),
        ("doc", None, "график.pdf"), ("link", "https://pestovo-adm.example/n/2", None),
        ("link", "https://pestovo-adm.example/n/3", "Д" * 300), ("poll", None, "Где поставить новую остановку?")]


@pytest.mark.parametrize("attachments", [1, True, "photo", {"type": "photo"}])
def test_attachments_that_are_not_a_list_are_ignored(attachments):
    post = map_post(wall_post(attachments=attachments, copy_history=[{"attachments": [poll()]}]), SOURCE, 0)
    assert [a.type for a in post.attachments] == ["poll"] and post.poll.voters == 57


# --- polls ------------------------------------------------------------------------------------

def test_a_closed_poll_with_several_choices_and_open_voters():
    found = poll_of({"attachments": [poll(closed=True, multiple=True, anonymous=False)]})
    assert found == Poll(question="Где поставить новую остановку?", voters=57, closed=True, multiple=True,
                         anonymous=False, options=[PollOption(text="У рынка", votes=35),
                                                   PollOption(text="У школы №1", votes=22)])
    unflagged = poll()
    for key in ("closed", "multiple", "anonymous"):
        del unflagged["poll"][key]
    assert (poll_of({"attachments": [unflagged]}).closed, poll_of({"attachments": [unflagged]}).multiple,
            poll_of({"attachments": [unflagged]}).anonymous) == (False, False, True)


def test_votes_that_are_not_a_count_are_hidden_and_zero_is_zero():
    body = poll(votes=0, answers=[{"id": 1, "text": "Да", "votes": 0}, {"id": 2, "text": "Нет", "votes": "12"},
                                  {"id": 3, "text": "Всё равно", "votes": -1}, {"id": 4, "text": "Против", "votes": True},
                                  {"id": 5, "text": "Воздержусь", "votes": 3.5}, {"id": 6, "text": "За", "votes": 3}])
    found = poll_of({"attachments": [body]})
    assert found.voters == 0 and [o.votes for o in found.options] == [0, None, None, None, None, 3]


def test_answers_without_words_are_dropped():
    body = poll(answers=["junk", {"id": 1, "votes": 3}, {"id": 2, "text": "   ", "votes": 1},
                         {"id": 3, "text": 7, "votes": 1}, {"id": 4, "text": "  У рынка ", "votes": 35}])
    assert poll_of({"attachments": [body]}).options == [PollOption(text="У рынка", votes=35)]


def test_the_first_poll_with_a_question_wins_own_before_reposted():
    stray = {"type": "photo", "photo": {"sizes": []}, "poll": poll("Чужой опрос")["poll"]}  # a poll key on a photo
    item = {"attachments": ["junk", stray, poll(None), poll("   "), poll("Где ставить остановку?")],
            "copy_history": [{"attachments": [poll("Опрос из репоста")]}]}
    assert poll_of(item).question == "Где ставить остановку?"
    assert poll_of({"attachments": [], "copy_history": ["junk", {"attachments": None},
                                                        {"attachments": [poll("Опрос из репоста")]}]}).question == \
        "Опрос из репоста"
    nameless = poll()
    del nameless["poll"]["question"]
    assert poll_of({"attachments": [nameless]}) is None


@pytest.mark.parametrize("history", [5, {"attachments": [poll()]}, "copy"])
def test_a_repost_chain_that_is_not_a_list_is_ignored(history):
    post = map_post(wall_post(copy_history=history), SOURCE, 0)
    assert post.poll is None and post.text == "Третий день нет воды в Лаптево"


# --- the community ----------------------------------------------------------------------------

def test_the_community_of_either_form_of_groups_getbyid():
    group = {"id": 217000001, "name": "Пестово | Новости", "screen_name": "pestovo_test", "is_closed": 0,
             "type": "page", "members_count": 5400}
    assert map_group({"groups": [group], "profiles": []}) == group  # API 5.194 and later
    assert map_group([group]) == group  # earlier versions: a bare list


@pytest.mark.parametrize("response, field, reason", [
    ({"groups": [], "profiles": []}, "groups", "empty response"), ([], "groups", "empty response"),
    ({"groups": ["junk"]}, "groups", "empty response"), (["junk"], "groups", "empty response"),
    ({"groups": "pestovo"}, "groups", "empty response"), ({}, "groups", "empty response"),
    ({"groups": [{"name": "Пестово", "id": "217000001"}]}, "id", "group without a numeric id"),
    ([{"name": "Пестово"}], "id", "group without a numeric id"),
])
def test_an_unusable_groups_answer_is_a_clear_error(response, field, reason):
    with pytest.raises(BadPayload) as raised:
        map_group(response)
    assert str(raised.value) == f"vk: item groups.getById: field «{field}»: {reason}"


# --- the signature of a re-read post ----------------------------------------------------------

def post_with(text="Яма", likes=3, comments=2, reposts=1, views=100, found: Poll | None = None) -> Post:
    return Post(platform=Platform.vk, source=SOURCE, native_id=f"{OWNER}_210", text=text, published_at=AT,
                engagement=Engagement(likes=likes, comments=comments, reposts=reposts, views=views), poll=found)


def two_options(second=22, closed=False) -> Poll:
    return Poll(question="Где?", options=[PollOption(text="А", votes=35), PollOption(text="Б", votes=second)],
                closed=closed)


def test_the_signature_is_pinned_for_known_parts():
    """The signature is kept in the watermark (``recent``): its format is stored data."""
    assert signature(post_with()) == "6d7b5b580a"  # sha1("Яма\x1f3\x1f2\x1f1")[:10]
    assert signature(post_with(found=two_options())) == "6f8717bf2a"  # sha1("Яма\x1f3\x1f2\x1f1\x1f35\x1f22\x1fFalse")


@pytest.mark.parametrize("changed", [
    {"text": "Яма засыпана"}, {"likes": 4}, {"comments": 3}, {"reposts": 2}])
def test_new_words_or_engagement_change_the_signature(changed):
    assert signature(post_with(**changed)) != "6d7b5b580a"


def test_new_votes_or_the_end_of_voting_change_the_signature_but_views_do_not():
    assert signature(post_with(found=two_options(second=23))) != "6f8717bf2a"
    assert signature(post_with(found=two_options(closed=True))) != "6f8717bf2a"
    assert signature(post_with(views=100_000)) == "6d7b5b580a"
