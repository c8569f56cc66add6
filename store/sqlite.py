"""The embedded SQLite store: one file, WAL mode, FTS5 over the analysed lemmas.

Every record is kept as the JSON of its domain model (exact round-trip) next to
the few columns that queries filter, sort or aggregate on. Post text is searched
through an FTS5 table of the lemmas the NLP produced; its rowid is ``posts.seq``.
"""
from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType

from core.domain import Alert, Analysis, Post, Risk, RiskStatus, Story, utc
from core.store import CLOSED_STATUSES, ConflictError, Lemmatizer, SearchHit, SearchQuery, Stats, StoreError, UpsertResult


SCHEMA_VERSION = 3

# MIGRATIONS[n] takes the schema from version n to n + 1; append, never edit.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE posts (
            seq INTEGER PRIMARY KEY,  -- stable rowid, shared with posts_fts
            id TEXT NOT NULL UNIQUE,
            platform TEXT NOT NULL, source TEXT NOT NULL, native_id TEXT NOT NULL,
            url TEXT, author TEXT, title TEXT, text TEXT NOT NULL,
            published_at TEXT NOT NULL,     -- ISO UTC, for people
            published_us INTEGER NOT NULL,  -- microseconds since the epoch, for ranges
            likes INTEGER NOT NULL, comments INTEGER NOT NULL,
            reposts INTEGER NOT NULL, views INTEGER NOT NULL,
            parent_id TEXT, thread_id TEXT, reach INTEGER NOT NULL,
            json TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX posts_published ON posts(published_us)",
        "CREATE INDEX posts_source ON posts(source, published_us)",
        "CREATE INDEX posts_platform ON posts(platform, published_us)",
        """CREATE TABLE analyses (
            post_id TEXT PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
            topic TEXT NOT NULL, block TEXT NOT NULL, department TEXT,
            sentiment TEXT NOT NULL, risk_score REAL NOT NULL, risk_level TEXT NOT NULL,
            story_id TEXT, json TEXT NOT NULL)""",
        "CREATE INDEX analyses_topic ON analyses(topic)",
        "CREATE INDEX analyses_sentiment ON analyses(sentiment)",
        "CREATE INDEX analyses_story ON analyses(story_id)",
        """CREATE TABLE post_places (
            post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
            place TEXT NOT NULL,
            PRIMARY KEY (post_id, place)) WITHOUT ROWID""",
        "CREATE INDEX post_places_place ON post_places(place)",
        "CREATE VIRTUAL TABLE posts_fts USING fts5(lemmas, tokenize='unicode61 remove_diacritics 2')",
        """CREATE TABLE stories (
            id TEXT PRIMARY KEY, last_seen_us INTEGER NOT NULL, json TEXT NOT NULL)""",
        "CREATE INDEX stories_last_seen ON stories(last_seen_us)",
        """CREATE TABLE risks (
            id TEXT PRIMARY KEY, story_id TEXT NOT NULL, status TEXT NOT NULL,
            level TEXT NOT NULL, version INTEGER NOT NULL,
            updated_at TEXT NOT NULL, json TEXT NOT NULL)""",
        "CREATE INDEX risks_status ON risks(status)",
        "CREATE INDEX risks_updated ON risks(updated_at)",
        """CREATE TABLE alerts (
            id TEXT PRIMARY KEY, risk_id TEXT NOT NULL, story_id TEXT NOT NULL,
            level TEXT NOT NULL, created_at TEXT NOT NULL, json TEXT NOT NULL)""",
        "CREATE INDEX alerts_created ON alerts(created_at)",
        """CREATE TABLE watermarks (
            source TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    ),
    (  # 2: stories awaiting the alert step get their own table (they were a reserved watermark key)
        "CREATE TABLE pending_stories (story_id TEXT PRIMARY KEY) WITHOUT ROWID",
        """INSERT OR IGNORE INTO pending_stories (story_id)
           SELECT j.value FROM watermarks AS w, json_each(w.value) AS j
           WHERE w.source = '_alerts.pending_stories'""",
        "DELETE FROM watermarks WHERE source = '_alerts.pending_stories'",
    ),
    (  # 3: the analysis columns that filters and facets read, beside the post id, so that joining
       # a post to its analysis reads only this index (the web's facets on a large store)
        "CREATE INDEX analyses_facets ON analyses(post_id, topic, block, department, sentiment)",
    ),
]
assert len(MIGRATIONS) == SCHEMA_VERSION

AGGREGATE_COLUMNS: dict[str, str] = {
    "topic": "a.topic",
    "place": "pp.place",
    "sentiment": "a.sentiment",
    "source": "p.source",
    "platform": "p.platform",
    "block": "a.block",
    "department": "a.department",
}

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TOKEN_CHAR = re.compile(r"[^\W_]")  # what FTS5 unicode61 keeps as part of a token
_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def epoch_us(value: datetime) -> int:
    """Exact microseconds since the Unix epoch (naive values are taken as UTC)."""
    return (utc(value) - _EPOCH) // timedelta(microseconds=1)


def iso(value: datetime) -> str:
    """Fixed-width ISO UTC text, so that string order is time order."""
    return utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


@dataclass(frozen=True)
class Where:
    """``FROM ... WHERE ...`` for a SearchQuery, its parameters, and whether it ranks by bm25."""

    sql: str
    params: list[object]
    ranked: bool


class SqliteStore:
    """The ``core.store.Store`` contract on one SQLite file.

    One connection per object, shared between threads under a lock; several
    processes may open the same file (WAL, busy timeout, conditional writes).
    """

    def __init__(self, path: Path, lemmatize: Lemmatizer, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._lemmatize = lemmatize
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"sqlite store {self.path}: cannot open: {exc}") from exc
        self._conn: sqlite3.Connection | None = conn
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            migrate(conn)
        except BaseException as exc:
            conn.close()
            self._conn = None
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"sqlite store {self.path}: cannot prepare: {exc}") from exc
            raise

    # lifecycle ----------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def _read(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise StoreError(f"sqlite store {self.path}: {what}: the store is closed")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise StoreError(f"sqlite store {self.path}: {what} failed: {exc}") from exc

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """One transaction; everything in it is rolled back on any error."""
        with self._read(what) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # posts and analyses -------------------------------------------------
    def upsert_posts(self, items: Iterable[tuple[Post, Analysis]]) -> UpsertResult:
        batch = list(items)  # run the caller's generator before taking the write lock
        new = updated = unchanged = 0
        with self._write("upsert_posts") as conn:
            for post, analysis in batch:
                if analysis.post_id != post.id:
                    raise ValueError(f"analysis for post {analysis.post_id} given with post {post.id}")
                post_json, analysis_json = post.model_dump_json(), analysis.model_dump_json()
                row = conn.execute(
                    "SELECT p.json, a.json FROM posts p LEFT JOIN analyses a ON a.post_id = p.id"
                    " WHERE p.id = ?",
                    (post.id,),
                ).fetchone()
                if row is not None and row == (post_json, analysis_json):
                    unchanged += 1
                    continue
                _write_post(conn, post, post_json)
                _write_analysis(conn, post.id, analysis, analysis_json)
                if row is None:
                    new += 1
                else:
                    updated += 1
        return UpsertResult(new=new, updated=updated, unchanged=unchanged)

    def get_post(self, post_id: str) -> tuple[Post, Analysis | None] | None:
        found = self.posts_by_ids([post_id])
        return found[0] if found else None

    def posts_by_ids(self, post_ids: Iterable[str]) -> list[tuple[Post, Analysis | None]]:
        """The stored posts among ``post_ids``, in the order asked; missing ids are skipped."""
        wanted = list(dict.fromkeys(post_ids))
        found: dict[str, tuple[Post, Analysis | None]] = {}
        with self._read("posts_by_ids") as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
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
        score = "-bm25(posts_fts)" if where.ranked else "0.0"
        # order and cut on keys alone, then read the JSON of the page only (a sort that carried
        # every match's JSON made a common word on a large store slow)
        page = (f"SELECT p.seq AS seq, {score} AS score, p.published_us AS us, p.id AS id {where.sql}"
                f" ORDER BY score DESC, us DESC, id LIMIT ?")
        sql = (f"SELECT p.json, a.json, hit.score FROM ({page}) AS hit JOIN posts p ON p.seq = hit.seq"
               " LEFT JOIN analyses a ON a.post_id = p.id ORDER BY hit.score DESC, hit.us DESC, hit.id")
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

    def facets(self, fields: Iterable[str], query: SearchQuery) -> dict[str, dict[str, int]]:
        """``aggregate`` for several fields in one pass over the matching posts (places, which
        are many per post, take a second query)."""
        wanted = list(dict.fromkeys(fields))
        unknown = [f for f in wanted if f not in AGGREGATE_COLUMNS]
        if unknown:
            raise ValueError(f"cannot aggregate by «{unknown[0]}»; known fields: {sorted(AGGREGATE_COLUMNS)}")
        columns = [f for f in wanted if f != "place"]
        counters: dict[str, Counter] = {f: Counter() for f in columns}
        if columns:
            where = self._where(query)
            sql = f"SELECT {', '.join(AGGREGATE_COLUMNS[f] for f in columns)} {where.sql}"
            with self._read("facets") as conn:
                for row in conn.execute(sql, where.params):
                    for name, value in zip(columns, row):
                        if value is not None:
                            counters[name][str(value)] += 1
        found = {f: dict(sorted(c.items(), key=lambda item: (-item[1], item[0]))) for f, c in counters.items()}
        if "place" in wanted:
            found["place"] = self.aggregate("place", query)
        return {f: found[f] for f in wanted}

    def purge_before(self, cutoff: datetime) -> int:
        """Delete posts published before ``cutoff`` with their analyses, places and index rows;
        also the records that quote them: stories last seen before it (unless their risk is
        still open), alerts created before it, and closed risks last updated before it.
        Returns the number of posts deleted."""
        with self._write("purge_before") as conn:
            limit = epoch_us(cutoff)
            conn.execute(
                "DELETE FROM posts_fts WHERE rowid IN (SELECT seq FROM posts WHERE published_us < ?)",
                (limit,),
            )
            # analyses and post_places follow by ON DELETE CASCADE
            posts = conn.execute("DELETE FROM posts WHERE published_us < ?", (limit,)).rowcount
            closed = tuple(s.value for s in CLOSED_STATUSES)
            marks = ",".join("?" * len(closed))
            conn.execute(f"DELETE FROM risks WHERE status IN ({marks}) AND updated_at < ?", (*closed, iso(cutoff)))
            conn.execute("DELETE FROM stories WHERE last_seen_us < ? AND id NOT IN (SELECT story_id FROM risks)",
                         (limit,))
            conn.execute("DELETE FROM alerts WHERE created_at < ?", (iso(cutoff),))
            return posts

    def _where(self, query: SearchQuery, join: str = "") -> Where:
        """The query over ``posts p`` / ``analyses a``, plus ``posts_fts`` when the text
        has searchable lemmas and ``join`` if given. Empty text means filters only."""
        match = fts_match(self._lemmatize(query.text)) if query.text.strip() else None
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
        for column, value in (
            ("a.topic", query.topic),
            ("p.platform", query.platform),
            ("p.source", query.source),
            ("a.sentiment", query.sentiment),
            ("a.block", query.block),
            ("a.department", query.department),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(str(value))
        if query.place is not None:
            where.append("EXISTS (SELECT 1 FROM post_places x WHERE x.post_id = p.id AND x.place = ?)")
            params.append(query.place)
        return Where(f"{source} {join} WHERE {' AND '.join(where) or '1'}", params, ranked=match is not None)

    # stories ------------------------------------------------------------
    def upsert_story(self, story: Story) -> None:
        with self._write("upsert_story") as conn:
            row = {"id": story.id, "last_seen_us": epoch_us(story.last_seen), "json": story.model_dump_json()}
            _upsert(conn, "stories", "id", row)

    def get_story(self, story_id: str) -> Story | None:
        with self._read("get_story") as conn:
            row = conn.execute("SELECT json FROM stories WHERE id = ?", (story_id,)).fetchone()
        return Story.model_validate_json(row[0]) if row else None

    def recent_stories(self, since: datetime) -> list[Story]:
        """Stories last seen at or after ``since``, most recently seen first."""
        with self._read("recent_stories") as conn:
            rows = conn.execute(
                "SELECT json FROM stories WHERE last_seen_us >= ? ORDER BY last_seen_us DESC, id",
                (epoch_us(since),),
            ).fetchall()
        return [Story.model_validate_json(r[0]) for r in rows]

    # risks --------------------------------------------------------------
    def get_risk(self, risk_id: str) -> Risk | None:
        with self._read("get_risk") as conn:
            row = conn.execute("SELECT json FROM risks WHERE id = ?", (risk_id,)).fetchone()
        return Risk.model_validate_json(row[0]) if row else None

    def save_risk(self, risk: Risk) -> Risk:
        """Insert (``version`` 0) or update (``version`` = the stored one); the copy
        returned, and stored, carries ``version + 1``. ConflictError otherwise."""
        saved = risk.model_copy(update={"version": risk.version + 1}, deep=True)
        with self._write("save_risk") as conn:
            row = conn.execute("SELECT version FROM risks WHERE id = ?", (risk.id,)).fetchone()
            stored = None if row is None else int(row[0])
            if (stored or 0) != risk.version:  # stored versions start at 1; 0 means "new"
                shown = "none (a new risk has version 0)" if stored is None else str(stored)
                raise ConflictError(f"risk {risk.id}: stored version {shown}, got version {risk.version}")
            _upsert(conn, "risks", "id", {
                "id": saved.id, "story_id": saved.story_id, "status": saved.status.value,
                "level": saved.level, "version": saved.version, "updated_at": iso(saved.updated_at),
                "json": saved.model_dump_json(),
            })  # fmt: skip
        return saved

    def list_risks(self, statuses: Iterable[RiskStatus] | None = None) -> list[Risk]:
        """Risks in any of ``statuses`` (all when None), most recently updated first."""
        sql, params = "SELECT json FROM risks", []
        if statuses is not None:
            params = [RiskStatus(s).value for s in statuses]
            if not params:
                return []
            sql += f" WHERE status IN ({','.join('?' * len(params))})"
        with self._read("list_risks") as conn:
            rows = conn.execute(f"{sql} ORDER BY updated_at DESC, id", params).fetchall()
        return [Risk.model_validate_json(r[0]) for r in rows]

    # alerts -------------------------------------------------------------
    def add_alert(self, alert: Alert) -> bool:
        with self._write("add_alert") as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO alerts (id, risk_id, story_id, level, created_at, json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (alert.id, alert.risk_id, alert.story_id, alert.level, iso(alert.created_at),
                 alert.model_dump_json()),
            )
            return cursor.rowcount == 1

    def list_alerts(self) -> list[Alert]:
        """All alerts, oldest first."""
        with self._read("list_alerts") as conn:
            rows = conn.execute("SELECT json FROM alerts ORDER BY created_at, rowid").fetchall()
        return [Alert.model_validate_json(r[0]) for r in rows]

    # watermarks ---------------------------------------------------------
    def get_watermark(self, source: str) -> str | None:
        with self._read("get_watermark") as conn:
            row = conn.execute("SELECT value FROM watermarks WHERE source = ?", (source,)).fetchone()
        return None if row is None else str(row[0])

    def set_watermark(self, source: str, value: str) -> None:
        with self._write("set_watermark") as conn:
            row = {"source": source, "value": value, "updated_at": iso(datetime.now(timezone.utc))}
            _upsert(conn, "watermarks", "source", row)

    # stories awaiting the alert step -----------------------------------
    def add_pending_stories(self, story_ids: set[str]) -> None:
        with self._write("add_pending_stories") as conn:
            conn.executemany("INSERT OR IGNORE INTO pending_stories (story_id) VALUES (?)",
                             [(s,) for s in sorted(story_ids)])

    def pending_stories(self) -> set[str]:
        with self._read("pending_stories") as conn:
            return {str(r[0]) for r in conn.execute("SELECT story_id FROM pending_stories")}

    def remove_pending_stories(self, story_ids: set[str]) -> None:
        with self._write("remove_pending_stories") as conn:
            conn.executemany("DELETE FROM pending_stories WHERE story_id = ?", [(s,) for s in sorted(story_ids)])

    def stats(self) -> Stats:
        with self._read("stats") as conn:
            counts = [
                int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                for table in ("posts", "stories", "risks", "alerts")
            ]
            by_source = conn.execute(
                "SELECT source, COUNT(*) AS n FROM posts GROUP BY source ORDER BY n DESC, source"
            ).fetchall()
        posts, stories, risks, alerts = counts
        return Stats(
            posts=posts, stories=stories, risks=risks, alerts=alerts,
            by_source={str(s): int(n) for s, n in by_source},
        )


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to SCHEMA_VERSION, one transaction per step; returns the version.

    Each step re-reads ``user_version`` under the write lock, so two processes
    opening a fresh file at once do not both create the tables."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"schema version {version} is newer than this software's {SCHEMA_VERSION};"
                    " upgrade mcu-monitor"
                )
            if version == SCHEMA_VERSION:
                conn.execute("COMMIT")
                return version
            if version == 0:
                _require_fts5(conn)
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _require_fts5(conn: sqlite3.Connection) -> None:
    options = {row[0] for row in conn.execute("PRAGMA compile_options")}
    if "ENABLE_FTS5" not in options:
        raise StoreError(f"this SQLite ({sqlite3.sqlite_version}) is built without FTS5; the store needs it")


def _upsert(conn: sqlite3.Connection, table: str, key: str, row: Mapping[str, object]) -> None:
    """Insert ``row`` into ``table``, or overwrite every column of the row with the same ``key``."""
    columns = ", ".join(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != key)
    conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})"
        f" ON CONFLICT({key}) DO UPDATE SET {updates}",
        list(row.values()),
    )


def _write_post(conn: sqlite3.Connection, post: Post, post_json: str) -> None:
    e = post.engagement
    _upsert(conn, "posts", "id", {
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


def _load_pair(post_json: str, analysis_json: str | None) -> tuple[Post, Analysis | None]:
    post = Post.model_validate_json(post_json)
    return post, (Analysis.model_validate_json(analysis_json) if analysis_json is not None else None)
