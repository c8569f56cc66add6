"""The Telegram watermark: ``{"min_id": N}``, plus, for channels, what was last seen of recent posts.

``min_id`` is the newest message id stored; the next read asks only for newer ones.
Channel posts keep changing after they are read: views and reactions grow, the text
may be edited, comments arrive. ``recent`` keeps, for the newest few posts, the
numbers last emitted and the newest comment read, so that a scan re-emits a post
only when it changed and reads only the comments that are new.
"""
from __future__ import annotations

import json
from dataclasses import astuple, dataclass, field
from datetime import datetime
from typing import Any

from collectors.base import CollectorError
from collectors.telegram.mapping import poll_of, reactions_total, replies_of

VIEWS_STEP = 0.1  # a post is re-emitted when its views grew by 10 % (and at least 10)


@dataclass
class Seen:
    edited: int = 0
    views: int = 0
    forwards: int = 0
    reactions: int = 0
    replies: int = 0
    comment_id: int = 0
    poll_votes: int = 0  # votes of the post's poll (a watermark written before polls has none: 0)

    @classmethod
    def of(cls, message: dict, comment_id: int = 0) -> "Seen":
        edit = message.get("edit_date")
        if isinstance(edit, str):
            try:
                edit = datetime.fromisoformat(edit)
            except ValueError:
                edit = None
        return cls(edited=int(edit.timestamp()) if isinstance(edit, datetime) else 0,
                   views=_int(message.get("views")), forwards=_int(message.get("forwards")),
                   reactions=reactions_total(message), replies=replies_of(message)[0], comment_id=comment_id,
                   poll_votes=_poll_votes(message))

    def changed(self, now: "Seen") -> bool:
        """Whether ``now`` is worth storing again (edited, new reactions, forwards, comments or poll
        votes, more views)."""
        if (now.edited, now.forwards, now.reactions, now.replies, now.poll_votes) != (
                self.edited, self.forwards, self.reactions, self.replies, self.poll_votes):
            return True
        return now.views >= max(self.views * (1 + VIEWS_STEP), self.views + 10)


def _poll_votes(message: dict) -> int:
    poll = poll_of(message)
    return poll.votes + (poll.voters or 0) + int(poll.closed) if poll else 0


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@dataclass
class ChatWatermark:
    min_id: int = 0
    recent: dict[int, Seen] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None, source: str) -> "ChatWatermark":
        if not text:
            return cls()
        try:
            data = json.loads(text)
            min_id = int(data["min_id"])
            recent = {int(k): Seen(*map(int, v)) for k, v in (data.get("recent") or {}).items()}
        except (ValueError, KeyError, TypeError) as exc:
            raise CollectorError(f"{source}: watermark: not a Telegram watermark ({exc}): {text[:80]!r}") from None
        return cls(min_id, recent)

    def dump(self) -> str:
        data: dict[str, Any] = {"min_id": self.min_id}
        if self.recent:
            data["recent"] = {str(k): list(astuple(v)) for k, v in sorted(self.recent.items())}
        return json.dumps(data, separators=(", ", ": "))

    def keep_newest(self, count: int) -> None:
        for message_id in sorted(self.recent, reverse=True)[count:]:
            del self.recent[message_id]


def advance(watermark: str | None, source: str, min_id: int, post: int | None = None, keep: int = 0) -> str:
    """The watermark with ``min_id`` moved forward (never back); ``post``, a channel post stored
    from outside a scan (the live listener), joins ``recent`` so that a scan reads its comments."""
    mark = ChatWatermark.parse(watermark, source)
    mark.min_id = max(mark.min_id, min_id)
    if post is not None and keep > 0:
        mark.recent.setdefault(post, Seen())
        mark.keep_newest(keep)
    return mark.dump()
