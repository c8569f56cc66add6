"""Flood waits, the request budget, the resolve cache and the errors that close a chat."""
from __future__ import annotations

import json

import pytest
from telethon import errors
from telethon.tl.functions.messages import GetHistoryRequest

from collectors.base import CollectorError, build_collector
from collectors.telegram.check import check_source
from collectors.telegram.errors import ChatDeferred
from collectors.telegram.account import install_account, session_path
from collectors.telegram.state import AccountState, state_path
from testing.fakes.telegram_client import FakeTelegram, flood
from tests.collectors.telegram.conftest import collector, source

TOWN = ("town", "@pestovo_town")


def history_request() -> GetHistoryRequest:
    return GetHistoryRequest(peer=None, offset_id=0, offset_date=None, add_offset=0, limit=100, max_id=0, min_id=0,
                             hash=0)


def test_flood_wait_error_is_built_like_telethon_does():
    exc = flood(42, history_request())
    assert isinstance(exc, errors.FloodWaitError) and exc.seconds == 42
    assert "A wait of 42 seconds is required" in str(exc) and "GetHistoryRequest" in str(exc)


def test_short_flood_wait_is_slept_through(fake, clock, new_account):
    fake.fail("GetHistoryRequest", flood(25, history_request()))
    batch = collector(new_account(fake, flood_sleep_max=60)).collect(None)
    assert 25 in clock.sleeps
    assert fake.calls["GetHistoryRequest"] == 2  # the same page asked again after the wait
    assert json.loads(batch.watermark)["min_id"] == 205


def test_long_flood_wait_defers_the_chat_and_is_remembered(fake, clock, new_account, tmp_path):
    first = collector(new_account(fake)).collect(None)
    fake.fail("GetHistoryRequest", flood(3600, history_request()))
    with pytest.raises(ChatDeferred) as deferred:
        collector(new_account(fake, flood_sleep_max=60)).collect(first.watermark)
    assert deferred.value.until == clock.now + 3600
    assert "pestovo_live: отложен до следующего запуска" in str(deferred.value) and "3600" in str(deferred.value)
    assert 3600 not in clock.sleeps
    # A later run before the deadline does not ask Telegram again (that would prolong the wait) ...
    fake.reset_log()
    clock.now += 600
    with pytest.raises(ChatDeferred):
        collector(new_account(fake)).collect(first.watermark)
    assert fake.calls["GetHistoryRequest"] == 0
    # ... and after it the chat is read from the untouched watermark.
    clock.now += 3000 + 1
    later = collector(new_account(fake)).collect(first.watermark)
    assert fake.calls["GetHistoryRequest"] == 1 and json.loads(later.watermark)["min_id"] == 205


def test_flood_on_resolve_defers_one_chat_and_the_cached_ones_go_on(fake, new_account, tmp_path):
    account = new_account(fake)
    collector(account).collect(None)  # pestovo_live is now in the state file
    fake.fail("ResolveUsernameRequest", flood(86400))
    with pytest.raises(ChatDeferred):
        collector(new_account(fake), source(*TOWN)).collect(None)
    fake.reset_log()
    batch = collector(new_account(fake)).collect(None)  # a cached chat needs no ResolveUsername
    assert batch.posts and fake.calls["ResolveUsernameRequest"] == 0
    state = json.loads(state_path(tmp_path / "tg" / "mcu.session").read_text(encoding="utf-8"))
    assert "ResolveUsernameRequest" in state["flood_until"]


def test_repeated_flood_waits_give_up_after_three(fake, clock, new_account):
    fake.fail("GetHistoryRequest", flood(5), flood(5), flood(5))
    with pytest.raises(ChatDeferred, match="3 раза подряд"):
        collector(new_account(fake)).collect(None)
    assert clock.sleeps.count(5) == 3


def test_budget_paces_requests_per_minute(fake, clock, new_account):
    collector(new_account(fake, requests_per_minute=2)).collect(None)  # resolve, full, history, 2 × replies
    assert len(clock.sleeps) == 2 and all(0 < s <= 60 for s in clock.sleeps)


def test_budget_per_run_keeps_what_was_read_and_defers_the_rest(fake, town, new_account):
    from testing.fakes.telegram_client import NOW, chat_message

    for i in range(1, 151):
        town.add(chat_message(1700000600, 305 + i, f"Сообщение {i}", NOW))
    account = new_account(fake, requests_per_run=3)
    town_batch = collector(account, source(*TOWN)).collect(None)  # resolve, full, one page, then out of budget
    assert any("бюджет запросов исчерпан" in p for p in town_batch.problems)
    assert json.loads(town_batch.watermark)["min_id"] == max(int(p.native_id) for p in town_batch.posts)
    assert len(town_batch.posts) == 98  # one page of 100 less the join and the geo point
    with pytest.raises(ChatDeferred, match="бюджет"):
        collector(account, source()).collect(None)  # the next chat waits for the next run


def test_resolved_once_across_runs(fake, new_account, tmp_path):
    for _ in range(3):
        collector(new_account(fake)).collect(None)
        collector(new_account(fake), source(*TOWN)).collect(None)
    assert fake.calls["ResolveUsernameRequest"] == 2  # once per chat, ever
    state = AccountState(state_path(tmp_path / "tg" / "mcu.session"))
    assert state.chats["@pestovo_live"].access_hash == 5566778899001122
    assert (state_path(tmp_path / "tg" / "mcu.session").stat().st_mode & 0o777) == 0o600


def test_unknown_username_is_remembered(fake, clock, new_account):
    src = source("ghost", "@no_such_channel")
    with pytest.raises(CollectorError, match="ghost: @no_such_channel: такого имени в Telegram нет"):
        collector(new_account(fake), src).collect(None)
    with pytest.raises(CollectorError, match="повторная проверка"):
        collector(new_account(fake), src).collect(None)
    assert fake.calls["ResolveUsernameRequest"] == 1
    clock.now += 25 * 3600  # after resolve_retry_hours it is asked again
    with pytest.raises(CollectorError):
        collector(new_account(fake), src).collect(None)
    assert fake.calls["ResolveUsernameRequest"] == 2


def test_private_channel_is_a_clear_error(fake, channel, new_account):
    collector(new_account(fake)).collect(None)
    channel.private = True  # the account was banned from the channel
    with pytest.raises(CollectorError, match="pestovo_live: @pestovo_live: канал или чат закрыт") as error:
        collector(new_account(fake)).collect(None)
    assert not isinstance(error.value, ChatDeferred)


def test_stale_access_hash_is_forgotten_and_resolved_again(fake, channel, new_account, tmp_path):
    collector(new_account(fake)).collect(None)
    channel.channel.access_hash += 1  # Telegram no longer accepts the cached hash
    with pytest.raises(CollectorError, match="ChannelInvalidError"):
        collector(new_account(fake)).collect(None)
    fake.reset_log()
    batch = collector(new_account(fake)).collect(None)
    assert fake.calls["ResolveUsernameRequest"] == 1 and batch.posts


def test_a_user_is_not_a_chat(new_account):
    from telethon.tl import types

    class UserResolver(FakeTelegram):
        def _ResolveUsernameRequest(self, request):
            return types.contacts.ResolvedPeer(peer=types.PeerUser(77), chats=[], users=[])

    with pytest.raises(CollectorError, match="это не канал и не публичный чат"):
        collector(new_account(UserResolver()), source("someone", "@some_person")).collect(None)


def test_build_collector_uses_the_accounts_session(fake, new_account, settings, tmp_path, monkeypatch):
    install_account(settings, new_account(fake))
    batch = build_collector(settings.sources[0], settings).collect(None)
    assert batch.posts and fake.calls["GetHistoryRequest"] == 1
    monkeypatch.setenv("MCU_TG_SESSION", str(tmp_path / "other"))  # the environment wins, «.session» is added
    assert session_path(settings) == tmp_path / "other.session"
    assert session_path(settings, listen=True) == tmp_path / "other-listen.session"  # mcu listen's own login
    monkeypatch.setenv("MCU_TG_LISTEN_SESSION", str(tmp_path / "ears.session"))
    assert session_path(settings, listen=True) == tmp_path / "ears.session"


def test_check_source(fake, new_account, settings, tmp_path):
    install_account(settings, new_account(fake))
    ok, detail = check_source(settings.sources[0], settings)
    assert ok and detail == "«Пестово Live» (канал, участников: 6210)"
    ok, detail = check_source(source(*TOWN), settings)
    assert ok and "аккаунт не подписан" in detail
    ok, detail = check_source(source("ghost", "@no_such_channel"), settings)
    assert not ok and "такого имени в Telegram нет" in detail
    fake.reset_log()
    assert check_source(settings.sources[0], settings)[0] and fake.calls["ResolveUsernameRequest"] == 0
    replay = source("rec", "@recorded", replay=tmp_path / "missing.json")
    ok, detail = check_source(replay, settings)
    assert not ok and "not a Telegram dump" in detail


def test_check_source_without_credentials(settings, monkeypatch):
    for name in ("MCU_TG_API_ID", "MCU_TG_API_HASH", "PREFECT_API_URL"):
        monkeypatch.delenv(name, raising=False)
    ok, detail = check_source(settings.sources[0], settings)
    assert not ok and "MCU_TG_API_ID" in detail


def test_chat_addresses_are_normalised():
    from pydantic import ValidationError

    assert source(chat="https://t.me/pestovo_live").chat == "@pestovo_live"
    assert source(chat="t.me/pestovo_live/123").chat == "@pestovo_live"
    assert source(chat="pestovo_live").chat == "@pestovo_live"
    assert source(chat="-1001700000700").chat == "-1001700000700"
    with pytest.raises(ValidationError, match="ссылки-приглашения"):
        source(chat="https://t.me/+AbCdEf123")
    with pytest.raises(ValidationError, match="ожидается @username"):
        source(chat="@ab")


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """A config with one live Telegram source whose session lives in tmp_path."""
    from core.config import Settings

    session = tmp_path / "tg" / "mcu.session"
    rubricator = {"blocks": [{"code": "b", "label": "Б", "head": {"position": "глава"}}],
                  "topics": [{"code": "other", "label": "Прочее", "block": "b"}]}
    extra = {}
    if "telegram" in Settings.model_fields:
        extra["telegram"] = {"session": session}
        monkeypatch.delenv("MCU_TG_SESSION", raising=False)
    else:  # until Settings has its telegram: section, the environment names the session
        monkeypatch.setenv("MCU_TG_SESSION", str(session))
    gazetteer = tmp_path / "g.yaml"
    gazetteer.write_text("places: []\n", encoding="utf-8")
    return Settings(municipality="Тест", sources=[source()], gazetteer=gazetteer, rubricator=rubricator,
                    **extra)


def test_deferral_survives_pickling():
    """Prefect may pickle a failed task's exception."""
    import pickle

    again = pickle.loads(pickle.dumps(ChatDeferred("town", "FloodWait", 1_800_000_000.0)))
    assert isinstance(again, ChatDeferred) and again.until == 1_800_000_000.0 and str(again).startswith("town:")


def test_telegram_status_command_reads_the_state_file_only(fake, clock, new_account, tmp_path, monkeypatch):
    import time

    from tests.collectors.telegram.conftest import LIVE_SOURCES, telegram_config
    from typer.testing import CliRunner

    from cli.app import app

    config = telegram_config(tmp_path, LIVE_SOURCES + [{"key": "ghost", "platform": "telegram", "name": "Нет такого",
                                                     "chat": "@no_such_channel"}], monkeypatch)
    collector(new_account(fake)).collect(None)
    with pytest.raises(CollectorError):
        collector(new_account(fake), source("ghost", "@no_such_channel")).collect(None)
    fake.fail("GetHistoryRequest", flood(7200))
    clock.now = time.time()  # the command compares the pause with the real time
    with pytest.raises(ChatDeferred):
        collector(new_account(fake), source(*TOWN)).collect(None)
    fake.reset_log()
    result = CliRunner().invoke(app, ["telegram", "status", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "«Пестово Live»" in result.output and "6210" in result.output
    assert "такого имени в Telegram нет" in result.output
    assert "Пауза FloodWait для GetHistoryRequest" in result.output
    assert not fake.requests  # no request to Telegram


def test_state_file_merges_what_another_process_wrote(tmp_path):
    from collectors.telegram.state import ChatInfo

    path = tmp_path / "mcu.state.json"
    listener, scan = AccountState(path), AccountState(path)  # two processes, both loaded the empty file
    listener.put_chat("@pestovo_live", ChatInfo(id=1, access_hash=11, title="Пестово Live"))
    scan.put_chat("@pestovo_town", ChatInfo(id=2, access_hash=22, title="Чат"))
    scan.block("GetHistoryRequest", 2_000_000_000.0)
    listener.put_missing("@ghost_channel", "нет", 1.0)
    merged = AccountState(path)
    assert set(merged.chats) == {"@pestovo_live", "@pestovo_town"} and set(merged.missing) == {"@ghost_channel"}
    assert merged.flood_until == {"GetHistoryRequest": 2_000_000_000.0}
    assert not list(tmp_path.glob("*.tmp"))
