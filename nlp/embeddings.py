"""Mean navec word vectors of a text: the dense block of the signal and sentiment models.

The natasha wheel already ships ``navec_news_v1_1B_250K_300d_100q`` (250,000 lower-case
word forms, 300 dimensions, product-quantised: 100 sub-vectors of 3, 25 MB). It loads
without pickle (raw numpy buffers and a gzip word list), once per process. A text's vector
is the mean of its known word forms' vectors, L2-normalised: words the sparse features
never saw in training («фельдшерица», «колдобина») still land near the ones they did.
Each model that uses the vector may damp it for short texts (:meth:`TextVector.damped`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Sequence

import numpy as np

from nlp.lemmas import Token

DIM = 300
EMBEDDING_NAME = "navec_news_v1_1B_250K_300d_100q"
WORD_LIMIT = 300
"""Tokens of a text that feed its vector (the same limit as the word features)."""


@dataclass(frozen=True, slots=True)
class TextVector:
    """The unit mean vector of a text and how many of its words navec knows."""

    vector: np.ndarray
    known: int

    def damped(self, saturation: int) -> np.ndarray:
        """The vector shortened for texts of fewer than ``saturation`` known words
        (× sqrt(known / saturation)), so a two-word comment does not lean on its vector alone."""
        if self.known >= saturation:
            return self.vector
        return self.vector * np.float32(np.sqrt(self.known / saturation))


class NavecVectors:
    """``embed(tokens)`` → :class:`TextVector` (zeros when no word is known)."""

    def __init__(self, navec) -> None:
        pq = navec.pq
        self._ids = navec.vocab.word_ids
        self._codes = pq.codes          # (qdim, centroids, 3)
        self._indexes = pq.indexes      # (words, qdim) uint8
        self._qdims = np.arange(pq.qdim)

    def embed(self, tokens: Sequence[Token]) -> TextVector:
        get = self._ids.get
        ids = [i for i in (get(t.norm) for t in tokens[:WORD_LIMIT]) if i is not None]
        if not ids:
            return TextVector(np.zeros(DIM, dtype=np.float32), 0)
        parts = self._codes[self._qdims, self._indexes[ids]]          # (n, qdim, 3)
        vector = parts.reshape(len(ids), DIM).mean(axis=0)
        norm = float(np.sqrt(vector @ vector))
        return TextVector((vector / norm if norm else vector).astype(np.float32), len(ids))

    def many(self, token_lists: Sequence[Sequence[Token]]) -> list[TextVector]:
        return [self.embed(tokens) for tokens in token_lists]


@cache
def load_vectors() -> NavecVectors:
    """The shipped news embedding (about 0.3 s and 60 MB of memory, once per process)."""
    from natasha import NewsEmbedding

    return NavecVectors(NewsEmbedding())
