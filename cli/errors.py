"""Expected failures in one Russian line: an unreachable service, a refused token, a missing file.

``mcu`` (``cli.app.main``) catches what a command lets through and prints :func:`explain`'s
line with exit code 1 (2 for a bad config); the traceback appears only under ``mcu -v``.
"""
from __future__ import annotations

import errno
import re

from core.config import ConfigError
from core.store import StoreError
from core.text import os_error

UNREACHABLE = {"ConnectError", "ConnectTimeout", "ReadTimeout", "TimeoutException", "ConnectionError",
               "ConnectionTimeout", "TransportError", "TelegramNetworkError", "ClientConnectorError",
               "ServerDisconnectedError", "NewConnectionError", "MaxRetryError"}
REFUSED = {"TelegramUnauthorizedError": "Telegram отклонил токен бота (MCU_BOT_TOKEN): проверьте его у @BotFather",
           "ApiAuthError": "VK отклонил токен: проверьте его",
           "AuthKeyUnregisteredError": "Telegram не принимает сессию: войдите заново (mcu telegram login)"}


def _address(exc: BaseException) -> str:
    text = str(exc)
    found = re.search(r"https?://[^\s'\")]+", text) or re.search(r"host='([^']+)', port=(\d+)", text)
    if found is None:
        return ""
    return f" ({found.group(0) if found.re.pattern.startswith('https') else f'{found.group(1)}:{found.group(2)}'})"


def exit_code(exc: BaseException) -> int:
    return 2 if isinstance(exc, ConfigError) else 130 if isinstance(exc, KeyboardInterrupt) else 1


def explain(exc: BaseException) -> str:
    """The one line staff see for ``exc``."""
    name = type(exc).__name__
    chain = [type(e).__name__ for e in _causes(exc)]
    if isinstance(exc, KeyboardInterrupt):
        return "Прервано."
    if isinstance(exc, (ConfigError, StoreError)):
        return str(exc)
    if name in REFUSED:
        return REFUSED[name]
    if isinstance(exc, FileNotFoundError):
        return f"файл не найден: {exc.filename or exc}"
    if isinstance(exc, PermissionError):
        return f"нет прав доступа: {exc.filename or exc}"
    if any(n in UNREACHABLE for n in chain) or (isinstance(exc, OSError) and exc.errno in (
            errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT)):
        return f"сервис недоступен{_address(exc)}: проверьте адрес и что сервис запущен"
    if isinstance(exc, OSError):
        return f"{os_error(exc)}: {exc.filename or exc}"
    return f"непредвиденная ошибка {name}: {exc}"


def _causes(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__
