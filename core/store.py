"""The one narrow interface every store backend implements.

The SQLite store (embedded default) and the Elasticsearch store (production)
both pass the same contract suite in ``tests/store/test_contract.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable, Iterator, Mapping, Protocol, runtime_checkable

from core.appeals import Appeal, AppealQuery
from core.domain import LEVEL_ORDER, OPEN_STATUSES, Alert, Analysis, Post, RawItem, Risk, RiskStatus, Story


Lemmatizer = Callable[[str], list[str]]
"""Text → lemmas; stores use it for both indexing and queries (``nlp.Analyzer.lemmatize``)."""


CLOSED_STATUSES = (RiskStatus.handled, RiskStatus.not_risk)
"""Risks in these states may be deleted by retention; open ones are kept with their story."""


class StoreError(Exception):
    """The store could not complete a write or read."""


class StoreFull(StoreError):
    """The store's disk (or quota) is full. A scan stops at once: every later write would fail
    too, and what was written before is intact (the failed transaction is rolled back)."""


class ConflictError(StoreError):
    """An optimistic-concurrency check failed: someone else wrote the record first."""


@dataclass(frozen=True)
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class DeadLetter:
    """A post the store refused for good (e.g. a field its index mapping cannot take): kept with
    the reason, so that nothing is lost and staff can see it (``mcu index dead-letters``)."""

    post_id: str
    source: str
    reason: str
    at: datetime
    document: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SearchQuery:
    """A search over stored posts. ``text`` is lemmatised by the store's lemmatiser."""

    text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    topic: str | None = None
    place: str | None = None
    platform: str | None = None
    source: str | None = None
    sentiment: str | None = None
    block: str | None = None
    department: str | None = None
    polls: bool = False
    """Only posts that carry a poll."""
    order: str = "relevance"
    """``relevance``: the best text match first (newest first without text); ``date``: newest first."""
    limit: int = 50


@dataclass(frozen=True)
class SearchHit:
    post: Post
    analysis: Analysis | None
    score: float = 0.0


@dataclass
class Stats:
    posts: int = 0
    stories: int = 0
    risks: int = 0
    alerts: int = 0
    by_source: dict[str, int] = field(default_factory=dict)


@runtime_checkable
class Store(Protocol):
    """Posts with their analyses, stories, risks, alerts and per-source watermarks."""

    # posts and analyses -------------------------------------------------
    def upsert_posts(self, items: Iterable[tuple[Post, Analysis]],
                     raw: Mapping[str, RawItem] | None = None) -> UpsertResult:
        """Write posts with their analyses, and ``raw`` (post id → the item it was mapped from)
        beside them in the same write. A post given without a raw item keeps the stored one."""
        ...
    def raw_items(self, source: str | None = None, platform: str | None = None) -> Iterator[RawItem]:
        """The stored raw items (of one source or platform), in post id order, read a page at
        a time: the input of ``mcu remap``."""
        ...
    def get_post(self, post_id: str) -> tuple[Post, Analysis | None] | None: ...
    def mark_deleted(self, post_ids: Iterable[str], at: datetime) -> int:
        """Mark stored posts deleted on their platform (``Post.deleted_at = at``); the post is kept
        (it is evidence). Posts already marked keep their first time; unknown ids are skipped.
        Returns how many posts were newly marked."""
        ...
    def posts_by_ids(self, post_ids: Iterable[str]) -> list[tuple[Post, Analysis | None]]: ...
    def search(self, query: SearchQuery) -> list[SearchHit]: ...
    def count(self, query: SearchQuery) -> int: ...
    def aggregate(self, field: str, query: SearchQuery) -> dict[str, int]:
        """Counts per value of ``topic``, ``place``, ``sentiment``, ``source``, ``platform``, ``block``
        or ``department``, or ``story`` (posts per story id)."""
        ...
    def facets(self, fields: Iterable[str], query: SearchQuery) -> dict[str, dict[str, int]]:
        """``aggregate`` for several fields at once (a search page's facets), in one pass or one
        request where the backend can; the same counts and order as ``aggregate`` per field."""
        ...
    def purge_before(self, cutoff: datetime) -> int:
        """Retention (152-ФЗ): delete posts published before ``cutoff`` with their raw items, and the records that
        quote them: stories last seen before it unless a risk still refers to them, alerts
        created before it, closed risks updated before it. Returns the number of posts."""
        ...

    # a person's request (152-ФЗ) ---------------------------------------
    def post_ids_by_author(self, author: str) -> list[str]:
        """Ids of the posts and comments whose (pseudonymised) author is ``author``."""
        ...
    def delete_posts(self, post_ids: Iterable[str]) -> int:
        """Delete these posts with their analyses, places, search-index entries and raw items;
        returns how many existed."""
        ...
    def redact_stories(self, story_ids: Iterable[str], note: str) -> int:
        """Replace what quotes a deleted post: these stories' titles and their alerts' card text
        become ``note``; returns how many records changed."""
        ...

    # stories ------------------------------------------------------------
    def upsert_story(self, story: Story) -> None: ...
    def get_story(self, story_id: str) -> Story | None: ...
    def recent_stories(self, since: datetime) -> list[Story]: ...

    # risks --------------------------------------------------------------
    def get_risk(self, risk_id: str) -> Risk | None: ...
    def save_risk(self, risk: Risk) -> Risk:
        """Insert or update; ``risk.version`` must equal the stored version, else ConflictError.
        Returns the risk with its version bumped."""
        ...
    def list_risks(self, statuses: Iterable[RiskStatus] | None = None) -> list[Risk]: ...

    # alerts -------------------------------------------------------------
    def add_alert(self, alert: Alert) -> bool:
        """Record an alert; False (and nothing written) when its id already exists."""
        ...
    def list_alerts(self) -> list[Alert]: ...

    # watermarks ---------------------------------------------------------
    def get_watermark(self, source: str) -> str | None: ...
    def set_watermark(self, source: str, value: str) -> None: ...

    # stories awaiting the alert step ------------------------------------
    def add_pending_stories(self, story_ids: set[str]) -> None:
        """Remember stories stored but not yet scored for alerts, so that a scan whose alert
        step failed (the store went down, the process died) has them scored next time."""
        ...
    def pending_stories(self) -> set[str]: ...
    def remove_pending_stories(self, story_ids: set[str]) -> None: ...

    # appeals (core.appeals) --------------------------------------------
    def upsert_appeals(self, appeals: Iterable[Appeal]) -> UpsertResult:
        """Write appeals by id: new, updated (any field differs) or unchanged (nothing written)."""
        ...
    def appeals_by_ids(self, appeal_ids: Iterable[str]) -> list[Appeal]:
        """The stored appeals among ``appeal_ids``, in the order asked; missing ids are skipped."""
        ...
    def search_appeals(self, query: AppealQuery) -> list[Appeal]:
        """Matching appeals: the best text match first, else the most recently received first
        (ties by id); ``query.limit=None`` returns all of them."""
        ...
    def count_appeals(self, query: AppealQuery) -> int: ...
    def aggregate_appeals(self, field: str, query: AppealQuery) -> dict[str, int]:
        """Matching appeals per value of a field of ``core.appeals.AGGREGATE_APPEAL_FIELDS``, most
        frequent first; appeals without a value are not counted (``place`` counts each place)."""
        ...
    def purge_appeals_before(self, cutoff: datetime) -> int:
        """Retention (152-ФЗ): delete appeals received (``Appeal.received_at``) before ``cutoff``."""
        ...

    def dead_letters(self) -> list[DeadLetter]:
        """Posts refused for good, oldest first (a backend that never refuses returns none)."""
        ...

    def stats(self) -> Stats: ...
    def close(self) -> None: ...


def checked_raw(posts: Iterable[Post], raw: Mapping[str, RawItem] | None) -> dict[str, RawItem]:
    """``raw`` checked against the posts of one write: each raw item under its own post id,
    and only for posts of the write (ValueError otherwise, before anything is written)."""
    if not raw:
        return {}
    ids = {post.id for post in posts}
    for key, item in raw.items():
        if item.post_id != key:
            raise ValueError(f"raw item of post {item.post_id} given under post id {key}")
        if key not in ids:
            raise ValueError(f"raw item of post {key} given without its post")
    return dict(raw)


def open_risks(store: Store) -> list[Risk]:
    """Open risks, the highest level first, the oldest first within a level."""
    risks = store.list_risks(OPEN_STATUSES)
    return sorted(risks, key=lambda r: (-LEVEL_ORDER[r.level], r.created_at, r.number))
