"""Every collector returns the platform's item with each post; ``remap`` of it gives the post
again (recorded wire data of the three platforms)."""
from __future__ import annotations

from pathlib import Path

import pytest

from collectors.base import BadPayload, MAPPINGS, mapping_for, remap
from collectors.rss.collector import RssCollector
from collectors.rss.config import RssSource
from collectors.telegram.client import ReplayTelegramReader
from collectors.telegram.collector import TelegramCollector
from collectors.telegram.config import TelegramSource
from collectors.vk.client import ReplayVkClient
from collectors.vk.collector import VkCollector
from collectors.vk.config import VkSource
from tests.collectors.raw_checks import check_raw

FIXTURES = Path(__file__).parent / "fixtures"


def vk_batch():
    source = VkSource(key="test_public", platform="vk", name="Тест", owner="test_public")
    return VkCollector(source, ReplayVkClient(FIXTURES / "vk_wall.json")).collect(None), source


def test_vk_posts_and_comments_carry_their_raw_items():
    batch, source = vk_batch()
    assert check_raw(batch, source) == {"post": 3, "comment": 2}
    reply = next(p for p in batch.posts if p.native_id == "-555_30_c32")
    raw = batch.raw[reply.id]
    assert raw.context == {"owner": -555, "post": 30, "reach": 1200}
    assert raw.payload["id"] == 32 and raw.payload["text"] == reply.text


def test_telegram_messages_carry_their_raw_items():
    source = TelegramSource(key="test_chat", platform="telegram", name="Тест", chat="@test_chat")
    batch = TelegramCollector(source, ReplayTelegramReader(FIXTURES / "tg_chat.json")).collect(None)
    assert check_raw(batch, source) == {"message": 2}
    assert batch.raw[batch.posts[0].id].context["chat"]["username"] == "test_chat"


def test_feed_entries_carry_their_raw_items_as_plain_json():
    source = RssSource(key="test_news", platform="rss", name="Тест", url="https://example.org/rss", reach=300)
    batch = RssCollector(source, str(FIXTURES / "feed_cp1251.xml")).collect(None)
    assert check_raw(batch, source) == {"entry": len(batch.posts)}
    entry = batch.raw[batch.posts[0].id]
    assert type(entry.payload) is dict and isinstance(entry.payload["published_parsed"], list)  # struct_time
    assert entry.context == {"reach": 300}


def test_each_platform_registers_its_mapping():
    for platform in ("vk", "telegram", "rss"):
        mapping = mapping_for(platform)
        assert mapping.platform == platform and mapping.version >= 1 and MAPPINGS[platform] is mapping
    assert "from_id" in mapping_for("vk").author_fields
    assert "from_id.user_id" in mapping_for("telegram").author_fields


def test_a_bad_raw_item_names_its_source_item_and_field():
    batch, source = vk_batch()
    post = next(p for p in batch.posts if p.native_id == "-555_30_c31")
    raw = batch.raw[post.id]
    with pytest.raises(BadPayload, match=r"test_public: item .*: field «context.owner»: expected int, got missing"):
        remap(raw.model_copy(update={"context": {"post": 30, "reach": 1}}), source)
    with pytest.raises(BadPayload, match="field «date»: expected int"):
        remap(raw.model_copy(update={"payload": {**raw.payload, "date": "вчера"}}), source)
    with pytest.raises(BadPayload, match="field «kind»"):
        remap(raw.model_copy(update={"kind": "story"}), source)
    with pytest.raises(ValueError, match="config of source other"):
        remap(raw, source.model_copy(update={"key": "other"}))
