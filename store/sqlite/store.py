"""``SqliteStore``: the ``core.store.Store`` contract on one SQLite file, composed of the
post tables and the workflow records over one connection."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from core.domain import Alert, Story
from core.store import DeadLetter, Lemmatizer, Stats
from store.sqlite.appeals import AppealTables
from store.sqlite.posts import PostTables, delete_posts_before, delete_posts_by_id
from store.sqlite.workflow import WorkflowTables, delete_records_before


class SqliteStore(PostTables, WorkflowTables, AppealTables):
    """The embedded store: one file, WAL mode, FTS5 over the analysed lemmas.

    One connection per object, shared between threads under a lock; several
    processes may open the same file (WAL, busy timeout, conditional writes).
    """

    def __init__(self, path: Path, lemmatize: Lemmatizer, *, busy_timeout: float = 30.0) -> None:
        self._lemmatize = lemmatize
        super().__init__(path, busy_timeout=busy_timeout)

    def __enter__(self) -> SqliteStore:
        return self

    def purge_before(self, cutoff: datetime) -> int:
        """Delete posts published before ``cutoff`` with their analyses, places, index rows and
        raw items; also the records that quote them: stories last seen before it (unless their
        risk is still open), alerts created before it, and closed risks last updated before it.
        Returns the number of posts deleted."""
        with self._write("purge_before") as conn:
            posts = delete_posts_before(conn, cutoff)
            delete_records_before(conn, cutoff)
            return posts

    def post_ids_by_author(self, author: str) -> list[str]:
        with self._read("post_ids_by_author") as conn:
            return [str(r[0]) for r in conn.execute("SELECT id FROM posts WHERE author = ? ORDER BY id", (author,))]

    def delete_posts(self, post_ids: Iterable[str]) -> int:
        with self._write("delete_posts") as conn:
            return delete_posts_by_id(conn, sorted(set(post_ids)))

    def redact_stories(self, story_ids: Iterable[str], note: str) -> int:
        changed = 0
        with self._write("redact_stories") as conn:
            for story_id in sorted(set(story_ids)):
                row = conn.execute("SELECT json FROM stories WHERE id = ?", (story_id,)).fetchone()
                if row is not None:
                    story = Story.model_validate_json(row[0]).model_copy(update={"title": note})
                    conn.execute("UPDATE stories SET json = ? WHERE id = ?", (story.model_dump_json(), story_id))
                    changed += 1
                for alert_id, text in conn.execute("SELECT id, json FROM alerts WHERE story_id = ?",
                                                   (story_id,)).fetchall():
                    alert = Alert.model_validate_json(text).model_copy(update={"text": note})
                    conn.execute("UPDATE alerts SET json = ? WHERE id = ?", (alert.model_dump_json(), alert_id))
                    changed += 1
        return changed

    def dead_letters(self) -> list[DeadLetter]:
        """SQLite stores any post the model allows: nothing is ever refused."""
        return []

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
