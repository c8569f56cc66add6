"""The Elasticsearch 8 store backend: ``ElasticsearchStore``, index setup, and the outage outbox.

Imported only by ``store.factory._open_elasticsearch``, so a SQLite deployment never
loads the ``elasticsearch`` client.
"""
from __future__ import annotations

from pathlib import Path

from core.store import Lemmatizer, Store
from store.elasticsearch.connection import EsLocation, StoreUnavailable, build_client, parse_store_url
from store.elasticsearch.outbox import Outbox
from store.elasticsearch.setup import SetupReport, detect_ilm, drop_store, setup_indices
from store.elasticsearch.spool import SpooledResult, SpoolingStore
from store.elasticsearch.store import ElasticsearchStore

__all__ = [
    "ElasticsearchStore",
    "EsLocation",
    "Outbox",
    "SetupReport",
    "SpooledResult",
    "SpoolingStore",
    "StoreUnavailable",
    "build_client",
    "detect_ilm",
    "drop_store",
    "open_elasticsearch",
    "parse_store_url",
    "setup_indices",
]


def open_elasticsearch(url: str, lemmatize: Lemmatizer, data_dir: Path | None = None) -> Store:
    """The store of an ``elasticsearch://`` URL: spooling through its outbox (``data_dir/outbox``
    unless the URL says ``outbox=…``, or ``off``). Nothing is sent to the cluster before the
    first call (or the replay of a previous outbox)."""
    location = parse_store_url(url, data_dir)
    store = ElasticsearchStore(build_client(location), location.prefix, lemmatize=lemmatize, owns_client=True)
    path = location.outbox_path
    return store if path is None else SpoolingStore(store, Outbox(path))
