"""The alert chat bot: buttons on the cards, answers as replies, and the /risks, /risk N,
/digest and /help commands. Only the configured chats are served and only the configured
members may act; anything else is ignored and logged. Replies and card edits go through the
outbox, so the chat's rate limit holds for everything the bot posts."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware, Bot, Dispatcher, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message, MessageEntity, TelegramObject, Update, User

from alerts import workflow
from alerts.card import card_facts
from alerts.outbox import Outbox
from alerts.telegram.config import BotConfig
from alerts.telegram.connect import OUTAGE, RefusalWatch, TokenRefused, safe_error, wait_for_api
from alerts.telegram.delivery import CardRenderer, Delivery, reconcile
from alerts.telegram.render import HELP, RiskAction, details_html, risks_html
from core.text import clean, h
from core.config import Settings
from core.domain import TransitionError
from core.store import Store, open_risks

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]


@dataclass
class BotContext:
    """What the handlers share: the store, the settings, the outbox and the bot's config."""

    store: Store
    settings: Settings
    outbox: Outbox
    config: BotConfig
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    wake: asyncio.Event | None = None
    digest: Callable[[datetime], str] | None = None
    """``/digest``: the moment → the digest as Telegram HTML (the application passes the reports')."""

    def now(self) -> datetime:
        return self.clock()

    def notify(self, chat_id: int, text: str, *, reply_to: int | None = None, risk_id: str | None = None,
               force_reply: bool = False, key: str | None = None, purpose: str | None = None) -> None:
        self.outbox.enqueue_notice(chat_id, text, time.time(), risk_id=risk_id, reply_to=reply_to,
                                   force_reply=force_reply, key=key, purpose=purpose)
        self._kick()

    def refresh(self, outcome: workflow.Outcome) -> None:
        """After a change: edit the card in the alert chat, and post the notice if there is one."""
        if not outcome.changed:
            return
        now = time.time()
        self.outbox.enqueue_refresh(self.config.chat_id, outcome.risk.id, now)
        if outcome.notice:
            self.outbox.enqueue_notice(self.config.chat_id, h(outcome.notice), now, risk_id=outcome.risk.id,
                                       key=f"notice:{outcome.risk.id}:{outcome.risk.version}")
        self._kick()

    def _kick(self) -> None:
        if self.wake is not None:
            self.wake.set()


def actor_of(user: User | None) -> str:
    if user is None:
        return "неизвестный"
    return f"{clean(user.full_name)} (tg:{user.id})"


class AccessMiddleware(BaseMiddleware):
    """Drops updates from chats that are not configured (logged), and repeats of updates already
    handled; tells handlers whether the sender is a member allowed to act."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        ctx: BotContext = data["ctx"]
        assert isinstance(event, Update)
        if ctx.outbox.seen_update(event.update_id):
            return None
        origin = event.message or (event.callback_query.message if event.callback_query else None)
        user = event.message.from_user if event.message else (event.callback_query.from_user
                                                                if event.callback_query else None)
        chat_id = origin.chat.id if origin is not None else None
        if chat_id not in ctx.config.chats:
            log.warning("ignored update %s: chat %s is not an allowed chat (user %s)", event.update_id, chat_id,
                        user.id if user else None)
            ctx.outbox.mark_update(event.update_id, time.time())
            return None
        data["member"] = user is not None and user.id in ctx.config.members
        data["actor"] = actor_of(user)
        try:
            return await handler(event, data)
        finally:
            ctx.outbox.mark_update(event.update_id, time.time())


def _refuse(what: str, message: Message | None, user: User | None) -> None:
    log.warning("ignored %s from user %s in chat %s: not an allowed member", what, user.id if user else None,
                message.chat.id if message else None)


async def on_help(message: Message, ctx: BotContext) -> None:
    ctx.notify(message.chat.id, HELP, reply_to=message.message_id)


async def on_risks(message: Message, ctx: BotContext) -> None:
    risks = await asyncio.to_thread(open_risks, ctx.store)
    labels = {t.code: t.label for t in ctx.settings.rubricator.topics}
    ctx.notify(message.chat.id, risks_html(risks, ctx.now(), labels), reply_to=message.message_id)


async def on_risk(message: Message, command: CommandObject, ctx: BotContext) -> None:
    if not command.args:
        ctx.notify(message.chat.id, "Укажите номер риска: /risk 12", reply_to=message.message_id)
        return

    def details() -> tuple[str, str]:
        risk = workflow.find_risk(ctx.store, command.args)
        story = ctx.store.get_story(risk.story_id)
        items = ctx.store.posts_by_ids(story.post_ids) if story else []
        return details_html(card_facts(risk, story, items, ctx.settings)), risk.id

    try:
        text, risk_id = await asyncio.to_thread(details)
    except workflow.RiskNotFound as exc:
        ctx.notify(message.chat.id, h(str(exc)), reply_to=message.message_id)
        return
    ctx.notify(message.chat.id, text, reply_to=message.message_id, risk_id=risk_id)


async def on_digest(message: Message, ctx: BotContext) -> None:
    if ctx.digest is None:
        ctx.notify(message.chat.id, "Сводка недоступна: бот запущен без отчётов.", reply_to=message.message_id)
        return
    text = await asyncio.to_thread(ctx.digest, ctx.now())
    ctx.notify(message.chat.id, text, reply_to=message.message_id)


def _text_links(message: Message) -> list[str]:
    """URLs hidden behind text (``text_link`` entities), which the text itself does not show."""
    entities: list[MessageEntity] = list(message.entities or []) + list(message.caption_entities or [])
    return [e.url for e in entities if e.type == "text_link" and e.url]


async def _record_answer(message: Message, ctx: BotContext, actor: str, risk_id: str, text: str) -> None:
    ref = f"tg:{message.chat.id}:{message.message_id}"
    try:
        answer = workflow.parse_answer(text, actor, ctx.now(), _text_links(message), ref=ref)
        outcome = await asyncio.to_thread(workflow.record_answer, ctx.store, risk_id, answer)
    except (ValueError, workflow.RiskNotFound) as exc:  # TransitionError is a ValueError too
        ctx.notify(message.chat.id, f"Ответ не записан: {h(str(exc))}", reply_to=message.message_id)
        return
    ctx.refresh(outcome)
    if outcome.changed:
        reply = (f"✅ Записан ответ по риску {h(outcome.risk.label)}: площадки — {h(', '.join(answer.platforms))}; "
                 f"ссылок: {len(answer.links)}. Бот отследит реакцию и сообщит вердикт.")
    else:
        reply = h(outcome.message)
    ctx.notify(message.chat.id, reply, reply_to=message.message_id, risk_id=risk_id, key=f"answer:{ref}")


async def on_answer(message: Message, command: CommandObject, ctx: BotContext, member: bool, actor: str) -> None:
    if not member:
        _refuse("/answer", message, message.from_user)
        return
    args = command.args or ""
    replied = message.reply_to_message
    risk_id = ctx.outbox.risk_of_message(message.chat.id, replied.message_id) if replied else None
    if risk_id is None:
        ref, _, args = args.partition(" ")
        try:
            risk_id = (await asyncio.to_thread(workflow.find_risk, ctx.store, ref)).id if ref else None
        except workflow.RiskNotFound as exc:
            ctx.notify(message.chat.id, h(str(exc)), reply_to=message.message_id)
            return
    if risk_id is None:
        ctx.notify(message.chat.id, "Ответьте командой /answer на карточку риска или укажите номер: "
                                    "/answer 12 текст ответа и ссылки", reply_to=message.message_id)
        return
    await _record_answer(message, ctx, actor, risk_id, args)


async def on_reply(message: Message, ctx: BotContext, member: bool, actor: str) -> None:
    """A reply to a card (or to the bot's prompt) with the answer's text and links."""
    found = ctx.outbox.message_of(message.chat.id, message.reply_to_message.message_id)
    text = message.text or message.caption or ""
    if found is None or not text:
        return  # ordinary conversation
    if not member:
        _refuse("an answer", message, message.from_user)
        return
    risk_id, kind = found
    if kind == "close_prompt":
        await _close(message, ctx, actor, risk_id, text)
        return
    if kind != "prompt" and not workflow.extract_links(text) and not _text_links(message):
        return  # a remark about the risk, not an answer
    await _record_answer(message, ctx, actor, risk_id, text)


async def _close(message: Message, ctx: BotContext, actor: str, risk_id: str, reason: str) -> None:
    """The reply to «Почему риск отработан?»: «отработан» with the reason, through the workflow."""
    reason = clean(reason).strip()
    if not reason:
        ctx.notify(message.chat.id, "Нужна причина: ответьте на сообщение бота текстом — что сделано.",
                   reply_to=message.message_id)
        return
    try:
        outcome = await asyncio.to_thread(workflow.close, ctx.store, risk_id, actor, ctx.now(), reason)
    except (TransitionError, workflow.RiskNotFound) as exc:
        ctx.notify(message.chat.id, f"Риск не закрыт: {h(str(exc))}", reply_to=message.message_id)
        return
    ctx.refresh(outcome)
    if not outcome.changed:
        ctx.notify(message.chat.id, h(outcome.message), reply_to=message.message_id)


async def _ask_close_reason(query: CallbackQuery, ctx: BotContext, risk_id: str) -> None:
    """«Отработан»: only once an answer exists; the bot asks for the reason as a reply."""
    risk = await asyncio.to_thread(ctx.store.get_risk, risk_id)
    if risk is None or not risk.answers:
        await query.answer("«Отработан» — только после опубликованного ответа: сначала «Ответ опубликован»",
                           show_alert=True)
        return
    ctx.notify(query.message.chat.id, f"Почему риск {h(risk.label)} отработан? Ответьте на это сообщение: что "
                                      "сделано, кто подтвердил.", reply_to=query.message.message_id,
               risk_id=risk_id, force_reply=True, purpose="close")
    await query.answer("Напишите причину ответом на сообщение бота")


ACTIONS = {
    "take": lambda ctx, risk_id, actor: workflow.take(ctx.store, risk_id, actor, ctx.now()),
    "not_risk": lambda ctx, risk_id, actor: workflow.mark_not_risk(ctx.store, risk_id, actor, ctx.now()),
    "escalate": lambda ctx, risk_id, actor: workflow.escalate(ctx.store, risk_id, actor, ctx.now()),
}


async def on_button(query: CallbackQuery, callback_data: RiskAction, ctx: BotContext, member: bool,
                    actor: str) -> None:
    if not member:
        _refuse(f"button «{callback_data.action}»", query.message, query.from_user)
        await query.answer("Действия с рисками доступны только участникам МЦУ", show_alert=True)
        return
    chat_id = query.message.chat.id
    if callback_data.action == "answer":
        card = query.message.message_id
        ctx.notify(chat_id, "Ответьте на это сообщение текстом ответа (отработки) и ссылками на публикации: "
                            "VK, Telegram, сайт, СМИ.", reply_to=card, risk_id=callback_data.risk, force_reply=True)
        await query.answer("Пришлите текст ответа и ссылки ответом на сообщение бота")
        return
    if callback_data.action == "handled":
        await _ask_close_reason(query, ctx, callback_data.risk)
        return
    action = ACTIONS.get(callback_data.action)
    if action is None:
        await query.answer("Неизвестное действие")
        return
    try:
        outcome = await asyncio.to_thread(action, ctx, callback_data.risk, actor)
    except (TransitionError, workflow.RiskNotFound) as exc:
        await query.answer(clean(str(exc))[:200], show_alert=True)
        return
    ctx.refresh(outcome)
    await query.answer(clean(outcome.message)[:200])


def build_router() -> Router:
    """The handlers, in the order they are tried (commands before plain replies)."""
    router = Router(name="mcu-alert-chat")
    router.message.register(on_help, Command("help", "start"))
    router.message.register(on_risks, Command("risks"))
    router.message.register(on_risk, Command("risk"))
    router.message.register(on_digest, Command("digest"))
    router.message.register(on_answer, Command("answer"))
    router.message.register(on_reply, F.reply_to_message)
    router.callback_query.register(on_button, RiskAction.filter())
    return router


def build_dispatcher(ctx: BotContext) -> Dispatcher:
    dispatcher = Dispatcher(ctx=ctx)
    dispatcher.update.outer_middleware(AccessMiddleware())
    dispatcher.include_router(build_router())
    return dispatcher


async def run_bot(ctx: BotContext, bot: Bot, *, stop: asyncio.Event | None = None,
                  handle_signals: bool = True, clock: Callable[[], float] = time.time) -> None:
    """Poll updates and deliver the outbox until SIGINT/SIGTERM or ``stop``. The Bot API is
    waited for while it is unreachable (with back-off); TokenRefused when it refuses the token,
    at start or later."""
    stop = stop or asyncio.Event()
    ctx.wake = asyncio.Event()
    watch = RefusalWatch()
    bot.session.middleware(watch)
    try:
        if handle_signals:
            _stop_on_signals(stop)
        reconcile(ctx.store, ctx.outbox, ctx.config.chat_id)
        while await wait_for_api(bot, stop):
            try:
                await _serve(ctx, bot, stop, watch, clock)
            except OUTAGE as exc:  # the API went away while polling started: wait for it again
                log.warning("Bot API unreachable while starting: %s", safe_error(exc, bot))
                continue
            break
    finally:
        await bot.session.close()
    if watch.refused.is_set():
        raise TokenRefused()


def _stop_on_signals(stop: asyncio.Event) -> None:
    """SIGINT/SIGTERM set ``stop`` (also while the bot waits for the Bot API)."""
    import signal

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def _serve(ctx: BotContext, bot: Bot, stop: asyncio.Event, watch: RefusalWatch,
                 clock: Callable[[], float]) -> None:
    delivery = Delivery(ctx.outbox, bot, CardRenderer(ctx.store, ctx.settings), ctx.config.rate_per_minute, clock)
    dispatcher = build_dispatcher(ctx)
    done = asyncio.Event()  # this session's end: a stop, a refused token, or polling that died
    delivering = asyncio.create_task(delivery.run_forever(done, ctx.wake))
    polling = asyncio.create_task(dispatcher.start_polling(
        bot, polling_timeout=ctx.config.polling_timeout, handle_signals=False, close_bot_session=False,
        allowed_updates=ALLOWED_UPDATES))
    ending = {asyncio.create_task(stop.wait()), asyncio.create_task(watch.refused.wait())}
    try:
        await asyncio.wait({polling, *ending}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not polling.done():
            try:
                await dispatcher.stop_polling()
            except RuntimeError:  # polling had not started yet
                polling.cancel()
        done.set()
        for task in ending:
            task.cancel()
        results = await asyncio.gather(polling, delivering, return_exceptions=True)
    for result in results:  # a loop that died must not look like a clean stop
        if isinstance(result, BaseException) and not isinstance(result, (asyncio.CancelledError, TokenRefused)):
            raise result
