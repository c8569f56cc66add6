"""Fuzzing both stores: any post a mapper can produce (clean text of any length and script, odd
URLs, attachments, engagement up to the billions, any moment) and its raw item come back from
SQLite and Elasticsearch exactly as they went in."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from collectors.text import clean_text
from core.domain import Attachment, Engagement, Platform, Post
from core.store import Store
from testing import strategies as s

pytestmark = pytest.mark.fuzz
SERIAL = itertools.count()
counts = st.integers(0, 2**31 - 1)

posts = st.builds(
    lambda platform, native, url, author, title, text, moment, engagement, reach, attachments: Post(
        platform=platform, source="fuzz_source", native_id=f"{next(SERIAL)}-{native}", url=url, author=author,
        title=title, text=text, published_at=moment, engagement=engagement, reach=reach, attachments=attachments),
    st.sampled_from(list(Platform)), s.texts.map(clean_text),
    st.none() | s.texts.map(lambda t: f"https://pestovo.ru/{clean_text(t)}"),
    st.none() | st.from_regex(r"anon-[0-9a-f]{16}", fullmatch=True),
    st.none() | s.texts.map(clean_text).filter(bool), s.long_texts.map(clean_text), s.moments,
    st.builds(Engagement, likes=counts, comments=counts, reposts=counts, views=counts), counts,
    st.lists(st.builds(Attachment, type=st.sampled_from(["photo", "video", "doc", "link", "other"]),
                       url=st.none() | st.just("https://sun9-1.userapi.com/x.jpg"),
                       title=st.none() | s.texts.map(clean_text)), max_size=3),
)


@settings(max_examples=max(20, settings().max_examples // 2))  # Elasticsearch refreshes on every write
@given(post=posts)
@example(post=Post(platform="vk", source="fuzz_source", native_id="tangut", text="\U00017000",  # a letter without
                   published_at=datetime(2000, 1, 1, tzinfo=timezone.utc)))  # a Unicode name (pymorphy3 raised)
def test_a_post_and_its_raw_item_round_trip(store: Store, make, post: Post):
    analysis = make.analysis(post)
    raw = make.raw(post, note=post.text[:500])
    result = store.upsert_posts([(post, analysis)], raw={post.id: raw})
    assert result.new == 1
    assert store.get_post(post.id) == (post, analysis)
    assert [r for r in store.raw_items(source="fuzz_source") if r.post_id == post.id] == [raw]
