"""Fixtures for the Telegram tests: the fake Telegram with the recorded chats, a clock, an account
on a tmp state file; and the helpers the tests share (a source, a collector, a config)."""
from __future__ import annotations

from pathlib import Path

import pytest

from collectors.telegram.account import TelegramAccount, forget_accounts
from collectors.telegram.client import LiveTelegramReader
from collectors.telegram.collector import TelegramCollector
from collectors.telegram.config import TelegramSource
from collectors.telegram.state import AccountState, state_path
from core.config import TelegramSettings
from testing.configs import write_config
from testing.fakes.telegram_client import FakeChat, FakeClock, FakeTelegram

FIXTURES = Path(__file__).parent / "fixtures"
LIVE_SOURCES = [
    {"key": "pestovo_live", "platform": "telegram", "name": "Пестово Live", "chat": "@pestovo_live"},
    {"key": "town", "platform": "telegram", "name": "Чат жителей", "chat": "https://t.me/pestovo_town"},
]


def source(key: str = "pestovo_live", chat: str = "@pestovo_live", **extra) -> TelegramSource:
    return TelegramSource(key=key, platform="telegram", name="Тест", chat=chat, **extra)


def collector(account, src: TelegramSource | None = None) -> TelegramCollector:
    """The Telegram collector reading ``src`` live through ``account``."""
    src = src or source()
    return TelegramCollector(src, LiveTelegramReader(account, src))


def telegram_config(tmp_path: Path, sources: list[dict], monkeypatch) -> Path:
    """A config in tmp_path for these sources, with the Telegram session in tmp_path/tg."""
    monkeypatch.delenv("MCU_TG_SESSION", raising=False)
    return write_config(tmp_path, sources, telegram={"session": str(tmp_path / "tg" / "mcu.session")})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def channel() -> FakeChat:
    return FakeChat.load(FIXTURES / "tg_channel.json")


@pytest.fixture
def town() -> FakeChat:
    return FakeChat.load(FIXTURES / "tg_town_chat.json")


@pytest.fixture
def fake(channel, town) -> FakeTelegram:
    return FakeTelegram(channel, town)


@pytest.fixture
def new_account(tmp_path, clock):
    """``new_account(client, **telegram_settings)``: a fresh account (as in a new run) on the same state file."""
    def make(client, **options) -> TelegramAccount:
        settings = TelegramSettings(session=tmp_path / "tg" / "mcu.session", **options)
        return TelegramAccount(client, settings, AccountState(state_path(settings.session)), clock=clock,
                               sleep=clock.sleep)

    return make


@pytest.fixture(autouse=True)
def _no_shared_accounts():
    yield
    forget_accounts()
