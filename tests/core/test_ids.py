"""Post ids: deterministic, and made of platform, source and native id, so that two chats'
message 15 are two posts (Telegram message ids are small per-chat integers)."""
from __future__ import annotations

from datetime import datetime, timezone

from core.domain import Platform, Post, make_id, post_id


def test_the_post_id_is_pinned_for_known_parts():
    # sha1("telegram\x1fpestovo_chat\x1f15")[:20], computed once by hand; the id format is stored data
    assert post_id(Platform.telegram, "pestovo_chat", "15") == "e1547e7be91827e99662"
    assert make_id("a", "b") == "687d61996b1c1278c973"
    assert len(make_id("x")) == 20


def test_the_same_message_number_in_two_chats_gives_two_posts():
    moment = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    one = Post(platform=Platform.telegram, source="pestovo_chat", native_id="15", text="а", published_at=moment)
    two = Post(platform=Platform.telegram, source="laptevo_chat", native_id="15", text="а", published_at=moment)
    assert one.id != two.id
    assert one.id == "e1547e7be91827e99662"


def test_each_part_counts_and_parts_do_not_run_together():
    base = post_id(Platform.vk, "pestovo", "1_2")
    assert base != post_id(Platform.telegram, "pestovo", "1_2")
    assert base != post_id(Platform.vk, "pestovo2", "1_2")
    assert base != post_id(Platform.vk, "pestovo", "1_3")
    assert make_id("ab", "c") != make_id("a", "bc")
