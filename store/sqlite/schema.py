"""The SQLite schema as numbered migrations, and ``migrate`` that applies the missing ones.

Every record is kept as the JSON of its domain model (exact round-trip) next to the few
columns that queries filter, sort or aggregate on. Post text is searched through an FTS5
table of the lemmas the NLP produced; its rowid is ``posts.seq``.
"""
from __future__ import annotations

import sqlite3

from core.store import StoreError

SCHEMA_VERSION = 6

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
    (  # 3: the platform items the posts were mapped from (``mcu remap``), deleted with their posts
        """CREATE TABLE raw_items (
            post_id TEXT PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
            platform TEXT NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL,
            mapper INTEGER NOT NULL, json TEXT NOT NULL) WITHOUT ROWID""",
        "CREATE INDEX raw_items_source ON raw_items(source, post_id)",
        "CREATE INDEX raw_items_platform ON raw_items(platform, post_id)",
    ),
    (  # 4: the analysis columns that filters and facets read, beside the post id, so that joining
       # a post to its analysis reads only this index (the web's facets on a large store)
        "CREATE INDEX IF NOT EXISTS analyses_facets ON analyses(post_id, topic, block, department, sentiment)",
    ),
    (  # 5: posts carrying a poll (the period's polls in digests and reports), and posts found deleted
        "ALTER TABLE posts ADD COLUMN has_poll INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE posts ADD COLUMN deleted_at TEXT",
        "UPDATE posts SET has_poll = 1 WHERE json_extract(json, '$.poll') IS NOT NULL",
        "CREATE INDEX posts_poll ON posts(published_us) WHERE has_poll = 1",
    ),
    (  # 6: citizens' appeals (core.appeals), their places and their lemma index
        """CREATE TABLE appeals (
            seq INTEGER PRIMARY KEY,  -- stable rowid, shared with appeals_fts
            id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, number TEXT NOT NULL,
            received_us INTEGER NOT NULL, channel TEXT NOT NULL, category TEXT NOT NULL,
            status TEXT NOT NULL, state TEXT NOT NULL, responsible TEXT NOT NULL, district TEXT NOT NULL,
            topic TEXT NOT NULL, block TEXT NOT NULL, department TEXT,
            answer_kind TEXT, routed_body TEXT, json TEXT NOT NULL)""",
        "CREATE INDEX appeals_received ON appeals(received_us)",
        "CREATE INDEX appeals_source ON appeals(source, received_us)",
        "CREATE INDEX appeals_state ON appeals(state, received_us)",
        """CREATE TABLE appeal_places (
            appeal_id TEXT NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
            place TEXT NOT NULL,
            PRIMARY KEY (appeal_id, place)) WITHOUT ROWID""",
        "CREATE INDEX appeal_places_place ON appeal_places(place)",
        "CREATE VIRTUAL TABLE appeals_fts USING fts5(lemmas, tokenize='unicode61 remove_diacritics 2')",
    ),
]
assert len(MIGRATIONS) == SCHEMA_VERSION


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
                require_fts5(conn)
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def require_fts5(conn: sqlite3.Connection) -> None:
    options = {row[0] for row in conn.execute("PRAGMA compile_options")}
    if "ENABLE_FTS5" not in options:
        raise StoreError(f"this SQLite ({sqlite3.sqlite_version}) is built without FTS5; the store needs it")
