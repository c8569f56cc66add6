"""Fuzzing every platform mapper with payloads shaped like the wire format (``testing.strategies``).

Invariants: a payload maps to a post or raises ``BadPayload`` naming the source (nothing else
escapes); a post's text is clean and capped; the raw item kept beside the post maps to the same
post again, also after its author ids are pseudonymised (``mcu remap`` relies on both).
"""
from __future__ import annotations

import re

import feedparser
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from collectors.base import BadPayload, remap
from collectors.ok import mapping as ok
from collectors.rss import mapping as rss
from collectors.telegram import mapping as telegram
from collectors.text import MAX_TEXT
from collectors.vk import mapping as vk
from core.domain import Post
from core.privacy import Pseudonymizer
from testing.fakes.feeds import FeedItem, rss_feed
from testing import strategies as s

pytestmark = pytest.mark.fuzz
SOURCE = "fuzz_source"
NAMES = Pseudonymizer(b"fuzz-salt")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


def mapped(build):
    """The post ``build()`` maps, or None for a ``BadPayload`` that names the source."""
    try:
        return build()
    except BadPayload as exc:
        assert str(exc).startswith(f"{SOURCE}: item ") and exc.field, exc
        return None


def check_post(post: Post) -> None:
    assert post.source == SOURCE and post.id
    assert len(post.text) <= MAX_TEXT and not CONTROL.search(post.text)
    assert post.title is None or not CONTROL.search(post.title)
    assert post.published_at.utcoffset().total_seconds() == 0
    post.text.encode("utf-8")  # no lone surrogates: storable and sendable


@given(s.vk_post, st.integers(0, 10**6))
@example({"id": 1, "owner_id": -5, "date": 0, "text": "вода \ud83d конец \ud83d\udca7"}, 0)  # JSON may escape a lone
# surrogate; it used to reach the store and fail there (UnicodeEncodeError)
@example({"id": 1, "owner_id": 0, "date": 0, "text": None, "from_id": [1]}, 0)  # the author was "[1]", and
# its pseudonymised raw item remapped to another author (`make fuzz` found it)
def test_vk_wall_posts(item, reach):
    post = mapped(lambda: vk.map_post(item, SOURCE, reach))
    if post is not None:
        check_post(post)
        assert post.native_id == f"{item['owner_id']}_{item['id']}"
        assert post.url == f"https://vk.com/wall{item['owner_id']}_{item['id']}"
        assert remap(vk.raw_post(post, item, reach)) == post
        assert NAMES.apply(remap(NAMES.raw(vk.raw_post(post, item, reach), vk.AUTHOR_FIELDS))) == NAMES.apply(post)


@given(s.vk_comment, st.integers(-10**9, 10**9), st.integers(1, 10**9))
@example({"id": 3, "date": 0, "text": "вода", "from_id": {"id": 7}}, -5, 1)
def test_vk_comments(item, owner, post_native):
    post = mapped(lambda: vk.map_comment(item, SOURCE, owner, post_native, 100))
    if post is not None:
        check_post(post)
        assert post.is_comment and post.thread_id
        raw = vk.raw_comment(post, item, owner, post_native, 100)
        assert remap(raw) == post
        assert NAMES.apply(remap(NAMES.raw(raw, vk.AUTHOR_FIELDS))) == NAMES.apply(post)


def test_vk_author_ids_that_are_not_ids_are_no_author():
    """VK ids are integers; a list or an object in ``from_id``/``signer_id`` is junk, not an author
    named by its printed form (a post falls back to its wall, a comment has no author)."""
    post = vk.map_post({"id": 1, "owner_id": -5, "date": 0, "signer_id": [2], "from_id": {"id": 1}}, SOURCE, 0)
    assert post.author == "-5"
    post = vk.map_post({"id": 1, "owner_id": -5, "date": 0, "signer_id": 0, "from_id": 51234001}, SOURCE, 0)
    assert post.author == "51234001"
    comment = vk.map_comment({"id": 3, "date": 0, "text": "вода", "from_id": [7]}, SOURCE, -5, 1, 0)
    assert comment.author is None and comment.by_owner is False
    comment = vk.map_comment({"id": 3, "date": 0, "text": "вода", "from_id": 7}, SOURCE, -5, 1, 0)
    assert comment.author == "7"


@given(s.tg_message, s.tg_chat, st.booleans())
def test_telegram_messages_and_comments(message, chat, comment):
    root = "0123456789abcdef0123" if comment else None
    post = mapped(lambda: telegram.map_message(message, SOURCE, chat, 500, thread_root=root,
                                               root_native=7 if comment else None))
    if post is not None:
        check_post(post)
        assert post.native_id == (f"c{message['id']}" if comment else str(message["id"]))
        raw = telegram.raw_message(post, message, chat, 500, thread_root=root, root_native=7 if comment else None)
        assert remap(raw) == post
        assert NAMES.apply(remap(NAMES.raw(raw, telegram.AUTHOR_FIELDS))) == NAMES.apply(post)


@given(s.ok_topic, st.integers(0, 10**6))
@example({"id": "7", "created_ms": 10**20}, 0)  # year ≈ 3 billion: was an OSError, not the item's BadPayload
@example({"id": 1, "created_ms": 0, "media": 1}, 0)  # junk media: was a TypeError
def test_ok_topics(topic, reach):
    post = mapped(lambda: ok.map_topic(topic, SOURCE, "5000", reach))
    if post is not None:
        check_post(post)
        assert post.native_id == f"5000_{topic['id']}"
        assert post.url == f"https://ok.ru/group/5000/topic/{topic['id']}"
        assert remap(ok.raw_topic(post, topic, "5000", reach)) == post


@given(s.ok_comment, st.integers(0, 10**6))
@example({"id": "c1", "text": "вода", "date_ms": -10**20}, 0)
def test_ok_comments(comment, reach):
    post = mapped(lambda: ok.map_comment(comment, SOURCE, "5000", "77", reach))
    if post is not None:
        check_post(post)
        assert post.native_id == f"5000_77_c{comment['id']}" and post.parent_id
        assert remap(ok.raw_comment(post, comment, "5000", "77", reach)) == post


@given(s.rss_entry)
def test_rss_entries(entry):
    post = mapped(lambda: rss.map_entry(entry, SOURCE, 0))
    if post is not None:
        check_post(post)
        assert post.author is None  # outlets, not citizens
        assert post.url is None or post.url.startswith(("http://", "https://"))
        assert remap(rss.raw_entry(post, entry, 0)) == post


@given(st.lists(st.tuples(s.wire_texts, s.wire_texts, s.moments), min_size=1, max_size=4))
def test_rss_documents_through_feedparser(items):
    """The whole wire path: an RSS document as a site serves it, parsed by feedparser, then mapped."""
    document = rss_feed("Лента", "https://pestovo.ru", [
        FeedItem(guid=f"urn:fuzz:{i}", title=title, link=f"https://pestovo.ru/{i}", published=moment,
                 description=body) for i, (title, body, moment) in enumerate(items)])
    parsed = feedparser.parse(document)
    posts = [mapped(lambda: rss.map_entry(entry, SOURCE, 0)) for entry in parsed.entries]
    assert len(posts) == len(items)
    for i, post in enumerate(posts):
        assert post is not None and post.native_id == f"urn:fuzz:{i}"
        check_post(post)
