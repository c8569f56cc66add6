"""How the Telegram collector reads messages: Telethon (live) or a recorded dump.

Both give messages as Telethon ``to_dict()`` dictionaries, so one mapping
serves both; a live ``Message`` is converted with its own ``to_dict()``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator, Protocol

from collectors.base import CollectorError


class TelegramReader(Protocol):
    def chat(self) -> dict[str, Any]: ...
    def messages(self, min_id: int) -> Iterator[dict[str, Any]]: ...
    def comments(self, message_id: int) -> Iterator[dict[str, Any]]: ...


class ReplayTelegramReader:
    """A dump ``{"chat": {...}, "messages": [...], "comments": {"<id>": [...]}}``."""

    def __init__(self, path: Path):
        try:
            self._dump = json.loads(Path(path).read_text(encoding="utf-8"))
            self._dump["chat"], self._dump["messages"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CollectorError(f"{path}: not a Telegram dump: {exc}") from exc

    def chat(self) -> dict[str, Any]:
        return self._dump["chat"]

    def messages(self, min_id: int) -> Iterator[dict[str, Any]]:
        for message in self._dump["messages"]:
            if isinstance(message, dict) and isinstance(message.get("id"), int) and message["id"] <= min_id:
                continue
            yield message

    def comments(self, message_id: int) -> Iterator[dict[str, Any]]:
        yield from self._dump.get("comments", {}).get(str(message_id), [])


class LiveTelegramReader:
    """Telethon's synchronous client; the session and credentials come from config and environment."""

    def __init__(self, client, chat: str):  # pragma: no cover - exercised by the collectors issue
        self._client = client
        self._entity = client.get_entity(chat)

    def chat(self) -> dict[str, Any]:  # pragma: no cover
        return self._entity.to_dict()

    def messages(self, min_id: int) -> Iterator[dict[str, Any]]:  # pragma: no cover
        for message in self._client.iter_messages(self._entity, min_id=min_id, reverse=True):
            yield message.to_dict()

    def comments(self, message_id: int) -> Iterator[dict[str, Any]]:  # pragma: no cover
        for message in self._client.iter_messages(self._entity, reply_to=message_id, reverse=True):
            yield message.to_dict()
