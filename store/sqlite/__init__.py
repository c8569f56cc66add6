"""The embedded SQLite store: one file, WAL mode, FTS5 over the analysed lemmas.

=============  ==============================================================
module         job
=============  ==============================================================
schema.py      the numbered migrations and ``migrate`` (the FTS5 check)
connection.py  the open file, its lock, read and write scopes, time columns
query.py       ``SearchQuery`` → ``FROM … WHERE …`` (FTS5 expression, filters)
posts.py       posts, analyses, places, FTS rows and raw items
workflow.py    stories, risks, alerts, watermarks, pending stories
store.py       ``SqliteStore``, composing the two and retention across them
=============  ==============================================================
"""
from core.store import Lemmatizer
from store.sqlite.query import fts_match
from store.sqlite.schema import MIGRATIONS, SCHEMA_VERSION, migrate
from store.sqlite.store import SqliteStore

__all__ = ["Lemmatizer", "MIGRATIONS", "SCHEMA_VERSION", "SqliteStore", "fts_match", "migrate"]
