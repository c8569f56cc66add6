"""Collectors parse recorded wire data; bad items are reported with source, id and field, never fatal."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from collectors.rss.collector import RssCollector
from collectors.telegram.collector import TelegramCollector
from collectors.telegram.client import ReplayTelegramReader
from collectors.vk.collector import VkCollector
from collectors.vk.client import ReplayVkClient
from collectors.rss.config import RssSource
from collectors.telegram.config import TelegramSource
from collectors.vk.config import VkSource
from core.domain import Platform, post_id

FIXTURES = Path(__file__).parent / "fixtures"


def vk_collector() -> VkCollector:
    source = VkSource(key="test_public", platform="vk", name="Тест", owner="test_public")
    return VkCollector(source, ReplayVkClient(FIXTURES / "vk_wall.json"))


def test_vk_wall_comments_and_threads():
    batch = vk_collector().collect(None)
    by_native = {p.native_id: p for p in batch.posts}
    assert set(by_native) == {"-555_30", "-555_28", "-555_27", "-555_30_c31", "-555_30_c32"}
    post = by_native["-555_30"]
    assert post.text == "На улице Советской опять яма на дороге!!!"  # zero-width space removed
    assert post.url == "https://vk.com/wall-555_30"
    assert post.engagement.likes == 15 and post.engagement.views == 900 and post.reach == 1200
    assert post.published_at == datetime(2025, 11, 29, 7, 6, 40, tzinfo=timezone.utc)
    assert post.id == post_id(Platform.vk, "test_public", "-555_30")
    reply = by_native["-555_30_c32"]
    assert reply.parent_id == by_native["-555_30_c31"].id and reply.thread_id == post.id
    assert by_native["-555_30_c31"].parent_id == post.id
    assert by_native["-555_28"].text == "😀😀😀"  # emoji-only posts are kept
    assert len(batch.problems) == 2
    assert any("test_public: item 29: field «date»" in p for p in batch.problems)
    watermark = json.loads(batch.watermark)
    assert watermark["date"] == 1764400000
    assert vk_collector().collect(batch.watermark).problems == []  # the same bad items are reported once


def test_vk_watermark_skips_old_posts():
    batch = vk_collector().collect(json.dumps({"date": 1764300000}))
    assert {p.native_id for p in batch.posts if not p.is_comment} == {"-555_30"}


def test_telegram_chat_messages_and_replies():
    source = TelegramSource(key="test_chat", platform="telegram", name="Тест", chat="@test_chat")
    batch = TelegramCollector(source, ReplayTelegramReader(FIXTURES / "tg_chat.json")).collect(None)
    by_native = {p.native_id: p for p in batch.posts}
    assert set(by_native) == {"10", "11"}
    assert by_native["10"].engagement.likes == 7 and by_native["10"].url == "https://t.me/test_chat/10"
    assert by_native["11"].parent_id == by_native["10"].id
    assert by_native["10"].reach == 800
    assert any("message 12" in p or "item 12" in p for p in batch.problems)
    assert any("item 13: field «date»" in p for p in batch.problems)
    assert any("message 14: no text" in p for p in batch.problems)
    assert json.loads(batch.watermark) == {"min_id": 11}
    again = TelegramCollector(source, ReplayTelegramReader(FIXTURES / "tg_chat.json")).collect(batch.watermark)
    assert again.posts == []


def test_rss_cp1251_feed_with_html_and_missing_date():
    source = RssSource(key="news", platform="rss", name="Тест", url="https://news.example/rss")
    batch = RssCollector(source, str(FIXTURES / "feed_cp1251.xml")).collect(None)
    assert len(batch.posts) == 1
    post = batch.posts[0]
    assert post.title == "Ремонт дороги"
    assert post.text == "Начался ремонт дороги на улице Ленина."
    assert post.published_at == datetime(2025, 11, 28, 7, 0, tzinfo=timezone.utc)
    assert any("news: item news-2: field «published»" in p for p in batch.problems)
    again = RssCollector(source, str(FIXTURES / "feed_cp1251.xml")).collect(batch.watermark)
    assert again.posts == []


def test_the_same_message_id_in_two_telegram_chats_gives_two_posts():
    """Telegram numbers messages per chat: message 10 of one chat is not message 10 of another."""
    ids = {}
    for key in ("pestovo_chat", "laptevo_chat"):
        source = TelegramSource(key=key, platform="telegram", name="Чат", chat=f"@{key}")
        batch = TelegramCollector(source, ReplayTelegramReader(FIXTURES / "tg_chat.json")).collect(None)
        ids[key] = sorted((p.native_id, p.id, p.parent_id) for p in batch.posts)
    assert ids == {  # sha1 of platform, source key and native id (first 20 hex digits)
        "pestovo_chat": [("10", "6a116b3e1d2be5b68a78", None), ("11", "c8d0c73ffacfebf174cd", "6a116b3e1d2be5b68a78")],
        "laptevo_chat": [("10", "cfc0f5377e33bc1960b0", None), ("11", "0cf6d15494fb8290c256", "cfc0f5377e33bc1960b0")],
    }
