"""Each stage built from the settings: the store, the analyser, the sinks, the pseudonymiser.

The application (CLI, flows, web) opens only what it uses: the risk commands and the digest
open the store (with a lemmatiser that loads the NLP only if a text search needs it) and the
sinks; only a scan loads the NLP models.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import collectors  # noqa: F401  (registers every platform's source model with the settings)
from core.config import Settings, load_config
from core.privacy import Pseudonymizer, load_salt
from core.store import Store


def load_settings(config=None, store: str | None = None) -> Settings:
    """The settings of a config file (``None``: ``MCU_CONFIG``, else the demo), every platform known."""
    return load_config(config, store)


class LazyLemmatizer:
    """The store's lemmatiser, loaded only if a command searches text (risk commands do not)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lemmatize = None

    def __call__(self, text: str) -> list[str]:
        if self._lemmatize is None:
            from nlp import Analyzer

            self._lemmatize = Analyzer.from_settings(self.settings).lemmatize
        return self._lemmatize(text)


def open_store_lazily(settings: Settings) -> Store:
    """The configured store without loading the NLP models up front."""
    from store import open_store

    return open_store(settings.store, LazyLemmatizer(settings), data_dir=settings.data_dir)


@contextmanager
def opened_store(settings: Settings) -> Iterator[Store]:
    store = open_store_lazily(settings)
    try:
        yield store
    finally:
        store.close()


def pseudonymizer(settings: Settings) -> Pseudonymizer:
    """Keyed pseudonyms of author ids when configured (the key lives in the data folder)."""
    if not settings.privacy.pseudonymize_authors:
        return Pseudonymizer(None)
    return Pseudonymizer(load_salt(settings.data_dir / "pseudonym.key", settings.pseudonym_salt))


class LazySentiment:
    """Posts → sentiment labels through the NLP, loaded on first use (reaction tracking needs it
    only for posts stored without an analysis)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._analyzer = None

    def __call__(self, posts: list) -> list[str]:
        if self._analyzer is None:
            from nlp import Analyzer

            self._analyzer = Analyzer.from_settings(self.settings)
        return [a.sentiment.label for a in self._analyzer.analyze(posts, use_ner=False)]


def sinks(settings: Settings, console=None) -> list:
    """The configured alert sinks."""
    from alerts import build_sinks

    return build_sinks(settings, console)

