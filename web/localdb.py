"""The web workplace's own small SQLite file (``<data_dir>/web.sqlite``): local accounts, sign-in
sessions and failed sign-ins. Posts, risks and stories stay in the configured store."""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS accounts (
        username TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, telegram_id INTEGER,
        password_hash TEXT NOT NULL, created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL,
        created_at REAL NOT NULL, expires_at REAL NOT NULL, flash TEXT)""",
    "CREATE INDEX IF NOT EXISTS sessions_user ON sessions(username)",
    "CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key, at)",
)


def web_db_path(data_dir: Path) -> Path:
    return Path(data_dir) / "web.sqlite"


class LocalDb:
    """One connection shared by the request threads under a lock; the file is created mode 0600
    (it holds password hashes)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            self.path.touch(mode=0o600)
        self._lock = threading.RLock()
        # IMMEDIATE: a write transaction takes the write lock at its first statement, and
        # ``with connection`` commits it, or rolls it back on an error
        self._conn = sqlite3.connect(self.path, isolation_level="IMMEDIATE", check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        for statement in SCHEMA:
            self._conn.execute(statement)

    @contextmanager
    def cursor(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._conn:
            yield self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()
