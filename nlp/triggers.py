"""Trigger phrases of the risk score («нет воды», «прокуратура», «губернатору»).

Phrases under ``lemmas`` match any inflection; phrases under ``exact`` match the word
forms as written (case-insensitive), since «губернатору» (an appeal) and «губернатор»
(news) differ only by case.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Sequence

from cachetools import LRUCache

from nlp.lemmas import Lemmatizer, Token
from nlp.lexicon import LEXICON_DIR, read_yaml
from nlp.phrases import PhraseIndex


@dataclass(frozen=True)
class Trigger:
    """One trigger phrase as staff read it, and its weight in [0, 1]."""

    text: str
    weight: float


TEXTS_REMEMBERED = 100_000
"""Texts whose triggers a lexicon remembers (by digest, about 200 bytes each): a story's score
reads every post of the story on every scan that touches it, and tokenising them again was most
of a live scan on a large store."""


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
        self._by_text: LRUCache[bytes, tuple[Trigger, ...]] = LRUCache(TEXTS_REMEMBERED)
        self._lock = threading.Lock()  # scans score stories from worker threads

    def find(self, text: str, tokens: Sequence[Token] | None = None) -> list[Trigger]:
        """Distinct triggers in order of appearance. Given ``tokens`` (the analyser's own), they
        are matched as given; a text alone is tokenised once and its triggers remembered."""
        if tokens is not None:
            return self._match(tokens)
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        with self._lock:
            found = self._by_text.get(key)
        if found is None:
            found = tuple(self._match(self.lemmatizer.tokens(text)))
            with self._lock:
                self._by_text[key] = found
        return list(found)

    def _match(self, tokens: Sequence[Token]) -> list[Trigger]:
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
