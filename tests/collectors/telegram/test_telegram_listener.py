"""Live mode: Telethon updates → Listener → Pipeline.ingest → store → alerts, and the watermark."""
from __future__ import annotations

import json
import logging

import pytest
from telethon.tl import types

from collectors.telegram.account import install_account
from collectors.telegram.listener import Listener, WatchedChat, start_listener
from core.config import load_config
from core.domain import Platform, post_id
from pipeline.pipeline import Pipeline
from testing.fakes.telegram_client import NOW, chat_message, new_message
from tests.collectors.telegram.conftest import LIVE_SOURCES, telegram_config

TOWN_ID, CHANNEL_ID = 1700000600, 1700000700
ALARM = ("В Лаптево третий день нет воды! Прорвало трубу, администрация молчит, люди возмущены, "
         "дети без воды. Сколько можно терпеть?!")
LOUD = dict(views=5000, forwards=60, replies=types.MessageReplies(replies=40, replies_pts=1),
            reactions=types.MessageReactions(results=[types.ReactionCount(reaction=types.ReactionEmoji("😡"),
                                                                          count=120)]))


@pytest.fixture
def live(tmp_path, monkeypatch, fake, town, new_account):
    """A pipeline on a tmp store with both chats caught up, and the listener attached to the fake client."""
    town.messages = [m for m in town.messages if m.id != 305]  # the catch-up then ends on an unbroken run
    settings = load_config(telegram_config(tmp_path, LIVE_SOURCES, monkeypatch))
    account = new_account(fake)
    install_account(settings, account)
    pipeline = Pipeline.open(settings)
    outcomes = []
    listener, notes = start_listener(pipeline, account, [s for s in settings.sources], report=outcomes.append)
    yield pipeline, listener, notes, outcomes
    pipeline.close()


def min_id(pipeline, key: str) -> int:
    return json.loads(pipeline.store.get_watermark(key))["min_id"]


def test_catch_up_then_listen(live, fake):
    pipeline, listener, notes, _ = live
    assert "pestovo_live: догнали с отметки: прочитано 9, новых 9" in notes  # the photo-only 202 included
    assert any(n.startswith("town: аккаунт не подписан") for n in notes)  # left=True in the recording
    assert set(listener.chats) == {TOWN_ID, CHANNEL_ID}
    assert min_id(pipeline, "town") == 304 and min_id(pipeline, "pestovo_live") == 205
    assert fake.calls["ResolveUsernameRequest"] == 2  # once per chat: the listener reuses what the scan resolved


def test_new_message_is_stored_alerted_and_moves_the_watermark(live, fake, tmp_path):
    pipeline, _, _, outcomes = live
    fake.deliver(new_message(TOWN_ID, 305, ALARM, from_id=types.PeerUser(620000050), **LOUD))
    [outcome] = outcomes
    assert outcome.new == 1 and outcome.problem is None
    stored, analysis = pipeline.store.get_post(post_id(Platform.telegram, "town", "305"))
    assert stored.text == ALARM and stored.url == "https://t.me/pestovo_town/305"
    assert stored.author.startswith("anon-")  # pseudonymised on the way in, like a scan
    assert analysis.topic.code == "utilities"
    assert outcome.alerts and outcome.alerts[0].level in ("medium", "high", "critical")
    assert {a.id for a in pipeline.store.list_alerts()} >= {a.id for a in outcome.alerts}
    assert "Лаптево" in (tmp_path / "alerts.txt").read_text(encoding="utf-8")
    assert min_id(pipeline, "town") == 305


def test_watermark_waits_for_an_unbroken_run(live, fake):
    pipeline, _, _, outcomes = live
    fake.deliver(new_message(TOWN_ID, 305, "Свет дали"), new_message(TOWN_ID, 307, "А у нас нет"))
    assert min_id(pipeline, "town") == 305  # 306 not seen: a gap the next scan must read
    join = types.MessageService(id=306, peer_id=types.PeerChannel(TOWN_ID), date=NOW,
                                action=types.MessageActionChatJoinedByRequest())
    fake.deliver(types.UpdateNewChannelMessage(message=join, pts=306, pts_count=1))
    assert min_id(pipeline, "town") == 307  # the join closed the gap
    assert [o.message_id for o in outcomes] == [305, 307]


def test_other_chats_are_ignored(live, fake):
    pipeline, _, _, outcomes = live
    before = pipeline.store.stats().posts
    fake.deliver(new_message(1234567, 10, ALARM))
    assert outcomes == [] and pipeline.store.stats().posts == before


def test_edit_is_an_update_not_a_duplicate(live, fake):
    pipeline, _, _, outcomes = live
    fake.deliver(new_message(TOWN_ID, 305, "Воду дадут к вечеру"))
    before = pipeline.store.stats().posts
    edited = chat_message(TOWN_ID, 305, "Воду дадут только завтра утром", NOW, edit_date=NOW)
    fake.deliver(types.UpdateEditChannelMessage(message=edited, pts=400, pts_count=1))
    assert outcomes[-1].updated == 1 and outcomes[-1].new == 0
    assert pipeline.store.stats().posts == before
    stored, _ = pipeline.store.get_post(post_id(Platform.telegram, "town", "305"))
    assert stored.text == "Воду дадут только завтра утром"


def test_channel_post_is_tracked_and_the_next_scan_does_not_duplicate_it(live, fake, channel):
    pipeline, _, _, outcomes = live
    post = chat_message(CHANNEL_ID, 207, "Подача воды в Лаптево возобновлена.", NOW, post=True, views=3)
    fake.deliver(types.UpdateNewChannelMessage(message=post, pts=207, pts_count=1))
    assert outcomes[-1].new == 1
    mark = json.loads(pipeline.store.get_watermark("pestovo_live"))
    assert mark["min_id"] == 205  # 206 (zero-width only) arrived before the listener: the scan closes it
    assert "207" in mark["recent"]  # the next scan refreshes it and reads its comments
    channel.add(post)
    report = pipeline.scan_source("pestovo_live")
    assert report.new == 0 and min_id(pipeline, "pestovo_live") == 207


def test_bad_and_empty_messages_are_reported_and_skipped(live, fake):
    pipeline, _, _, outcomes = live
    fake.deliver(new_message(TOWN_ID, 305, "", media=types.MessageMediaGeo(geo=types.GeoPointEmpty())))
    bad = chat_message(TOWN_ID, 306, "Текст", NOW, views=-5)
    fake.deliver(types.UpdateNewChannelMessage(message=bad, pts=306, pts_count=1))
    assert outcomes[0].problem == "town: message 305: no text and no media, skipped"  # a geo point alone
    assert outcomes[1].problem.startswith("town: item 306: field «views»")
    assert pipeline.store.get_post(post_id(Platform.telegram, "town", "306")) is None
    assert min_id(pipeline, "town") == 306  # seen and reported: not read again


def test_a_failing_store_loses_nothing(live, fake, caplog):
    pipeline, _, _, outcomes = live
    real = pipeline.store.upsert_posts

    def broken(items, raw=None):
        list(items)
        raise OSError("disk full")

    pipeline.store.upsert_posts = broken
    with caplog.at_level(logging.ERROR):
        fake.deliver(new_message(TOWN_ID, 305, "Нет света на Кирова"))
    assert "message 305" in caplog.text and "the next scan reads it again" in caplog.text
    assert "disk full" in caplog.text
    assert min_id(pipeline, "town") == 304  # not moved past what was not stored
    pipeline.store.upsert_posts = real
    fake.deliver(new_message(TOWN_ID, 306, "Свет дали"))  # the listener goes on
    assert outcomes[-1].new == 1 and min_id(pipeline, "town") == 304


def test_handler_is_a_plain_function(tmp_path, monkeypatch, channel):
    """Without any client: a real Message in, a stored post out."""
    from collectors.telegram.entities import channel_info

    settings = load_config(telegram_config(tmp_path, LIVE_SOURCES, monkeypatch))
    pipeline = Pipeline.open(settings)
    try:
        info = channel_info(channel.channel, NOW.timestamp())
        listener = Listener(pipeline, [WatchedChat(settings.source("pestovo_live"), info)])
        outcome = listener.handle(chat_message(CHANNEL_ID, 300, ALARM, NOW, post=True, **LOUD))
        assert outcome.new == 1 and outcome.post.engagement.likes == 120 and outcome.post.engagement.views == 5000
        assert outcome.watermark is None  # never scanned: the first scan's backfill must not be skipped
        assert pipeline.store.get_watermark("pestovo_live") is None
        assert listener.handle(chat_message(999, 1, ALARM, NOW)) is None
    finally:
        pipeline.close()


def test_mcu_listen_command(tmp_path, monkeypatch, fake, town, new_account):
    from typer.testing import CliRunner

    import collectors.telegram.account as account_module
    from cli.app import app

    config = telegram_config(tmp_path, LIVE_SOURCES, monkeypatch)
    monkeypatch.setattr(account_module, "connect_account", lambda settings, receive_updates=False: new_account(fake))
    fake.pushed = [new_message(TOWN_ID, 306, ALARM, **LOUD)]
    result = CliRunner().invoke(app, ["listen", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "Слушаем 2 чат(ов)" in result.output
    assert "town #306: новое · алертов:" in result.output
    settings = load_config(config)
    pipeline = Pipeline.open(settings)
    try:
        assert pipeline.store.get_post(post_id(Platform.telegram, "town", "306")) is not None
    finally:
        pipeline.close()


def test_mcu_listen_without_live_chats(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cli.app import app

    config = telegram_config(tmp_path, [{"key": "rec", "platform": "telegram", "name": "Запись", "chat": "@recorded",
                                      "replay": str(tmp_path / "x.json")}], monkeypatch)
    result = CliRunner().invoke(app, ["listen", "--config", str(config)])
    assert result.exit_code == 2 and "слушать нечего" in result.output


def test_a_live_message_is_stored_with_its_pseudonymised_raw_item(live, fake):
    pipeline, _, _, outcomes = live
    fake.deliver(new_message(TOWN_ID, 305, ALARM, from_id=types.PeerUser(620000050)))
    stored, _ = pipeline.store.get_post(post_id(Platform.telegram, "town", "305"))
    [raw] = [r for r in pipeline.store.raw_items(source="town") if r.post_id == stored.id]
    assert raw.kind == "message" and raw.payload["message"] == ALARM
    assert raw.payload["from_id"]["user_id"] == stored.author and stored.author.startswith("anon-")
    assert "620000050" not in raw.model_dump_json()
