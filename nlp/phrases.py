"""Finding lemma phrases («нет вода», «ремонт дорога») in a lemma sequence.

Topic keywords, sentiment phrases and risk triggers are all written as plain Russian
words in YAML; they are lemmatised once with the same :class:`~nlp.lemmas.Lemmatizer`
as the posts, so «нет воды», «нет горячей воды» and «Нет воды!!!» all match.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Generic, Iterable, Sequence, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PhraseMatch(Generic[T]):
    """One occurrence: the phrase's payload and the token range [start, end) it covers."""

    payload: T
    lemmas: tuple[str, ...]
    start: int
    end: int


class PhraseIndex(Generic[T]):
    """Phrases of one or more lemmas, each with a payload (a topic code, a weight...).

    Between two lemmas of a phrase up to ``max_gap`` other words may stand
    («нет горячей воды» matches «нет вода»).
    """

    def __init__(self, entries: Iterable[tuple[Sequence[str], T]], max_gap: int = 1) -> None:
        self.max_gap = max_gap
        self._by_first: dict[str, list[tuple[tuple[str, ...], T]]] = defaultdict(list)
        for lemmas, payload in entries:
            key = tuple(lemma for lemma in lemmas if lemma)
            if key and (key, payload) not in self._by_first[key[0]]:  # «ремонт дорог», «ремонт дороги»
                self._by_first[key[0]].append((key, payload))
        for bucket in self._by_first.values():  # longest first: «ремонт дорога» before «ремонт»
            bucket.sort(key=lambda item: -len(item[0]))

    @classmethod
    def from_texts(
        cls, entries: Iterable[tuple[str, T]], lemmatize: Callable[[str], list[str]], max_gap: int = 1
    ) -> "PhraseIndex[T]":
        return cls(((lemmatize(text), payload) for text, payload in entries), max_gap)

    def __len__(self) -> int:
        return sum(len(bucket) for bucket in self._by_first.values())

    def _match_at(self, lemmas: Sequence[str], i: int, phrase: tuple[str, ...]) -> int | None:
        pos = i
        for part in phrase[1:]:
            limit = min(len(lemmas), pos + 2 + self.max_gap)
            nxt = next((j for j in range(pos + 1, limit) if lemmas[j] == part), None)
            if nxt is None:
                return None
            pos = nxt
        return pos + 1

    def find(self, lemmas: Sequence[str]) -> list[PhraseMatch[T]]:
        """All occurrences, every phrase at every start (overlaps are kept)."""
        found: list[PhraseMatch[T]] = []
        for i, lemma in enumerate(lemmas):
            for phrase, payload in self._by_first.get(lemma, ()):
                end = self._match_at(lemmas, i, phrase)
                if end is not None:
                    found.append(PhraseMatch(payload, phrase, i, end))
        return found
