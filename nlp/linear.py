"""A small linear text classifier shipped as one ``.npz`` file and loaded without pickle.

The file holds the feature vocabulary (a unicode array), the idf weights, the weight
matrix and the intercepts, and the class names. At run time a text becomes a list of
feature strings (``nlp.features``); known features are counted, weighted by sublinear
tf·idf, L2-normalised and multiplied by the weights. That is exactly the transform the
training script fits with scikit-learn, so scikit-learn is a training-time dependency
only and ``numpy`` is all the runtime needs.

A model may also have a *dense block*: a fixed-length vector per text (the mean navec
word embedding, ``nlp.embeddings``), scaled by ``meta["dense_scale"]`` and appended to
the sparse features, with its own weight rows (``dense_weights``). The decision is then
``sparse·W + scale·dense·W_dense + b``; callers pass the vector (``dense=``).
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np


REQUIRED = ("classes", "vocabulary", "idf", "weights", "intercept")


class ModelFileError(ValueError):
    """A model file that is missing or malformed; the message names the file and the field."""


@dataclass
class LinearModel:
    classes: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray           # (n_features,) float32
    weights: np.ndarray       # (n_features, n_classes) float32
    intercept: np.ndarray     # (n_classes,) float32
    meta: dict
    dense_weights: np.ndarray | None = None   # (n_dense, n_classes) float32, optional

    @property
    def dense_scale(self) -> float:
        return float(self.meta.get("dense_scale", 1.0))

    @classmethod
    def load(cls, path: Path) -> "LinearModel":
        try:
            with np.load(path, allow_pickle=False) as data:
                missing = [name for name in REQUIRED if name not in data.files]
                if missing:
                    raise ModelFileError(f"{path}: field '{missing[0]}' missing")
                vocab = data["vocabulary"].tolist()
                model = cls(
                    classes=[str(c) for c in data["classes"].tolist()],
                    vocabulary={term: i for i, term in enumerate(vocab)},
                    idf=data["idf"].astype(np.float32),
                    weights=data["weights"].astype(np.float32),
                    intercept=data["intercept"].astype(np.float32),
                    meta=json.loads(str(data["meta"])) if "meta" in data else {},
                    dense_weights=data["dense_weights"].astype(np.float32) if "dense_weights" in data else None,
                )
        except FileNotFoundError as exc:
            raise ModelFileError(f"{path}: model file not found") from exc
        except ModelFileError:
            raise
        except ValueError as exc:
            raise ModelFileError(f"{path}: not a model file: {exc}") from exc
        if model.weights.shape != (len(model.vocabulary), len(model.classes)):
            raise ModelFileError(f"{path}: weights: shape {model.weights.shape} does not match the vocabulary "
                                 f"({len(model.vocabulary)}) and classes ({len(model.classes)})")
        if model.dense_weights is not None and model.dense_weights.shape[1:] != (len(model.classes),):
            raise ModelFileError(f"{path}: dense_weights: shape {model.dense_weights.shape} does not match the "
                                 f"classes ({len(model.classes)})")
        return model

    def save(self, path: Path, dtype=np.float16) -> None:
        terms = sorted(self.vocabulary, key=self.vocabulary.get)
        extra = {} if self.dense_weights is None else {"dense_weights": self.dense_weights.astype(np.float32)}
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            vocabulary=np.array(terms),
            idf=self.idf.astype(dtype),
            weights=self.weights.astype(dtype),
            intercept=self.intercept.astype(np.float32),
            meta=np.array(json.dumps(self.meta, ensure_ascii=False)),
            **extra,
        )

    def indices(self, features: Iterable[str]) -> list[int]:
        """Vocabulary indices of the known features (repeats kept)."""
        get = self.vocabulary.get
        return [i for i in map(get, features) if i is not None]

    def vectorize(self, features: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Indices and tf·idf values (L2-normalised) of the known features."""
        return self.vectorize_indices(self.indices(features))

    def vectorize_indices(self, indices: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(indices)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
        values = tf * self.idf[index]
        norm = float(np.sqrt(values @ values))
        return index, values / norm if norm else values

    def decision(self, features: Iterable[str]) -> np.ndarray:
        index, values = self.vectorize(features)
        return values @ self.weights[index] + self.intercept

    def predict_proba(self, features: Iterable[str], dense: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities: softmax of the decision values (multinomial logistic regression)."""
        return self.proba_of_indices(self.indices(features), dense)

    def proba_of_indices(self, indices: Iterable[int], dense: np.ndarray | None = None) -> np.ndarray:
        index, values = self.vectorize_indices(indices)
        scores = values @ self.weights[index] + self.intercept
        if self.dense_weights is not None:
            if dense is None:
                raise ValueError("this model has a dense block: pass its vector (dense=...)")
            scores = scores + self.dense_scale * (dense @ self.dense_weights)
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def predict_proba_many(self, batch: Sequence[Iterable[str]]) -> np.ndarray:
        return np.vstack([self.predict_proba(features) for features in batch]) if batch else \
            np.zeros((0, len(self.classes)), dtype=np.float32)

    def top_features(self, class_name: str, n: int = 20) -> list[tuple[str, float]]:
        """The features that push most towards one class, for model cards and debugging."""
        terms = sorted(self.vocabulary, key=self.vocabulary.get)
        column = self.weights[:, self.classes.index(class_name)]
        return [(terms[i], float(column[i])) for i in np.argsort(-column)[:n]]
