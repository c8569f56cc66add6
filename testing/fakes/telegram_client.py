"""A fake Telegram client for the collector tests: real ``telethon.tl`` objects from recorded data.

``revive`` turns a recorded ``to_dict()`` dump back into the real TL objects. ``FakeTelegram``
stands where ``TelegramClient`` stands: it is called with real request objects
(``GetHistoryRequest``, ``GetRepliesRequest``, ``channels.GetMessagesRequest``,
``ResolveUsernameRequest``, ``GetFullChannelRequest``) and answers with real result objects,
paging like the server (``offset_id``/``offset_date``/``add_offset``/``limit``), checking
access hashes, and raising real Telethon errors when a test queues them.
"""
from __future__ import annotations

import inspect
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from telethon import errors
from telethon.tl import types

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def revive(value: Any) -> Any:
    """A recorded ``to_dict()`` value back as real TL objects (``{"_": "Message", ...}`` → ``types.Message``)."""
    if isinstance(value, list):
        return [revive(v) for v in value]
    if not isinstance(value, dict) or "_" not in value:
        return value
    cls = getattr(types, value["_"])
    params = inspect.signature(cls.__init__).parameters
    kwargs = {}
    for name, raw in value.items():
        if name == "_" or name not in params:
            continue
        if isinstance(raw, str) and _ISO.match(raw) and "date" in name:
            raw = datetime.fromisoformat(raw)
        elif name == "file_reference" and isinstance(raw, str):
            raw = raw.encode()
        kwargs[name] = revive(raw)
    for name, param in params.items():  # required lists the recording left out
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or name == "self":
            continue
        if name not in kwargs and param.default is inspect.Parameter.empty:
            kwargs[name] = [] if "List" in str(param.annotation) else None
    return cls(**kwargs)


@dataclass
class FakeChat:
    channel: types.Channel
    participants_count: int | None = None
    linked_chat_id: int | None = None
    messages: list = field(default_factory=list)
    comments: dict[int, list] = field(default_factory=dict)
    discussion: types.Channel | None = None
    private: bool = False  # ChannelPrivateError on every read, as after a ban

    @classmethod
    def load(cls, path: Path) -> "FakeChat":
        """A chat recorded as ``{"channel", "full", "messages", "comments"?, "discussion"?}`` dumps."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(channel=revive(data["channel"]), participants_count=data["full"]["participants_count"],
                   linked_chat_id=data["full"]["linked_chat_id"], messages=revive(data["messages"]),
                   comments={int(k): revive(v) for k, v in data.get("comments", {}).items()},
                   discussion=revive(data["discussion"]) if data.get("discussion") else None)

    def message(self, message_id: int):
        return next(m for m in self.messages if m.id == message_id)

    def replace(self, message_id: int, **changes) -> types.Message:
        """The server's copy of a message changed (edited, more views...): a new real object."""
        old = self.message(message_id)
        data = {k: v for k, v in old.to_dict().items() if k != "_"}
        fresh = types.Message(**{**{k: getattr(old, k) for k in data}, **changes})
        self.messages[self.messages.index(old)] = fresh
        return fresh

    def add(self, message) -> None:
        self.messages.append(message)


def page(messages: list, offset_id: int, offset_date, add_offset: int, limit: int,
         min_id: int = 0, max_id: int = 0) -> list:
    """Telegram's history paging: newest first, a window around the offset, shifted by add_offset."""
    ordered = sorted(messages, key=lambda m: -m.id)
    if offset_id:
        pos = next((i for i, m in enumerate(ordered) if m.id < offset_id), len(ordered))
    elif offset_date:
        pos = next((i for i, m in enumerate(ordered)
                    if isinstance(m.date, datetime) and m.date < offset_date), len(ordered))
    else:
        pos = 0
    start, end = max(pos + add_offset, 0), max(pos + add_offset + limit, 0)
    return [m for m in ordered[start:end] if m.id > min_id and (not max_id or m.id < max_id)]


class FakeTelegram:
    """Stands for ``telethon.sync.TelegramClient`` in the collector."""

    def __init__(self, *chats: FakeChat):
        self.chats = {c.channel.id: c for c in chats}
        self.calls: Counter[str] = Counter()
        self.requests: list = []
        self.failures: dict[str, list[Exception]] = {}
        self.flood_sleep_threshold = 0
        self._events_client = None

    # ---- what a test arranges
    def reset_log(self) -> None:
        """Forget the requests seen so far (the next run's requests are then easy to check)."""
        self.calls.clear()
        self.requests.clear()

    def fail(self, request_name: str, *exceptions: Exception) -> None:
        """The next calls of this request type raise these errors, one per call."""
        self.failures.setdefault(request_name, []).extend(exceptions)

    # ---- what TelegramClient offers
    def connect(self) -> None:
        pass

    def is_user_authorized(self) -> bool:
        return True

    def disconnect(self) -> None:
        pass

    def get_input_entity(self, peer):
        raise ValueError(f"Could not find the input entity for {peer!r}")

    def __call__(self, request):
        name = type(request).__name__
        self.calls[name] += 1
        self.requests.append(request)
        queued = self.failures.get(name)
        if queued:
            raise queued.pop(0)
        handler = getattr(self, f"_{name}", None)
        if handler is None:
            raise ConnectionError(f"fake Telegram does not serve {name}")
        return handler(request)

    # ---- the server side
    def _by_username(self, username: str) -> FakeChat | None:
        return next((c for c in self.chats.values() if (c.channel.username or "").lower() == username.lower()), None)

    def _open(self, peer, request) -> FakeChat:
        chat = self.chats.get(getattr(peer, "channel_id", None))
        if chat is None or peer.access_hash != chat.channel.access_hash:
            raise errors.ChannelInvalidError(request)
        if chat.private:
            raise errors.ChannelPrivateError(request)
        return chat

    def _result(self, chat: FakeChat, messages: list, extra_chats: list = ()) -> types.messages.ChannelMessages:
        return types.messages.ChannelMessages(pts=1, count=len(messages), messages=messages, topics=[],
                                              chats=[chat.channel, *extra_chats], users=[])

    def _ResolveUsernameRequest(self, request):
        chat = self._by_username(request.username)
        if chat is None:
            raise errors.UsernameNotOccupiedError(request)
        return types.contacts.ResolvedPeer(peer=types.PeerChannel(chat.channel.id), chats=[chat.channel], users=[])

    def _GetFullChannelRequest(self, request):
        chat = self._open(request.channel, request)
        full = types.ChannelFull(id=chat.channel.id, about="", read_inbox_max_id=0, read_outbox_max_id=0,
                                 unread_count=0, chat_photo=types.PhotoEmpty(id=0),
                                 notify_settings=types.PeerNotifySettings(), bot_info=[], pts=1,
                                 participants_count=chat.participants_count, linked_chat_id=chat.linked_chat_id)
        return types.messages.ChatFull(full_chat=full, chats=[chat.channel], users=[])

    def _GetHistoryRequest(self, request):
        chat = self._open(request.peer, request)
        got = page(chat.messages, request.offset_id, request.offset_date, request.add_offset, request.limit,
                   request.min_id, request.max_id)
        return self._result(chat, got)

    def _GetRepliesRequest(self, request):
        chat = self._open(request.peer, request)
        if request.msg_id not in chat.comments and not any(m.id == request.msg_id for m in chat.messages):
            raise errors.MsgIdInvalidError(request)
        got = page(chat.comments.get(request.msg_id, []), request.offset_id, request.offset_date,
                   request.add_offset, request.limit, request.min_id, request.max_id)
        return self._result(chat, got, [chat.discussion] if chat.discussion else [])

    def _GetMessagesRequest(self, request):
        chat = self._open(request.channel, request)
        by_id = {m.id: m for m in chat.messages}
        found = [by_id.get(i.id) or types.MessageEmpty(id=i.id, peer_id=None) for i in request.id]
        return self._result(chat, found)

    # ---- live updates, through Telethon's own event builders
    @property
    def events_client(self):
        """An offline ``TelegramClient`` that only dispatches updates to the registered handlers."""
        if self._events_client is None:
            from telethon import TelegramClient
            from telethon.sessions import MemorySession

            self._events_client = TelegramClient(MemorySession(), 1, "0" * 32, receive_updates=False)
        return self._events_client

    def add_event_handler(self, callback, event=None) -> None:
        self.events_client.add_event_handler(callback, event)

    def run_until_disconnected(self) -> None:
        """What ``mcu listen`` blocks in: here, the updates a test queued in ``self.pushed``, then return."""
        self.deliver(*getattr(self, "pushed", []))

    def deliver(self, *updates) -> None:
        """Updates as Telegram pushes them (``UpdateNewChannelMessage``, ``UpdateEditChannelMessage``)."""
        async def run():
            for update in updates:
                update._entities = {}  # Telethon attaches the entities of the update container here
                await self.events_client._dispatch_update(update)

        self.events_client.loop.run_until_complete(run())


class FakeClock:
    """Wall time that moves only when the code sleeps (or the test says so)."""

    def __init__(self, start: datetime = NOW):
        self.now = start.timestamp()
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def flood(seconds: int, request: Any = None) -> errors.FloodWaitError:
    """A FloodWaitError exactly as Telethon raises it (``capture`` is the seconds from FLOOD_WAIT_X)."""
    return errors.FloodWaitError(request=request, capture=seconds)


def chat_message(chat_id: int, message_id: int, text: str, when: datetime = NOW, **extra) -> types.Message:
    return types.Message(id=message_id, peer_id=types.PeerChannel(chat_id), date=when, message=text, **extra)


def new_message(chat_id: int, message_id: int, text: str, **extra):
    """A live update as Telegram pushes it for a channel or supergroup."""
    return types.UpdateNewChannelMessage(message=chat_message(chat_id, message_id, text, NOW, **extra),
                                         pts=message_id, pts_count=1)
