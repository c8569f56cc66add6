"""The alert chat's persistent outbox and state, in its own small SQLite file.

A scan (any process) enqueues *intents* — send the card of a new alert, refresh a risk's
card, post a notice — and the bot's delivery loop (``alerts.telegram.delivery``) carries them
to the Bot API at the chat's rate, honouring 429 ``retry_after`` and retrying outages. An intent
is marked sent in the same transaction that remembers the Telegram message it produced, so a
restart neither loses nor repeats it (the one window left: a crash between Telegram's answer
and that commit, which resends once).

Cards are rendered at delivery time from the store, so a card sent after an outage shows the
risk as it is then, and pending refreshes of one card collapse into one edit.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from core.config import Settings

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY,
        key TEXT UNIQUE,                 -- idempotency key (card:<alert>:<chat>, notice keys)
        kind TEXT NOT NULL,              -- card | refresh | notice | document
        chat_id INTEGER NOT NULL,
        risk_id TEXT,
        text TEXT,                       -- notice HTML; cards are rendered at delivery
        reply_to INTEGER,                -- message id a notice answers
        force_reply INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | done | failed
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before REAL NOT NULL DEFAULT 0,      -- epoch seconds
        created REAL NOT NULL,
        finished REAL,
        message_id INTEGER,
        error TEXT,
        file TEXT)                       -- document: the file to send (text holds its caption)""",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, not_before, id)",
    """CREATE UNIQUE INDEX IF NOT EXISTS outbox_one_refresh ON outbox(risk_id, chat_id)
        WHERE state = 'pending' AND kind = 'refresh'""",
    """CREATE TABLE IF NOT EXISTS messages (
        chat_id INTEGER NOT NULL, message_id INTEGER NOT NULL, risk_id TEXT NOT NULL,
        kind TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (chat_id, message_id))""",
    "CREATE INDEX IF NOT EXISTS messages_risk ON messages(risk_id, chat_id, kind, at)",
    "CREATE TABLE IF NOT EXISTS sends (chat_id INTEGER NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sends_chat ON sends(chat_id, at)",
    "CREATE TABLE IF NOT EXISTS updates (update_id INTEGER PRIMARY KEY, at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
KEEP_SENDS = 3600.0  # seconds of send times kept for the rate limiter
KEEP_UPDATES = 2000  # processed update ids kept for de-duplication


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    chat_id: int
    risk_id: str | None
    text: str | None
    reply_to: int | None
    force_reply: bool
    attempts: int
    file: str | None = None


def outbox_path(settings: Settings) -> Path:
    """``alerts.outbox`` if set, else ``outbox.sqlite`` in the data folder."""
    return settings.alerts.outbox or settings.data_dir / "outbox.sqlite"


class Outbox:
    """One SQLite file shared by the scan processes (writers) and the bot (reader and writer)."""

    def __init__(self, path: Path, busy_timeout: float = 30.0):
        self.path = Path(path)
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        with self._tx() as conn:
            for statement in SCHEMA:
                conn.execute(statement)
            if "file" not in {row[1] for row in conn.execute("PRAGMA table_info(outbox)")}:
                conn.execute("ALTER TABLE outbox ADD COLUMN file TEXT")  # an outbox made before documents
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('created', ?)", (repr(time.time()),))
        self.created = float(self._query("SELECT value FROM meta WHERE key = 'created'")[0][0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "Outbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # enqueue -----------------------------------------------------------------
    def _insert(self, kind: str, chat_id: int, now: float, *, key: str | None = None, risk_id: str | None = None,
                text: str | None = None, reply_to: int | None = None, force_reply: bool = False,
                file: str | None = None) -> bool:
        with self._tx() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO outbox (key, kind, chat_id, risk_id, text, reply_to, force_reply, created, file)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, kind, chat_id, risk_id, text, reply_to, int(force_reply), now, file),
            )
            return cursor.rowcount == 1

    def enqueue_card(self, chat_id: int, risk_id: str, alert_id: str, now: float) -> bool:
        """The card of a new alert; an alert is enqueued once per chat, ever."""
        return self._insert("card", chat_id, now, key=f"card:{alert_id}:{chat_id}", risk_id=risk_id)

    def enqueue_refresh(self, chat_id: int, risk_id: str, now: float) -> bool:
        """Edit the risk's current card; pending refreshes of one card are one job."""
        return self._insert("refresh", chat_id, now, risk_id=risk_id)

    def enqueue_notice(self, chat_id: int, text: str, now: float, *, risk_id: str | None = None,
                       reply_to: int | None = None, force_reply: bool = False, key: str | None = None) -> bool:
        """A short HTML message (a reply to a command, a re-open notice, an answer prompt)."""
        return self._insert("notice", chat_id, now, key=key, risk_id=risk_id, text=text, reply_to=reply_to,
                            force_reply=force_reply)

    def enqueue_document(self, chat_id: int, path: Path, caption: str, now: float, *, key: str) -> bool:
        """A file (a report) with an HTML caption; the file is read when it is delivered."""
        return self._insert("document", chat_id, now, key=key, text=caption, file=str(Path(path).resolve()))

    # delivery ------------------------------------------------------------------
    def due(self, now: float, limit: int = 100) -> list[Job]:
        rows = self._query(
            "SELECT id, kind, chat_id, risk_id, text, reply_to, force_reply, attempts, file FROM outbox"
            " WHERE state = 'pending' AND not_before <= ? ORDER BY id LIMIT ?", (now, limit))
        return [Job(*row[:6], bool(row[6]), row[7], row[8]) for row in rows]

    def next_due(self) -> float | None:
        """When the earliest pending job may go (None when nothing is pending)."""
        row = self._query("SELECT MIN(not_before) FROM outbox WHERE state = 'pending'")[0]
        return row[0]

    def has_card(self, alert_id: str, chat_id: int) -> bool:
        return bool(self._query("SELECT 1 FROM outbox WHERE key = ?", (f"card:{alert_id}:{chat_id}",)))

    def pending_card(self, risk_id: str, chat_id: int) -> bool:
        return bool(self._query("SELECT 1 FROM outbox WHERE state = 'pending' AND kind = 'card'"
                                " AND risk_id = ? AND chat_id = ? LIMIT 1", (risk_id, chat_id)))

    def mark_sent(self, job: Job, message_id: int | None, now: float, remember: str | None = None) -> None:
        """The job reached Telegram: record it, the message it made (``remember`` = its kind in
        ``messages``) and the send time for the rate limiter, in one transaction."""
        with self._tx() as conn:
            conn.execute("UPDATE outbox SET state = 'sent', finished = ?, message_id = ?, attempts = attempts + 1,"
                         " error = NULL WHERE id = ?", (now, message_id, job.id))
            if remember and message_id is not None and job.risk_id:
                conn.execute("INSERT OR REPLACE INTO messages (chat_id, message_id, risk_id, kind, at)"
                             " VALUES (?, ?, ?, ?, ?)", (job.chat_id, message_id, job.risk_id, remember, now))
            conn.execute("INSERT INTO sends (chat_id, at) VALUES (?, ?)", (job.chat_id, now))
            conn.execute("DELETE FROM sends WHERE at < ?", (now - KEEP_SENDS,))

    def mark_done(self, job: Job, now: float, note: str) -> None:
        """Nothing to send (a refresh of a card that was never sent)."""
        with self._tx() as conn:
            conn.execute("UPDATE outbox SET state = 'done', finished = ?, error = ? WHERE id = ?", (now, note, job.id))

    def defer(self, job: Job, until: float, error: str) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE outbox SET attempts = attempts + 1, not_before = ?, error = ? WHERE id = ?",
                         (until, error[:500], job.id))

    def defer_chat(self, chat_id: int, until: float, error: str) -> None:
        """Telegram said «retry after»: nothing goes to this chat before ``until``."""
        with self._tx() as conn:
            conn.execute("UPDATE outbox SET not_before = MAX(not_before, ?), error = ?"
                         " WHERE state = 'pending' AND chat_id = ?", (until, error[:500], chat_id))

    def fail(self, job: Job, now: float, error: str) -> None:
        """A permanent refusal (a bad request): kept for ``mcu bot --status``, not retried."""
        with self._tx() as conn:
            conn.execute("UPDATE outbox SET state = 'failed', finished = ?, attempts = attempts + 1, error = ?"
                         " WHERE id = ?", (now, error[:500], job.id))

    def sends_since(self, chat_id: int, since: float) -> list[float]:
        return [r[0] for r in self._query("SELECT at FROM sends WHERE chat_id = ? AND at >= ? ORDER BY at",
                                          (chat_id, since))]

    def counts(self) -> dict[str, int]:
        return {state: n for state, n in self._query("SELECT state, COUNT(*) FROM outbox GROUP BY state")}

    def jobs(self, state: str | None = None) -> list[tuple]:
        """(id, kind, chat_id, risk_id, state, attempts, message_id, error) rows, oldest first."""
        sql = "SELECT id, kind, chat_id, risk_id, state, attempts, message_id, error FROM outbox"
        return self._query(sql + (" WHERE state = ? ORDER BY id" if state else " ORDER BY id"),
                           (state,) if state else ())

    # messages ----------------------------------------------------------------
    def remember_message(self, chat_id: int, message_id: int, risk_id: str, kind: str, now: float) -> None:
        with self._tx() as conn:
            conn.execute("INSERT OR REPLACE INTO messages (chat_id, message_id, risk_id, kind, at)"
                         " VALUES (?, ?, ?, ?, ?)", (chat_id, message_id, risk_id, kind, now))

    def card_of(self, risk_id: str, chat_id: int) -> int | None:
        """The risk's current card in the chat: the latest card message sent."""
        rows = self._query("SELECT message_id FROM messages WHERE risk_id = ? AND chat_id = ? AND kind = 'card'"
                           " ORDER BY at DESC, message_id DESC LIMIT 1", (risk_id, chat_id))
        return rows[0][0] if rows else None

    def message_of(self, chat_id: int, message_id: int) -> tuple[str, str] | None:
        """(risk id, kind: card | notice | prompt) of a message the bot sent about a risk."""
        rows = self._query("SELECT risk_id, kind FROM messages WHERE chat_id = ? AND message_id = ?",
                           (chat_id, message_id))
        return (rows[0][0], rows[0][1]) if rows else None

    def risk_of_message(self, chat_id: int, message_id: int) -> str | None:
        found = self.message_of(chat_id, message_id)
        return found[0] if found else None

    # processed updates ---------------------------------------------------------
    def seen_update(self, update_id: int) -> bool:
        return bool(self._query("SELECT 1 FROM updates WHERE update_id = ?", (update_id,)))

    def mark_update(self, update_id: int, now: float) -> None:
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO updates (update_id, at) VALUES (?, ?)", (update_id, now))
            conn.execute("DELETE FROM updates WHERE update_id <= (SELECT MAX(update_id) FROM updates) - ?",
                         (KEEP_UPDATES,))
