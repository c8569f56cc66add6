"""The pure map of Telethon message dictionaries (``collectors/telegram/mapping.py``): what a
chat message, a channel post and a comment under it become, field by field, and the clear error
a malformed message gets (source, message id and field)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.base import BadPayload
from collectors.telegram.mapping import map_message, media_of, raw_message, remap
from core.domain import Platform, post_id

CHAT = {"id": 1500100, "username": "pestovo_chat", "title": "Пестово | Чат жителей"}
PRIVATE = {"id": 1500200, "title": "Закрытый чат"}
AT = datetime(2026, 11, 19, 9, 30, tzinfo=timezone.utc)


def message(**fields) -> dict:
    return {"_": "Message", "id": 40, "date": AT.isoformat(), "message": "Во дворе на Советской нет света",
            **fields}


def mapped(chat=CHAT, reach=900, **fields):
    return map_message(message(**fields), "chat", chat, reach)


def pid(native: str) -> str:
    return post_id(Platform.telegram, "chat", native)


def test_a_chat_message_becomes_a_post():
    post = mapped(from_id={"_": "PeerUser", "user_id": 610000001}, views=1200, forwards=3,
                  replies={"replies": 4, "max_id": 52},
                  reactions={"results": [{"count": 5}, {"count": 2}, {"count": 0}, {"count": -1}, {"count": True},
                                         {"count": "7"}, "👍", {}]})
    assert (post.platform, post.source, post.native_id, post.id) == (Platform.telegram, "chat", "40", pid("40"))
    assert post.url == "https://t.me/pestovo_chat/40"
    assert post.text == "Во дворе на Советской нет света" and post.published_at == AT
    assert post.author == "610000001" and post.reach == 900
    assert post.engagement.model_dump() == {"likes": 8, "comments": 4, "reposts": 3, "views": 1200}
    assert (post.parent_id, post.thread_id, post.by_owner, post.poll, post.attachments) == (None, None, False, None, [])


def test_a_live_message_keeps_its_datetime_and_a_private_chat_links_by_id():
    post = map_message(message(date=AT, id=7), "chat", PRIVATE, 0)
    assert post.published_at == AT and post.url == "https://t.me/c/1500200/7"


@pytest.mark.parametrize("peer, author", [
    ({"user_id": 6100}, "6100"), ({"channel_id": 1500100}, "1500100"), ({"chat_id": 77}, "77"),
    ({"user_id": 0, "chat_id": 77}, "77"), ({}, None), (None, None), ("6100", None)])
def test_the_author_is_whoever_sent_it(peer, author):
    assert mapped(from_id=peer).author == author


@pytest.mark.parametrize("reactions, likes", [
    (None, 0), ({"results": None}, 0), ({"results": {"count": 3}}, 0),
    ({"results": [{"count": 1}, {"count": 10, "reaction": {"emoticon": "😡"}}]}, 11)])
def test_likes_are_all_reactions(reactions, likes):
    assert mapped(reactions=reactions).engagement.likes == likes


@pytest.mark.parametrize("replies, comments", [
    (None, 0), ({"replies": 0}, 0), ({"replies": -2}, 0), ({"replies": "3"}, 0), ({"replies": 9}, 9)])
def test_comments_are_the_replies_counter(replies, comments):
    assert mapped(replies=replies).engagement.comments == comments


def test_a_reply_in_a_chat_points_at_its_parent_and_the_top_of_the_chain():
    reply = mapped(reply_to={"reply_to_msg_id": 38, "reply_to_top_id": 30})
    assert (reply.parent_id, reply.thread_id) == (pid("38"), pid("30"))
    direct = mapped(reply_to={"reply_to_msg_id": 38})
    assert (direct.parent_id, direct.thread_id) == (pid("38"), pid("38"))
    elsewhere = mapped(reply_to={"reply_to_msg_id": 38, "reply_to_peer_id": {"channel_id": 99}})
    assert (elsewhere.parent_id, elsewhere.thread_id) == (None, None)  # a message of another chat
    for odd in ({"reply_to_msg_id": True}, {"reply_to_msg_id": "38"}, {}):
        assert mapped(reply_to=odd).parent_id is None
    assert mapped(reply_to={"reply_to_msg_id": 38, "reply_to_top_id": False}).thread_id == pid("38")


def comment(by_owner=None, **fields):
    root = post_id(Platform.telegram, "chat", "201")
    return map_message(message(**fields), "chat", CHAT, 900, thread_root=root, root_native=201, by_owner=by_owner)


def test_a_comment_under_a_channel_post_answers_the_post_or_another_comment():
    root = post_id(Platform.telegram, "chat", "201")
    first = comment(reply_to={"reply_to_msg_id": 5001, "reply_to_top_id": 5001})
    assert (first.native_id, first.parent_id, first.thread_id) == ("c40", root, root)
    assert first.id == pid("c40") and first.url == "https://t.me/pestovo_chat/201?comment=40"
    answer = comment(reply_to={"reply_to_msg_id": 5007, "reply_to_top_id": 5001})
    assert (answer.parent_id, answer.thread_id) == (pid("c5007"), root)
    assert comment(reply_to={"reply_to_msg_id": 5007}).parent_id == root
    assert comment().parent_id == root and comment().attachments == []  # no public link to a comment's media
    assert map_message(message(), "chat", PRIVATE, 0, thread_root=root, root_native=201).url is None
    assert map_message(message(), "chat", CHAT, 0, thread_root=root).url is None


def test_a_comment_by_the_channel_itself_is_the_owners():
    assert comment(from_id={"channel_id": CHAT["id"]}).by_owner
    assert not comment(from_id={"channel_id": 999}).by_owner
    assert not comment(from_id={"user_id": CHAT["id"]}).by_owner
    assert not comment(from_id=None).by_owner
    assert comment(by_owner=True, from_id={"user_id": 5}).by_owner  # from a stored item (pseudonymised ids)
    assert not comment(by_owner=False, from_id={"channel_id": CHAT["id"]}).by_owner
    assert not mapped(from_id={"channel_id": CHAT["id"]}).by_owner  # only comments have an owner's reply


@pytest.mark.parametrize("payload, field, reason", [
    ([1, 2], "(message)", "expected an object, got list"),
    (message(id="40"), "id", "expected int, got '40'"),
    (message(id=True), "id", "expected int, got True"),
    (message(_="MessageService"), "_", "not a message (MessageService), skipped"),
    (message(message=["текст"]), "message", "expected text, got list"),
    (message(date="вчера"), "date", "expected an ISO datetime, got 'вчера'"),
    (message(date=1763544600), "date", "expected an ISO datetime, got 1763544600"),
    (message(views=-1), "views", "expected a non-negative int, got -1"),
    (message(views=True), "views", "expected a non-negative int, got True"),
    (message(forwards="3"), "forwards", "expected a non-negative int, got '3'"),
    (message(replies=[1]), "replies", "expected an object, got list"),
    (message(reactions="👍"), "reactions", "expected an object, got str"),
    (message(reply_to=38), "reply_to", "expected an object, got int"),
])
def test_a_malformed_message_names_the_source_the_message_and_the_field(payload, field, reason):
    with pytest.raises(BadPayload) as error:
        map_message(payload, "chat", CHAT, 0)
    assert (error.value.source, error.value.field, error.value.reason) == ("chat", field, reason)
    assert error.value.item == (payload.get("id") if isinstance(payload, dict) else "?")


def test_missing_counters_are_zero_and_text_may_be_absent():
    post = mapped(views=None, forwards=None, message=None, media={"_": "MessageMediaPhoto"})
    assert (post.engagement.views, post.engagement.reposts, post.text) == (0, 0, "")
    assert post.attachments[0].model_dump() == {"type": "photo", "url": "https://t.me/pestovo_chat/40",
                                                "title": None}
    assert map_message({k: v for k, v in message().items() if k != "_"}, "chat", CHAT, 0).native_id == "40"


def test_media_worth_keeping_become_attachments():
    link = "https://t.me/pestovo_chat/40"
    page = {"_": "MessageMediaWebPage", "webpage": {"url": "https://pestovo-adm.example/news/1",
                                                    "title": "График отключений"}}
    assert [a.model_dump() for a in media_of({"media": page}, link)] == [
        {"type": "link", "url": "https://pestovo-adm.example/news/1", "title": "График отключений"}]
    assert media_of({"media": {"_": "MessageMediaWebPage", "webpage": {"_": "WebPageEmpty"}}}, link)[0].url is None
    assert media_of({"media": {"_": "MessageMediaWebPage"}}, link)[0].url == link
    long = {"_": "MessageMediaWebPage", "webpage": {"url": 5, "title": "Т" * 400}}
    (cut,) = media_of({"media": long}, link)
    assert cut.url is None and cut.title == "Т" * 300

    def document(mime, *attributes):
        return {"media": {"_": "MessageMediaDocument", "document": {"mime_type": mime, "attributes": list(attributes)}}}

    named = {"_": "DocumentAttributeFilename", "file_name": "акт.pdf"}
    assert [(a.type, a.url, a.title) for a in media_of(document("application/pdf", {"w": 1}, named), link)] == [
        ("doc", link, "акт.pdf")]
    assert [(a.type, a.title) for a in media_of(document("video/mp4"), link)] == [("video", None)]
    assert [a.type for a in media_of(document("audio/ogg", named), link)] == ["audio"]
    assert [a.type for a in media_of(document(None), link)] == ["doc"]
    assert media_of(document("image/webp", {"_": "DocumentAttributeSticker"}), link) == []
    assert media_of({"media": {"_": "MessageMediaDocument", "document": None}}, link) == []
    poll = {"_": "MessageMediaPoll", "poll": {"question": {"_": "TextWithEntities", "text": "Где ставить горку?"}}}
    assert [(a.type, a.url, a.title) for a in media_of({"media": poll}, link)] == [
        ("poll", link, "Где ставить горку?")]
    old_poll = {"_": "MessageMediaPoll", "poll": {"question": "Где ставить горку?"}}
    assert media_of({"media": old_poll}, None)[0].title == "Где ставить горку?"
    for nothing in ({"_": "MessageMediaGeo"}, {"_": "MessageMediaDice"}, "фото", None):
        assert media_of({"media": nothing}, link) == []


def test_a_poll_keeps_its_question_options_and_votes():
    media = {"_": "MessageMediaPoll",
             "poll": {"question": {"text": " Где ставить горку? "}, "closed": True, "multiple_choice": True,
                      "public_voters": True,
                      "answers": [{"text": {"text": "У школы"}, "option": "AA=="},
                                  {"text": "В парке", "option": "AQ=="}, {"text": "", "option": "Ag=="}, "x"]},
             "results": {"total_voters": 31, "results": [{"option": "AA==", "voters": 20},
                                                          {"option": "AQ==", "voters": -1}, "x"]}}
    poll = mapped(media=media).poll
    assert (poll.question, poll.voters, poll.closed, poll.multiple, poll.anonymous) == (
        "Где ставить горку?", 31, True, True, False)
    assert [(o.text, o.votes) for o in poll.options] == [("У школы", 20), ("В парке", None)]
    hidden = {"_": "MessageMediaPoll", "poll": {"question": "Горка?", "answers": [{"text": "Да", "option": "AA=="}]}}
    poll = mapped(media=hidden).poll
    assert (poll.voters, poll.closed, poll.multiple, poll.anonymous) == (None, False, False, True)
    assert [(o.text, o.votes) for o in poll.options] == [("Да", None)]
    assert mapped(media={"_": "MessageMediaPoll", "poll": {"question": "  "}}).poll is None
    assert mapped(media={"_": "MessageMediaPhoto", "poll": {"question": "Горка?"}}).poll is None
    assert mapped(media={"_": "MessageMediaPoll", "poll": {"question": "Горка?"},
                         "results": {"total_voters": True}}).poll.voters is None


def test_a_stored_message_or_comment_maps_again_to_the_same_post():
    post = mapped(views=5, reply_to={"reply_to_msg_id": 38})
    raw = raw_message(post, message(views=5, reply_to={"reply_to_msg_id": 38}), CHAT, 900)
    assert (raw.kind, raw.context) == ("message", {"chat": CHAT, "reach": 900})
    assert remap(raw) == post
    root = post_id(Platform.telegram, "chat", "201")
    owners = comment(from_id={"channel_id": CHAT["id"]})
    stored = raw_message(owners, message(from_id={"channel_id": CHAT["id"]}), CHAT, 900, thread_root=root,
                         root_native=201)
    assert stored.kind == "comment" and stored.context["root"] == 201 and stored.context["by_owner"] is True
    stored.payload["from_id"] = {"channel_id": "anon-3f1c"}  # pseudonymised when stored
    again = remap(stored)
    assert again.by_owner and again.url == "https://t.me/pestovo_chat/201?comment=40" and again.parent_id == root
    stored.context.update(root="201", by_owner="да")
    odd = remap(stored)
    assert odd.url is None and not odd.by_owner
    with pytest.raises(BadPayload, match="context.thread_root"):
        remap(stored.model_copy(update={"context": {"chat": CHAT, "reach": 1}}))
    with pytest.raises(BadPayload, match="no telegram mapping for items of kind «story»"):
        remap(raw.model_copy(update={"kind": "story"}))


def test_the_replies_counter_and_the_newest_comment_id():
    from collectors.telegram.mapping import replies_of

    assert replies_of({"replies": {"replies": 4, "max_id": 5210}}) == (4, 5210)
    for odd in ("5210", True, None, 52.1):
        assert replies_of({"replies": {"replies": 4, "max_id": odd}}) == (4, None)
    assert replies_of({"replies": {"replies": 0, "max_id": 7}}) == (0, 7)
    assert replies_of({"replies": [4]}) == (0, None) and replies_of({}) == (0, None)


def test_odd_media_fields_give_no_made_up_values():
    link = "https://t.me/pestovo_chat/40"
    unnamed = {"_": "MessageMediaWebPage", "webpage": {"url": "https://x.example/a", "title": 5}}
    assert media_of({"media": unnamed}, link)[0].title is None
    photo = {"_": "MessageMediaPhoto", "poll": {"question": "Горка?"}}
    assert [(a.type, a.title) for a in media_of({"media": photo}, link)] == [("photo", None)]
    broken_poll = {"_": "MessageMediaPoll", "poll": None}
    assert [(a.type, a.url, a.title) for a in media_of({"media": broken_poll}, link)] == [("poll", link, None)]
    photo_comment = comment(media={"_": "MessageMediaPhoto"})
    assert [(a.type, a.url) for a in photo_comment.attachments] == [("photo", None)]  # no public link to it


def test_a_poll_without_a_question_or_votes_yet():
    assert mapped(media={"_": "MessageMediaPoll", "poll": {"answers": [{"text": "Да"}]}}).poll is None
    assert mapped(media={"_": "MessageMediaPoll", "poll": {"question": None}}).poll is None
    fresh = {"_": "MessageMediaPoll", "poll": {"question": "Горка?", "answers": [{"text": None, "option": "AA=="},
                                                                                {"text": "Да", "option": "AQ=="}]},
             "results": {"total_voters": 0, "results": [{"option": "AQ==", "voters": 0}]}}
    poll = mapped(media=fresh).poll
    assert poll.voters == 0 and [(o.text, o.votes) for o in poll.options] == [("Да", 0)]
