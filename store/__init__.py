"""Storage of posts, analyses, stories, risks, alerts and watermarks behind one interface."""
from core.store import ConflictError, Lemmatizer, SearchHit, SearchQuery, Stats, Store, StoreError, UpsertResult
from store.factory import open_store
from store.sqlite import SqliteStore

__all__ = [
    "ConflictError",
    "Lemmatizer",
    "SearchHit",
    "SearchQuery",
    "Stats",
    "Store",
    "StoreError",
    "SqliteStore",
    "UpsertResult",
    "open_store",
]
