"""The ``core.store.Store`` contract on Elasticsearch 8 (see ``names.py`` for the layout).

Semantics follow the SQLite store: since inclusive and until exclusive (to the
microsecond, ``date_nanos``), lemma terms ANDed, exact place names, ё → е, upsert
counts new/updated/unchanged, risk versions, alerts unique by id.

* Posts are bulk-indexed with their id as ``_id`` into the index of their month, so a
  re-run overwrites. New/updated/unchanged come from a real-time ``mget`` of those
  documents compared by content; an id not found there is looked up across all months
  (a post whose date was edited moves, it is never kept twice).
* Risks are written with ``if_seq_no``/``if_primary_term`` on top of ``Risk.version``:
  of two writers holding the same version exactly one wins, the other gets ConflictError.
* Stories carry no version, and only grow; a write reads the stored story, merges
  (``documents.merge_story``) and writes under ``if_seq_no``, retrying on conflict, so
  two workers adding posts to one story both keep theirs.
* Refresh: see ``indices.py``. Reads by id are real-time; searches see this object's
  writes; other processes (Kibana) see them within ``refresh_interval`` (1s).
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import TracebackType

from elasticsearch import ConflictError as EsConflict
from elasticsearch import Elasticsearch, NotFoundError

from core.domain import Alert, Analysis, Post, RawItem, Risk, RiskStatus, Story, utc
from core.store import (
    CLOSED_STATUSES, ConflictError, Lemmatizer, SearchHit, SearchQuery, Stats, StoreError, UpsertResult,
    checked_raw,
)  # fmt: skip
from store.elasticsearch import documents as docs
from store.elasticsearch.appeals import AppealsMixin
from store.elasticsearch.connection import translate_errors
from store.elasticsearch.indices import Indices, Json, create_posts_month
from store.elasticsearch.names import IndexNames, check_prefix
from store.elasticsearch.query import AGGREGATE_FIELDS, by_count, composite_terms, post_query
from store.elasticsearch.setup import read_state, setup_indices
from store.elasticsearch.templates import TemplateSet
from store.elasticsearch.deadletters import DeadLettersMixin
from store.elasticsearch.forget import ForgettingMixin
from store.elasticsearch.marks import DeletedMarksMixin
from store.pending import PendingStoriesInWatermarks

FACET_PAGE = 1000
"""Values per field in the one facets request; a field with more pages on (exact counts)."""

_CHUNK = 1000
_STORY_ATTEMPTS = 20
_NO_RAW = ["raw"]  # reads that return posts leave the raw payload out of _source


@dataclass(frozen=True)
class StoredPost:
    index: str
    pair: tuple[Post, Analysis | None]
    raw: Json | None = None  # the document's raw item, as stored


Stored = dict[str, StoredPost]  # post id → where and what


class ElasticsearchStore(PendingStoriesInWatermarks, ForgettingMixin, DeadLettersMixin, DeletedMarksMixin, AppealsMixin):
    """Posts, stories, risks, alerts and watermarks in the indices of ``prefix``.

    Nothing is sent to the cluster until the first call; then the recorded mapping
    version is checked (a fresh prefix is set up without ILM; run ``mcu index setup``
    for production). One object may be shared between threads.
    """

    def __init__(self, client: Elasticsearch, prefix: str = "mcu", *, lemmatize: Lemmatizer,
                 templates: TemplateSet | None = None, auto_setup: bool = True, owns_client: bool = False) -> None:
        self.client = client
        self.prefix = check_prefix(prefix)
        self._lemmatize = lemmatize
        self._templates = templates
        self._auto_setup = auto_setup
        self._owns_client = owns_client
        self._io = Indices(client, self.prefix)
        self._lock = threading.RLock()
        self._names: IndexNames | None = None
        self._ilm = False
        self._months: set[str] = set()  # posts indices known to exist
        self._last_recorded = datetime.min.replace(tzinfo=timezone.utc)
        self._closed = False

    # lifecycle ----------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if not self._closed and self._owns_client:
                self.client.close()
            self._closed = True

    def __enter__(self) -> ElasticsearchStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def ready(self) -> IndexNames:
        """Check (or, on a fresh prefix, create) the indices; the names to use."""
        if self._closed:
            raise StoreError(f"elasticsearch {self.prefix}: the store is closed")
        if self._names is not None:
            return self._names
        with self._lock:
            if self._names is None:
                templates = self._templates or TemplateSet.load()
                state = read_state(self.client, self.prefix)
                if state is None and self._auto_setup:
                    setup_indices(self.client, self.prefix, retention_days=None, templates=templates)
                    state = read_state(self.client, self.prefix)
                if state is None:
                    raise StoreError(f"elasticsearch {self.prefix}: no indices; run `mcu index setup`")
                if state.version != templates.version:
                    todo = "run `mcu index setup`" if state.version < templates.version else "upgrade mcu-monitor"
                    raise StoreError(f"elasticsearch {self.prefix}: the cluster has mapping version "
                                     f"{state.version}, this software needs {templates.version}; {todo}")
                self._ilm = state.ilm
                self._names = IndexNames(self.prefix, templates.version)
        return self._names

    # posts and analyses -------------------------------------------------
    def upsert_posts(self, items: Iterable[tuple[Post, Analysis]],
                     raw: Mapping[str, RawItem] | None = None) -> UpsertResult:
        """Posts with their analyses; a raw item rides in its post's document (a post given
        without one keeps the stored one). A post whose only change is its raw item is
        written and counted unchanged."""
        batch = list(items)
        for post, analysis in batch:
            if analysis.post_id != post.id:
                raise ValueError(f"analysis for post {analysis.post_id} given with post {post.id}")
        raws = checked_raw((post for post, _ in batch), raw)
        if not batch:
            return UpsertResult()
        names = self.ready()
        stored = self._stored_posts(names, {post.id: post for post, _ in batch})
        current = {pid: (s.pair[0].model_dump_json(), s.pair[1].model_dump_json() if s.pair[1] else None)
                   for pid, s in stored.items()}
        kept_raw = {pid: s.raw for pid, s in stored.items()}
        new = updated = unchanged = 0
        changed: dict[str, tuple[Post, Analysis, Json | None]] = {}
        for post, analysis in batch:  # in order, so a repeated id counts as SQLite counts it
            dumped = (post.model_dump_json(), analysis.model_dump_json())
            before = current.get(post.id)
            given = raws[post.id].model_dump(mode="json") if post.id in raws else kept_raw.get(post.id)
            if before == dumped:
                unchanged += 1
                if given == kept_raw.get(post.id):
                    continue
            elif before is None:
                new += 1
            else:
                updated += 1
            current[post.id], kept_raw[post.id] = dumped, given
            changed[post.id] = (post, analysis, given)
        if changed:
            self._write_posts(names, changed, stored)
        return UpsertResult(new=new, updated=updated, unchanged=unchanged)

    def get_post(self, post_id: str) -> tuple[Post, Analysis | None] | None:
        found = self.posts_by_ids([post_id])
        return found[0] if found else None

    def posts_by_ids(self, post_ids: Iterable[str]) -> list[tuple[Post, Analysis | None]]:
        wanted = list(dict.fromkeys(post_ids))
        if not wanted:
            return []
        found = {pid: s.pair for pid, s in self._find_posts(self.ready(), wanted, with_raw=False).items()}
        return [found[pid] for pid in wanted if pid in found]

    def search(self, query: SearchQuery) -> list[SearchHit]:
        names = self.ready()
        if query.limit <= 0:
            return []
        pq = post_query(query, self._lemmatize)
        response = self._io.search(names.alias("posts"), query=pq.query, sort=pq.sort,
                                   size=min(query.limit, 10_000), track_total_hits=False, source_excludes=_NO_RAW)
        return [
            SearchHit(*docs.post_from_document(h["_source"]), score=float(h["_score"] or 0.0) if pq.ranked else 0.0)
            for h in response["hits"]["hits"]
        ]

    def count(self, query: SearchQuery) -> int:
        return self._io.count(self.ready().alias("posts"), post_query(query, self._lemmatize).query)

    def aggregate(self, field: str, query: SearchQuery) -> dict[str, int]:
        """Matching posts per value of ``field``, most frequent first (exact: composite paging)."""
        column = AGGREGATE_FIELDS.get(field)
        if column is None:
            raise ValueError(f"cannot aggregate by «{field}»; known fields: {sorted(AGGREGATE_FIELDS)}")
        return self._io.counts(self.ready().alias("posts"), column, post_query(query, self._lemmatize).query)

    def facets(self, fields: Iterable[str], query: SearchQuery) -> dict[str, dict[str, int]]:
        """``aggregate`` for several fields in one request (a field with more values than one
        composite page holds pages on by itself, so the counts stay exact)."""
        wanted = list(dict.fromkeys(fields))
        unknown = [f for f in wanted if f not in AGGREGATE_FIELDS]
        if unknown:
            raise ValueError(f"cannot aggregate by «{unknown[0]}»; known fields: {sorted(AGGREGATE_FIELDS)}")
        if not wanted:
            return {}
        alias, q = self.ready().alias("posts"), post_query(query, self._lemmatize).query
        aggs = {f"f{i}": composite_terms(AGGREGATE_FIELDS[f], size=FACET_PAGE)["values"] for i, f in enumerate(wanted)}
        response = self._io.search(alias, query=q, size=0, aggs=aggs, track_total_hits=False)
        found = {}
        for i, name in enumerate(wanted):
            agg = response.get("aggregations", {}).get(f"f{i}", {"buckets": []})
            if len(agg["buckets"]) >= FACET_PAGE:
                found[name] = self._io.counts(alias, AGGREGATE_FIELDS[name], q)
            else:
                found[name] = by_count({str(b["key"]["value"]): int(b["doc_count"]) for b in agg["buckets"]})
        return found

    def raw_items(self, source: str | None = None, platform: str | None = None) -> Iterator[RawItem]:
        """The raw items of the post documents that carry one, in post id order (pages of
        ``search_after``; the caller may write between pages)."""
        filters: list[Json] = [{"exists": {"field": "raw_mapper"}}]
        filters += [{"term": {field: str(value)}} for field, value in (("source", source), ("platform", platform))
                    if value is not None]
        hits = self._io.search_all(self.ready().alias("posts"), {"bool": {"filter": filters}}, [{"id": "asc"}],
                                   source_includes=["raw"])
        for hit in hits:
            yield RawItem.model_validate(hit["_source"]["raw"])

    def purge_before(self, cutoff: datetime) -> int:
        """Delete posts published before ``cutoff``: whole monthly indices when their month
        is over before it, otherwise search + bulk delete (the node has no _delete_by_query)."""
        names, cutoff = self.ready(), utc(cutoff)
        self._io.refresh()
        purged = 0
        with translate_errors("purge_before", self.prefix):
            try:
                indices = sorted(self.client.indices.get_alias(name=names.alias("posts")))
            except NotFoundError:
                return 0
            for index in indices:
                end = names.month_end(index)
                if end is not None and end <= cutoff:
                    purged += int(self.client.count(index=index)["count"])
                    self.client.indices.delete(index=index)
                    self._io.forget(index)
                    with self._lock:
                        self._months.discard(index)
        old = {"range": {"published_at": {"lt": docs.timestamp(cutoff)}}}
        doomed = [(h["_index"], h["_id"]) for h in self._io.search_all(names.alias("posts"), old, [{"id": "asc"}])]
        self._io.bulk([{"_op_type": "delete", "_index": i, "_id": d} for i, d in doomed], "purge_before",
                      deletes=True)
        self._purge_quoting_records(names, cutoff)
        return purged + len(doomed)

    def _purge_quoting_records(self, names: IndexNames, cutoff: datetime) -> None:
        """Closed risks, stories no risk refers to, and alerts, older than ``cutoff``
        (they quote post text); the same rule as the SQLite store."""
        stamp = docs.timestamp(cutoff)
        closed = {"bool": {"filter": [{"terms": {"status": [s.value for s in CLOSED_STATUSES]}},
                                      {"range": {"updated_at": {"lt": stamp}}}]}}
        self._delete_hits(names.alias("risks"), closed)
        kept = {h["_source"]["story_id"] for h in self._io.search_all(names.alias("risks"), {"match_all": {}},
                                                                        [{"id": "asc"}])}
        old_stories = {"bool": {"filter": [{"range": {"last_seen": {"lt": stamp}}}],
                                "must_not": [{"terms": {"id": sorted(kept)}}]}}
        self._delete_hits(names.alias("stories"), old_stories)
        self._delete_hits(names.alias("alerts"), {"range": {"created_at": {"lt": stamp}}})

    def _delete_hits(self, alias: str, query: dict) -> None:
        hits = [(h["_index"], h["_id"]) for h in self._io.search_all(alias, query, [{"id": "asc"}])]
        self._io.bulk([{"_op_type": "delete", "_index": i, "_id": d} for i, d in hits], "purge_before",
                      deletes=True)

    # stories ------------------------------------------------------------
    def upsert_story(self, story: Story) -> None:
        alias = self.ready().alias("stories")
        for _ in range(_STORY_ATTEMPTS):
            current = self._io.get(alias, story.id)
            stored = None if current is None else docs.story_from_document(current.source)
            merged = story if stored is None else docs.merge_story(stored, story)
            if merged == stored:
                return
            try:
                self._io.put(alias, story.id, docs.story_document(merged), current)
                return
            except EsConflict:
                continue  # someone wrote it between our read and write: merge with theirs
        raise StoreError(f"elasticsearch {self.prefix}: story {story.id}: still conflicting after "
                         f"{_STORY_ATTEMPTS} attempts")

    def get_story(self, story_id: str) -> Story | None:
        found = self._io.get(self.ready().alias("stories"), story_id)
        return docs.story_from_document(found.source) if found else None

    def recent_stories(self, since: datetime) -> list[Story]:
        query = {"range": {"last_seen": {"gte": docs.timestamp(utc(since))}}}
        hits = self._io.search_all(self.ready().alias("stories"), query, [{"last_seen": "desc"}, {"id": "asc"}])
        return [docs.story_from_document(h["_source"]) for h in hits]

    # risks --------------------------------------------------------------
    def get_risk(self, risk_id: str) -> Risk | None:
        found = self._io.get(self.ready().alias("risks"), risk_id)
        return docs.risk_from_document(found.source) if found else None

    def save_risk(self, risk: Risk) -> Risk:
        """Insert (``version`` 0) or update (``version`` = the stored one) under
        ``if_seq_no``; the copy returned, and stored, carries ``version + 1``."""
        alias = self.ready().alias("risks")
        saved = risk.model_copy(update={"version": risk.version + 1}, deep=True)
        current = self._io.get(alias, risk.id)
        stored = None if current is None else int(current.source["version"])
        if (stored or 0) != risk.version:
            raise _risk_conflict(risk, stored)
        try:
            self._io.put(alias, risk.id, docs.risk_document(saved), current)
        except EsConflict:
            latest = self._io.get(alias, risk.id)
            raise _risk_conflict(risk, None if latest is None else int(latest.source["version"])) from None
        return saved

    def list_risks(self, statuses: Iterable[RiskStatus] | None = None) -> list[Risk]:
        query: dict = {"match_all": {}}
        if statuses is not None:
            wanted = [RiskStatus(s).value for s in statuses]
            if not wanted:
                return []
            query = {"terms": {"status": wanted}}
        hits = self._io.search_all(self.ready().alias("risks"), query, [{"updated_at": "desc"}, {"id": "asc"}])
        return [docs.risk_from_document(h["_source"]) for h in hits]

    # alerts -------------------------------------------------------------
    def add_alert(self, alert: Alert) -> bool:
        alias = self.ready().alias("alerts")
        with self._lock:  # strictly increasing, so equal created_at keeps insertion order
            recorded = max(datetime.now(timezone.utc), self._last_recorded + timedelta(microseconds=1))
            self._last_recorded = recorded
        try:
            self._io.put(alias, alert.id, docs.alert_document(alert, recorded), None)
        except EsConflict:
            return False
        return True

    def list_alerts(self) -> list[Alert]:
        sort = [{"created_at": "asc"}, {"recorded_at": "asc"}, {"id": "asc"}]
        hits = self._io.search_all(self.ready().alias("alerts"), {"match_all": {}}, sort)
        return [docs.alert_from_document(h["_source"]) for h in hits]

    # watermarks ---------------------------------------------------------
    def get_watermark(self, source: str) -> str | None:
        found = self._io.get(self.ready().meta, f"watermark:{source}")
        return None if found is None else str(found.source["value"])

    def set_watermark(self, source: str, value: str) -> None:
        self._io.index(self.ready().meta, f"watermark:{source}", {
            "kind": "watermark", "source": source, "value": value,
            "updated_at": docs.timestamp(datetime.now(timezone.utc)),
        })  # fmt: skip

    def stats(self) -> Stats:
        names = self.ready()
        posts, stories, risks, alerts = (self._io.count(names.alias(k)) for k in ("posts", "stories", "risks", "alerts"))
        by_source = self._io.counts(names.alias("posts"), "source", {"match_all": {}})
        return Stats(posts=posts, stories=stories, risks=risks, alerts=alerts, by_source=by_source)

    # posts internals ----------------------------------------------------
    def _stored_posts(self, names: IndexNames, latest: dict[str, Post]) -> Stored:
        """The stored ones among ``latest``: a real-time mget in each post's month, then a
        search across months for the ids not found there."""
        found: Stored = {}
        ids = list(latest)
        for start in range(0, len(ids), _CHUNK):
            wanted = [{"_index": names.posts_month(latest[pid].published_at), "_id": pid}
                      for pid in ids[start : start + _CHUNK]]
            for doc in self._io.mget(wanted):
                found[doc["_id"]] = _stored(doc)
        elsewhere = [pid for pid in ids if pid not in found]
        return {**self._find_posts(names, elsewhere), **found} if elsewhere else found

    def _find_posts(self, names: IndexNames, ids: list[str], *, with_raw: bool = True) -> Stored:
        found: Stored = {}
        excludes = {} if with_raw else {"source_excludes": _NO_RAW}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            response = self._io.search(names.alias("posts"), query={"ids": {"values": chunk}}, size=len(chunk),
                                       **excludes)
            for hit in response["hits"]["hits"]:
                found[hit["_id"]] = _stored(hit)
        return found

    def _write_posts(self, names: IndexNames, changed: dict[str, tuple[Post, Analysis, Json | None]],
                     stored: Stored) -> None:
        now = datetime.now(timezone.utc)
        moves, writes = [], []
        for pid, (post, analysis, raw) in changed.items():
            target = names.posts_month(post.published_at)
            if target not in self._months:
                create_posts_month(self.client, names, post.published_at, ilm=self._ilm)
                with self._lock:
                    self._months.add(target)
            document = docs.post_document(post, analysis, now)
            if raw is not None:  # as given or as stored: JSON either way, validated when it came in
                document.update(raw=raw, raw_mapper=raw["mapper"])
            writes.append({"_op_type": "index", "_index": target, "_id": pid, "_source": document})
            if pid in stored and stored[pid].index != target:
                moves.append({"_op_type": "delete", "_index": stored[pid].index, "_id": pid})
        # deletes first: if the second request fails, the post is missing (and the caller,
        # whose watermark did not move, writes it again), never duplicated
        self._io.bulk(moves, "upsert_posts: move posts to their new month", deletes=True)
        self._io.bulk(writes, "upsert_posts", rejected=self._dead_letter)


def _stored(hit: Json) -> StoredPost:
    return StoredPost(hit["_index"], docs.post_from_document(hit["_source"]), hit["_source"].get("raw"))


def _risk_conflict(risk: Risk, stored: int | None) -> ConflictError:
    shown = "none (a new risk has version 0)" if stored is None else str(stored)
    return ConflictError(f"risk {risk.id}: stored version {shown}, got version {risk.version}")
