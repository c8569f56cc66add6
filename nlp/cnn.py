"""A small convolutional text classifier over navec word vectors, run with numpy alone.

The network (trained by ``training/sentiment_cnn.py`` with PyTorch, a training-time
dependency) reads the post's word vectors (``nlp.embeddings``, frozen), slides filters of
a few widths over them, keeps each filter's maximum (ReLU) and maps the pooled features to
the classes. The file is an ``.npz`` loaded without pickle: for each width ``w`` the filters
``conv{w}`` (w·300 × filters) and biases ``bias{w}``, then ``out`` and ``out_bias``, the
``classes`` and a JSON ``meta``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.linear import ModelFileError


@dataclass
class ConvModel:
    classes: list[str]
    widths: list[int]
    filters: dict[int, np.ndarray]     # width → (width·dim, n_filters)
    biases: dict[int, np.ndarray]      # width → (n_filters,)
    out: np.ndarray                    # (n_widths·n_filters, n_classes)
    out_bias: np.ndarray               # (n_classes,)
    meta: dict

    @classmethod
    def load(cls, path: Path) -> "ConvModel":
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                widths = [int(w) for w in meta["widths"]]
                missing = [f for f in ("classes", "out", "out_bias", *(f"conv{w}" for w in widths)) if f not in data]
                if missing:
                    raise ModelFileError(f"{path}: field '{missing[0]}' missing")
                return cls([str(c) for c in data["classes"].tolist()], widths,
                           {w: data[f"conv{w}"].astype(np.float32) for w in widths},
                           {w: data[f"bias{w}"].astype(np.float32) for w in widths},
                           data["out"].astype(np.float32), data["out_bias"].astype(np.float32), meta)
        except FileNotFoundError as exc:
            raise ModelFileError(f"{path}: model file not found") from exc
        except KeyError as exc:
            raise ModelFileError(f"{path}: field {exc} missing") from exc

    def save(self, path: Path) -> None:
        arrays = {f"conv{w}": self.filters[w].astype(np.float16) for w in self.widths}
        arrays.update({f"bias{w}": self.biases[w] for w in self.widths})
        np.savez_compressed(path, classes=np.array(self.classes), out=self.out.astype(np.float16),
                            out_bias=self.out_bias, meta=np.array(json.dumps(self.meta, ensure_ascii=False)),
                            **arrays)

    def pooled(self, rows: np.ndarray) -> np.ndarray:
        """Max-pooled ReLU features of a text's word vectors ``rows`` (n × dim)."""
        n, dim = rows.shape
        parts = []
        for w in self.widths:
            if n < w:  # shorter than the filter: pad with zero vectors, as in training
                rows_w = np.vstack([rows, np.zeros((w - n, dim), dtype=np.float32)])
            else:
                rows_w = rows
            windows = np.lib.stride_tricks.sliding_window_view(rows_w, (w, dim))[:, 0].reshape(-1, w * dim)
            parts.append(np.maximum(windows @ self.filters[w] + self.biases[w], 0.0).max(axis=0))
        return np.concatenate(parts)

    def log_proba(self, rows: np.ndarray) -> np.ndarray:
        scores = self.pooled(rows) @ self.out + self.out_bias
        scores = scores - scores.max()
        return scores - np.log(np.exp(scores).sum())
