"""Domain models ⇄ Elasticsearch documents.

A post document is the JSON of ``Post`` and of its ``Analysis`` side by side (their
field names do not overlap), so analysts see ``sentiment.label``, ``topic.code`` or
``engagement.likes`` in Kibana, and the models come back exactly from ``_source``.
Derived fields are added for search and dashboards and dropped on the way back:

* ``lemmas``: the analysis lemmas folded (lower case, ё → е) for the whitespace
  analyzer; the exact list is kept in ``lemmas_exact`` only when folding changed it;
* ``places``, ``location`` (geo points of the toponyms with coordinates),
  ``engagement_total``, ``is_comment``, ``indexed_at``.

The platform item the post was mapped from rides in the same document as ``raw`` (the
``RawItem`` JSON, stored but not indexed: ``"enabled": false``), with its mapper version in
``raw_mapper`` (indexed, so ``raw_items`` finds the documents that carry one); it is
deleted with its post, by ``purge_before`` and by ILM alike.

Stories, risks and alerts are their model JSON plus a few derived fields
(``size``; ``status_ru``/``level_ru`` for Russian Kibana tables; ``recorded_at``).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core.domain import RISK_STATUS_RU, Alert, Analysis, Post, RawItem, Risk, Story

Json = dict[str, Any]

LEVEL_RU: dict[str, str] = {"none": "нет", "medium": "средний", "high": "высокий", "critical": "критический"}
POST_FIELDS = frozenset(Post.model_fields)
ANALYSIS_FIELDS = frozenset(Analysis.model_fields)
assert not POST_FIELDS & ANALYSIS_FIELDS, "Post and Analysis fields must not collide in one document"


def fold(text: str) -> str:
    """Lower-case and fold ё to е, as the SQLite store does for its FTS index."""
    return text.lower().replace("ё", "е")


def folded_terms(lemmas: Iterable[str]) -> list[str]:
    """``fold`` of each lemma, in one pass over the joined text (a post has hundreds)."""
    items = list(lemmas)
    return fold("\x1f".join(items)).split("\x1f") if items else []


def timestamp(value: datetime) -> str:
    """ISO UTC with microseconds, as ``date_nanos`` fields and range queries take it."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# posts --------------------------------------------------------------------
def post_document(post: Post, analysis: Analysis | None, indexed_at: datetime, raw: RawItem | None = None) -> Json:
    doc: Json = post.model_dump(mode="json")
    doc["engagement_total"] = post.engagement.total
    doc["is_comment"] = post.is_comment
    doc["indexed_at"] = timestamp(indexed_at)
    if raw is not None:
        doc["raw"] = raw.model_dump(mode="json")
        doc["raw_mapper"] = raw.mapper
    if analysis is None:
        return doc
    doc.update(analysis.model_dump(mode="json"))
    folded = folded_terms(analysis.lemmas)
    doc["lemmas"] = folded
    if folded != analysis.lemmas:
        doc["lemmas_exact"] = list(analysis.lemmas)
    doc["places"] = analysis.places
    doc["location"] = [
        {"lat": t.lat, "lon": t.lon} for t in analysis.toponyms if t.lat is not None and t.lon is not None
    ]
    return doc


def post_from_document(source: Json) -> tuple[Post, Analysis | None]:
    post = Post.model_validate({k: v for k, v in source.items() if k in POST_FIELDS})
    if "post_id" not in source:
        return post, None
    fields = {k: v for k, v in source.items() if k in ANALYSIS_FIELDS}
    fields["lemmas"] = source.get("lemmas_exact", source.get("lemmas", []))
    return post, Analysis.model_validate(fields)


def raw_from_document(source: Json) -> RawItem | None:
    """The raw item a post document carries, if any."""
    raw = source.get("raw")
    return None if raw is None else RawItem.model_validate(raw)


def same_post(stored: tuple[Post, Analysis | None], post: Post, analysis: Analysis) -> bool:
    """Content equality, compared like the SQLite store does: by the models' JSON."""
    stored_post, stored_analysis = stored
    return (
        stored_analysis is not None
        and stored_post.model_dump_json() == post.model_dump_json()
        and stored_analysis.model_dump_json() == analysis.model_dump_json()
    )


# stories ------------------------------------------------------------------
def story_document(story: Story) -> Json:
    return {**story.model_dump(mode="json"), "size": story.size}


def story_from_document(source: Json) -> Story:
    return Story.model_validate({k: v for k, v in source.items() if k in Story.model_fields})


def merge_story(stored: Story, incoming: Story) -> Story:
    """Both writers' posts in one story: stories only grow, so a concurrent write is merged
    rather than lost. ``incoming`` wins scalars; lists are ``incoming``'s items then the
    stored ones it lacks; times widen; the MinHash of the union is the elementwise minimum.
    When ``incoming`` already contains ``stored`` (the usual, sequential case) it is
    returned unchanged."""

    def union(mine: list, theirs: list) -> list:
        seen = set(mine)
        return mine + [x for x in theirs if x not in seen]

    earliest = stored if stored.first_seen < incoming.first_seen else incoming
    same_length = len(stored.signature) == len(incoming.signature)
    return incoming.model_copy(
        update={
            "title": earliest.title,
            "first_post_id": earliest.first_post_id,
            "first_seen": min(stored.first_seen, incoming.first_seen),
            "last_seen": max(stored.last_seen, incoming.last_seen),
            "post_ids": union(incoming.post_ids, stored.post_ids),
            "sources": union(incoming.sources, stored.sources),
            "places": union(incoming.places, stored.places),
            "terms": union(incoming.terms, stored.terms),
            "signature": (
                [min(a, b) for a, b in zip(stored.signature, incoming.signature)]
                if same_length
                else incoming.signature
            ),
        },
        deep=True,
    )


# risks --------------------------------------------------------------------
def risk_document(risk: Risk) -> Json:
    return {
        **risk.model_dump(mode="json"),
        "status_ru": RISK_STATUS_RU[risk.status.value],
        "level_ru": LEVEL_RU.get(risk.level, risk.level),
    }


def risk_from_document(source: Json) -> Risk:
    return Risk.model_validate({k: v for k, v in source.items() if k in Risk.model_fields})


# alerts -------------------------------------------------------------------
def alert_document(alert: Alert, recorded_at: datetime) -> Json:
    return {**alert.model_dump(mode="json"), "recorded_at": timestamp(recorded_at)}


def alert_from_document(source: Json) -> Alert:
    return Alert.model_validate({k: v for k, v in source.items() if k in Alert.model_fields})
