"""Citizens' appeals on Elasticsearch: one index ``{prefix}-appeals-v{n}`` read through the alias
``{prefix}-appeals``, with the SQLite store's semantics (see ``store/sqlite/appeals.py``).

A document is the appeal's JSON plus derived fields for Kibana and queries: ``received_at``
(created_at, else the first import), ``location`` (geo_point), folded ``lemmas`` and Russian
labels. Upserts read the stored documents by id (real-time ``mget``) and write only what changed.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core.appeals import AGGREGATE_APPEAL_FIELDS, ANSWER_KINDS, APPEAL_STATES, Appeal, AppealQuery
from core.domain import utc
from core.store import Lemmatizer, UpsertResult
from store.elasticsearch.documents import folded_terms, timestamp
from store.elasticsearch.indices import Indices
from store.elasticsearch.names import IndexNames
from store.elasticsearch.query import search_terms

Json = dict[str, Any]
_CHUNK = 1000
_DERIVED = ("received_at", "location", "lemmas", "state_ru", "answer_kind_ru")
APPEAL_FIELDS: dict[str, str] = {
    "topic": "analysis.topic", "block": "analysis.block", "department": "analysis.department",
    "place": "analysis.places", "channel": "channel", "category": "category", "status": "status", "state": "state",
    "responsible": "responsible", "answer_kind": "analysis.answer_kind", "routed_body": "analysis.routed_body",
    "source": "source", "district": "district",
}  # fmt: skip
assert set(APPEAL_FIELDS) == set(AGGREGATE_APPEAL_FIELDS)
_RANKED = [{"_score": "desc"}, {"received_at": "desc"}, {"id": "asc"}]
_NEWEST = [{"received_at": "desc"}, {"id": "asc"}]


def appeal_document(appeal: Appeal) -> Json:
    doc: Json = appeal.model_dump(mode="json")
    doc["received_at"] = timestamp(appeal.received_at)
    if appeal.lat is not None and appeal.lon is not None:
        doc["location"] = {"lat": appeal.lat, "lon": appeal.lon}
    doc["lemmas"] = folded_terms(appeal.analysis.lemmas)
    doc["state_ru"] = APPEAL_STATES[appeal.state]
    if appeal.analysis.answer_kind:
        doc["answer_kind_ru"] = ANSWER_KINDS[appeal.analysis.answer_kind]
    return doc


def appeal_from_document(source: Json) -> Appeal:
    return Appeal.model_validate({k: v for k, v in source.items() if k not in _DERIVED})


def appeal_query(query: AppealQuery, lemmatize: Lemmatizer) -> tuple[Json, bool]:
    terms = search_terms(lemmatize(query.text)) if query.text.strip() else []
    filters: list[Json] = []
    bounds = {op: timestamp(utc(v)) for op, v in (("gte", query.since), ("lt", query.until)) if v is not None}
    if bounds:
        filters.append({"range": {"received_at": bounds}})
    for field, value in (("source", query.source), ("channel", query.channel), ("analysis.topic", query.topic),
                         ("analysis.block", query.block), ("analysis.department", query.department),
                         ("analysis.places", query.place), ("state", query.state),
                         ("analysis.answer_kind", query.answer_kind), ("responsible", query.responsible)):
        if value is not None:
            filters.append({"term": {field: str(value)}})
    clauses: Json = {"filter": filters}
    if terms:
        clauses["must"] = [{"match": {"lemmas": {"query": " ".join(terms), "operator": "and"}}}]
    return {"bool": clauses}, bool(terms)


class AppealsMixin:
    """The appeal methods of ``ElasticsearchStore``."""

    _io: Indices
    _lemmatize: Lemmatizer

    def ready(self) -> IndexNames: ...  # provided by the store

    def upsert_appeals(self, appeals: Iterable[Appeal]) -> UpsertResult:
        batch = list(appeals)
        if not batch:
            return UpsertResult()
        names = self.ready()
        index = names.single("appeals")
        stored: dict[str, str] = {}
        ids = list(dict.fromkeys(a.id for a in batch))
        for start in range(0, len(ids), _CHUNK):
            for doc in self._io.mget([{"_index": index, "_id": i} for i in ids[start:start + _CHUNK]]):
                stored[doc["_id"]] = appeal_from_document(doc["_source"]).model_dump_json()
        new = updated = unchanged = 0
        writes: dict[str, Json] = {}
        for appeal in batch:
            dumped, before = appeal.model_dump_json(), stored.get(appeal.id)
            if before == dumped:
                unchanged += 1
                continue
            new, updated = (new + 1, updated) if before is None else (new, updated + 1)
            stored[appeal.id] = dumped
            writes[appeal.id] = {"_op_type": "index", "_index": index, "_id": appeal.id,
                                 "_source": appeal_document(appeal)}
        self._io.bulk(list(writes.values()), "upsert_appeals")
        return UpsertResult(new=new, updated=updated, unchanged=unchanged)

    def appeals_by_ids(self, appeal_ids: Iterable[str]) -> list[Appeal]:
        wanted = list(dict.fromkeys(appeal_ids))
        index = self.ready().single("appeals")
        found: dict[str, Appeal] = {}
        for start in range(0, len(wanted), _CHUNK):
            for doc in self._io.mget([{"_index": index, "_id": i} for i in wanted[start:start + _CHUNK]]):
                found[doc["_id"]] = appeal_from_document(doc["_source"])
        return [found[i] for i in wanted if i in found]

    def search_appeals(self, query: AppealQuery) -> list[Appeal]:
        alias = self.ready().alias("appeals")
        body, ranked = appeal_query(query, self._lemmatize)
        sort = _RANKED if ranked else _NEWEST
        if query.limit is None:
            hits = self._io.search_all(alias, body, sort)
        elif query.limit <= 0:
            return []
        else:
            hits = self._io.search(alias, query=body, sort=sort, size=min(query.limit, 10_000),
                                   track_total_hits=False)["hits"]["hits"]
        return [appeal_from_document(h["_source"]) for h in hits]

    def count_appeals(self, query: AppealQuery) -> int:
        return self._io.count(self.ready().alias("appeals"), appeal_query(query, self._lemmatize)[0])

    def aggregate_appeals(self, field: str, query: AppealQuery) -> dict[str, int]:
        column = APPEAL_FIELDS.get(field)
        if column is None:
            raise ValueError(f"cannot aggregate appeals by «{field}»; known fields: {sorted(APPEAL_FIELDS)}")
        body, _ = appeal_query(query, self._lemmatize)
        body["bool"]["must_not"] = [{"term": {column: ""}}]
        return self._io.counts(self.ready().alias("appeals"), column, body)

    def purge_appeals_before(self, cutoff: datetime) -> int:
        alias = self.ready().alias("appeals")
        old = {"range": {"received_at": {"lt": timestamp(utc(cutoff))}}}
        doomed = [(h["_index"], h["_id"]) for h in self._io.search_all(alias, old, [{"id": "asc"}],
                                                                         source_includes=["id"])]
        self._io.bulk([{"_op_type": "delete", "_index": i, "_id": d} for i, d in doomed], "purge_appeals_before",
                      deletes=True)
        return len(doomed)
