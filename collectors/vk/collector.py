"""The VK collector: a public's wall since the watermark, with comments and their threads."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import ClassVar

from collectors.base import Batch, BadPayload, register
from collectors.vk.client import LiveVkClient, ReplayVkClient, VkClient
from collectors.vk.mapping import map_comment, map_group, map_post
from mcu.config import secret

PAGE = 100
COMMENT_LOOKBACK = timedelta(days=3)  # comments keep arriving under recent posts


class VkCollector:
    platform: ClassVar[str] = "vk"

    def __init__(self, source, client: VkClient):
        self.source = source
        self.client = client

    def collect(self, watermark: str | None) -> Batch:
        since = int(json.loads(watermark)["date"]) if watermark else 0
        group = map_group(self.client.call("groups.getById", group_id=self.source.owner, fields="members_count"))
        owner = -int(group["id"])
        reach = self.source.reach or int(group.get("members_count") or 0)
        batch = Batch()
        newest = since
        comment_floor = datetime.now(timezone.utc) - COMMENT_LOOKBACK
        for item in self._wall(owner, since):
            try:
                post = map_post(item, self.source.key, reach)
            except BadPayload as exc:
                batch.problems.append(str(exc))
                continue
            batch.posts.append(post)
            newest = max(newest, int(item["date"]))
            if self.source.comments and post.engagement.comments and (
                post.published_at >= comment_floor or int(item["date"]) > since
            ):
                batch.posts.extend(self._comments(owner, item["id"], reach, batch))
        batch.watermark = json.dumps({"date": newest})
        return batch

    def _wall(self, owner: int, since: int):
        offset = 0
        while True:
            page = self.client.call("wall.get", owner_id=owner, count=PAGE, offset=offset)
            items = page.get("items", []) if isinstance(page, dict) else []
            for item in items:
                date = item.get("date") if isinstance(item, dict) else None
                if isinstance(date, int) and date <= since:
                    if item.get("is_pinned"):
                        continue  # an old pinned post heads the wall: skip it, read on
                    return
                yield item
            if len(items) < PAGE:
                return
            offset += PAGE

    def _comments(self, owner: int, post_native: int, reach: int, batch: Batch):
        offset = 0
        while True:
            page = self.client.call(
                "wall.getComments", owner_id=owner, post_id=post_native, count=PAGE, offset=offset,
                thread_items_count=10, extended=0,
            )
            items = page.get("items", []) if isinstance(page, dict) else []
            for item in items:
                thread = (item.get("thread") or {}).get("items", []) if isinstance(item, dict) else []
                for entry in [item, *thread]:
                    try:
                        yield map_comment(entry, self.source.key, owner, post_native, reach)
                    except BadPayload as exc:
                        batch.problems.append(str(exc))
            if len(items) < PAGE:
                return
            offset += PAGE


@register("vk")
def build(source, settings) -> VkCollector:
    if source.replay:
        return VkCollector(source, ReplayVkClient(settings.resolve(source.replay)))
    token = secret("MCU_VK_TOKEN")
    return VkCollector(source, LiveVkClient(token.get_secret_value()))
