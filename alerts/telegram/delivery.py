"""Carries the outbox to the Bot API: in order per chat, at most ``rate_per_minute`` calls per
chat in any 60 seconds, a 429 pausing the chat for its ``retry_after``, an outage retried with
back-off. A refused request (400) is kept as failed and never blocks the queue."""
from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Callable

from aiogram import Bot
from aiogram.exceptions import (ClientDecodeError, TelegramAPIError, TelegramBadRequest, TelegramForbiddenError,
                                TelegramMigrateToChat, TelegramNetworkError, TelegramNotFound, TelegramRetryAfter,
                                TelegramServerError, TelegramUnauthorizedError)
from aiogram.types import FSInputFile, ForceReply, InlineKeyboardMarkup, ReplyParameters

from alerts.card import card_facts
from alerts.outbox import Job, Outbox
from alerts.telegram.render import keyboard, render_html
from core.config import Settings
from core.store import Store

log = logging.getLogger(__name__)
WINDOW = 60.0
BACKOFF = (1, 2, 5, 15, 30, 60, 120, 300)
RECONCILE_SLACK = 600  # seconds: clocks of scan workers and the bot may differ a little
REFUSED_WAIT = 600  # a bot removed from the chat, a revoked token: retried, slowly


class CardRenderer:
    """The current card of a risk, from the store, as HTML with its buttons."""

    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings

    def __call__(self, risk_id: str) -> tuple[str, InlineKeyboardMarkup] | None:
        risk = self.store.get_risk(risk_id)
        if risk is None:
            return None
        story = self.store.get_story(risk.story_id)
        items = self.store.posts_by_ids(story.post_ids) if story else []
        return render_html(card_facts(risk, story, items, self.settings)), keyboard(risk)


def reconcile(store: Store, outbox: Outbox, chat_id: int) -> int:
    """Enqueue the card of every alert recorded since the outbox exists but missing from it
    (a scan whose outbox write failed): nothing recorded is lost."""
    added = 0
    for alert in store.list_alerts():
        if alert.created_at.timestamp() >= outbox.created - RECONCILE_SLACK and not outbox.has_card(alert.id, chat_id):
            added += outbox.enqueue_card(chat_id, alert.risk_id, alert.id, time.time())
    if added:
        log.warning("outbox: %d recorded alert(s) were missing and are enqueued again", added)
    return added


class Delivery:
    def __init__(self, outbox: Outbox, bot: Bot, render: Callable[[str], tuple[str, InlineKeyboardMarkup] | None],
                 rate_per_minute: int = 20, clock: Callable[[], float] = time.time):
        self.outbox = outbox
        self.bot = bot
        self.render = render
        self.rate = rate_per_minute
        self.clock = clock

    async def run_once(self) -> float | None:
        """One pass over the due jobs; returns the seconds until the next job may go (None: idle)."""
        now = self.clock()
        limited: dict[int, float] = {}
        paused: set[int] = set()
        for job in self.outbox.due(now):
            if job.chat_id in limited or job.chat_id in paused:
                continue
            recent = self.outbox.sends_since(job.chat_id, now - WINDOW)
            if len(recent) >= self.rate:
                limited[job.chat_id] = recent[len(recent) - self.rate] + WINDOW
                continue
            try:
                await self._perform(job)
            except TelegramRetryAfter as exc:
                log.warning("chat %s: Telegram asks to wait %s s", job.chat_id, exc.retry_after)
                self.outbox.defer_chat(job.chat_id, self.clock() + exc.retry_after,
                                       f"429: retry after {exc.retry_after}")
                paused.add(job.chat_id)
            except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as exc:  # down, or a proxy's 502
                wait = BACKOFF[min(job.attempts, len(BACKOFF) - 1)]
                error = self._error(exc)
                log.warning("Bot API unreachable (%s); job %s again in %s s", error, job.id, wait)
                self.outbox.defer(job, self.clock() + wait, error)
                self.outbox.defer_chat(job.chat_id, self.clock() + wait, error)
                break  # the server is down for every chat: a later pass tries again
            except TelegramMigrateToChat as exc:
                log.error("chat %s is now %s (a group became a supergroup): set chat_id / MCU_BOT_CHAT_ID "
                          "to the new id", job.chat_id, exc.migrate_to_chat_id)
                self.outbox.defer(job, self.clock() + REFUSED_WAIT, self._error(exc))
                paused.add(job.chat_id)
            except (TelegramForbiddenError, TelegramUnauthorizedError, TelegramNotFound) as exc:
                error = self._error(exc)
                log.error("Bot API refused job %s (%s); retrying in %s s", job.id, error, REFUSED_WAIT)
                self.outbox.defer(job, self.clock() + REFUSED_WAIT, error)
                paused.add(job.chat_id)
            except TelegramBadRequest as exc:
                error = self._error(exc)
                log.error("Bot API rejected job %s (%s %s): %s", job.id, job.kind, job.risk_id, error)
                self.outbox.fail(job, self.clock(), error)
            except TelegramAPIError as exc:
                self.outbox.defer(job, self.clock() + BACKOFF[-1], self._error(exc))
        return self._wait(limited)

    def _error(self, exc: Exception) -> str:
        """The error for logs and the outbox, with the bot token cut out should a URL carry it."""
        return f"{type(exc).__name__}: {exc}".replace(self.bot.token, "<token>")

    def _wait(self, limited: dict[int, float]) -> float | None:
        now = self.clock()
        waits = [until - now for until in limited.values()]
        next_due = self.outbox.next_due()
        if next_due is not None and next_due > now:
            waits.append(next_due - now)
        elif next_due is not None and not limited:
            waits.append(0.0)
        return max(0.0, min(waits)) if waits else None

    async def _render(self, job: Job):
        return await asyncio.to_thread(self.render, job.risk_id)

    async def _perform(self, job: Job) -> None:
        if job.kind == "card":
            rendered = await self._render(job)
            if rendered is None:
                self.outbox.mark_done(job, self.clock(), "risk not found")
                return
            message = await self.bot.send_message(chat_id=job.chat_id, text=rendered[0], reply_markup=rendered[1])
            self.outbox.mark_sent(job, message.message_id, self.clock(), remember="card")
        elif job.kind == "refresh":
            await self._refresh(job)
        elif job.kind == "document":
            await self._document(job)
        else:
            reply = ReplyParameters(message_id=job.reply_to, allow_sending_without_reply=True) if job.reply_to else None
            markup = ForceReply(selective=False, input_field_placeholder="Текст ответа и ссылки") \
                if job.force_reply else None
            message = await self.bot.send_message(chat_id=job.chat_id, text=job.text or "", reply_parameters=reply,
                                                  reply_markup=markup)
            kind = ("prompt" if job.force_reply else "notice") if job.risk_id else None
            self.outbox.mark_sent(job, message.message_id, self.clock(), remember=kind)

    async def _document(self, job: Job) -> None:
        path = Path(job.file or "")
        if not path.is_file():
            log.error("outbox job %s: the file %s is gone; nothing sent", job.id, path)
            self.outbox.mark_done(job, self.clock(), f"file not found: {path}")
            return
        message = await self.bot.send_document(chat_id=job.chat_id, document=FSInputFile(path, filename=path.name),
                                               caption=job.text or None)
        self.outbox.mark_sent(job, message.message_id, self.clock())

    async def _refresh(self, job: Job) -> None:
        card = self.outbox.card_of(job.risk_id, job.chat_id)
        if card is None:  # not sent yet (a pending card renders the current state) or never alerted
            self.outbox.mark_done(job, self.clock(), "no card in this chat")
            return
        rendered = await self._render(job)
        if rendered is None:
            self.outbox.mark_done(job, self.clock(), "risk not found")
            return
        try:
            await self.bot.edit_message_text(chat_id=job.chat_id, message_id=card, text=rendered[0],
                                             reply_markup=rendered[1])
        except TelegramBadRequest as exc:
            text = str(exc).lower()
            if "not modified" in text:
                self.outbox.mark_sent(job, card, self.clock())
                return
            if "not found" not in text and "can't be edited" not in text:
                raise
            # the card was deleted or is too old to edit: post the current card instead
            message = await self.bot.send_message(chat_id=job.chat_id, text=rendered[0], reply_markup=rendered[1])
            self.outbox.mark_sent(job, message.message_id, self.clock(), remember="card")
            return
        self.outbox.mark_sent(job, card, self.clock())

    async def run_forever(self, stop: asyncio.Event, wake: asyncio.Event, idle: float = 1.0) -> None:
        """Deliver until ``stop``; ``wake`` cuts the wait short when the bot enqueues something."""
        while not stop.is_set():
            try:
                wait = await self.run_once()
            except Exception:  # noqa: BLE001 - the loop must survive anything one pass meets
                log.exception("outbox delivery pass failed")
                wait = idle
            timeout = idle if wait is None else max(0.05, min(wait, idle))
            wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()


def deliver_pending(outbox: Outbox, bot: Bot, render, rate_per_minute: int, deadline: float = 30.0) -> dict:
    """Deliver what is due now, waiting out short pauses, for at most ``deadline`` seconds
    (``mcu bot --once``). Returns the outbox counts after."""

    async def run() -> None:
        delivery = Delivery(outbox, bot, render, rate_per_minute)
        end = time.monotonic() + deadline
        try:
            while time.monotonic() < end:
                wait = await delivery.run_once()
                if wait is None or time.monotonic() + wait > end:
                    break
                await asyncio.sleep(max(0.05, wait))
        finally:
            await bot.session.close()

    asyncio.run(run())
    return outbox.counts()
