"""The Telegram collector against a fake Telegram that answers with real telethon.tl objects."""
from __future__ import annotations

import json
from datetime import timedelta

from telethon.tl import types

from collectors.telegram.client import PAGE
from core.domain import Platform, post_id
from testing.fakes.telegram_client import NOW, chat_message
from tests.collectors.telegram.conftest import collector, source


def by_native(batch):
    return {p.native_id: p for p in batch.posts}


def test_channel_posts_engagement_and_comments(fake, new_account):
    batch = collector(new_account(fake)).collect(None)
    posts = by_native(batch)
    assert set(posts) == {"201", "202", "203", "204", "205", "c9001", "c9002", "c9004", "c9005"}
    road = posts["201"]
    assert road.url == "https://t.me/pestovo_live/201"
    assert (road.engagement.views, road.engagement.reposts, road.engagement.likes, road.engagement.comments) == (
        1800, 12, 35, 3)
    assert road.reach == 6210  # from the full channel info, since the resolved Channel has no count
    assert road.author is None and road.parent_id is None
    assert posts["204"].text == "Вода в Лаптево будет после 20:00"  # zero-width and BOM removed
    assert posts["204"].engagement.likes == 6  # custom emoji and paid reactions count too
    assert posts["203"].text == "🔥🔥🔥"  # emoji-only posts are kept
    assert posts["205"].text.startswith("График подвоза воды")  # a forwarded post is a post of this channel

    root = post_id(Platform.telegram, "pestovo_live", "201")
    first, answer = posts["c9001"], posts["c9002"]
    assert first.parent_id == root and first.thread_id == root
    assert answer.parent_id == first.id and answer.thread_id == root  # a reply to a comment
    assert answer.url == "https://t.me/pestovo_live/201?comment=9002"
    assert first.author == "610000001"
    # the photo-only post 202 is stored (a photo, pointing at the message), with the discussion under it
    photo_root = post_id(Platform.telegram, "pestovo_live", "202")
    assert posts["202"].text == "" and [(a.type, a.url) for a in posts["202"].attachments] == [
        ("photo", "https://t.me/pestovo_live/202")]
    assert posts["c9004"].thread_id == photo_root and posts["c9005"].parent_id == posts["c9004"].id
    assert "pestovo_live: message 206: no text and no media, skipped" in batch.problems  # zero-width only
    assert any("1 комментариев без текста" in p for p in batch.problems)  # the sticker 9003

    mark = json.loads(batch.watermark)
    assert mark["min_id"] == 205
    assert mark["recent"]["201"][-1] == 9003 and mark["recent"]["202"][-1] == 9005  # newest comment read
    assert fake.calls == {"ResolveUsernameRequest": 1, "GetFullChannelRequest": 1, "GetHistoryRequest": 1,
                          "GetRepliesRequest": 2}


def test_second_run_reads_nothing_old_and_resolves_nothing(fake, new_account):
    first = collector(new_account(fake)).collect(None)
    fake.reset_log()
    again = collector(new_account(fake)).collect(first.watermark)  # a new run: new account, same state file
    assert again.posts == []
    assert fake.calls["ResolveUsernameRequest"] == 0 and fake.calls["GetFullChannelRequest"] == 0
    assert fake.calls == {"GetHistoryRequest": 1, "GetMessagesRequest": 1}  # new messages; recent posts' state
    history = next(r for r in fake.requests if type(r).__name__ == "GetHistoryRequest")
    assert history.offset_id == 206 and history.add_offset == -PAGE  # ids above the watermark, oldest first
    assert history.peer.access_hash == 5566778899001122  # from the state file, not from a new resolve
    assert json.loads(again.watermark)["min_id"] == 205


def test_edits_engagement_and_new_comments_are_updates(fake, channel, new_account):
    first = collector(new_account(fake)).collect(None)
    channel.replace(201, message="На улице Советской ремонт дороги перенесли на весну.",
                    edit_date=NOW, views=4000,
                    replies=types.MessageReplies(replies=4, replies_pts=40030, comments=True, channel_id=1700000799,
                                                 max_id=9010))
    channel.comments[201].append(chat_message(
        1700000799, 9010, "Так и знали, что перенесут", NOW, from_id=types.PeerUser(610000007),
        reply_to=types.MessageReplyHeader(reply_to_msg_id=5001, reply_to_top_id=5001)))
    channel.replace(203, views=905)  # +0.5 % views: not worth a new version
    channel.add(chat_message(1700000700, 207, "Отключение электричества в Пестово 21 ноября с 10 до 14.", NOW,
                             post=True, views=15))
    fake.reset_log()
    again = collector(new_account(fake)).collect(first.watermark)
    posts = by_native(again)
    assert set(posts) == {"201", "207", "c9010"}
    edited = posts["201"]
    assert edited.id == by_native(first)["201"].id  # the same post: an update, not a duplicate
    assert edited.text == "На улице Советской ремонт дороги перенесли на весну."
    assert edited.engagement.views == 4000 and edited.engagement.comments == 4
    assert posts["c9010"].parent_id == edited.id
    replies = [r for r in fake.requests if type(r).__name__ == "GetRepliesRequest"]
    assert [(r.msg_id, r.offset_id) for r in replies] == [(201, 9004)]  # only comments after 9003
    mark = json.loads(again.watermark)
    assert mark["min_id"] == 207 and mark["recent"]["201"][-1] == 9010


def test_deleted_recent_post_is_reported_and_forgotten(fake, channel, new_account):
    first = collector(new_account(fake)).collect(None)
    channel.messages = [m for m in channel.messages if m.id != 204]
    again = collector(new_account(fake)).collect(first.watermark)
    assert "pestovo_live: сообщение 204 удалено или недоступно" in again.problems
    assert "204" not in json.loads(again.watermark)["recent"]


def test_recent_window_is_bounded(fake, new_account):
    batch = collector(new_account(fake), source(refresh_recent=2)).collect(None)
    assert sorted(json.loads(batch.watermark)["recent"]) == ["205", "206"]


def test_comments_can_be_switched_off(fake, new_account):
    batch = collector(new_account(fake), source(comments=False)).collect(None)
    assert not [p for p in batch.posts if p.is_comment]
    assert fake.calls["GetRepliesRequest"] == 0


def test_chat_replies_threads_service_and_backfill(fake, new_account):
    batch = collector(new_account(fake), source("town", "@pestovo_town")).collect(None)
    posts = by_native(batch)
    assert set(posts) == {"301", "303", "304"}  # 300 is older than backfill_days; 302 is a join; 305 a geo point
    top = posts["301"]
    assert posts["303"].parent_id == top.id and posts["303"].thread_id == top.id
    assert posts["304"].parent_id == posts["303"].id and posts["304"].thread_id == top.id
    assert top.reach == 3412 and top.engagement.likes == 7
    assert any("item 302: field «_»: not a message (MessageService)" in p for p in batch.problems)
    assert json.loads(batch.watermark) == {"min_id": 304}  # chats keep no recent-post state
    history = next(r for r in fake.requests if type(r).__name__ == "GetHistoryRequest")
    assert history.offset_date == NOW - timedelta(days=7) and history.offset_id == 0


def test_long_history_is_paged_oldest_first_and_resumed(fake, town, new_account):
    base = town.messages[-1].id
    for i in range(1, 251):
        town.add(chat_message(1700000600, base + i, f"Сообщение номер {i} о дорогах Пестово", NOW,
                              from_id=types.PeerUser(620000100 + i)))
    first = collector(new_account(fake, pages_per_chat=2), source("town", "@pestovo_town")).collect(None)
    read = [int(p.native_id) for p in first.posts]
    assert read == sorted(read) and read[0] == 301 and read[-1] == 300 + 200  # two pages of 100, oldest first
    assert len(read) == 198  # less the join (302) and the geo point (305)
    assert json.loads(first.watermark)["min_id"] == read[-1]
    assert any("pages_per_chat" in p for p in first.problems)
    second = collector(new_account(fake, pages_per_chat=2), source("town", "@pestovo_town")).collect(first.watermark)
    assert {int(p.native_id) for p in second.posts} == set(range(read[-1] + 1, base + 251))
    assert json.loads(second.watermark)["min_id"] == base + 250
    assert not any("pages_per_chat" in p for p in second.problems)


def test_bad_payloads_are_reported_and_never_stop_the_chat(fake, town, new_account):
    town.add(chat_message(1700000600, 306, "Плохая дата", NOW, from_id=types.PeerUser(1)))
    town.replace(306, date="вчера вечером")  # a layer change could bring anything
    town.add(chat_message(1700000600, 307, "Просмотры строкой", NOW, views="12"))
    town.add(chat_message(1700000600, 308, "А" * 50_000 + "\u200b", NOW))
    town.add(chat_message(1700000600, 309, "Вода на Вокзальной снова есть 🎉", NOW))
    town.add(chat_message(1700000600, 310, "Цитата из районного канала", NOW, reply_to=types.MessageReplyHeader(
        reply_to_msg_id=77, reply_to_peer_id=types.PeerChannel(1700000800))))
    batch = collector(new_account(fake), source("town", "@pestovo_town")).collect(None)
    posts = by_native(batch)
    assert "town: item 306: field «date»: expected an ISO datetime, got 'вчера вечером'" in batch.problems
    assert any(p.startswith("town: item 307: field «views»: expected a non-negative int") for p in batch.problems)
    assert len(posts["308"].text) == 20_000  # huge texts are capped, not rejected
    assert posts["309"].text == "Вода на Вокзальной снова есть 🎉"
    assert posts["310"].parent_id is None  # a reply to another chat's message is not threaded here
    assert json.loads(batch.watermark)["min_id"] == 310


def test_replay_dump_still_reads_the_demo_shape(tmp_path):
    """The demo dumps (to_dict() JSON) go through the same collector without a network."""
    from datetime import datetime, timezone

    from collectors.telegram.client import ReplayTelegramReader
    from collectors.telegram.collector import TelegramCollector
    from demo.render import render

    render(tmp_path, datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
    src = source("pestovo_news_tg", "@pestovo_novosti")
    reader = ReplayTelegramReader(tmp_path / "telegram" / "pestovo_news_tg.json")
    first = TelegramCollector(src, reader).collect(None)
    counts = json.loads((tmp_path / "MANIFEST.json").read_text(encoding="utf-8"))["counts"]["pestovo_news_tg"]
    assert len(first.posts) == counts["posts"] + counts["comments"]
    nested = [p for p in first.posts if p.is_comment and p.parent_id != p.thread_id]
    assert nested, "answers to comments point at the comment they answer"
    again = TelegramCollector(src, reader).collect(first.watermark)
    assert again.posts == [] and json.loads(again.watermark)["min_id"] == json.loads(first.watermark)["min_id"]
