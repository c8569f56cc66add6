"""Fitting a :class:`nlp.linear.LinearModel` with scikit-learn (a training-time dependency).

The tf·idf transform is computed here by hand, the same way ``LinearModel.vectorize``
computes it at run time (sublinear tf, smooth idf, L2 norm), and scikit-learn's
``LogisticRegression`` fits the weights. Pruning keeps the features with the largest
weights and refits, so the shipped file stays small.
"""
from __future__ import annotations

import math
import time
from collections import Counter
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from nlp.linear import LinearModel


def build_vocabulary(docs: Sequence[Sequence[str]], min_df: int, max_features: int | None = None) -> dict[str, int]:
    df = Counter()
    for features in docs:
        df.update(set(features))
    kept = [term for term, n in df.items() if n >= min_df]
    if max_features and len(kept) > max_features:
        kept = sorted(kept, key=lambda t: (-df[t], t))[:max_features]
    return {term: i for i, term in enumerate(sorted(kept))}


def idf_of(docs: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> np.ndarray:
    df = np.zeros(len(vocabulary), dtype=np.float64)
    for features in docs:
        for i in {vocabulary[f] for f in features if f in vocabulary}:
            df[i] += 1
    return (np.log((1 + len(docs)) / (1 + df)) + 1).astype(np.float32)


def matrix(docs: Sequence[Sequence[str]], vocabulary: dict[str, int], idf: np.ndarray) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for r, features in enumerate(docs):
        counts = Counter(vocabulary[f] for f in features if f in vocabulary)
        if not counts:
            continue
        idx = np.fromiter(counts.keys(), dtype=np.int64)
        v = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64) * idf[idx]
        v /= np.sqrt(v @ v)
        rows.extend([r] * len(idx))
        cols.extend(idx.tolist())
        vals.extend(v.tolist())
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocabulary)), dtype=np.float32)


def fit_model(
    docs: Sequence[Sequence[str]],
    labels: Sequence[str],
    *,
    c: float,
    min_df: int = 2,
    max_features: int | None = None,
    keep: int | None = None,
    class_weight: str | dict | None = None,
    meta: dict | None = None,
    dense: np.ndarray | None = None,
    dense_scale: float = 1.0,
    sample_weight: Sequence[float] | None = None,
) -> LinearModel:
    """Fit on ``docs`` (feature lists); with ``keep``, prune to that many features and refit.

    ``dense`` (one row per doc) is the optional dense block (see ``nlp.linear``), appended to
    the sparse features times ``dense_scale``; ``sample_weight`` weighs the docs."""
    vocabulary = build_vocabulary(docs, min_df, max_features)
    fit = _Fit(docs, labels, c, class_weight, dense, dense_scale, sample_weight)
    model = fit(vocabulary)
    if keep and len(vocabulary) > keep:
        strength = np.abs(model.weights).max(axis=1)
        chosen = np.argsort(-strength)[:keep]
        terms = sorted(model.vocabulary, key=model.vocabulary.get)
        vocabulary = {term: i for i, term in enumerate(sorted(terms[j] for j in chosen))}
        model = fit(vocabulary)
    model.meta = dict(meta or {}, c=c, min_df=min_df, features=len(model.vocabulary),
                      support=dict(sorted(Counter(labels).items())))
    if dense is not None:
        model.meta["dense_scale"] = dense_scale
    return model


class _Fit:
    """One logistic regression over a vocabulary (and the dense block, if any)."""

    def __init__(self, docs, labels, c, class_weight, dense, dense_scale, sample_weight) -> None:
        self.docs, self.labels, self.c, self.class_weight = docs, list(labels), c, class_weight
        self.dense, self.dense_scale, self.sample_weight = dense, dense_scale, sample_weight

    def __call__(self, vocabulary: dict[str, int]) -> LinearModel:
        started = time.perf_counter()
        idf = idf_of(self.docs, vocabulary)
        x = matrix(self.docs, vocabulary, idf)
        if self.dense is not None:
            x = sparse.hstack([x, sparse.csr_matrix(self.dense * self.dense_scale, dtype=np.float32)]).tocsr()
        clf = LogisticRegression(C=self.c, max_iter=3000, class_weight=self.class_weight)
        clf.fit(x, self.labels, sample_weight=self.sample_weight)
        classes = [str(k) for k in clf.classes_]
        weights = clf.coef_.T.astype(np.float32)
        intercept = clf.intercept_.astype(np.float32)
        if len(classes) == 2:  # binary: make it a two-column softmax
            weights = np.hstack([-weights / 2, weights / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
        dense_weights = None
        if self.dense is not None:
            weights, dense_weights = weights[: len(vocabulary)], weights[len(vocabulary):]
        print(f"  fitted {len(vocabulary)} features, C={self.c} in {time.perf_counter() - started:.1f} s")
        return LinearModel(classes, vocabulary, idf, weights, intercept, {}, dense_weights)
