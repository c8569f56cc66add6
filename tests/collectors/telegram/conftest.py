"""Fixtures for the Telegram tests: the fake Telegram, a clock, an account on a tmp state file."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # telegram_fakes, beside the tests

from telegram_fakes import FakeChat, FakeClock, FakeTelegram  # noqa: E402

from collectors.telegram.account import TelegramAccount, forget_accounts  # noqa: E402
from collectors.telegram.state import AccountState, state_path  # noqa: E402
from core.config import TelegramSettings  # noqa: E402


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def channel() -> FakeChat:
    return FakeChat.load("tg_channel.json")


@pytest.fixture
def town() -> FakeChat:
    return FakeChat.load("tg_town_chat.json")


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
