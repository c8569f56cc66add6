"""How the Telegram collector reads messages: live through Telethon, or from a recorded dump.

Both give messages as Telethon ``to_dict()`` dictionaries, so one mapping serves both.
The live reader sends raw API requests itself (``messages.getHistory``,
``messages.getReplies``, ``channels.getMessages``) instead of ``iter_messages``: each
request then passes the account's budget and flood handling exactly once, and a chat
is read oldest first, so that a run cut short still leaves a correct watermark.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator, Protocol

from collectors.base import CollectorError

PAGE = 100  # the most messages Telegram returns per history request


class TelegramReader(Protocol):
    notes: list[str]  # what the read left for later (page cap, budget), for the scan summary

    def chat(self) -> dict[str, Any]: ...
    def messages(self, min_id: int) -> Iterator[dict[str, Any]]: ...
    def comments(self, message_id: int, min_id: int = 0) -> Iterator[dict[str, Any]]: ...
    def refresh(self, ids: list[int]) -> list[dict[str, Any]]: ...


class ReplayTelegramReader:
    """A dump ``{"chat": {...}, "messages": [...], "comments": {"<id>": [...]}}``."""

    def __init__(self, path: Path):
        try:
            self._dump = json.loads(Path(path).read_text(encoding="utf-8"))
            self._dump["chat"], self._dump["messages"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CollectorError(f"{path}: not a Telegram dump: {exc}") from exc
        self.notes: list[str] = []

    def chat(self) -> dict[str, Any]:
        return self._dump["chat"]

    def messages(self, min_id: int) -> Iterator[dict[str, Any]]:
        for message in self._dump["messages"]:
            if isinstance(message, dict) and isinstance(message.get("id"), int) and message["id"] <= min_id:
                continue
            yield message

    def comments(self, message_id: int, min_id: int = 0) -> Iterator[dict[str, Any]]:
        for comment in self._dump.get("comments", {}).get(str(message_id), []):
            if isinstance(comment, dict) and isinstance(comment.get("id"), int) and comment["id"] <= min_id:
                continue
            yield comment

    def refresh(self, ids: list[int]) -> list[dict[str, Any]]:
        wanted = set(ids)
        return [m for m in self._dump["messages"] if isinstance(m, dict) and m.get("id") in wanted]


class LiveTelegramReader:
    """One chat, read through a :class:`~collectors.telegram.account.TelegramAccount`."""

    def __init__(self, account, source, now: datetime | None = None):
        self.account = account
        self.source = source
        self.notes: list[str] = []
        self._info = None
        self._now = now

    @property
    def info(self):
        if self._info is None:
            from collectors.telegram.entities import resolve_chat

            self._info = resolve_chat(self.account, self.source.chat, self.source.key)
        return self._info

    def chat(self) -> dict[str, Any]:
        return self.info.as_chat()

    def messages(self, min_id: int) -> Iterator[dict[str, Any]]:
        """Messages above ``min_id``, oldest first; a first read starts ``backfill_days`` back."""
        from telethon.tl.functions.messages import GetHistoryRequest

        settings = self.account.settings
        offset_date = None
        if min_id <= 0:
            now = self._now or datetime.fromtimestamp(self.account.now(), tz=timezone.utc)
            offset_date = now - timedelta(days=settings.backfill_days)
        def page_after(last: int):
            return self._call(GetHistoryRequest(peer=self.info.input_peer(), offset_id=last + 1 if last > 0 else 0,
                                                offset_date=offset_date if last <= 0 else None,
                                                add_offset=-PAGE, limit=PAGE, max_id=0, min_id=0, hash=0))

        complete = yield from self._pages(page_after, min_id)
        if not complete:
            self.notes.append(f"{self.source.key}: прочитано {settings.pages_per_chat} страниц "
                              f"(pages_per_chat); остальное — при следующем запуске")

    def comments(self, message_id: int, min_id: int = 0) -> Iterator[dict[str, Any]]:
        """Comments under the channel post ``message_id`` newer than ``min_id``, oldest first."""
        from telethon.errors import MsgIdInvalidError
        from telethon.tl.functions.messages import GetRepliesRequest

        def page_after(last: int):
            return self._call(GetRepliesRequest(peer=self.info.input_peer(), msg_id=message_id,
                                                offset_id=last + 1 if last > 0 else 1, offset_date=None,
                                                add_offset=-PAGE, limit=PAGE, max_id=0, min_id=0, hash=0))

        try:
            yield from self._pages(page_after, min_id)
        except MsgIdInvalidError:  # the post is gone, or comments were switched off
            self.notes.append(f"{self.source.key}: комментарии к сообщению {message_id} недоступны")

    def _pages(self, page_after, min_id: int):
        """Messages above ``min_id`` oldest first, a page at a time, up to ``pages_per_chat``
        pages; returns True when the last page was reached."""
        last = min_id
        for _ in range(self.account.settings.pages_per_chat):
            got = page_after(last)
            fresh = sorted((m for m in got if m.id > last), key=lambda m: m.id)
            for message in fresh:
                yield message.to_dict()
            if fresh:
                last = fresh[-1].id
            if len(got) < PAGE or not fresh:
                return True
        return False

    def refresh(self, ids: list[int]) -> list[dict[str, Any]]:
        """The current state of these posts, in one request per hundred; deleted ones are left out."""
        from telethon.tl.functions.channels import GetMessagesRequest
        from telethon.tl.types import InputMessageID

        found = []
        for start in range(0, len(ids), PAGE):
            chunk = ids[start:start + PAGE]
            request = GetMessagesRequest(channel=self.info.input_channel(),
                                         id=[InputMessageID(id=i) for i in chunk])
            found += [m.to_dict() for m in self._call(request) if type(m).__name__ == "Message"]
        return found

    def _call(self, request) -> list:
        from telethon.errors import ChannelInvalidError, ChannelPrivateError

        from collectors.telegram.entities import chat_error

        try:
            result = self.account.request(request, self.source.key)
        except (ChannelPrivateError, ChannelInvalidError) as exc:
            raise chat_error(self.account, self.source.chat, self.source.key, exc) from None
        return list(getattr(result, "messages", []))
