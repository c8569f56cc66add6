"""Pure mapping of Telethon message dictionaries to ``Post``s."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from collectors.base import BadPayload
from collectors.text import clean_text
from mcu.domain import Engagement, Platform, Post, post_id


def _date(value: Any, source: str, native: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise BadPayload(source, native, "date", f"expected an ISO datetime, got {value!r:.40}")


def _reactions(message: dict) -> int:
    results = (message.get("reactions") or {}).get("results") or []
    return sum(r.get("count", 0) for r in results if isinstance(r, dict) and isinstance(r.get("count"), int))


def _author(message: dict) -> str | None:
    peer = message.get("from_id") or {}
    for key in ("user_id", "channel_id", "chat_id"):
        if isinstance(peer, dict) and peer.get(key):
            return str(peer[key])
    return None


def chat_url(chat: dict, message_id: int) -> str:
    if chat.get("username"):
        return f"https://t.me/{chat['username']}/{message_id}"
    return f"https://t.me/c/{chat.get('id')}/{message_id}"


def map_message(message: Any, source: str, chat: dict, reach: int, thread_root: str | None = None) -> Post:
    """A chat or channel message; replies point at the message they answer."""
    if not isinstance(message, dict):
        raise BadPayload(source, "?", "(message)", f"expected an object, got {type(message).__name__}")
    native = message.get("id")
    if not isinstance(native, int) or isinstance(native, bool):
        raise BadPayload(source, native, "id", f"expected int, got {native!r:.40}")
    if message.get("_", "Message") != "Message":
        raise BadPayload(source, native, "_", f"not a message ({message.get('_')}), skipped")
    reply = message.get("reply_to") or {}
    parent = None
    if thread_root:
        parent = thread_root
    elif isinstance(reply, dict) and isinstance(reply.get("reply_to_msg_id"), int):
        parent = post_id(Platform.telegram, source, str(reply["reply_to_msg_id"]))
    replies = (message.get("replies") or {}).get("replies") or 0
    return Post(
        platform=Platform.telegram,
        source=source,
        native_id=str(native) if not thread_root else f"c{native}",
        url=chat_url(chat, native) if not thread_root else None,
        author=_author(message),
        text=clean_text(message.get("message")),
        published_at=_date(message.get("date"), source, native),
        engagement=Engagement(
            likes=_reactions(message),
            comments=replies if isinstance(replies, int) else 0,
            reposts=message.get("forwards") or 0,
            views=message.get("views") or 0,
        ),
        parent_id=parent,
        thread_id=thread_root or (parent if parent else None),
        reach=reach,
    )
