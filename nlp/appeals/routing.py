"""Routing an appeal to its responsible body, learned from the Kursk portal's «executor» column.

The model (``nlp/models/routing.npz``) is a logistic regression over content lemma unigrams
and bigrams (``nlp.features.topic_features``, the same features as the topic model). Bodies
with fewer than ten appeals in the Kursk file share one class, «Прочие органы»
(``nlp.appeals.data.OTHER_BODY``); :meth:`RoutingModel.route` returns ``None`` for it and for
texts without a known word, as neither names a body to send the appeal to. Quality:
``nlp/models/routing.md``. The Kursk bodies are Kursk's: another region retrains on its own
export (``training/appeals_routing.py``).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Callable, Sequence

from nlp.appeals.data import OTHER_BODY
from nlp.features import topic_features
from nlp.lexicon import load_stopwords
from nlp.linear import LinearModel

ROUTING_MODEL = Path(__file__).resolve().parents[1] / "models" / "routing.npz"


@cache
def load_routing_model(path: Path = ROUTING_MODEL) -> LinearModel:
    return LinearModel.load(path)


def default_lemmatize() -> Callable[[str], list[str]]:
    from nlp.lemmas import Lemmatizer

    return Lemmatizer().lemmatize


class RoutingModel:
    """``route(text)`` → the responsible body or ``None``; ``ranked(text)`` → bodies by probability."""

    def __init__(self, model: LinearModel, lemmatize: Callable[[str], list[str]] | None = None) -> None:
        self.model = model
        self._lemmatize = lemmatize

    @classmethod
    def load(cls, path: Path = ROUTING_MODEL, lemmatize: Callable[[str], list[str]] | None = None) -> "RoutingModel":
        return cls(load_routing_model(path), lemmatize)

    @property
    def lemmatize(self) -> Callable[[str], list[str]]:
        if self._lemmatize is None:
            self._lemmatize = default_lemmatize()
        return self._lemmatize

    @property
    def bodies(self) -> list[str]:
        """The bodies the model knows, without the «other» bucket."""
        return [c for c in self.model.classes if c != OTHER_BODY]

    def ranked_lemmas(self, lemmas: Sequence[str]) -> list[tuple[str, float]]:
        """Every class (the «other» bucket included) with its probability, best first."""
        features = self.model.indices(topic_features(lemmas, load_stopwords()))
        if not features:
            return []
        proba = self.model.proba_of_indices(features)
        return sorted(((c, float(p)) for c, p in zip(self.model.classes, proba)), key=lambda cp: (-cp[1], cp[0]))

    def ranked(self, text: str) -> list[tuple[str, float]]:
        return self.ranked_lemmas(self.lemmatize(text))

    def route_scored(self, text: str) -> tuple[str | None, float]:
        """The best body and its probability; ``(None, p)`` when the best is «Прочие органы»,
        ``(None, 0.0)`` when the text has no word the model knows."""
        ranked = self.ranked(text)
        if not ranked:
            return None, 0.0
        body, p = ranked[0]
        return (None if body == OTHER_BODY else body), round(p, 4)

    def route(self, text: str) -> str | None:
        return self.route_scored(text)[0]
