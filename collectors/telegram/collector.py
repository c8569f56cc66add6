"""The Telegram collector: channel and chat messages above the ``min_id`` watermark."""
from __future__ import annotations

import json
from typing import ClassVar

from collectors.base import Batch, BadPayload, register
from collectors.telegram.client import ReplayTelegramReader, TelegramReader
from collectors.telegram.mapping import map_message
from mcu.config import secret
from mcu.domain import Platform, post_id


class TelegramCollector:
    platform: ClassVar[str] = "telegram"

    def __init__(self, source, reader: TelegramReader):
        self.source = source
        self.reader = reader

    def collect(self, watermark: str | None) -> Batch:
        min_id = int(json.loads(watermark)["min_id"]) if watermark else 0
        chat = self.reader.chat()
        reach = self.source.reach or int(chat.get("participants_count") or 0)
        batch = Batch()
        newest = min_id
        for message in self.reader.messages(min_id):
            try:
                post = map_message(message, self.source.key, chat, reach)
            except BadPayload as exc:
                batch.problems.append(str(exc))
                continue
            if not post.text:
                batch.problems.append(f"{self.source.key}: message {post.native_id}: no text (media only), skipped")
                continue
            batch.posts.append(post)
            newest = max(newest, message["id"])
            if chat.get("broadcast") and post.engagement.comments:
                root = post_id(Platform.telegram, self.source.key, post.native_id)
                for comment in self.reader.comments(message["id"]):
                    try:
                        batch.posts.append(map_message(comment, self.source.key, chat, reach, thread_root=root))
                    except BadPayload as exc:
                        batch.problems.append(str(exc))
        batch.watermark = json.dumps({"min_id": newest})
        return batch


@register("telegram")
def build(source, settings) -> TelegramCollector:
    if source.replay:
        return TelegramCollector(source, ReplayTelegramReader(settings.resolve(source.replay)))
    return TelegramCollector(source, _live_reader(source))


def _live_reader(source) -> TelegramReader:  # pragma: no cover - needs a real account
    from telethon.sync import TelegramClient

    from collectors.telegram.client import LiveTelegramReader

    api_id = secret("MCU_TG_API_ID").get_secret_value()
    api_hash = secret("MCU_TG_API_HASH").get_secret_value()
    session = secret("MCU_TG_SESSION", required=False)
    client = TelegramClient(session.get_secret_value() if session else "data/mcu", int(api_id), api_hash)
    client.start()
    return LiveTelegramReader(client, source.chat)
