"""One Telegram account (one session) shared by every Telegram source of a process.

Every API request goes through :meth:`TelegramAccount.request`, which keeps the
request budget, sleeps through short ``FloodWait``s and defers the chat on long
ones. Telethon's own flood sleeping is switched off (``flood_sleep_threshold=0``)
so that all of this is decided here, in one place.

Credentials come only from the environment (``MCU_TG_API_ID``, ``MCU_TG_API_HASH``);
the session file from config (``telegram.session``) or ``MCU_TG_SESSION`` (the listener's:
see :func:`session_path`). None of them is ever logged.
"""
from __future__ import annotations

import atexit
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from collectors.base import CollectorError
from collectors.telegram.budget import RequestBudget
from collectors.telegram.errors import ChatDeferred
from collectors.telegram.state import AccountState, state_path
from core.config import ConfigError, TelegramSettings, secret

log = logging.getLogger(__name__)
FLOOD_RETRIES = 3
LOGIN_HINT = "выполните один раз «mcu telegram login» (см. docs/ru/telegram.md)"


class TelegramAccount:
    def __init__(self, client: Any, settings: TelegramSettings, state: AccountState,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep):
        self.client = client
        self.settings = settings
        self.state = state
        self.budget = RequestBudget(settings.requests_per_minute, settings.requests_per_run, clock, sleep)
        self.calls: Counter[str] = Counter()
        self._clock, self._sleep = clock, sleep

    def now(self) -> float:
        return self._clock()

    def request(self, request: Any, key: str) -> Any:
        """Send one API request for the source ``key``.

        Raises ``ChatDeferred`` on a flood wait above ``flood_sleep_max`` (and remembers
        it, so later runs do not ask before Telegram allows), ``BudgetExhausted`` when
        the run's budget is used, and Telethon's ``RPCError``s otherwise.
        """
        from telethon.errors import FloodError

        name = type(request).__name__
        for _ in range(FLOOD_RETRIES):
            self._respect_block(name, key)
            self.budget.take()
            try:
                result = self.client(request)
            except FloodError as exc:
                seconds = int(getattr(exc, "seconds", 0) or 0)
                if seconds <= self.settings.flood_sleep_max:
                    log.warning("telegram: %s: FloodWait %d s on %s, sleeping through it", key, seconds, name)
                    self._sleep(seconds)
                    continue
                until = self.now() + seconds
                self.state.block(name, until)
                log.warning("telegram: %s: FloodWait %d s on %s, chat deferred", key, seconds, name)
                raise ChatDeferred(key, f"Telegram требует паузу {seconds} с ({name})", until) from None
            self.calls[name] += 1
            return result
        raise ChatDeferred(key, f"Telegram {FLOOD_RETRIES} раза подряд потребовал паузу ({name})")

    def _respect_block(self, name: str, key: str) -> None:
        now = self.now()
        until = self.state.blocked_until(name, now)
        if until is None:
            return
        if until - now <= self.settings.flood_sleep_max:
            self._sleep(until - now)
            return
        raise ChatDeferred(key, f"аккаунт ещё ждёт окончания FloodWait ({name})", until)

    def close(self) -> None:
        disconnect = getattr(self.client, "disconnect", None)
        if disconnect is not None:
            try:
                disconnect()
            except Exception as exc:  # closing must not mask the scan's own outcome
                log.warning("telegram: disconnect failed: %s", exc)


def telegram_settings(settings: Any) -> TelegramSettings:
    """The ``telegram:`` section of the config, or the defaults when the config has none."""
    found = getattr(settings, "telegram", None)
    return found if isinstance(found, TelegramSettings) else TelegramSettings()


def session_path(settings: Any, listen: bool = False) -> Path:
    """The session file: ``MCU_TG_SESSION`` if set, else ``telegram.session``; always ending in
    ``.session``, as Telethon names it.

    ``mcu listen`` runs next to the scheduled scans, and one session file cannot serve two
    processes (Telethon keeps it in SQLite), so the listener has its own login:
    ``MCU_TG_LISTEN_SESSION``, else ``telegram.listen_session``, else ``<session>-listen.session``.
    """
    from_env = secret("MCU_TG_SESSION", required=False)
    path = Path(from_env.get_secret_value()) if from_env else telegram_settings(settings).session
    path = path if path.name.endswith(".session") else path.with_name(path.name + ".session")
    if not listen:
        return path
    from_env = secret("MCU_TG_LISTEN_SESSION", required=False)
    configured = telegram_settings(settings).listen_session
    listen_path = Path(from_env.get_secret_value()) if from_env else configured
    if listen_path is None:
        return path.with_name(path.name.removesuffix(".session") + "-listen.session")
    return listen_path if listen_path.name.endswith(".session") else listen_path.with_name(listen_path.name + ".session")


def credentials() -> tuple[int, str]:
    """``(api_id, api_hash)`` from the environment (or Prefect Secret blocks)."""
    raw_id = secret("MCU_TG_API_ID").get_secret_value().strip()
    if not raw_id.isdigit():
        raise ConfigError("окружение: MCU_TG_API_ID: ожидается число, которое показывает my.telegram.org")
    return int(raw_id), secret("MCU_TG_API_HASH").get_secret_value().strip()


def make_client(session: Path, api_id: int, api_hash: str, receive_updates: bool = False):
    """A Telethon client on the session file; flood waits are left to :class:`TelegramAccount`."""
    from telethon.sync import TelegramClient  # the sync flavour: the scan is synchronous

    session.parent.mkdir(parents=True, exist_ok=True)
    return TelegramClient(str(session), api_id, api_hash, flood_sleep_threshold=0,
                          receive_updates=receive_updates, catch_up=receive_updates,
                          device_model="mcu-monitor", app_version="mcu-monitor", lang_code="ru",
                          system_lang_code="ru")


_ACCOUNTS: dict[Path, TelegramAccount] = {}


def install_account(settings: Any, account: TelegramAccount) -> None:
    """Use ``account`` for this config's session (the listener shares its client; tests pass a fake)."""
    _ACCOUNTS[session_path(settings).resolve()] = account


def forget_accounts() -> None:
    for account in _ACCOUNTS.values():
        account.close()
    _ACCOUNTS.clear()


def open_account(settings: Any) -> TelegramAccount:
    """The process's account for this config's session, connected on first use."""
    path = session_path(settings).resolve()
    if path not in _ACCOUNTS:
        _ACCOUNTS[path] = connect_account(settings)
    return _ACCOUNTS[path]


def connect_account(settings: Any, receive_updates: bool = False) -> TelegramAccount:  # pragma: no cover
    """Connect a session of this config (needs Telegram): the scan's, or with ``receive_updates``
    the listener's. Both share the state file (resolved chats, flood pauses) of the scan's session."""
    api_id, api_hash = credentials()
    path = session_path(settings, listen=receive_updates).resolve()
    hint = LOGIN_HINT.replace("login", "login --listen") if receive_updates else LOGIN_HINT
    if not path.exists():
        raise CollectorError(f"telegram: файл сессии {path} не найден: {hint}")
    client = make_client(path, api_id, api_hash, receive_updates=receive_updates)
    client.connect()
    if not client.is_user_authorized():
        client.disconnect()
        raise CollectorError(f"telegram: сессия {path} не авторизована: {hint}")
    atexit.unregister(forget_accounts)  # once, however many accounts
    atexit.register(forget_accounts)
    state = AccountState(state_path(session_path(settings).resolve()))
    return TelegramAccount(client, telegram_settings(settings), state)
