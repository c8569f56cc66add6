"""A ``SearchQuery`` as SQL: the ``FROM … WHERE …`` over posts, analyses and the FTS5 index."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.store import Lemmatizer, SearchQuery
from store.sqlite.connection import epoch_us

AGGREGATE_COLUMNS: dict[str, str] = {
    "topic": "a.topic",
    "place": "pp.place",
    "sentiment": "a.sentiment",
    "source": "p.source",
    "platform": "p.platform",
    "block": "a.block",
    "department": "a.department",
    "story": "a.story_id",
}

_TOKEN_CHAR = re.compile(r"[^\W_]")  # what FTS5 unicode61 keeps as part of a token


def fold(text: str) -> str:
    """Lower-case and fold ё to е: people type «е» for «ё», FTS5 does not fold it."""
    return text.lower().replace("ё", "е")


def fts_match(terms: Iterable[str]) -> str | None:
    """An FTS5 expression that ANDs the terms, each quoted so that user input
    (``"``, ``*``, ``OR``, ``-``, ``NEAR(`` ...) is only ever text. None when no
    term has a character FTS5 would index."""
    unique = dict.fromkeys(fold(t).strip() for t in terms)
    quoted = ['"' + t.replace('"', '""') + '"' for t in unique if _TOKEN_CHAR.search(t)]
    return " AND ".join(quoted) or None


def add_equals(where: list[str], params: list[object], pairs: Iterable[tuple[str, object]]) -> None:
    """``column = ?`` for every pair whose value is given (None: no condition)."""
    for column, value in pairs:
        if value is not None:
            where.append(f"{column} = ?")
            params.append(str(value))


@dataclass(frozen=True)
class Where:
    """``FROM ... WHERE ...`` for a SearchQuery, its parameters, and whether it ranks by bm25."""

    sql: str
    params: list[object]
    ranked: bool


def build_where(query: SearchQuery, lemmatize: Lemmatizer, join: str = "") -> Where:
    """The query over ``posts p`` / ``analyses a``, plus ``posts_fts`` when the text
    has searchable lemmas and ``join`` if given. Empty text means filters only."""
    match = fts_match(lemmatize(query.text)) if query.text.strip() else None
    where: list[str] = []
    params: list[object] = []
    if match is None:
        source = "FROM posts p LEFT JOIN analyses a ON a.post_id = p.id"
    else:
        source = (
            "FROM posts_fts JOIN posts p ON p.seq = posts_fts.rowid"
            " LEFT JOIN analyses a ON a.post_id = p.id"
        )
        where.append("posts_fts MATCH ?")
        params.append(match)
    if query.since is not None:
        where.append("p.published_us >= ?")
        params.append(epoch_us(query.since))
    if query.until is not None:
        where.append("p.published_us < ?")
        params.append(epoch_us(query.until))
    add_equals(where, params, (
        ("a.topic", query.topic),
        ("p.platform", query.platform),
        ("p.source", query.source),
        ("a.sentiment", query.sentiment),
        ("a.block", query.block),
        ("a.department", query.department),
    ))
    if query.polls:
        where.append("p.has_poll = 1")
    if query.place is not None:
        where.append("EXISTS (SELECT 1 FROM post_places x WHERE x.post_id = p.id AND x.place = ?)")
        params.append(query.place)
    ranked = match is not None and query.order != "date"
    return Where(f"{source} {join} WHERE {' AND '.join(where) or '1'}", params, ranked=ranked)
