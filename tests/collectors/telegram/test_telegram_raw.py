"""Raw items of a live Telegram read (real telethon.tl objects through ``to_dict()``): channel
posts and the comments under them, JSON-safe, each re-mapping to its post."""
from __future__ import annotations

from datetime import datetime

from core.domain import Platform, post_id
from tests.collectors.raw_checks import check_raw
from tests.collectors.telegram.conftest import collector, source


def test_channel_posts_and_comments_carry_raw_items(fake, new_account):
    batch = collector(new_account(fake)).collect(None)
    assert check_raw(batch, source()) == {"message": 5, "comment": 4}  # 202 is a photo without text
    road = batch.raw[post_id(Platform.telegram, "pestovo_live", "201")]
    assert isinstance(road.payload["date"], str) and datetime.fromisoformat(road.payload["date"])  # was a datetime
    assert road.context["chat"]["username"] == "pestovo_live" and road.context["reach"] == 6210
    answer = batch.raw[post_id(Platform.telegram, "pestovo_live", "c9002")]
    assert answer.kind == "comment" and answer.context["root"] == 201
    assert answer.context["thread_root"] == road.post_id
    assert answer.payload["from_id"]["user_id"] == 610000002  # as received; the pipeline pseudonymises it
