"""Trigger phrases of the risk score («нет воды», «прокуратура», «губернатору»).

Phrases under ``lemmas`` match any inflection; phrases under ``exact`` match the word
forms as written (case-insensitive), since «губернатору» (an appeal) and «губернатор»
(news) differ only by case.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Sequence

from nlp.lemmas import Lemmatizer, Token
from nlp.lexicon import LEXICON_DIR, read_yaml
from nlp.phrases import PhraseIndex


@dataclass(frozen=True)
class Trigger:
    """One trigger phrase as staff read it, and its weight in [0, 1]."""

    text: str
    weight: float


class TriggerLexicon:
    def __init__(self, lemmatizer: Lemmatizer, path: Path = LEXICON_DIR / "triggers.yaml") -> None:
        raw = read_yaml(path.name, path.parent)
        self.lemmatizer = lemmatizer
        self._by_lemma: PhraseIndex[Trigger] = PhraseIndex.from_texts(
            ((text, Trigger(str(text), float(w))) for text, w in raw.get("lemmas", {}).items()), lemmatizer.lemmatize
        )
        self._by_form: PhraseIndex[Trigger] = PhraseIndex(
            ([t.norm for t in lemmatizer.tokens(str(text))], Trigger(str(text), float(w)))
            for text, w in raw.get("exact", {}).items()
        )

    def find(self, text: str, tokens: Sequence[Token] | None = None) -> list[Trigger]:
        """Distinct triggers in order of appearance."""
        tokens = self.lemmatizer.tokens(text) if tokens is None else tokens
        matches = self._by_lemma.find([t.lemma for t in tokens]) + self._by_form.find([t.norm for t in tokens])
        matches.sort(key=lambda m: (m.start, -m.end))
        taken: list[tuple[int, int]] = []
        found: list[Trigger] = []
        for m in matches:  # «в прокуратуру» (exact) and «прокуратура» (lemma) are one trigger
            if any(m.start < end and start < m.end for start, end in taken):
                continue
            taken.append((m.start, m.end))
            if m.payload not in found:
                found.append(m.payload)
        return found


@cache
def default_triggers() -> TriggerLexicon:
    """The shipped trigger list over a plain lemmatizer (no gazetteer), loaded once."""
    return TriggerLexicon(Lemmatizer())
