"""Reads and writes on one store's indices, with the store's error and refresh rules; and
index creation (``create_index``, ``create_posts_month``) for the store, setup and migration.

* every client error becomes ``StoreUnavailable`` or ``StoreError`` (``connection.py``);
* writes do not wait for a refresh; the indices written through this object are
  refreshed once before its next search-type read (``refresh=wait_for`` costs up to the
  refresh interval per write: measured 227 s against 1.5 s for one scan's worth of writes);
* searches that must return everything page with ``search_after``; counts per value
  use a composite aggregation, which is exact across shards.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError, helpers
from elasticsearch import ConflictError as EsConflict

from core.store import StoreError
from store.elasticsearch.connection import TRANSIENT_STATUS, StoreUnavailable, describe, translate_errors
from store.elasticsearch.names import IndexNames
from store.elasticsearch.query import by_count, composite_terms

Json = dict[str, Any]
LENIENT: Json = {"ignore_unavailable": True, "allow_no_indices": True}  # an alias with no index yet is empty


def create_index(client: Elasticsearch, name: str, *, aliases: Json | None = None, settings: Json | None = None) -> bool:
    """Create ``name`` (its template applies); False when it already exists."""
    with translate_errors(f"create index {name}", name):
        try:
            client.indices.create(index=name, aliases=aliases, settings=settings)
        except BadRequestError as exc:
            if "resource_already_exists_exception" in describe(exc):
                return False
            raise
    return True


def create_posts_month(client: Elasticsearch, names: IndexNames, when: datetime, *, ilm: bool) -> bool:
    """Create the posts index of ``when``'s month (False if it exists); with ILM its age
    counts from the month's end, so it is deleted once its newest post is past retention."""
    name = names.posts_month(when)
    settings = None
    if ilm:
        end = names.month_end(name)
        assert end is not None
        settings = {"index.lifecycle.origination_date": int(end.timestamp() * 1000)}
    return create_index(client, name, settings=settings)



@dataclass(frozen=True)
class Found:
    source: Json
    seq_no: int
    primary_term: int


class Indices:
    def __init__(self, client: Elasticsearch, where: str) -> None:
        self.client = client
        self.where = where
        self._lock = threading.Lock()
        self._dirty: set[str] = set()

    # refresh ------------------------------------------------------------
    def mark(self, *indices: str) -> None:
        with self._lock:
            self._dirty.update(indices)

    def forget(self, index: str) -> None:
        with self._lock:
            self._dirty.discard(index)

    def refresh(self) -> None:
        with self._lock:
            dirty, self._dirty = self._dirty, set()
        if not dirty:
            return
        try:
            with translate_errors("refresh", self.where):
                self.client.indices.refresh(index=",".join(sorted(dirty)), **LENIENT)
        except StoreError:
            self.mark(*dirty)
            raise

    # documents by id (real-time, no refresh needed) --------------------
    def get(self, index: str, doc_id: str) -> Found | None:
        with translate_errors(f"get {doc_id}", self.where):
            try:
                doc = self.client.get(index=index, id=doc_id)
            except NotFoundError:
                return None
        return Found(doc["_source"], doc["_seq_no"], doc["_primary_term"])

    def mget(self, wanted: list[Json]) -> list[Json]:
        """The found documents among ``[{"_index", "_id"}]`` (a missing index is a miss)."""
        with translate_errors("mget", self.where):
            return [d for d in self.client.mget(docs=wanted)["docs"] if d.get("found")]

    def put(self, index: str, doc_id: str, document: Json, current: Found | None) -> None:
        """Create (EsConflict when it exists) or overwrite ``current`` under its seq_no (EsConflict
        when someone wrote in between)."""
        with translate_errors(f"write {doc_id}", self.where, passthrough=(EsConflict,)):
            if current is None:
                response = self.client.create(index=index, id=doc_id, document=document)
            else:
                response = self.client.index(index=index, id=doc_id, document=document,
                                             if_seq_no=current.seq_no, if_primary_term=current.primary_term)
        self.mark(response["_index"])

    def index(self, index: str, doc_id: str, document: Json) -> None:
        with translate_errors(f"write {doc_id}", self.where):
            response = self.client.index(index=index, id=doc_id, document=document)
        self.mark(response["_index"])

    def bulk(self, actions: list[Json], what: str, *, deletes: bool = False,
             rejected: Callable[[list[tuple[Json, Json]]], None] | None = None) -> None:
        """All ``actions`` or an error naming how many failed; 429s are retried with backoff.
        With ``rejected``, documents refused for good (a 4xx other than 408/429) are handed to it as
        ``(action, failure)`` pairs and the rest stand; a transient failure still raises."""
        if not actions:
            return
        failures: list[Json] = []
        with translate_errors(what, self.where):
            for ok, item in helpers.streaming_bulk(
                self.client, actions, chunk_size=500, max_retries=3, initial_backoff=1, raise_on_error=False,
                ignore_status=(404,) if deletes else (),  # deleting what is already gone is fine
            ):
                if not ok:
                    failures.append(next(iter(item.values())))
        self.mark(*{a["_index"] for a in actions})
        if failures and rejected is not None:
            by_id = {(a["_index"], a["_id"]): a for a in actions}
            permanent = [f for f in failures if f.get("status") not in TRANSIENT_STATUS]
            rejected([(by_id.get((f.get("_index"), f.get("_id")), {"_id": f.get("_id")}), f) for f in permanent])
            failures = [f for f in failures if f.get("status") in TRANSIENT_STATUS]
        if failures:
            transient = all(f.get("status") in TRANSIENT_STATUS for f in failures)
            raise (StoreUnavailable if transient else StoreError)(
                f"elasticsearch {self.where}: {what}: {len(failures)} of {len(actions)} failed,"
                f" e.g. {failures[0].get('_id')}: {failures[0].get('error')}"
            )

    # searches (our writes refreshed first) -----------------------------
    def search(self, index: str, **body: Any) -> Json:
        self.refresh()
        with translate_errors("search", self.where):
            return self.client.search(index=index, **body, **LENIENT).body

    def count(self, index: str, query: Json | None = None) -> int:
        self.refresh()
        with translate_errors("count", self.where):
            return int(self.client.count(index=index, query=query or {"match_all": {}}, **LENIENT)["count"])

    def search_all(self, index: str, query: Json, sort: list[Json], page: int = 1000, **extra: Any) -> Iterator[Json]:
        """Every hit, in ``sort`` order (which must end with a unique field), by search_after;
        ``extra`` goes with every page (``source_includes``…)."""
        after = None
        while True:
            response = self.search(index, query=query, sort=sort, size=page, search_after=after,
                                   track_total_hits=False, **extra)
            hits = response["hits"]["hits"]
            yield from hits
            if len(hits) < page:
                return
            after = hits[-1]["sort"]

    def counts(self, index: str, field: str, query: Json) -> dict[str, int]:
        """Documents per value of ``field``, most frequent first."""
        counts: dict[str, int] = {}
        after = None
        while True:
            response = self.search(index, query=query, size=0, aggs=composite_terms(field, after))
            agg = response.get("aggregations", {}).get("values", {"buckets": []})
            counts.update({str(b["key"]["value"]): int(b["doc_count"]) for b in agg["buckets"]})
            after = agg.get("after_key")
            if after is None or not agg["buckets"]:
                return by_count(counts)
