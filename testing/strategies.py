"""Hypothesis strategies shaped like the platforms' wire formats, for the fuzz tests.

Each payload strategy draws a well-formed item most of the time, and with some probability
puts junk where a field should be (a wrong type, a missing key, an absurd number), as a broken
API, a proxy or a future API version would. Texts mix Russian, markup (HTML, Rich, Markdown),
control and zero-width characters, lone surrogates and very long runs.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

NASTY = ["[/]", "[bold]", "[link=x]", "<b>", "</b>", "<script>", "&", "&amp;", "&#x27;", "\x1b[31m", "\x00", "\x07",
         "\u200b", "\ufeff", "\u00ad", "\ud83d", "\udcff", "\r\n", "\t", "*_`", "«»", "\u202e", "💧", "Лаптево"]
"""Pieces that broke, or could break, something that shows or stores user text."""

texts = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(NASTY)), max_size=12).map("".join)
"""Short user text with the nasty pieces mixed in."""

wire_texts = st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
                                st.sampled_from([n for n in NASTY if not ("\ud800" <= n <= "\udfff")])),
                      max_size=12).map("".join)
"""User text as it can arrive in a UTF-8 document: no lone surrogates."""

long_texts = st.one_of(texts, st.builds(lambda piece, n: piece * n, st.sampled_from(["вода ", "<", "&", "[/]"]),
                                         st.integers(1000, 25_000)))
"""Mostly short text, sometimes far over the 20,000-character cap and the 4,096-character message."""

junk = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=10),
                 st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))
"""Anything a broken payload could hold instead of the expected value."""

unix_times = st.integers(0, 2_000_000_000)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1),
                       timezones=st.just(timezone.utc))


def maybe(value: st.SearchStrategy, junk_share: int = 12) -> st.SearchStrategy:
    """``value``, or junk about one time in ``junk_share``."""
    return st.one_of(*([value] * (junk_share - 1)), junk)


def optional_keys(required: dict, optional: dict) -> st.SearchStrategy[dict]:
    """A dict with the required keys (their values may turn to junk) and some of the optional ones."""
    return st.fixed_dictionaries({k: maybe(v) for k, v in required.items()},
                                 optional={k: maybe(v) for k, v in optional.items()})


counter = st.one_of(st.integers(0, 10**7), st.builds(lambda n: {"count": n}, st.integers(0, 10**7)))
vk_attachment = st.one_of(
    st.fixed_dictionaries({"type": st.just("photo"), "photo": st.fixed_dictionaries(
        {"sizes": st.lists(st.fixed_dictionaries({"url": st.just("https://sun9-1.userapi.com/x.jpg"),
                                                  "width": st.integers(0, 5000), "height": st.integers(0, 5000)}),
                           max_size=3)}, optional={"text": texts})}),
    st.fixed_dictionaries({"type": st.just("video"), "video": st.fixed_dictionaries(
        {"owner_id": st.integers(), "id": st.integers(0, 10**9)}, optional={"title": texts})}),
    st.fixed_dictionaries({"type": st.sampled_from(["doc", "link"]), "doc": st.fixed_dictionaries(
        {"url": st.just("https://vk.com/doc1"), "title": texts}), "link": st.fixed_dictionaries(
        {"url": st.just("https://pestovo.ru/news/1"), "title": texts})}),
    st.fixed_dictionaries({"type": st.sampled_from(["audio", "poll", "sticker", "market"]),
                           "audio": st.fixed_dictionaries({"artist": texts, "title": texts}),
                           "poll": st.fixed_dictionaries({"question": texts})}),
    junk,
)

vk_post = optional_keys(
    {"id": st.integers(1, 10**9), "owner_id": st.integers(-10**9, 10**9), "date": unix_times, "text": long_texts},
    {"from_id": st.integers(-10**9, 10**9), "signer_id": st.integers(0, 10**9), "likes": counter,
     "comments": counter, "reposts": counter, "views": counter,
     "attachments": st.lists(vk_attachment, max_size=4),
     "copy_history": st.lists(st.fixed_dictionaries({"text": texts, "owner_id": st.integers()},
                                                    optional={"attachments": st.lists(vk_attachment, max_size=2)}),
                              max_size=2)},
)
"""A wall post of ``wall.get`` (VK API 5.199)."""

vk_comment = optional_keys(
    {"id": st.integers(1, 10**9), "date": unix_times, "text": texts},
    {"from_id": st.integers(-10**9, 10**9), "likes": counter, "reply_to_comment": st.integers(1, 10**9),
     "parents_stack": st.lists(st.integers(1, 10**9), max_size=3), "attachments": st.lists(vk_attachment, max_size=2)},
)
"""A comment of ``wall.getComments``."""

peer = st.one_of(st.fixed_dictionaries({"_": st.just("PeerUser"), "user_id": st.integers(1, 10**10)}),
                 st.fixed_dictionaries({"_": st.just("PeerChannel"), "channel_id": st.integers(1, 10**10)}))
tg_media = st.one_of(
    st.fixed_dictionaries({"_": st.just("MessageMediaPhoto")}),
    st.fixed_dictionaries({"_": st.just("MessageMediaWebPage"), "webpage": st.fixed_dictionaries(
        {"url": st.just("https://pestovo.ru/a"), "title": texts})}),
    st.fixed_dictionaries({"_": st.just("MessageMediaPoll"), "poll": st.fixed_dictionaries(
        {"question": st.one_of(texts, st.fixed_dictionaries({"text": texts}))})}),
    st.fixed_dictionaries({"_": st.just("MessageMediaDocument"), "document": st.fixed_dictionaries(
        {"mime_type": st.sampled_from(["video/mp4", "audio/ogg", "application/pdf", ""]),
         "attributes": st.lists(st.one_of(st.fixed_dictionaries({"_": st.just("DocumentAttributeFilename"),
                                                                "file_name": texts}),
                                          st.fixed_dictionaries({"_": st.just("DocumentAttributeSticker")})),
                                max_size=2)})}),
    st.fixed_dictionaries({"_": st.sampled_from(["MessageMediaGeo", "MessageMediaDice"])}),
    junk,
)
tg_message = optional_keys(
    {"_": st.just("Message"), "id": st.integers(1, 10**7),
     "date": st.one_of(moments, moments.map(datetime.isoformat)), "message": long_texts},
    {"from_id": peer, "views": st.integers(0, 10**7), "forwards": st.integers(0, 10**6),
     "reply_to": st.fixed_dictionaries({}, optional={"reply_to_msg_id": st.integers(1, 10**7),
                                                    "reply_to_top_id": st.integers(1, 10**7),
                                                    "reply_to_peer_id": peer}),
     "replies": st.fixed_dictionaries({"replies": st.integers(0, 10**5), "max_id": st.integers(1, 10**7)}),
     "reactions": st.fixed_dictionaries({"results": st.lists(st.fixed_dictionaries(
         {"count": st.integers(-5, 10**5)}), max_size=4)}),
     "media": tg_media, "post_author": texts},
)
"""A ``Message.to_dict()`` of Telethon (live: datetimes; recorded: ISO strings)."""

tg_chat = st.fixed_dictionaries({"id": st.integers(1, 10**12)}, optional={"username": st.from_regex(
    r"[a-z][a-z0-9_]{3,20}", fullmatch=True)})

ms_times = st.one_of(st.integers(0, 2_000_000_000_000), st.integers(-10**20, 10**20))
ok_media = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": long_texts}),
    st.fixed_dictionaries({"type": st.just("photo"), "photo_refs": st.lists(st.text(max_size=8), max_size=3)}),
    st.fixed_dictionaries({"type": st.just("link"), "url": st.sampled_from(["https://pestovo.ru/a", "javascript:x"]),
                           "title": texts}),
    st.fixed_dictionaries({"type": st.sampled_from(["poll", "movie", "music", "app", "new-kind"]),
                           "question": texts, "title": texts}),
    junk,
)
ok_topic = optional_keys(
    {"id": st.one_of(st.integers(1, 10**15), st.from_regex(r"[0-9]{1,15}", fullmatch=True)), "created_ms": ms_times},
    {"author_ref": st.sampled_from(["user:5571", "group:5000", ""]), "media": st.lists(ok_media, max_size=4),
     "like_summary": counter, "reshare_summary": counter, "views_count": st.integers(0, 10**7),
     "discussion_summary": st.fixed_dictionaries({"comments_count": st.integers(-3, 10**5)})},
)
"""A group topic of ``mediatopic.getTopics`` (OK API)."""

ok_comment = optional_keys(
    {"id": st.from_regex(r"[A-Za-z0-9]{1,20}", fullmatch=True), "text": texts},
    {"date_ms": ms_times, "date": st.one_of(moments.map(lambda m: m.strftime("%Y-%m-%d %H:%M:%S")), texts),
     "author_id": st.from_regex(r"[0-9]{1,12}", fullmatch=True), "like_count": st.integers(-3, 10**5),
     "reply_to_comment_id": st.from_regex(r"[A-Za-z0-9]{1,20}", fullmatch=True)},
)
"""A comment of ``discussions.getComments`` (OK API)."""

struct_times = st.builds(lambda seconds: time.gmtime(seconds), st.integers(0, 2_000_000_000))
rss_entry = optional_keys(
    {"id": st.one_of(st.text(min_size=1, max_size=40), st.just("urn:pestovo:1")),
     "published_parsed": struct_times},
    {"link": st.one_of(st.just("https://pestovo.ru/news/1"), st.just("javascript:alert(1)"), texts),
     "title": long_texts, "summary": st.one_of(texts, texts.map(lambda t: f"<p>{t}</p>")),
     "content": st.lists(st.fixed_dictionaries({"value": st.one_of(long_texts, texts.map(lambda t: f"<div>{t}</div>"))}),
                         max_size=2),
     "updated_parsed": struct_times,
     "links": st.lists(st.fixed_dictionaries({"href": st.sampled_from(["https://pestovo.ru/a.jpg", "ftp://x"]),
                                              "rel": st.sampled_from(["enclosure", "alternate"]),
                                              "type": st.sampled_from(["image/jpeg", "video/mp4", "", "audio/mp3"])}),
                       max_size=3),
     "author": texts},
)
"""An entry as feedparser gives it (RSS 2.0 or Atom)."""


def recent(moment: datetime) -> datetime:
    """A moment within the retention window of the test stores (recorded posts are a few years old)."""
    return datetime(2025, 3, 10, 12, tzinfo=timezone.utc) - timedelta(seconds=moment.timestamp() % 10**7)
