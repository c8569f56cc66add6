"""One SQLite file opened for a store: WAL mode, the schema migrated, one connection shared
between threads under a lock, and the read and write scopes every table module uses."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType

from core.domain import utc
from core.store import StoreError
from store.sqlite.schema import migrate

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch_us(value: datetime) -> int:
    """Exact microseconds since the Unix epoch (naive values are taken as UTC)."""
    return (utc(value) - _EPOCH) // timedelta(microseconds=1)


def iso(value: datetime) -> str:
    """Fixed-width ISO UTC text, so that string order is time order."""
    return utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def upsert_row(conn: sqlite3.Connection, table: str, key: str, row: Mapping[str, object]) -> None:
    """Insert ``row`` into ``table``, or overwrite every column of the row with the same ``key``."""
    columns = ", ".join(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != key)
    conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})"
        f" ON CONFLICT({key}) DO UPDATE SET {updates}",
        list(row.values()),
    )


class Database:
    """The open file. Several processes may open the same file (WAL, busy timeout,
    conditional writes); within one process the object may be shared between threads."""

    def __init__(self, path: Path, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
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

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self):
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
