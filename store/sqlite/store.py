"""``SqliteStore``: the ``core.store.Store`` contract on one SQLite file, composed of the
post tables and the workflow records over one connection."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from core.store import Lemmatizer, Stats
from store.sqlite.posts import PostTables, delete_posts_before
from store.sqlite.workflow import WorkflowTables, delete_records_before


class SqliteStore(PostTables, WorkflowTables):
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
