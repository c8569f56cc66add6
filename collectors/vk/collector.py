"""The VK collector: a public's wall since the watermark, comments with their threads, and search.

One scan of a source:
1. ``groups.getById`` gives the group id and its reach (``members_count``).
2. ``wall.get`` pages back to the watermark, and further back over the last
   ``recheck_hours``: re-read posts are stored again only when their text or engagement
   changed (an edit is an update of the same post id, never a duplicate).
3. Comments of new posts, and new comments of re-read posts, in batches of 25 per ``execute``.
4. ``newsfeed.search`` for each configured query (and the district's coordinates);
   what it finds keeps this source's key.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator

from collectors.base import Batch, BadPayload, CollectorError, register, report_once
from collectors.vk.client import LiveVkClient, ReplayVkClient, VkClient
from collectors.vk.comments import CommentRequest, fetch_comments
from collectors.vk.guard import GuardedClient, VkSkip, VkStop
from collectors.vk.limits import DailyBudget, bucket_for
from collectors.vk.mapping import map_group, map_post, raw_post, signature
from collectors.vk.search import search_posts
from collectors.vk.state import RecentPost, VkState
from core.config import secret
from core.domain import Post, RawItem

log = logging.getLogger(__name__)
PAGE = 100


def owner_ref(owner: str) -> str:
    """``groups.getById`` takes a screen name or a positive id; walls are often given as ``-123``."""
    owner = owner.strip()
    return owner[1:] if owner.startswith("-") and owner[1:].isdigit() else owner


def read_wall(api, owner: int, floor: int) -> Iterator[Any]:
    """Wall items newer than ``floor``, newest first; an old pinned post at the top is passed over."""
    offset = 0
    while True:
        page = api.call("wall.get", owner_id=owner, count=PAGE, offset=offset)
        items = page.get("items") if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise BadPayload(str(owner), f"wall.get offset {offset}", "items", "answer without a list")
        for item in items:
            date = item.get("date") if isinstance(item, dict) else None
            if isinstance(date, int) and date <= floor:
                if item.get("is_pinned"):
                    continue
                return
            yield item
        if len(items) < PAGE:
            return
        offset += PAGE


class _Run:
    """One collect call: posts without duplicates with their raw items, and problems."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.raw: dict[str, RawItem] = {}
        self.problems: list[str] = []
        self.skipped = 0

    def emit(self, post: Post, raw: RawItem) -> None:
        if post.id not in self.raw:
            self.raw[post.id] = raw
            self.posts.append(post)

    def batch(self, watermark: str | None, problems: list[str]) -> Batch:
        return Batch(self.posts, watermark, problems, self.skipped, self.raw)


class VkCollector:
    platform: ClassVar[str] = "vk"

    def __init__(self, source, client: VkClient, clock: Callable[[], float] = time.time):
        self.source = source
        self.api = client if isinstance(client, GuardedClient) else GuardedClient(
            client, source.key, attempts=source.retries, backoff=source.backoff, token_env=source.token_env)
        self.clock = clock

    def collect(self, watermark: str | None) -> Batch:
        """Wall, then each search query. A stop (token, captcha, budget) ends the scan of this source:
        what was read is kept, the parts read in full move their watermark, the others do not."""
        state = VkState.parse(watermark, self.source.key)
        new = VkState(date=state.date, recent=dict(state.recent), skipped=dict(state.skipped))
        run = _Run()
        done = 0
        try:
            if self.source.owner:
                try:
                    self._read_wall(state, new, run)
                except VkStop:
                    new.date, new.recent = state.date, dict(state.recent)
                    raise
                done += 1
            for query in self.source.search:
                self._search(query, state, new, run)
                done += 1
        except VkStop as stop:
            if not run.posts and not done:
                raise
            new.search.update({q: d for q, d in state.search.items() if q not in new.search
                               and q in self.source.search})
            problems, new.reported = report_once(run.problems, state.reported)
            return run.batch(new.dump(), [*problems, f"{stop}; прочитанное сохранено"])
        problems, new.reported = report_once(run.problems, state.reported)
        return run.batch(new.dump(), problems)

    # wall ---------------------------------------------------------------
    def _read_wall(self, state: VkState, new: VkState, run: _Run) -> None:
        key = self.source.key
        try:
            group = map_group(self.api.call("groups.getById", group_id=owner_ref(self.source.owner),
                                            fields="members_count"))
            if group.get("deactivated"):
                raise VkSkip(18, f"group {group.get('deactivated')}")
            owner = -int(group["id"])
            reach = self.source.reach or _int(group.get("members_count"))
            now = self.clock()
            window = int(now - self.source.recheck_hours * 3600) if self.source.recheck_hours else None
            floor = min(state.date, window) if state.date and window is not None else state.date
            if not state.date and self.source.backfill_days:
                floor = int(now - self.source.backfill_days * 86400)
            wants, seen = self._wall_posts(read_wall(self.api, owner, floor), state, new, run, reach, window)
        except VkSkip as exc:  # the wall as a whole: nothing of it moves the watermark
            new.date, new.recent = state.date, dict(state.recent)
            self._skip_once(state, new, run, "wall", f"стена «{self.source.owner}» пропущена: {exc}", exc.code)
            return
        except BadPayload as exc:
            raise CollectorError(f"{key}: {exc}") from None
        new.skipped.pop("wall", None)
        new.recent = {ref: post for ref, post in new.recent.items() if window is not None and post.date > window}
        for ref, post in state.recent.items():
            if post.date > floor and ref not in seen:
                log.info("%s: post %s is no longer on the wall (deleted); the stored copy is kept", key, ref)
                new.recent.pop(ref, None)
        if wants:
            self._comments(owner, reach, wants, new, run)

    def _wall_posts(self, items, state: VkState, new: VkState, run: _Run, reach: int, window: int | None):
        wants: dict[str, CommentRequest] = {}
        seen: set[str] = set()
        for item in items:
            try:
                post = map_post(item, self.source.key, reach)
            except BadPayload as exc:
                run.problems.append(str(exc))
                run.skipped += 1
                continue
            date, ref = int(item["date"]), post.native_id
            seen.add(ref)
            fresh = date > state.date
            new.date = max(new.date, date)
            if post.is_empty:
                if fresh:
                    run.problems.append(f"{self.source.key}: item {ref}: field «text»: no text and no attachments, "
                                        "skipped")
                    run.skipped += 1
                continue
            known = state.recent.get(ref)
            sig = signature(post)
            if fresh or (known is not None and known.signature != sig):
                run.emit(post, raw_post(post, item, reach))
            count = post.engagement.comments
            last = known.last_comment if known else (0 if fresh else None)
            if self.source.comments and count and (fresh or (known is not None and count > known.comments)):
                wants[ref] = CommentRequest(int(item["id"]), last)
            if window is not None and date > window:
                new.recent[ref] = RecentPost(date, sig, count, last)
            else:
                new.recent.pop(ref, None)
        return wants, seen

    def _comments(self, owner: int, reach: int, wants: dict[str, CommentRequest], new: VkState, run: _Run) -> None:
        result = fetch_comments(self.api, owner, list(wants.values()), self.source.key, reach, run.emit)
        run.problems.extend(result.problems)
        run.skipped += result.skipped
        for code, (reason, posts) in sorted(result.unavailable.items()):
            shown = ", ".join(f"{owner}_{p}" for p in posts[:5]) + (" …" if len(posts) > 5 else "")
            run.problems.append(f"{self.source.key}: комментарии недоступны у {len(posts)} пост(ов) ({shown}): {reason}")
        failed = {p for _, posts in result.unavailable.values() for p in posts}
        for ref, want in wants.items():
            recent = new.recent.get(ref)
            if recent is not None and want.post not in failed:
                recent.last_comment = result.highest.get(want.post, recent.last_comment)

    # search -------------------------------------------------------------
    def _search(self, query: str, state: VkState, new: VkState, run: _Run) -> None:
        scope = f"search:{query}"
        since = state.search.get(query) or int(self.clock() - self.source.search_days * 86400)
        try:
            result = search_posts(self.api, query, since, self.source.key, run.emit,
                                  self.source.latitude, self.source.longitude)
        except VkSkip as exc:
            if query in state.search:
                new.search[query] = state.search[query]
            self._skip_once(state, new, run, scope, f"поиск «{query}» пропущен: {exc}", exc.code)
            return
        new.skipped.pop(scope, None)
        new.search[query] = result.newest
        run.problems.extend(result.problems)
        run.skipped += result.skipped

    def _skip_once(self, state: VkState, new: VkState, run: _Run, scope: str, message: str, code: int) -> None:
        if state.skipped.get(scope) == code:
            log.info("%s: %s (already reported)", self.source.key, message)
        else:
            run.problems.append(f"{self.source.key}: {message}")
        new.skipped[scope] = code


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def budget_path(source, settings) -> Path:
    """Where the daily budget is counted: ``budget_file``, else the data folder."""
    if source.budget_file:
        return settings.resolve(source.budget_file)
    return settings.data_dir / "vk_budget.json"


def live_client(source, settings) -> GuardedClient:
    """The live API for a source: token from the environment, shared pacing, budget, back-off."""
    token = secret(source.token_env).get_secret_value()
    bucket = bucket_for(token, source.requests_per_second)
    client = LiveVkClient(token, source.api_version, source.api_url, source.timeout, pace=bucket.acquire)
    budget = DailyBudget(budget_path(source, settings), token, source.daily_budget, settings.timezone)
    return GuardedClient(client, source.key, budget, source.retries, source.backoff, source.token_env)


@register("vk")
def build(source, settings) -> VkCollector:
    if source.replay:
        return VkCollector(source, ReplayVkClient(settings.resolve(source.replay)))
    return VkCollector(source, live_client(source, settings))
