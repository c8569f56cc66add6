"""The Telegram collector: messages above the ``min_id`` watermark, and for channels the
comments under posts and the changes of recent posts (edits, views, reactions)."""
from __future__ import annotations

from typing import Any, ClassVar

from collectors.base import Batch, BadPayload, register
from collectors.telegram.client import ReplayTelegramReader, TelegramReader
from collectors.telegram.errors import BudgetExhausted, ChatDeferred
from collectors.telegram.mapping import map_message, raw_message, replies_of
from collectors.telegram.watermark import ChatWatermark, Seen
from core.domain import Platform, Post, post_id


class TelegramCollector:
    platform: ClassVar[str] = "telegram"

    def __init__(self, source, reader: TelegramReader):
        self.source = source
        self.reader = reader

    def collect(self, watermark: str | None) -> Batch:
        key = self.source.key
        mark = ChatWatermark.parse(watermark, key)
        try:
            chat = self.reader.chat()
        except BudgetExhausted as exc:
            raise ChatDeferred(key, f"бюджет запросов аккаунта исчерпан ({exc})") from None
        run = _Run(self.source, chat, mark)
        try:
            for message in self.reader.messages(mark.min_id):
                run.take(message)
            if run.broadcast:
                self._refresh(run)
                self._comments(run)
        except BudgetExhausted as exc:
            if not run.batch.posts and not run.batch.problems:
                raise ChatDeferred(key, f"бюджет запросов аккаунта исчерпан ({exc})") from None
            run.batch.problems.append(f"{key}: бюджет запросов исчерпан ({exc}); остальное — при следующем запуске")
        if run.empty_comments:
            run.batch.problems.append(f"{key}: {run.empty_comments} комментариев без текста (стикеры, фото) пропущено")
        run.batch.problems.extend(getattr(self.reader, "notes", []))
        mark.keep_newest(self.source.refresh_recent if run.broadcast else 0)
        run.batch.watermark = mark.dump()
        return run.batch

    def _refresh(self, run: "_Run") -> None:
        """Re-read the recent posts not read in this run: edits, engagement, newest comment id."""
        stale = sorted(set(run.mark.recent) - set(run.current), reverse=True)[: self.source.refresh_recent]
        if not stale:
            return
        found = {m["id"]: m for m in self.reader.refresh(stale) if isinstance(m, dict) and isinstance(m.get("id"), int)}
        for message_id in stale:
            message = found.get(message_id)
            if message is None:
                run.batch.problems.append(f"{run.key}: сообщение {message_id} удалено или недоступно")
                del run.mark.recent[message_id]
                continue
            before = run.mark.recent[message_id]
            now = Seen.of(message, before.comment_id)
            if before.changed(now):
                run.take(message, refreshed=True)
            run.current[message_id] = message

    def _comments(self, run: "_Run") -> None:
        if not self.source.comments:
            return
        for message_id, message in sorted(run.current.items()):
            seen = run.mark.recent.get(message_id) or Seen()
            count, newest = replies_of(message)
            if not count or seen.comment_id >= (newest if newest is not None else 1):
                continue  # no comments, or none newer than the last read (without max_id: read once)
            root = post_id(Platform.telegram, run.key, str(message_id))
            for comment in self.reader.comments(message_id, seen.comment_id):
                run.take_comment(comment, root, message_id)
                if isinstance(comment, dict) and isinstance(comment.get("id"), int):
                    seen.comment_id = max(seen.comment_id, comment["id"])
            if message_id in run.mark.recent:
                run.mark.recent[message_id] = seen


class _Run:
    """The state of one collect call: the batch, the watermark, and the channel posts seen fresh."""

    def __init__(self, source, chat: dict[str, Any], mark: ChatWatermark):
        self.key = source.key
        self.chat = chat
        self.mark = mark
        self.reach = source.reach or int(chat.get("participants_count") or 0)
        self.broadcast = bool(chat.get("broadcast"))
        self.track = self.broadcast and (source.refresh_recent > 0 or source.comments)
        self.batch = Batch()
        self.current: dict[int, dict] = {}  # channel posts with their state as read in this run
        self.empty_comments = 0

    def take(self, message: Any, refreshed: bool = False) -> Post | None:
        try:
            post = map_message(message, self.key, self.chat, self.reach)
        except BadPayload as exc:
            self.batch.problems.append(str(exc))
            return None
        message_id = message["id"]
        if self.track:
            before = self.mark.recent.get(message_id)
            self.mark.recent[message_id] = Seen.of(message, before.comment_id if before else 0)
            self.current[message_id] = message
        if post.is_empty:
            if not refreshed:
                self.batch.problems.append(f"{self.key}: message {post.native_id}: no text and no media, skipped")
            return None
        self.batch.posts.append(post)
        self.batch.raw[post.id] = raw_message(post, message, self.chat, self.reach)
        if not refreshed:
            self.mark.min_id = max(self.mark.min_id, message_id)
        return post

    def take_comment(self, comment: Any, root: str, root_native: int) -> None:
        try:
            post = map_message(comment, self.key, self.chat, self.reach, thread_root=root, root_native=root_native)
        except BadPayload as exc:
            self.batch.problems.append(str(exc))
            return
        if post.is_empty:
            self.empty_comments += 1
            return
        self.batch.posts.append(post)
        self.batch.raw[post.id] = raw_message(post, comment, self.chat, self.reach, root, root_native)


@register("telegram")
def build(source, settings) -> TelegramCollector:
    if source.replay:
        return TelegramCollector(source, ReplayTelegramReader(settings.resolve(source.replay)))
    from collectors.telegram.account import open_account
    from collectors.telegram.client import LiveTelegramReader

    return TelegramCollector(source, LiveTelegramReader(open_account(settings), source))
