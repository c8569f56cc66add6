"""Citizens' appeals in SQLite: one row per appeal (its JSON beside the columns queries filter
and group on), its places, and an FTS5 row of its lemmas (rowid = ``appeals.seq``)."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from core.appeals import AGGREGATE_APPEAL_FIELDS, Appeal, AppealQuery
from core.store import Lemmatizer, UpsertResult
from store.sqlite.connection import Database, epoch_us, upsert_row
from store.sqlite.query import add_equals, fold, fts_match

CHUNK = 500

APPEAL_COLUMNS: dict[str, str] = {
    "topic": "a.topic", "block": "a.block", "department": "a.department", "place": "ap.place",
    "channel": "a.channel", "category": "a.category", "status": "a.status", "state": "a.state",
    "responsible": "a.responsible", "answer_kind": "a.answer_kind", "routed_body": "a.routed_body",
    "source": "a.source", "district": "a.district",
}  # fmt: skip
assert set(APPEAL_COLUMNS) == set(AGGREGATE_APPEAL_FIELDS)


class AppealTables(Database):
    """The appeal part of the SQLite store."""

    _lemmatize: Lemmatizer

    def upsert_appeals(self, appeals: Iterable[Appeal]) -> UpsertResult:
        batch = list(appeals)
        new = updated = unchanged = 0
        with self._write("upsert_appeals") as conn:
            for appeal in batch:
                text = appeal.model_dump_json()
                row = conn.execute("SELECT json FROM appeals WHERE id = ?", (appeal.id,)).fetchone()
                if row is not None and row[0] == text:
                    unchanged += 1
                    continue
                _write_appeal(conn, appeal, text)
                new, updated = (new + 1, updated) if row is None else (new, updated + 1)
        return UpsertResult(new=new, updated=updated, unchanged=unchanged)

    def appeals_by_ids(self, appeal_ids: Iterable[str]) -> list[Appeal]:
        wanted = list(dict.fromkeys(appeal_ids))
        found: dict[str, Appeal] = {}
        with self._read("appeals_by_ids") as conn:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start:start + CHUNK]
                rows = conn.execute(f"SELECT id, json FROM appeals WHERE id IN ({','.join('?' * len(chunk))})", chunk)
                found.update((i, Appeal.model_validate_json(j)) for i, j in rows)
        return [found[i] for i in wanted if i in found]

    def search_appeals(self, query: AppealQuery) -> list[Appeal]:
        sql, params, ranked = self._appeal_where(query)
        order = "bm25(appeals_fts), a.received_us DESC, a.id" if ranked else "a.received_us DESC, a.id"
        limit = "" if query.limit is None else f" LIMIT {max(0, int(query.limit))}"
        with self._read("search_appeals") as conn:
            rows = conn.execute(f"SELECT a.json {sql} ORDER BY {order}{limit}", params).fetchall()
        return [Appeal.model_validate_json(r[0]) for r in rows]

    def count_appeals(self, query: AppealQuery) -> int:
        sql, params, _ = self._appeal_where(query)
        with self._read("count_appeals") as conn:
            return int(conn.execute(f"SELECT COUNT(*) {sql}", params).fetchone()[0])

    def aggregate_appeals(self, field: str, query: AppealQuery) -> dict[str, int]:
        column = APPEAL_COLUMNS.get(field)
        if column is None:
            raise ValueError(f"cannot aggregate appeals by «{field}»; known fields: {sorted(APPEAL_COLUMNS)}")
        join = "JOIN appeal_places ap ON ap.appeal_id = a.id" if field == "place" else ""
        sql, params, _ = self._appeal_where(query, join)
        empty = "" if field in ("department", "answer_kind", "routed_body") else f" AND {column} != ''"
        with self._read("aggregate_appeals") as conn:
            rows = conn.execute(f"SELECT {column} AS value, COUNT(*) AS n {sql} AND {column} IS NOT NULL{empty}"
                                " GROUP BY value ORDER BY n DESC, value", params)
            return {str(value): int(n) for value, n in rows}

    def _appeal_where(self, query: AppealQuery, join: str = "") -> tuple[str, list[object], bool]:
        match = fts_match(self._lemmatize(query.text)) if query.text.strip() else None
        where: list[str] = []
        params: list[object] = []
        source = "FROM appeals a"
        if match is not None:
            source = "FROM appeals_fts JOIN appeals a ON a.seq = appeals_fts.rowid"
            where.append("appeals_fts MATCH ?")
            params.append(match)
        for clause, value in (("a.received_us >= ?", query.since), ("a.received_us < ?", query.until)):
            if value is not None:
                where.append(clause)
                params.append(epoch_us(value))
        add_equals(where, params, (("a.source", query.source), ("a.channel", query.channel), ("a.topic", query.topic),
                                   ("a.block", query.block), ("a.department", query.department),
                                   ("a.state", query.state), ("a.answer_kind", query.answer_kind),
                                   ("a.responsible", query.responsible)))
        if query.place is not None:
            where.append("EXISTS (SELECT 1 FROM appeal_places x WHERE x.appeal_id = a.id AND x.place = ?)")
            params.append(query.place)
        return f"{source} {join} WHERE {' AND '.join(where) or '1'}", params, match is not None

    def purge_appeals_before(self, cutoff: datetime) -> int:
        with self._write("purge_appeals_before") as conn:
            limit = epoch_us(cutoff)
            conn.execute("DELETE FROM appeals_fts WHERE rowid IN (SELECT seq FROM appeals WHERE received_us < ?)",
                         (limit,))
            return conn.execute("DELETE FROM appeals WHERE received_us < ?", (limit,)).rowcount


def _write_appeal(conn: sqlite3.Connection, appeal: Appeal, text: str) -> None:
    analysis = appeal.analysis
    upsert_row(conn, "appeals", "id", {
        "id": appeal.id, "source": appeal.source, "number": appeal.number,
        "received_us": epoch_us(appeal.received_at), "channel": appeal.channel, "category": appeal.category,
        "status": appeal.status, "state": appeal.state, "responsible": appeal.responsible,
        "district": appeal.district, "topic": analysis.topic, "block": analysis.block,
        "department": analysis.department, "answer_kind": analysis.answer_kind,
        "routed_body": analysis.routed_body, "json": text,
    })  # fmt: skip
    seq = conn.execute("SELECT seq FROM appeals WHERE id = ?", (appeal.id,)).fetchone()[0]
    conn.execute("DELETE FROM appeal_places WHERE appeal_id = ?", (appeal.id,))
    conn.executemany("INSERT OR IGNORE INTO appeal_places (appeal_id, place) VALUES (?, ?)",
                     [(appeal.id, p) for p in analysis.places])
    conn.execute("DELETE FROM appeals_fts WHERE rowid = ?", (seq,))
    if analysis.lemmas:
        conn.execute("INSERT INTO appeals_fts (rowid, lemmas) VALUES (?, ?)", (seq, fold(" ".join(analysis.lemmas))))
