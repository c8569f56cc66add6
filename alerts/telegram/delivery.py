"""Carries the outbox to the Bot API: in order per chat, at most ``rate_per_minute`` calls per
chat in any 60 seconds, a 429 pausing the chat for its ``retry_after``, an outage retried with
back-off. A refused request (400) is kept as failed and never blocks the queue."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from aiogram import Bot
from aiogram.exceptions import (ClientDecodeError, TelegramAPIError, TelegramBadRequest, TelegramForbiddenError,
                                TelegramMigrateToChat, TelegramNetworkError, TelegramNotFound, TelegramRetryAfter,
                                TelegramServerError, TelegramUnauthorizedError)
from aiogram.types import FSInputFile, ForceReply, InlineKeyboardMarkup, ReplyParameters

from alerts.card import card_facts
from alerts.outbox import DeliveryBusy, Interrupted, Job, Outbox
from alerts.telegram.connect import OUTAGE, TokenRefused, safe_error
from alerts.telegram.render import keyboard, render_html
from core.config import Settings
from core.store import Store

log = logging.getLogger(__name__)
WINDOW = 60.0
BACKOFF = (1, 2, 5, 15, 30, 60, 120, 300)
RECONCILE_SLACK = 600  # seconds: clocks of scan workers and the bot may differ a little
REFUSED_WAIT = 600  # a bot removed from the chat: retried, slowly
PROBE_WINDOW = 10  # message ids looked at after an interrupted card send
PROBE_MISSING = 3  # consecutive ids that do not exist: past the chat's newest message


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
    """One deliverer of an outbox. A pass holds the outbox's delivery lock, first settles the jobs
    a killed deliverer left «sending», then sends what is due. ``delivered`` counts the jobs this
    deliverer brought to Telegram (``mcu bot --once`` reports it)."""

    def __init__(self, outbox: Outbox, bot: Bot, render: Callable[[str], tuple[str, InlineKeyboardMarkup] | None],
                 rate_per_minute: int = 20, clock: Callable[[], float] = time.time, recover: bool = True):
        self.outbox = outbox
        self.bot = bot
        self.render = render
        self.rate = rate_per_minute
        self.clock = clock
        self.recover = recover  # False only to measure the old behaviour (bench/duplicate_cards.py)
        self.delivered = 0
        self.recovered = 0
        self.rejected = 0

    async def run_once(self) -> float | None:
        """One pass over the due jobs; returns the seconds until the next job may go (None: idle).
        DeliveryBusy when another process delivers this outbox; TokenRefused on a 401."""
        with self.outbox.delivery_lock():
            try:
                await self._settle_interrupted()
            except TelegramRetryAfter as exc:
                return float(exc.retry_after)
            except OUTAGE as exc:
                log.warning("Bot API unreachable (%s) while checking an interrupted send", self._error(exc))
                return float(BACKOFF[0])
            return await self._pass()

    async def _pass(self) -> float | None:
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
                self.outbox.resume(job, f"429: retry after {exc.retry_after}")
                self.outbox.defer_chat(job.chat_id, self.clock() + exc.retry_after,
                                       f"429: retry after {exc.retry_after}")
                paused.add(job.chat_id)
            except OUTAGE as exc:  # down, or a proxy's 502
                wait = BACKOFF[min(job.attempts, len(BACKOFF) - 1)]
                error = self._error(exc)
                log.warning("Bot API unreachable (%s); job %s again in %s s", error, job.id, wait)
                self.outbox.defer(job, self.clock() + wait, error)
                self.outbox.defer_chat(job.chat_id, self.clock() + wait, error)
                break  # the server is down for every chat: a later pass tries again
            except TelegramUnauthorizedError:
                self.outbox.resume(job, "401: the token was refused")
                raise TokenRefused() from None
            except TelegramMigrateToChat as exc:
                log.error("chat %s is now %s (a group became a supergroup): set chat_id / MCU_BOT_CHAT_ID "
                          "to the new id", job.chat_id, exc.migrate_to_chat_id)
                self.outbox.defer(job, self.clock() + REFUSED_WAIT, self._error(exc))
                paused.add(job.chat_id)
            except (TelegramForbiddenError, TelegramNotFound) as exc:
                error = self._error(exc)
                log.error("Bot API refused job %s (%s); retrying in %s s", job.id, error, REFUSED_WAIT)
                self.outbox.defer(job, self.clock() + REFUSED_WAIT, error)
                paused.add(job.chat_id)
            except TelegramBadRequest as exc:
                error = self._error(exc)
                log.error("Bot API rejected job %s (%s %s): %s", job.id, job.kind, job.risk_id, error)
                self.outbox.fail(job, self.clock(), error)
                self.rejected += 1
            except TelegramAPIError as exc:
                self.outbox.defer(job, self.clock() + BACKOFF[-1], self._error(exc))
        return self._wait(limited)

    # interrupted sends ---------------------------------------------------------
    async def _settle_interrupted(self) -> None:
        """Jobs left «sending» by a deliverer killed mid-call. A card is looked for among the
        chat's next messages (:meth:`_find_sent`): found, it is recorded as sent; not found, the
        job is sent again. Other kinds are sent again (a notice may then appear twice)."""
        for lost in self.outbox.interrupted():
            found = await self._find_sent(lost) if self.recover and lost.job.kind == "card" else None
            if found is not None:
                log.warning("outbox job %s: the card sent before an interruption is message %s; not sent again",
                            lost.job.id, found)
                self.outbox.mark_sent(lost.job, found, self.clock(), remember="card",
                                      note=f"found after an interrupted send: message {found}")
                self.recovered += 1
            else:
                self.outbox.resume(lost.job, "interrupted before Telegram answered; sent again")

    async def _find_sent(self, lost: Interrupted) -> int | None:
        """The message an interrupted card send made, or None. Telegram numbers a chat's messages
        in order, so the card is one of the ids after the newest one known before the call. For each
        id the outbox does not know, the card is edited to exactly what was sent: «message is not
        modified» means this message is that card. Only the bot's own messages can be edited and all
        others are in the outbox (one deliverer at a time), so the edit cannot touch another message."""
        if lost.after is None or not lost.payload:
            return None  # no message of the bot known in the chat: nothing to count from
        chat_id, missing = lost.job.chat_id, 0
        markup = lost.payload.get("reply_markup")
        markup = InlineKeyboardMarkup.model_validate_json(markup) if markup else None
        for candidate in range(lost.after + 1, lost.after + 1 + PROBE_WINDOW):
            if self.outbox.is_known(chat_id, candidate):
                continue
            self.outbox.note_call(chat_id, self.clock())
            try:
                await self.bot.edit_message_text(chat_id=chat_id, message_id=candidate, text=lost.payload["text"],
                                                 reply_markup=markup)
            except TelegramBadRequest as exc:
                text = str(exc).lower()
                if "not modified" in text:
                    return candidate
                missing = missing + 1 if "not found" in text else 0  # else: someone else's message
                if missing >= PROBE_MISSING:
                    return None  # past the newest message of the chat
                continue
            log.error("outbox job %s: message %s was the bot's but not the card sent; it shows the card now",
                      lost.job.id, candidate)
            return candidate
        return None

    def _error(self, exc: Exception) -> str:
        """The error for logs and the outbox, with the bot token cut out should a URL carry it."""
        return safe_error(exc, self.bot)

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

    def _sent(self, job: Job, message_id: int | None, remember: str | None = None) -> None:
        self.outbox.mark_sent(job, message_id, self.clock(), remember=remember)
        self.delivered += 1

    async def _perform(self, job: Job) -> None:
        if job.kind == "card":
            rendered = await self._render(job)
            if rendered is None:
                self.outbox.mark_done(job, self.clock(), "risk not found")
                return
            payload = {"text": rendered[0], "reply_markup": rendered[1].model_dump_json(exclude_none=True)}
            if not self.outbox.start_sending(job, payload):
                return
            message = await self.bot.send_message(chat_id=job.chat_id, text=rendered[0], reply_markup=rendered[1])
            self._sent(job, message.message_id, remember="card")
            return
        if not self.outbox.start_sending(job):
            return
        if job.kind == "refresh":
            await self._refresh(job)
        elif job.kind == "document":
            await self._document(job)
        else:
            reply = ReplyParameters(message_id=job.reply_to, allow_sending_without_reply=True) if job.reply_to else None
            markup = ForceReply(selective=False, input_field_placeholder="Текст ответа и ссылки") \
                if job.force_reply else None
            message = await self.bot.send_message(chat_id=job.chat_id, text=job.text or "", reply_parameters=reply,
                                                  reply_markup=markup)
            prompt = "close_prompt" if job.purpose == "close" else "prompt"
            self._sent(job, message.message_id, remember=(prompt if job.force_reply else "notice") if job.risk_id else None)

    async def _document(self, job: Job) -> None:
        path = Path(job.file or "")
        if not path.is_file():
            log.error("outbox job %s: the file %s is gone; nothing sent", job.id, path)
            self.outbox.mark_done(job, self.clock(), f"file not found: {path}")
            return
        message = await self.bot.send_document(chat_id=job.chat_id, document=FSInputFile(path, filename=path.name),
                                               caption=job.text or None)
        self._sent(job, message.message_id)

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
                self._sent(job, card)
                return
            if "not found" not in text and "can't be edited" not in text:
                raise
            # the card was deleted or is too old to edit: post the current card instead
            message = await self.bot.send_message(chat_id=job.chat_id, text=rendered[0], reply_markup=rendered[1])
            self._sent(job, message.message_id, remember="card")
            return
        self._sent(job, card)

    async def run_forever(self, stop: asyncio.Event, wake: asyncio.Event, idle: float = 1.0) -> None:
        """Deliver until ``stop``; ``wake`` cuts the wait short when the bot enqueues something."""
        while not stop.is_set():
            try:
                wait = await self.run_once()
            except TokenRefused:
                stop.set()
                raise
            except DeliveryBusy as exc:
                log.warning("%s; waiting", exc)
                wait = idle
            except Exception:  # noqa: BLE001 - the loop must survive anything one pass meets
                log.exception("outbox delivery pass failed")
                wait = idle
            timeout = idle if wait is None else max(0.05, min(wait, idle))
            wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()


@dataclass(frozen=True)
class DeliveryReport:
    """What ``mcu bot --once`` did: jobs brought to Telegram now, jobs still queued (pending or
    cut off mid-send), jobs Telegram refused for good in this run, and why delivery stopped early."""

    delivered: int
    queued: int
    rejected: int
    problem: str | None = None

    @property
    def complete(self) -> bool:
        return not self.queued and not self.rejected and self.problem is None


def deliver_pending(outbox: Outbox, bot: Bot, render, rate_per_minute: int, deadline: float = 30.0) -> DeliveryReport:
    """Deliver what is due now, waiting out short pauses, for at most ``deadline`` seconds
    (``mcu bot --once``). An unreachable API or another deliverer ends it early with the reason;
    TokenRefused on a 401."""
    delivery = Delivery(outbox, bot, render, rate_per_minute)

    async def run() -> str | None:
        end = time.monotonic() + deadline
        try:
            try:
                await bot.get_me()
            except TelegramUnauthorizedError:
                raise TokenRefused() from None
            except (*OUTAGE, TelegramAPIError) as exc:
                return f"Bot API недоступен ({safe_error(exc, bot)})"
            while time.monotonic() < end:
                try:
                    wait = await delivery.run_once()
                except DeliveryBusy as exc:
                    return str(exc)
                if wait is None or time.monotonic() + wait > end:
                    break
                await asyncio.sleep(max(0.05, wait))
            return None
        finally:
            await bot.session.close()

    problem = asyncio.run(run())
    counts = outbox.counts()
    return DeliveryReport(delivery.delivered + delivery.recovered, counts.get("pending", 0) + counts.get("sending", 0),
                          delivery.rejected, problem)
