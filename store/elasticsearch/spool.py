"""``SpoolingStore``: the Elasticsearch store that keeps a scan's writes through an outage.

When the cluster is unreachable (``StoreUnavailable``), the writes a scan makes
(``upsert_posts``, ``upsert_story``, ``set_watermark``) go to the local ``Outbox``
instead, and return once they are on disk there, so the pipeline's rule "move the
watermark only after the posts are stored" holds with "stored" meaning in
Elasticsearch or in the outbox. The outbox is replayed, in order, when the store is
opened and before every later call, so reads see the spooled writes.

Not spooled: appeals (their export file is kept and re-imported), risks (``save_risk`` must compare versions) and alerts (``add_alert``
must know whether the alert is new before a sink sends it). They, and every read that
cannot be answered, raise ``StoreUnavailable``. ``get_watermark`` is answered during an
outage from the outbox (the newest spooled value, else the last one known durable).

After a failure the cluster is not tried again for ``retry_after`` seconds: a scan
with the cluster down spools at disk speed instead of waiting on timeouts.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TypeVar

from pydantic import ValidationError

from core.appeals import Appeal, AppealQuery
from core.domain import Alert, Analysis, Post, RawItem, Risk, RiskStatus, Story
from core.store import DeadLetter, SearchHit, SearchQuery, Stats, StoreError, UpsertResult, checked_raw
from store.elasticsearch.connection import StoreUnavailable
from store.elasticsearch.outbox import Op, Outbox
from store.elasticsearch.store import ElasticsearchStore
from store.pending import PendingStoriesInWatermarks

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class SpooledResult(UpsertResult):
    """An upsert that went to the outbox: whether the posts are new is known only at replay."""

    spooled: int = 0


class SpoolingStore(PendingStoriesInWatermarks):
    def __init__(self, inner: ElasticsearchStore, outbox: Outbox, *, retry_after: float = 10.0) -> None:
        self.inner = inner
        self.outbox = outbox
        self.retry_after = retry_after
        self._lock = threading.RLock()
        self._down_until = 0.0
        self.replay()  # what an earlier run spooled; kept for later if the cluster is still down

    @property
    def prefix(self) -> str:
        return self.inner.prefix

    @property
    def pending(self) -> int:
        return len(self.outbox)

    # the outbox ---------------------------------------------------------
    def replay(self) -> bool:
        """Send every spooled write, oldest first; True when the outbox is empty afterwards."""
        if self._is_down():
            return False
        with self._lock:
            while batch := self.outbox.pending():
                for op in batch:
                    try:
                        self._apply(op)
                    except StoreUnavailable as exc:
                        self._went_down(exc)
                        return False
                    except (StoreError, ValueError, ValidationError) as exc:
                        log.error("outbox %s: entry %d (%s) cannot be replayed, parked: %s",
                                  self.outbox.path, op.seq, op.kind, exc)
                        self.outbox.fail(op, str(exc))
                        continue
                    self.outbox.remove(op.seq)
                    if op.kind == "watermark" and op.key is not None:
                        self.outbox.remember_watermark(op.key, op.body)
                log.info("outbox %s: replayed %d writes", self.outbox.path, len(batch))
        return True

    def _apply(self, op: Op) -> None:
        if op.kind == "posts":
            items = json.loads(op.body)
            self.inner.upsert_posts(
                [(Post.model_validate(item["post"]), Analysis.model_validate(item["analysis"])) for item in items],
                {item["post"]["id"]: RawItem.model_validate(item["raw"]) for item in items if item.get("raw")},
            )
        elif op.kind == "story":
            self.inner.upsert_story(Story.model_validate_json(op.body))
        elif op.kind == "deleted":
            marks = json.loads(op.body)
            self.inner.mark_deleted(marks["ids"], datetime.fromisoformat(marks["at"]))
        elif op.kind == "watermark" and op.key is not None:
            self.inner.set_watermark(op.key, op.body)
        else:
            raise StoreError(f"unknown outbox entry kind «{op.kind}»")

    def _is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _went_down(self, exc: StoreUnavailable) -> None:
        self._down_until = time.monotonic() + self.retry_after
        log.warning("elasticsearch %s unavailable, spooling writes to %s: %s", self.prefix, self.outbox.path, exc)

    def _write(self, direct: Callable[[], T], spool: Callable[[], T]) -> T:
        """Straight to Elasticsearch when it is up and nothing waits before us, else the outbox."""
        if self.replay():
            try:
                return direct()
            except StoreUnavailable as exc:
                self._went_down(exc)
        return spool()

    def _read(self, call: Callable[[], T]) -> T:
        if not self.replay():
            raise StoreUnavailable(
                f"Elasticsearch ({self.prefix}) недоступен; записей в очереди: {self.pending} ({self.outbox.path}), "
                "они будут отправлены, когда кластер вернётся"
            )
        try:
            return call()
        except StoreUnavailable as exc:
            self._went_down(exc)
            raise

    # spooled writes -----------------------------------------------------
    def upsert_posts(self, items: Iterable[tuple[Post, Analysis]],
                     raw: Mapping[str, RawItem] | None = None) -> UpsertResult:
        batch = list(items)
        for post, analysis in batch:
            if analysis.post_id != post.id:
                raise ValueError(f"analysis for post {analysis.post_id} given with post {post.id}")
        raws = checked_raw((post for post, _ in batch), raw)

        def spool() -> UpsertResult:
            body = [{"post": p.model_dump(mode="json"), "analysis": a.model_dump(mode="json"),
                     **({"raw": raws[p.id].model_dump(mode="json")} if p.id in raws else {})} for p, a in batch]
            self.outbox.append("posts", json.dumps(body, ensure_ascii=False))
            return SpooledResult(spooled=len(batch))

        return self._write(lambda: self.inner.upsert_posts(batch, raws), spool)

    def mark_deleted(self, post_ids: Iterable[str], at: datetime) -> int:
        """Spooled like a write while the cluster is down (then 0 is returned: nothing marked yet)."""
        ids = sorted(set(post_ids))

        def spool() -> int:
            self.outbox.append("deleted", json.dumps({"ids": ids, "at": at.isoformat()}))
            return 0

        return self._write(lambda: self.inner.mark_deleted(ids, at), spool)

    def upsert_story(self, story: Story) -> None:
        def spool() -> None:
            self.outbox.append("story", story.model_dump_json())

        self._write(lambda: self.inner.upsert_story(story), spool)

    def set_watermark(self, source: str, value: str) -> None:
        def direct() -> None:
            self.inner.set_watermark(source, value)
            self.outbox.remember_watermark(source, value)

        def spool() -> None:
            self.outbox.append("watermark", value, key=source)

        self._write(direct, spool)

    def get_watermark(self, source: str) -> str | None:
        try:
            value = self._read(lambda: self.inner.get_watermark(source))
        except StoreUnavailable:
            value = self.outbox.spooled_watermark(source) or self.outbox.known_watermark(source)
            if value is None:
                raise
            log.warning("watermark of %s read from the outbox while elasticsearch is down", source)
            return value
        if value is not None:
            self.outbox.remember_watermark(source, value)
        return value

    # everything else needs the cluster ----------------------------------
    def get_post(self, post_id: str) -> tuple[Post, Analysis | None] | None:
        return self._read(lambda: self.inner.get_post(post_id))

    def posts_by_ids(self, post_ids: Iterable[str]) -> list[tuple[Post, Analysis | None]]:
        ids = list(post_ids)
        return self._read(lambda: self.inner.posts_by_ids(ids))

    def search(self, query: SearchQuery) -> list[SearchHit]:
        return self._read(lambda: self.inner.search(query))

    def count(self, query: SearchQuery) -> int:
        return self._read(lambda: self.inner.count(query))

    def aggregate(self, field: str, query: SearchQuery) -> dict[str, int]:
        return self._read(lambda: self.inner.aggregate(field, query))

    def facets(self, fields: Iterable[str], query: SearchQuery) -> dict[str, dict[str, int]]:
        return self._read(lambda: self.inner.facets(fields, query))

    def raw_items(self, source: str | None = None, platform: str | None = None) -> Iterator[RawItem]:
        """Needs the cluster (and the outbox replayed first, so spooled raw items are read too)."""
        pages = self._read(lambda: self.inner.raw_items(source, platform))
        try:
            yield from pages
        except StoreUnavailable as exc:
            self._went_down(exc)
            raise

    def purge_before(self, cutoff: datetime) -> int:
        return self._read(lambda: self.inner.purge_before(cutoff))

    def get_story(self, story_id: str) -> Story | None:
        return self._read(lambda: self.inner.get_story(story_id))

    def recent_stories(self, since: datetime) -> list[Story]:
        return self._read(lambda: self.inner.recent_stories(since))

    def post_ids_by_author(self, author: str) -> list[str]:
        return self._read(lambda: self.inner.post_ids_by_author(author))

    def delete_posts(self, post_ids: Iterable[str]) -> int:
        wanted = list(post_ids)
        return self._read(lambda: self.inner.delete_posts(wanted))

    def redact_stories(self, story_ids: Iterable[str], note: str) -> int:
        wanted = list(story_ids)
        return self._read(lambda: self.inner.redact_stories(wanted, note))

    def dead_letters(self) -> list[DeadLetter]:
        return self._read(self.inner.dead_letters)

    def get_risk(self, risk_id: str) -> Risk | None:
        return self._read(lambda: self.inner.get_risk(risk_id))

    def save_risk(self, risk: Risk) -> Risk:
        return self._read(lambda: self.inner.save_risk(risk))

    def list_risks(self, statuses: Iterable[RiskStatus] | None = None) -> list[Risk]:
        wanted = None if statuses is None else list(statuses)
        return self._read(lambda: self.inner.list_risks(wanted))

    def add_alert(self, alert: Alert) -> bool:
        return self._read(lambda: self.inner.add_alert(alert))

    def list_alerts(self) -> list[Alert]:
        return self._read(self.inner.list_alerts)

    def stats(self) -> Stats:
        return self._read(self.inner.stats)

    # appeals: not spooled (the export file is kept; a re-import after an outage writes them)
    def upsert_appeals(self, appeals: Iterable[Appeal]) -> UpsertResult:
        batch = list(appeals)
        return self._read(lambda: self.inner.upsert_appeals(batch))

    def appeals_by_ids(self, appeal_ids: Iterable[str]) -> list[Appeal]:
        wanted = list(appeal_ids)
        return self._read(lambda: self.inner.appeals_by_ids(wanted))

    def search_appeals(self, query: AppealQuery) -> list[Appeal]:
        return self._read(lambda: self.inner.search_appeals(query))

    def count_appeals(self, query: AppealQuery) -> int:
        return self._read(lambda: self.inner.count_appeals(query))

    def aggregate_appeals(self, field: str, query: AppealQuery) -> dict[str, int]:
        return self._read(lambda: self.inner.aggregate_appeals(field, query))

    def purge_appeals_before(self, cutoff: datetime) -> int:
        return self._read(lambda: self.inner.purge_appeals_before(cutoff))

    def close(self) -> None:
        self.inner.close()
        self.outbox.close()

    def __enter__(self) -> SpoolingStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
