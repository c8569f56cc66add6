"""The OK collector: a public group's topics since the watermark, and their comments.

One scan of a source:
1. The group: its id (``url.getInfo`` turns a short name into one) and its reach
   (``group.getInfo``, ``members_count``).
2. ``mediatopic.getTopics`` pages back (by OK's anchor) to the watermark, and further back over
   the last ``recheck_hours``: re-read topics are stored again only when their text or
   engagement changed (an edit is an update of the same post id, never a duplicate). A pinned
   («sticky») old topic at the top is passed over.
3. ``discussions.getComments`` for new topics, and for re-read topics with more comments
   (only the comments newer than the last one stored).
A stop (keys, token, limits) ends the scan of the source; the watermark does not move then.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator

from collectors.base import Batch, BadPayload, CollectorError, register, report_once
from collectors.ok.client import LiveOkClient, OkClient, ReplayOkClient
from collectors.ok.guard import GuardedOkClient, OkSkip
from collectors.ok.mapping import comment_time, group_record, map_comment, map_topic, raw_comment, raw_topic, signature
from collectors.ok.state import OkState, RecentTopic
from collectors.vk.limits import DailyBudget, bucket_for
from core.config import secret
from core.domain import Post, RawItem

log = logging.getLogger(__name__)
PAGE = 50  # topics per mediatopic.getTopics page
COMMENTS_PAGE = 100
MAX_COMMENT_PAGES = 20


def _emit(run: Batch, post: Post, raw: RawItem) -> None:
    """Add a post with its raw item to the batch, once."""
    if post.id not in run.raw:
        run.raw[post.id] = raw
        run.posts.append(post)


def resolve_group(api, group: str) -> tuple[str, dict]:
    """The group's numeric id and its ``group.getInfo`` record."""
    gid = group
    if not group.isdigit():
        found = api.call("url.getInfo", url=f"https://ok.ru/{group}")
        if not isinstance(found, dict) or found.get("type") != "GROUP" or not str(found.get("objectId", "")).isdigit():
            raise CollectorError(f"ok.ru/{group}: это не группа Одноклассников ({found!r:.80})")
        gid = str(found["objectId"])
    return gid, group_record(api.call("group.getInfo", uids=gid, fields="uid,name,members_count"))


def read_topics(api, gid: str, floor_ms: int, max_pages: int) -> Iterator[Any]:
    """Topics newer than ``floor_ms``, newest first, page by page by OK's anchor."""
    anchor = None
    for _ in range(max_pages):
        params = {"gid": gid, "count": PAGE, "fields": "media_topic.*"}
        if anchor:
            params["anchor"] = anchor
        page = api.call("mediatopic.getTopics", **params)
        items = page.get("media_topics") if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise BadPayload(gid, f"mediatopic.getTopics anchor {anchor}", "media_topics", "answer without a list")
        for item in items:
            created = item.get("created_ms") if isinstance(item, dict) else None
            if isinstance(created, int) and created <= floor_ms:
                if item.get("is_sticky"):
                    continue
                return
            yield item
        anchor = page.get("anchor")
        if not page.get("has_more") or not items or not anchor:
            return


class OkCollector:
    platform: ClassVar[str] = "ok"

    def __init__(self, source, client: OkClient, clock: Callable[[], float] = time.time):
        self.source = source
        self.api = client if isinstance(client, GuardedOkClient) else GuardedOkClient(client, source)
        self.clock = clock

    def collect(self, watermark: str | None) -> Batch:
        state = OkState.parse(watermark, self.source.key)
        new = OkState(created=state.created, skipped=dict(state.skipped))
        run = Batch()
        try:
            self._read(state, new, run)
        finally:
            self.api.close()
        run.problems, new.reported = report_once(run.problems, state.reported)
        run.watermark = new.dump()
        return run

    def _read(self, state: OkState, new: OkState, run: Batch) -> None:
        key = self.source.key
        try:
            gid, group = resolve_group(self.api, self.source.group)
            reach = self.source.reach or _positive(group.get("members_count"))
            now_ms = int(self.clock() * 1000)
            window = now_ms - int(self.source.recheck_hours * 3_600_000) if self.source.recheck_hours else None
            floor = min(state.created, window) if state.created and window is not None else state.created
            if not state.created and self.source.backfill_days:
                floor = now_ms - int(self.source.backfill_days * 86_400_000)
            wants = self._topics(read_topics(self.api, gid, floor, self.source.max_pages), state, new, run,
                                 gid, reach, window)
        except OkSkip as exc:  # the group as a whole: nothing of it moves the watermark; reported once
            new.created, new.recent, new.skipped["group"] = state.created, dict(state.recent), exc.code
            message = f"{key}: группа «{self.source.group}» пропущена: {exc}"
            run.problems += [] if state.skipped.get("group") == exc.code else [message]
            return
        except BadPayload as exc:
            raise CollectorError(f"{key}: {exc}") from None
        new.skipped.pop("group", None)
        for topic in wants:
            self._comments(gid, topic, reach, new, run)

    def _topics(self, items, state: OkState, new: OkState, run: Batch, gid: str, reach: int,
                window: int | None) -> list[str]:
        wants: list[str] = []
        for item in items:
            try:
                post = map_topic(item, self.source.key, gid, reach)
            except BadPayload as exc:
                run.problems.append(str(exc))
                run.skipped += 1
                continue
            topic, created = str(item["id"]), int(item["created_ms"])
            fresh = created > state.created
            new.created = max(new.created, created)
            if post.is_empty:  # reported when first seen, passed over on re-reads
                run.skipped += int(fresh)
                run.problems += [f"{self.source.key}: item {post.native_id}: field «media»: no text and no "
                                 "attachments, skipped"] if fresh else []
                continue
            known, sig = state.recent.get(topic), signature(post)
            if fresh or (known is not None and known.signature != sig):  # new, or edited / engagement changed
                _emit(run, post, raw_topic(post, item, gid, reach))
            count = post.engagement.comments
            last = known.last_comment if known else 0
            if self.source.comments and count and (fresh or (known is not None and count > known.comments)):
                wants.append(topic)
            if window is not None and created > window:
                new.recent[topic] = RecentTopic(created, sig, count, last)
        return wants

    def _comments(self, gid: str, topic: str, reach: int, new: OkState, run: Batch) -> None:
        """The topic's comments newer than the last one stored; a topic whose comments cannot be read
        keeps its count, so the next scan tries again."""
        recent = new.recent.get(topic)
        after = recent.last_comment if recent else 0
        newest, anchor = after, None
        try:
            for _ in range(MAX_COMMENT_PAGES):
                params = {"entityId": topic, "entityType": "GROUP_TOPIC", "count": COMMENTS_PAGE}
                if anchor:
                    params["anchor"] = anchor
                page = self.api.call("discussions.getComments", **params)
                items = page.get("comments") if isinstance(page, dict) else None
                if not isinstance(items, list):
                    run.problems.append(f"{self.source.key}: topic {gid}_{topic}: field «comments»: answer without a list")
                    break
                for item in items:
                    newest = max(newest, self._comment(item, gid, topic, reach, after, run))
                anchor = page.get("anchor")
                if not page.get("has_more") or not items or not anchor:
                    break
        except OkSkip as exc:
            run.problems.append(f"{self.source.key}: комментарии к теме {gid}_{topic} недоступны: {exc}")
            if recent is not None:
                recent.comments = 0
            return
        if recent is not None:
            recent.last_comment = newest

    def _comment(self, item: Any, gid: str, topic: str, reach: int, after: int, run: Batch) -> int:
        try:
            comment = map_comment(item, self.source.key, gid, topic, reach)
            at = int(comment_time(item, self.source.key).timestamp() * 1000)
        except BadPayload as exc:
            run.problems.append(str(exc))
            run.skipped += 1
            return 0
        if at > after:
            _emit(run, comment, raw_comment(comment, item, gid, topic, reach))
        return at


def _positive(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def live_client(source, settings) -> GuardedOkClient:
    """The live API for a source: keys and token from the environment, shared pacing, daily budget."""
    token = secret(source.token_env).get_secret_value()
    client = LiveOkClient(secret(source.application_key_env).get_secret_value(),
                          secret(source.secret_key_env).get_secret_value(), token, source.api_url, source.timeout,
                          pace=bucket_for(token, source.requests_per_second).acquire)
    path: Path = settings.resolve(source.budget_file) if source.budget_file else settings.data_dir / "ok_budget.json"
    return GuardedOkClient(client, source, DailyBudget(path, token, source.daily_budget, settings.timezone))


@register("ok")
def build(source, settings) -> OkCollector:
    if source.replay:
        return OkCollector(source, ReplayOkClient(settings.resolve(source.replay)))
    return OkCollector(source, live_client(source, settings))
