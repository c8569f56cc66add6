"""``SearchQuery`` → Elasticsearch query DSL, with the SQLite store's semantics.

* text: the query is lemmatised by the store's lemmatiser, folded (ё → е) and every
  lemma is required (``match`` on ``lemmas``, operator AND). User input is only ever
  text: no query-string syntax is parsed. The raw text also goes to ``text``/``title``
  (``russian`` analyzer) as an optional clause that only adds to the score. Text with
  no searchable lemma means "no text condition", as in SQLite.
* since inclusive, until exclusive, on ``published_at`` (``date_nanos``: microseconds
  are kept, as SQLite keeps them).
* topic, platform, source, sentiment, block, department and place are exact terms; place is any of the
  post's ``places``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.domain import utc
from core.store import Lemmatizer, SearchQuery
from store.elasticsearch.documents import fold, timestamp

Json = dict[str, Any]

AGGREGATE_FIELDS: dict[str, str] = {
    "topic": "topic.code",
    "place": "places",
    "sentiment": "sentiment.label",
    "source": "source",
    "platform": "platform",
    "block": "block",
    "department": "department",
    "story": "story_id",
}
RANKED_SORT: list[Json] = [{"_score": "desc"}, {"published_at": "desc"}, {"id": "asc"}]
NEWEST_SORT: list[Json] = [{"published_at": "desc"}, {"id": "asc"}]
_TOKEN_CHAR = re.compile(r"[^\W_]")  # a term SQLite's FTS5 would index has one of these


@dataclass(frozen=True)
class PostQuery:
    query: Json
    ranked: bool

    @property
    def sort(self) -> list[Json]:
        return RANKED_SORT if self.ranked else NEWEST_SORT


def search_terms(lemmas: Iterable[str]) -> list[str]:
    """Folded, de-duplicated lemmas that hold a letter or digit."""
    unique = dict.fromkeys(fold(t).strip() for t in lemmas)
    return [t for t in unique if _TOKEN_CHAR.search(t)]


def post_query(query: SearchQuery, lemmatize: Lemmatizer) -> PostQuery:
    terms = search_terms(lemmatize(query.text)) if query.text.strip() else []
    filters: list[Json] = []
    bounds: Json = {}
    if query.since is not None:
        bounds["gte"] = timestamp(utc(query.since))
    if query.until is not None:
        bounds["lt"] = timestamp(utc(query.until))
    if bounds:
        filters.append({"range": {"published_at": bounds}})
    for field, value in (
        ("topic.code", query.topic),
        ("platform", query.platform),
        ("source", query.source),
        ("sentiment.label", query.sentiment),
        ("places", query.place),
        ("block", query.block),
        ("department", query.department),
    ):
        if value is not None:
            filters.append({"term": {field: str(value)}})
    if query.polls:
        filters.append({"term": {"has_poll": True}})
    clauses: Json = {"filter": filters}
    if terms:
        clauses["must"] = [{"match": {"lemmas": {"query": " ".join(terms), "operator": "and"}}}]
        clauses["should"] = [
            {"multi_match": {"query": query.text, "fields": ["text", "title", "poll.question", "poll.options.text"],
                             "boost": 0.5}}
        ]
    return PostQuery({"bool": clauses}, ranked=bool(terms) and query.order != "date")


def composite_terms(field: str, after: Json | None = None, size: int = 1000) -> Json:
    """One page of an exact count per value of ``field`` (missing values are skipped)."""
    body: Json = {"size": size, "sources": [{"value": {"terms": {"field": field}}}]}
    if after is not None:
        body["after"] = after
    return {"values": {"composite": body}}


def by_count(counts: dict[str, int]) -> dict[str, int]:
    """Most frequent first, then by value: SQLite's ``ORDER BY n DESC, value``."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
