"""Pure mapping of Telethon message dictionaries (``Message.to_dict()``) to ``Post``s.

Live messages and recorded dumps have the same shape, except that a dump holds
dates as ISO strings where a live ``to_dict()`` holds ``datetime`` objects (a stored raw
item holds them as ISO strings too: ``collectors.base.json_safe``).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from collectors.base import BadPayload, context_value, raw_item, register_mapping, unknown_kind
from collectors.text import clean_text
from core.domain import Attachment, Engagement, Platform, Post, RawItem, post_id

MAPPER_VERSION = 2
"""Bump when the same message maps to a different post; ``mcu remap`` then re-maps stored items."""
AUTHOR_FIELDS = ("from_id.user_id", "from_id.channel_id", "from_id.chat_id", "user_id", "post_author",
                 "fwd_from.from_name")
"""Payload keys that hold citizens' ids or names (pseudonymised in stored raw items): the sender,
and any user id elsewhere in the message (forwards, mentions, reactions)."""


def _date(value: Any, source: str, native: Any, field: str = "date") -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise BadPayload(source, native, field, f"expected an ISO datetime, got {value!r:.40}")


def _count(message: dict, field: str, source: str, native: Any) -> int:
    """A counter that Telegram may leave out (``None``); anything else must be a non-negative int."""
    value = message.get(field)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadPayload(source, native, field, f"expected a non-negative int, got {value!r:.40}")
    return value


def _object(message: dict, field: str, source: str, native: Any) -> dict:
    value = message.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayload(source, native, field, f"expected an object, got {type(value).__name__}")
    return value


def reactions_total(message: dict) -> int:
    """Sum of all reaction counts (emoji, custom emoji and paid ones alike)."""
    reactions = message.get("reactions")
    results = reactions.get("results") if isinstance(reactions, dict) else None
    if not isinstance(results, list):
        return 0
    return sum(r["count"] for r in results
               if isinstance(r, dict) and isinstance(r.get("count"), int) and r["count"] > 0)


def replies_of(message: dict) -> tuple[int, int | None]:
    """``(number of replies or comments, id of the newest one)`` from ``MessageReplies``."""
    replies = message.get("replies")
    if not isinstance(replies, dict):
        return 0, None
    count = replies.get("replies")
    newest = replies.get("max_id")
    return (count if isinstance(count, int) and count > 0 else 0,
            newest if isinstance(newest, int) and not isinstance(newest, bool) else None)


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


def _links(message: dict, source: str, native: int, thread_root: str | None) -> tuple[str | None, str | None]:
    """``(parent_id, thread_id)``.

    In a chat, a reply points at the message it answers and its thread is the top
    of the reply chain. A comment under a channel post (``thread_root`` given) lives
    in the discussion group: it answers the post itself, or another comment.
    """
    reply = _object(message, "reply_to", source, native)
    to_id, top_id = reply.get("reply_to_msg_id"), reply.get("reply_to_top_id")
    to_id = to_id if isinstance(to_id, int) and not isinstance(to_id, bool) else None
    top_id = top_id if isinstance(top_id, int) and not isinstance(top_id, bool) else None
    if thread_root:
        if to_id is not None and top_id is not None and to_id != top_id:
            return post_id(Platform.telegram, source, f"c{to_id}"), thread_root
        return thread_root, thread_root
    if to_id is None or reply.get("reply_to_peer_id"):
        return None, None  # not a reply, or a reply to a message of another chat
    parent = post_id(Platform.telegram, source, str(to_id))
    thread = post_id(Platform.telegram, source, str(top_id)) if top_id is not None else parent
    return parent, thread


def comment_url(chat: dict, post_native: int | None, comment_native: int) -> str | None:
    """Telegram's own link to a comment: ``t.me/<channel>/<post>?comment=<id>``."""
    if post_native is None or not chat.get("username"):
        return None
    return f"https://t.me/{chat['username']}/{post_native}?comment={comment_native}"


def map_message(message: Any, source: str, chat: dict, reach: int, thread_root: str | None = None,
                root_native: int | None = None) -> Post:
    """A chat or channel message, or (with ``thread_root``) a comment under the channel post
    ``root_native`` (whose post id is ``thread_root``)."""
    if not isinstance(message, dict):
        raise BadPayload(source, "?", "(message)", f"expected an object, got {type(message).__name__}")
    native = message.get("id")
    if not isinstance(native, int) or isinstance(native, bool):
        raise BadPayload(source, native, "id", f"expected int, got {native!r:.40}")
    if message.get("_", "Message") != "Message":
        raise BadPayload(source, native, "_", f"not a message ({message.get('_')}), skipped")
    text = message.get("message")
    if text is not None and not isinstance(text, str):
        raise BadPayload(source, native, "message", f"expected text, got {type(text).__name__}")
    parent, thread = _links(message, source, native, thread_root)
    _object(message, "replies", source, native)
    _object(message, "reactions", source, native)
    return Post(
        platform=Platform.telegram,
        source=source,
        native_id=str(native) if not thread_root else f"c{native}",
        url=chat_url(chat, native) if not thread_root else comment_url(chat, root_native, native),
        author=_author(message),
        text=clean_text(text),
        published_at=_date(message.get("date"), source, native),
        engagement=Engagement(
            likes=reactions_total(message),
            comments=replies_of(message)[0],
            reposts=_count(message, "forwards", source, native),
            views=_count(message, "views", source, native),
        ),
        parent_id=parent,
        thread_id=thread,
        reach=reach,
        attachments=media_of(message, chat_url(chat, native) if not thread_root else None),
    )


MEDIA_KINDS = {"MessageMediaPhoto": "photo", "MessageMediaWebPage": "link", "MessageMediaPoll": "poll",
               "MessageMediaDocument": "doc"}
"""Media worth a post of their own; a geo point, a contact, a dice or a game alone is not."""


def media_of(message: dict, link: str | None) -> list[Attachment]:
    """The message's media as an attachment; Telegram files have no public address, so a photo or a
    document points at the message itself (for a public chat)."""
    media = message.get("media")
    if not isinstance(media, dict) or media.get("_") not in MEDIA_KINDS:
        return []
    kind = MEDIA_KINDS[media["_"]]
    url, title = link, None
    if kind == "link" and isinstance(media.get("webpage"), dict):
        url, title = media["webpage"].get("url"), media["webpage"].get("title")
    elif kind == "doc":
        document = media.get("document")
        if not isinstance(document, dict) or any(isinstance(a, dict) and a.get("_") == "DocumentAttributeSticker"
                                                 for a in document.get("attributes") or []):
            return []  # a sticker, or a file that is gone: nothing to keep
        mime = str(document.get("mime_type") or "")
        kind = "video" if mime.startswith("video/") else "audio" if mime.startswith("audio/") else "doc"
        title = next((a.get("file_name") for a in document.get("attributes") or []
                      if isinstance(a, dict) and a.get("file_name")), None)
    elif kind == "poll" and isinstance(media.get("poll"), dict):
        question = media["poll"].get("question")
        title = question.get("text") if isinstance(question, dict) else question
    return [Attachment(type=kind, url=url if isinstance(url, str) else None,
                       title=str(title)[:300] if isinstance(title, str) and title else None)]


def raw_message(post: Post, message: dict, chat: dict, reach: int, thread_root: str | None = None,
                root_native: int | None = None) -> RawItem:
    """The raw item of a message, or (with ``thread_root``) of a comment under a channel post."""
    if thread_root is None:
        return raw_item(post, "message", MAPPER_VERSION, message, chat=chat, reach=reach)
    return raw_item(post, "comment", MAPPER_VERSION, message, chat=chat, reach=reach, thread_root=thread_root,
                    root=root_native)


@register_mapping("telegram", MAPPER_VERSION, AUTHOR_FIELDS)
def remap(raw: RawItem, source=None) -> Post:
    """A stored message or comment mapped again by ``map_message``."""
    chat, reach = context_value(raw, "chat", dict), context_value(raw, "reach")
    if raw.kind == "message":
        return map_message(raw.payload, raw.source, chat, reach)
    if raw.kind == "comment":
        root = raw.context.get("root")
        return map_message(raw.payload, raw.source, chat, reach, thread_root=context_value(raw, "thread_root", str),
                           root_native=root if isinstance(root, int) else None)
    raise unknown_kind(raw)
