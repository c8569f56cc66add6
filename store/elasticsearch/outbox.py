"""A local, durable queue of store writes that Elasticsearch could not take (one file per store).

One SQLite file (WAL, ``synchronous=FULL``): an entry is on disk when ``append``
returns, which is what lets the pipeline move a watermark after a spooled write.
Entries are replayed in order and removed one by one after Elasticsearch took them;
a crash between the two replays an entry twice, which is harmless because every
spooled write is an idempotent upsert (posts and watermarks by id, stories merged).

An entry that fails for a reason other than unavailability (a mapping error, say) is
moved to the ``failed`` table with the error, so it neither blocks the queue nor is lost.
The ``watermarks`` table remembers the last watermark known durable per source, so a
scan can go on while the cluster is down.
"""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from core.store import StoreError

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS ops (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL, key TEXT, body TEXT NOT NULL, created_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS ops_key ON ops(kind, key)",
    """CREATE TABLE IF NOT EXISTS failed (
        seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT, body TEXT NOT NULL,
        created_at TEXT NOT NULL, failed_at TEXT NOT NULL, error TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS watermarks (
        source TEXT PRIMARY KEY, value TEXT NOT NULL, seen_at TEXT NOT NULL)""",
)


@dataclass(frozen=True)
class Op:
    seq: int
    kind: str  # "posts", "story", "deleted" or "watermark"
    key: str | None  # the source of a watermark
    body: str  # JSON


class Outbox:
    """The file is created on the first write, so a store that is only read leaves no trace."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _connection(self, create: bool) -> sqlite3.Connection | None:
        if self._conn is None and (create or self.path.exists()):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                for statement in SCHEMA:
                    conn.execute(statement)
            except (OSError, sqlite3.Error) as exc:
                raise StoreError(f"outbox {self.path}: cannot open: {exc}") from exc
            self._conn = conn
        return self._conn

    def _write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            conn = self._connection(create=True)
            assert conn is not None
            try:
                return conn.execute(sql, params)
            except sqlite3.Error as exc:
                raise StoreError(f"outbox {self.path}: write failed: {exc}") from exc

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            conn = self._connection(create=False)
            return [] if conn is None else conn.execute(sql, params).fetchall()

    def append(self, kind: str, body: str, key: str | None = None) -> int:
        """Add a write at the end of the queue; durable when this returns."""
        cursor = self._write("INSERT INTO ops (kind, key, body, created_at) VALUES (?, ?, ?, ?)",
                             (kind, key, body, _now()))
        return int(cursor.lastrowid or 0)

    def pending(self, limit: int = 100) -> list[Op]:
        """The oldest ``limit`` entries, oldest first."""
        rows = self._rows("SELECT seq, kind, key, body FROM ops ORDER BY seq LIMIT ?", (limit,))
        return [Op(int(seq), kind, key, body) for seq, kind, key, body in rows]

    def remove(self, seq: int) -> None:
        self._write("DELETE FROM ops WHERE seq = ?", (seq,))

    def fail(self, op: Op, error: str) -> None:
        """Park an entry that cannot be replayed, with the reason (copy, then delete: a crash
        in between leaves it in both tables, and parking it again replaces the copy)."""
        self._write(
            "INSERT OR REPLACE INTO failed (seq, kind, key, body, created_at, failed_at, error)"
            " SELECT seq, kind, key, body, created_at, ?, ? FROM ops WHERE seq = ?",
            (_now(), error, op.seq),
        )
        self.remove(op.seq)

    def __len__(self) -> int:
        rows = self._rows("SELECT COUNT(*) FROM ops")
        return int(rows[0][0]) if rows else 0

    def failed(self) -> list[tuple[Op, str]]:
        rows = self._rows("SELECT seq, kind, key, body, error FROM failed ORDER BY seq")
        return [(Op(int(seq), kind, key, body), error) for seq, kind, key, body, error in rows]

    # watermarks ---------------------------------------------------------
    def spooled_watermark(self, source: str) -> str | None:
        """The newest watermark of ``source`` still waiting in the queue."""
        rows = self._rows(
            "SELECT body FROM ops WHERE kind = 'watermark' AND key = ? ORDER BY seq DESC LIMIT 1", (source,)
        )
        return str(rows[0][0]) if rows else None

    def remember_watermark(self, source: str, value: str) -> None:
        self._write(
            "INSERT INTO watermarks (source, value, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT(source) DO UPDATE SET value = excluded.value, seen_at = excluded.seen_at",
            (source, value, _now()),
        )

    def known_watermark(self, source: str) -> str | None:
        rows = self._rows("SELECT value FROM watermarks WHERE source = ?", (source,))
        return str(rows[0][0]) if rows else None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
