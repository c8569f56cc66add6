"""Live mode: new and edited messages of the configured chats go through the scan's own
path (map → ``Pipeline.ingest`` → ``Pipeline.raise_alerts``) as they arrive.

:class:`Listener` is plain code over Telethon ``Message`` objects and needs no network;
:func:`attach` wires it to a client's ``events.NewMessage`` / ``events.MessageEdited``.

The watermark moves only over an unbroken run of ids: message ids of a channel or
supergroup grow by one, service messages included (those arrive as raw updates and are
noted too), so an unbroken run means nothing was missed. A gap (a message missed while
disconnected) leaves the watermark where it was, and the next scheduled scan reads the
gap; what the listener stored is then an upsert, not a duplicate.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from collectors.base import BadPayload
from collectors.telegram.mapping import map_message, raw_message
from collectors.telegram.state import ChatInfo
from collectors.telegram.watermark import ChatWatermark, advance
from core.domain import Alert, Post

log = logging.getLogger(__name__)


@dataclass
class WatchedChat:
    source: Any  # collectors.telegram.config.TelegramSource
    info: ChatInfo

    @property
    def key(self) -> str:
        return self.source.key

    @property
    def reach(self) -> int:
        return self.source.reach or int(self.info.participants_count or 0)


@dataclass
class Outcome:
    """What happened to one live message."""

    key: str
    message_id: int
    post: Post | None = None
    new: int = 0
    updated: int = 0
    alerts: list[Alert] = field(default_factory=list)
    problem: str | None = None
    watermark: int | None = None
    seconds: float = 0.0


def peer_of(message: Any) -> int | None:
    """The bare channel id of a message's chat (``PeerChannel.channel_id``)."""
    peer = getattr(message, "peer_id", None)
    return getattr(peer, "channel_id", None)


class Listener:
    def __init__(self, pipeline, chats: list[WatchedChat], report: Callable[[Outcome], None] | None = None,
                 clock: Callable[[], float] = time.perf_counter):
        self.pipeline = pipeline
        self.chats = {c.info.id: c for c in chats}
        self.report = report or (lambda outcome: None)
        self._clock = clock
        self._pending: dict[str, set[int]] = {}

    def handle(self, message: Any, edited: bool = False) -> Outcome | None:
        """One new (or edited) ``telethon.tl.types.Message``; ``None`` if its chat is not watched."""
        chat = self.chats.get(peer_of(message))
        if chat is None:
            return None
        started = self._clock()
        data = message.to_dict() if hasattr(message, "to_dict") else message
        outcome = Outcome(chat.key, getattr(message, "id", None) or 0)
        try:
            post = map_message(data, chat.key, chat.info.as_chat(), chat.reach)
            raw = raw_message(post, data, chat.info.as_chat(), chat.reach)
        except BadPayload as exc:
            log.warning("%s", exc)
            outcome.problem = str(exc)
        else:
            if not post.is_empty:
                result = self.pipeline.ingest([post], chat.key, {post.id: raw})
                outcome.post, outcome.new, outcome.updated = post, result.new, result.updated
                _, outcome.alerts = self.pipeline.raise_alerts()
            else:
                outcome.problem = f"{chat.key}: message {post.native_id}: no text and no media, skipped"
        if isinstance(outcome.message_id, int) and outcome.message_id > 0:
            channel_post = outcome.post is not None and chat.info.broadcast
            outcome.watermark = self._advance(chat, outcome.message_id, channel_post and not edited)
        outcome.seconds = self._clock() - started
        self.report(outcome)
        return outcome

    def note(self, message: Any) -> None:
        """A service message (join, pin, title...): not a post, but its id keeps the run unbroken."""
        chat = self.chats.get(peer_of(message))
        if chat is not None and isinstance(getattr(message, "id", None), int):
            self._advance(chat, message.id, False)

    def _advance(self, chat: WatchedChat, message_id: int, channel_post: bool) -> int | None:
        store = self.pipeline.store
        current = store.get_watermark(chat.key)
        if current is None:
            return None  # never scanned: the first scan reads its backfill, the listener must not skip it
        min_id = ChatWatermark.parse(current, chat.key).min_id
        pending = self._pending.setdefault(chat.key, set())
        pending.add(message_id)
        while min_id + 1 in pending:
            min_id += 1
        pending.difference_update({i for i in pending if i <= min_id})
        post = message_id if channel_post else None
        moved = advance(current, chat.key, min_id, post=post, keep=chat.source.refresh_recent)
        if moved != current:
            store.set_watermark(chat.key, moved)  # after the store write, as in a scan
        return min_id


def attach(client: Any, listener: Listener) -> None:
    """Register the listener's handlers on a Telethon client for the watched chats."""
    from telethon import events
    from telethon.tl import types

    peers = [chat.info.peer_id for chat in listener.chats.values()]

    async def on_message(event) -> None:
        _safely(listener.handle, event.message)

    async def on_edit(event) -> None:
        _safely(listener.handle, event.message, True)

    async def on_service(update) -> None:
        if isinstance(getattr(update, "message", None), types.MessageService):
            _safely(listener.note, update.message)

    client.add_event_handler(on_message, events.NewMessage(chats=peers))
    client.add_event_handler(on_edit, events.MessageEdited(chats=peers))
    client.add_event_handler(on_service, events.Raw(types=[types.UpdateNewChannelMessage]))


def _safely(handler: Callable, message: Any, *args: Any) -> None:
    """A failing message (store down, NLP error) is logged; the watermark did not move past it,
    so the next scan reads it again. The listener itself goes on."""
    try:
        handler(message, *args)
    except Exception:
        log.exception("telegram listener: message %s of chat %s failed; the next scan reads it again",
                      getattr(message, "id", "?"), peer_of(message))


def start_listener(pipeline, account, sources: list, report: Callable[[Outcome], None] | None = None,
                   catch_up: bool = True) -> tuple[Listener, list[str]]:
    """Catch up each chat with a scan from its watermark, then attach the live handlers.

    Returns the listener and notes for the operator (Russian): chats that failed, chats the
    account has not joined (Telegram sends no updates for those; the scan still reads them).
    """
    from collectors.telegram.entities import resolve_chat

    notes: list[str] = []
    watched: list[WatchedChat] = []
    for source in sources:
        if catch_up:
            try:
                scanned = pipeline.scan_source(source.key)
                notes.append(f"{source.key}: догнали с отметки: прочитано {scanned.fetched}, новых {scanned.new}")
            except Exception as exc:  # one chat must not keep the others from listening
                notes.append(f"{source.key}: догнать не удалось: {exc}")
        try:
            info = resolve_chat(account, source.chat, source.key)
        except Exception as exc:
            notes.append(f"{source.key}: не слушаем: {exc}")
            continue
        if info.left:
            notes.append(f"{source.key}: аккаунт не подписан на {source.chat}: Telegram не присылает его "
                         "сообщения; подпишитесь в приложении (скан читает чат и без подписки)")
        watched.append(WatchedChat(source, info))
    if catch_up:
        pipeline.raise_alerts()
    listener = Listener(pipeline, watched, report)
    attach(account.client, listener)
    return listener, notes
