"""The kind of an official answer: a trained model over the rules' weak labels, with the rules.

The model (``nlp/models/answer_kind.npz``) is a logistic regression over negation-marked
lemma unigrams and bigrams (``nlp.features.word_features``), trained on the labels the rules
of :mod:`nlp.appeals.answer_rules` give the 45,716 answered St Petersburg appeals (weak
supervision), and measured on answers labelled by hand (``nlp/models/answer_kind.md``).
How model and rules combine is stored in the model file's ``meta["decision"]``:

* ``"model"`` — the model alone;
* ``"rules_then_model"`` — the rules where they speak, the model where they do not.

Without the model file the rules decide alone (an answer they do not recognise is ``formal``).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Callable, Sequence

from nlp.appeals.answer_rules import normalize_answer, rule_kind
from nlp.appeals.kinds import FORMAL
from nlp.features import word_features
from nlp.linear import LinearModel, ModelFileError

ANSWER_MODEL = Path(__file__).resolve().parents[1] / "models" / "answer_kind.npz"


@cache
def load_answer_model(path: Path = ANSWER_MODEL) -> LinearModel:
    return LinearModel.load(path)


def answer_features(lemmas: Sequence[str]) -> list[str]:
    """What the answer model reads: lemmas (negation-marked) and lemma bigrams."""
    return word_features(lemmas)


class AnswerClassifier:
    """``classify(answer_text)`` → one of ``nlp.appeals.kinds.ANSWER_KINDS``."""

    def __init__(self, model: LinearModel | None, lemmatize: Callable[[str], list[str]] | None = None,
                 decision: str | None = None) -> None:
        self.model = model
        self._lemmatize = lemmatize
        self.decision = decision or (model.meta.get("decision", "model") if model else "rules")

    @classmethod
    def load(cls, path: Path = ANSWER_MODEL, lemmatize: Callable[[str], list[str]] | None = None,
             decision: str | None = None) -> "AnswerClassifier":
        """The shipped model; without the file (``path`` missing), the rules alone."""
        try:
            model = load_answer_model(path)
        except ModelFileError:
            if path.exists():
                raise
            model = None
        return cls(model, lemmatize, decision)

    @property
    def lemmatize(self) -> Callable[[str], list[str]]:
        if self._lemmatize is None:
            from nlp.appeals.routing import default_lemmatize

            self._lemmatize = default_lemmatize()
        return self._lemmatize

    def probabilities(self, text: str) -> dict[str, float]:
        """The model's probability of each kind (empty without a model or a known word)."""
        if self.model is None:
            return {}
        indices = self.model.indices(answer_features(self.lemmatize(normalize_answer(text))))
        if not indices:
            return {}
        return {c: float(p) for c, p in zip(self.model.classes, self.model.proba_of_indices(indices))}

    def classify(self, text: str) -> str:
        if not text or not text.strip():
            return FORMAL
        if self.decision in ("rules", "rules_then_model"):
            kind = rule_kind(text)
            if kind is not None or self.decision == "rules":
                return kind or FORMAL
        probs = self.probabilities(text)
        return max(probs, key=probs.get) if probs else (rule_kind(text) or FORMAL)
