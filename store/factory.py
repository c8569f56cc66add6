"""Open the configured store from its URL (``Settings.store``).

Each URL scheme maps to one opener in ``OPENERS``; a new backend is one more
entry. A backend with a heavy client library (Elasticsearch) should be imported
inside its opener, so a deployment only loads the library of the backend it uses.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from core.store import Lemmatizer, Store, StoreError
from store.sqlite import SqliteStore

Opener = Callable[[str, str, Lemmatizer, Path | None], Store]


def open_store(url: str, lemmatize: Lemmatizer, data_dir: Path | None = None) -> Store:
    """``sqlite:///relative/path`` (to the working directory), ``sqlite:////abs/path``;
    ``elasticsearch://host:port`` or ``elasticsearch+https://host:port`` for production."""
    scheme, sep, rest = url.partition("://")
    opener = OPENERS.get(scheme.lower()) if sep else None
    if opener is None:
        shown = f"«{scheme}»" if sep else "none"
        raise StoreError(f"store url {url!r}: unsupported scheme {shown}; expected one of {sorted(OPENERS)}")
    return opener(url, rest, lemmatize, data_dir)


def _open_sqlite(url: str, rest: str, lemmatize: Lemmatizer, data_dir: Path | None = None) -> Store:
    host, slash, path = rest.partition("/")
    if host or not slash or not path:
        raise StoreError(
            f"store url {url!r}: expected sqlite:///relative/path or sqlite:////absolute/path (no host)"
        )
    return SqliteStore(Path(path), lemmatize)


def _open_elasticsearch(url: str, rest: str, lemmatize: Lemmatizer, data_dir: Path | None = None) -> Store:
    """``elasticsearch://host:9200?prefix=mcu`` (see ``store.elasticsearch.connection`` for
    the options); credentials come from MCU_ES_API_KEY or MCU_ES_USERNAME/MCU_ES_PASSWORD."""
    from store.elasticsearch import open_elasticsearch  # the client library loads only here

    return open_elasticsearch(url, lemmatize, data_dir)


OPENERS: dict[str, Opener] = {
    "sqlite": _open_sqlite,
    "elasticsearch": _open_elasticsearch,
    "elasticsearch+https": _open_elasticsearch,
}
