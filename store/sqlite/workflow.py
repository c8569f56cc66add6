"""The workflow records of the SQLite store: stories, risks (optimistic concurrency), alerts,
watermarks, the stories awaiting the alert step, and their part of retention."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, timezone

from core.domain import Alert, Risk, RiskStatus, Story
from core.store import CLOSED_STATUSES, ConflictError
from store.sqlite.connection import Database, epoch_us, iso, upsert_row


class WorkflowTables(Database):
    """The record half of the SQLite store (``SqliteStore`` composes it with the posts)."""

    # stories ------------------------------------------------------------
    def upsert_story(self, story: Story) -> None:
        with self._write("upsert_story") as conn:
            row = {"id": story.id, "last_seen_us": epoch_us(story.last_seen), "json": story.model_dump_json()}
            upsert_row(conn, "stories", "id", row)

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
            upsert_row(conn, "risks", "id", {
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
            upsert_row(conn, "watermarks", "source", row)

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


def delete_records_before(conn: sqlite3.Connection, cutoff: datetime) -> None:
    """The records that quote old posts: closed risks last updated before ``cutoff``, stories
    last seen before it that no risk refers to, and alerts created before it."""
    closed = tuple(s.value for s in CLOSED_STATUSES)
    marks = ",".join("?" * len(closed))
    conn.execute(f"DELETE FROM risks WHERE status IN ({marks}) AND updated_at < ?", (*closed, iso(cutoff)))
    conn.execute("DELETE FROM stories WHERE last_seen_us < ? AND id NOT IN (SELECT story_id FROM risks)",
                 (epoch_us(cutoff),))
    conn.execute("DELETE FROM alerts WHERE created_at < ?", (iso(cutoff),))
