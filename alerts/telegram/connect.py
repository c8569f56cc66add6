"""Reaching the Bot API: a refused token stops the bot, an unreachable API is waited for.

Telegram answers 401 to a revoked or mistyped token; no retry can fix that, so the bot stops
with :class:`TokenRefused` and ``mcu bot`` says so in Russian with a non-zero exit code. A
network error or a 5xx is an outage: the bot keeps trying with aiogram's back-off (growing
delays with jitter, capped) and stays up until the API answers.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import (ClientDecodeError, TelegramNetworkError, TelegramNotFound, TelegramServerError,
                                TelegramUnauthorizedError)
from aiogram.utils.backoff import Backoff, BackoffConfig

log = logging.getLogger(__name__)
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=60.0, factor=1.5, jitter=0.1)
OUTAGE = (TelegramNetworkError, TelegramServerError, ClientDecodeError)
REFUSED = ("Telegram отклонил токен бота (401 Unauthorized): проверьте MCU_BOT_TOKEN — "
           "токен выдаёт @BotFather, после /revoke нужен новый")
NOT_FOUND = ("Bot API ответил 404 на getMe: проверьте api_server приёмника telegram и MCU_BOT_TOKEN "
             "(цифры, двоеточие и ключ от @BotFather)")


class TokenRefused(RuntimeError):
    """The Bot API refused the token (401), or has no such bot at all (404): no retry helps."""

    def __init__(self, message: str = REFUSED) -> None:
        super().__init__(message)


class RefusalWatch(BaseRequestMiddleware):
    """A request middleware that notes a 401 on any call (polling, delivery, a reply), so the
    bot stops instead of polling a revoked token for ever."""

    def __init__(self) -> None:
        self.refused = asyncio.Event()

    async def __call__(self, make_request, bot: Bot, method) -> Any:
        try:
            return await make_request(bot, method)
        except TelegramUnauthorizedError:
            self.refused.set()
            raise


def safe_error(exc: BaseException, bot: Bot) -> str:
    """The error for logs, with the bot token cut out should a URL carry it."""
    return f"{type(exc).__name__}: {exc}".replace(bot.token, "<token>")


async def wait_for_api(bot: Bot, stop: asyncio.Event | None = None, config: BackoffConfig = BACKOFF) -> bool:
    """Call ``getMe`` until the API answers: True once it does, False when ``stop`` is set first.
    TokenRefused on 401; an outage is logged and retried with back-off."""
    backoff = Backoff(config)
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            await bot.get_me()
        except TelegramUnauthorizedError:
            raise TokenRefused() from None
        except TelegramNotFound:
            raise TokenRefused(NOT_FOUND) from None
        except OUTAGE as exc:
            delay = next(backoff)
            log.warning("Bot API unreachable (%s); trying again in %.1f s (attempt %d)", safe_error(exc, bot), delay,
                        backoff.counter)
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except asyncio.TimeoutError:
                pass
            continue
        if backoff.counter:
            log.info("Bot API reachable after %d failed attempt(s)", backoff.counter)
        return True
    return False
