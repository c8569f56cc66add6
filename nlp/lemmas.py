"""Words and their lemmas: razdel tokens, pymorphy3 normal forms, gazetteer overrides.

The same :class:`Lemmatizer` serves indexing and search, so «дорогу» in a post and
«дороги» in a query both become «дорога». Place names pymorphy does not know
(«в Лаптеве», «из Охоны») are mapped to the place's canonical name through an
override map built from the gazetteer.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Mapping

from razdel import tokenize

YO_TABLE = str.maketrans({"ё": "е", "Ё": "Е"})


def normalize_word(word: str) -> str:
    """Lower case, «ё» → «е», «№» dropped: the key every matcher compares on."""
    return word.lower().translate(YO_TABLE).replace("№", "")


def is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: its span in the original text, normal key and lemma."""

    text: str
    start: int
    end: int
    norm: str
    lemma: str

    @property
    def capitalized(self) -> bool:
        return self.text[:1].isupper()


@cache
def load_morph():
    """The pymorphy3 analyser, loaded once per process and shared."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


class Lemmatizer:
    """Lower-case lemmas of word tokens; pass ``overrides`` (form → lemma) from the gazetteer."""

    def __init__(self, overrides: Mapping[str, str] | None = None, cache_size: int = 200_000) -> None:
        self._overrides = {normalize_word(k): v for k, v in (overrides or {}).items()}
        self._morph = load_morph()
        self._lemma_of = lru_cache(maxsize=cache_size)(self._lemma_uncached)

    def _lemma_uncached(self, norm: str) -> str:
        override = self._overrides.get(norm)
        if override is not None:
            return override
        if not any(ch.isalpha() for ch in norm):
            return norm
        try:
            return normalize_word(self._morph.parse(norm)[0].normal_form)
        except (KeyError, ValueError):  # pymorphy3 names every letter; a letter without a Unicode name (Tangut) fails
            return norm

    def lemma(self, word: str) -> str:
        return self._lemma_of(normalize_word(word))

    def tokens(self, text: str) -> list[Token]:
        result = []
        for item in tokenize(text):
            if not is_word(item.text):
                continue
            norm = normalize_word(item.text).strip("-")
            if not norm:
                continue
            result.append(Token(item.text, item.start, item.stop, norm, self._lemma_of(norm)))
        return result

    def lemmatize(self, text: str) -> list[str]:
        """Lemmas of the word tokens of ``text``, punctuation and emoji dropped."""
        return [token.lemma for token in self.tokens(text)]

    __call__ = lemmatize
