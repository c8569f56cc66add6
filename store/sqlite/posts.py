"""Posts with their analyses, places, FTS rows and raw items: upsert, reads, search,
aggregations, the input of ``mcu remap``, and the post part of retention."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone

from core.domain import Analysis, Post, RawItem
from core.store import Lemmatizer, SearchHit, SearchQuery, UpsertResult, checked_raw
from store.sqlite.connection import Database, epoch_us, iso, upsert_row
from store.sqlite.query import AGGREGATE_COLUMNS, Where, build_where, fold

CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
RAW_PAGE = 500  # raw items read per page by ``raw_items``


class PostTables(Database):
    """The post half of the SQLite store (``SqliteStore`` composes it with the workflow records)."""

    _lemmatize: Lemmatizer

    def upsert_posts(self, items: Iterable[tuple[Post, Analysis]],
                     raw: Mapping[str, RawItem] | None = None) -> UpsertResult:
        batch = list(items)  # run the caller's generator before taking the write lock
        for post, analysis in batch:
            if analysis.post_id != post.id:
                raise ValueError(f"analysis for post {analysis.post_id} given with post {post.id}")
        raws = checked_raw((post for post, _ in batch), raw)
        new = updated = unchanged = 0
        with self._write("upsert_posts") as conn:
            for post, analysis in batch:
                post_json, analysis_json = post.model_dump_json(), analysis.model_dump_json()
                row = conn.execute(
                    "SELECT p.json, a.json FROM posts p LEFT JOIN analyses a ON a.post_id = p.id"
                    " WHERE p.id = ?",
                    (post.id,),
                ).fetchone()
                if row is not None and row == (post_json, analysis_json):
                    unchanged += 1
                else:
                    _write_post(conn, post, post_json)
                    _write_analysis(conn, post.id, analysis, analysis_json)
                    new, updated = (new + 1, updated) if row is None else (new, updated + 1)
                if post.id in raws:
                    _write_raw(conn, raws[post.id])
        return UpsertResult(new=new, updated=updated, unchanged=unchanged)

    def get_post(self, post_id: str) -> tuple[Post, Analysis | None] | None:
        return next(iter(self.posts_by_ids([post_id])), None)

    def posts_by_ids(self, post_ids: Iterable[str]) -> list[tuple[Post, Analysis | None]]:
        """The stored posts among ``post_ids``, in the order asked; missing ids are skipped."""
        wanted = list(dict.fromkeys(post_ids))
        found: dict[str, tuple[Post, Analysis | None]] = {}
        with self._read("posts_by_ids") as conn:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                rows = conn.execute(
                    "SELECT p.id, p.json, a.json FROM posts p LEFT JOIN analyses a ON a.post_id = p.id"
                    f" WHERE p.id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
                for pid, post_json, analysis_json in rows:
                    found[pid] = _load_pair(post_json, analysis_json)
        return [found[pid] for pid in wanted if pid in found]

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """Lemma search (AND of the query's lemmas) plus filters; best bm25 first,
        or newest first when there is no searchable text."""
        where = self._where(query)
        if where.ranked:
            head, order = "SELECT p.json, a.json, -bm25(posts_fts)", "bm25(posts_fts), p.published_us DESC"
        else:
            head, order = "SELECT p.json, a.json, 0.0", "p.published_us DESC"
        sql = f"{head} {where.sql} ORDER BY {order}, p.id LIMIT ?"
        with self._read("search") as conn:
            rows = conn.execute(sql, [*where.params, max(0, query.limit)]).fetchall()
        return [SearchHit(*_load_pair(pj, aj), score=float(score)) for pj, aj, score in rows]

    def count(self, query: SearchQuery) -> int:
        """How many posts match the query, ignoring its limit."""
        where = self._where(query)
        with self._read("count") as conn:
            return int(conn.execute(f"SELECT COUNT(*) {where.sql}", where.params).fetchone()[0])

    def aggregate(self, field: str, query: SearchQuery) -> dict[str, int]:
        """Matching posts per value of ``field``, most frequent first (limit ignored).
        Posts without a value (no analysis, no department) are not counted."""
        column = AGGREGATE_COLUMNS.get(field)
        if column is None:
            raise ValueError(f"cannot aggregate by «{field}»; known fields: {sorted(AGGREGATE_COLUMNS)}")
        join = "JOIN post_places pp ON pp.post_id = p.id" if field == "place" else ""
        where = self._where(query, join)
        sql = (
            f"SELECT {column} AS value, COUNT(*) AS n {where.sql} AND {column} IS NOT NULL"
            " GROUP BY value ORDER BY n DESC, value"
        )
        with self._read("aggregate") as conn:
            return {str(value): int(n) for value, n in conn.execute(sql, where.params)}

    def raw_items(self, source: str | None = None, platform: str | None = None) -> Iterator[RawItem]:
        """Stored raw items in post id order, a page at a time (the lock is not held between
        pages, so the caller may write to the store while it reads)."""
        filters, params = "", []
        for column, value in (("source", source), ("platform", platform)):
            if value is not None:
                filters += f" AND {column} = ?"
                params.append(str(value))
        after = ""
        while True:
            with self._read("raw_items") as conn:
                rows = conn.execute(
                    f"SELECT post_id, json FROM raw_items WHERE post_id > ?{filters} ORDER BY post_id LIMIT ?",
                    [after, *params, RAW_PAGE],
                ).fetchall()
            yield from (RawItem.model_validate_json(raw_json) for _, raw_json in rows)
            if len(rows) < RAW_PAGE:
                return
            after = rows[-1][0]

    def _where(self, query: SearchQuery, join: str = "") -> Where:
        return build_where(query, self._lemmatize, join)


def delete_posts_by_id(conn: sqlite3.Connection, post_ids: list[str]) -> int:
    """Delete the named posts with their index rows (the rest follows by ON DELETE CASCADE)."""
    deleted = 0
    for start in range(0, len(post_ids), 500):
        chunk = post_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM posts_fts WHERE rowid IN (SELECT seq FROM posts WHERE id IN ({marks}))", chunk)
        deleted += conn.execute(f"DELETE FROM posts WHERE id IN ({marks})", chunk).rowcount
    return deleted


def delete_posts_before(conn: sqlite3.Connection, cutoff: datetime) -> int:
    """Delete posts published before ``cutoff`` with their index rows; analyses, places and
    raw items follow by ON DELETE CASCADE. Returns the number of posts deleted."""
    limit = epoch_us(cutoff)
    conn.execute("DELETE FROM posts_fts WHERE rowid IN (SELECT seq FROM posts WHERE published_us < ?)", (limit,))
    return conn.execute("DELETE FROM posts WHERE published_us < ?", (limit,)).rowcount


def _write_post(conn: sqlite3.Connection, post: Post, post_json: str) -> None:
    e = post.engagement
    upsert_row(conn, "posts", "id", {
        "id": post.id, "platform": post.platform.value, "source": post.source,
        "native_id": post.native_id, "url": post.url, "author": post.author, "title": post.title,
        "text": post.text, "published_at": iso(post.published_at),
        "published_us": epoch_us(post.published_at), "likes": e.likes, "comments": e.comments,
        "reposts": e.reposts, "views": e.views, "parent_id": post.parent_id,
        "thread_id": post.thread_id, "reach": post.reach, "json": post_json,
        "updated_at": iso(datetime.now(timezone.utc)),
    })  # fmt: skip


def _write_analysis(conn: sqlite3.Connection, post_id: str, analysis: Analysis, analysis_json: str) -> None:
    """Replace the post's analysis, its places and its FTS row."""
    seq = conn.execute("SELECT seq FROM posts WHERE id = ?", (post_id,)).fetchone()[0]
    conn.execute(
        "INSERT OR REPLACE INTO analyses (post_id, topic, block, department, sentiment, risk_score,"
        " risk_level, story_id, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            post_id, analysis.topic.code, analysis.block, analysis.department, analysis.sentiment.label,
            analysis.risk.score, analysis.risk.level, analysis.story_id, analysis_json,
        ),
    )  # fmt: skip
    conn.execute("DELETE FROM post_places WHERE post_id = ?", (post_id,))
    conn.executemany(
        "INSERT INTO post_places (post_id, place) VALUES (?, ?)", [(post_id, p) for p in analysis.places]
    )
    conn.execute("DELETE FROM posts_fts WHERE rowid = ?", (seq,))
    if analysis.lemmas:
        conn.execute(
            "INSERT INTO posts_fts (rowid, lemmas) VALUES (?, ?)", (seq, fold(" ".join(analysis.lemmas)))
        )


def _write_raw(conn: sqlite3.Connection, item: RawItem) -> None:
    upsert_row(conn, "raw_items", "post_id", {
        "post_id": item.post_id, "platform": item.platform.value, "source": item.source, "kind": item.kind,
        "mapper": item.mapper, "json": item.model_dump_json(),
    })  # fmt: skip


def _load_pair(post_json: str, analysis_json: str | None) -> tuple[Post, Analysis | None]:
    post = Post.model_validate_json(post_json)
    return post, (Analysis.model_validate_json(analysis_json) if analysis_json is not None else None)
