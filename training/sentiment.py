"""Train the sentiment model on RuSentiment and write ``nlp/models/sentiment.npz``.

    .venv/bin/python -m training.sentiment [--data ../shared/data] [--tune] [--tune-blend]

Train: the «random» and «preselected» files minus a 10 % dev split (by hash). The shipped
model is this train-split fit, the same one ``--tune-blend`` scores: its blend was chosen on
dev, so refitting on dev too would leave the blend untested (and takes another 10 minutes). The model
has RuSentiment's five classes; ``nlp.sentiment_model`` folds them into three (speech →
positive, skip → neutral). Its features are the sparse ones of ``nlp.features`` plus the
mean navec vector of the post (``nlp.embeddings``), a dense block.

``--tune`` compares settings on dev (with and without the vector); ``--tune-blend`` chooses
the run-time blend on dev: the lexicon weight and the bias towards «negative». Dev figures
are printed for the whole dev split and for its «random» part alone, which is drawn like
the test file (the «preselected» posts were picked for being emotional). The test file is
read once, by ``mcu eval``, for the figures in the model card.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from nlp.datasets import THREE_WAY, read_rusentiment, shared_data_dir, split_of
from nlp.embeddings import EMBEDDING_NAME, load_vectors
from nlp.features import sentiment_features
from nlp.lemmas import Lemmatizer
from nlp.metrics import classification_report
from training.fit import fit_model

MODEL = Path(__file__).resolve().parents[1] / "nlp" / "models" / "sentiment.npz"
SETTINGS = {"c": 2.0, "min_df": 2, "keep": 60_000, "class_weight": "balanced", "dense_scale": 1.0}


class Featurized:
    """Tokens, sparse features and vectors of RuSentiment's training files, computed once."""

    def __init__(self, rows, lemmatizer: Lemmatizer) -> None:
        self.rows = rows
        self.tokens = [lemmatizer.tokens(r.text) for r in rows]
        self.features = [sentiment_features(r.text, t) for r, t in zip(rows, self.tokens)]
        self.vectors = np.vstack([v.vector for v in load_vectors().many(self.tokens)])

    def split(self, name: str) -> list[int]:
        return [i for i, r in enumerate(self.rows) if (split_of(r.key) == "dev") == (name == "dev")]

    def fit(self, rows: list[int], dense: bool = True, meta: dict | None = None, **settings):
        return fit_model([self.features[i] for i in rows], [self.rows[i].label for i in rows],
                         dense=self.vectors[rows] if dense else None, meta=meta, **(SETTINGS | settings))


def report_line(name: str, gold: list[str], pred: list[str], random_part: list[bool]) -> str:
    whole = classification_report(gold, pred)
    rnd = classification_report([g for g, r in zip(gold, random_part) if r], [p for p, r in zip(pred, random_part) if r])
    negative = next(c for c in whole.classes if c.label == "negative")
    rnd_negative = next(c for c in rnd.classes if c.label == "negative")
    return (f"{name}: dev macro {whole.macro_f1:.3f} (negative P {negative.precision:.3f} R {negative.recall:.3f}); "
            f"random part macro {rnd.macro_f1:.3f} (negative R {rnd_negative.recall:.3f})")


def tune(data: Featurized) -> None:
    train, dev = data.split("train"), data.split("dev")
    gold = [THREE_WAY[data.rows[i].label] for i in dev]
    random_part = [data.rows[i].key.startswith("random") for i in dev]
    for dense in (False, True):
        for c in (1.0, 2.0, 4.0):
            model = data.fit(train, dense=dense, c=c)
            pred = [_three_way(model, data.features[i], data.vectors[i] if dense else None) for i in dev]
            print(report_line(f"C={c}, navec vector {dense}", gold, pred, random_part))


def _three_way(model, features, vector) -> str:
    folded: dict[str, float] = {}
    for cls, p in zip(model.classes, model.predict_proba(features, vector)):
        folded[THREE_WAY[cls]] = folded.get(THREE_WAY[cls], 0.0) + float(p)
    return max(folded, key=folded.get)


def tune_blend(data: Featurized, lemmatizer: Lemmatizer) -> None:
    """Dev figures of the shipped three-way label for lexicon weights and negative biases."""
    import tempfile

    from nlp.embeddings import TextVector
    from nlp.sentiment import SentimentAnalyzer, SentimentLexicon
    from nlp.sentiment_model import SentimentBlend, SentimentClassifier

    path = Path(tempfile.mkdtemp()) / "sentiment.npz"
    data.fit(data.split("train")).save(path)
    lexicon = SentimentAnalyzer(SentimentLexicon.load(lemmatizer.lemmatize))
    dev = data.split("dev")
    gold = [THREE_WAY[data.rows[i].label] for i in dev]
    random_part = [data.rows[i].key.startswith("random") for i in dev]
    vectors = [TextVector(data.vectors[i], 1) for i in dev]
    for weight in (0.0, 0.2, 0.4):
        for bias in (0.0, 0.25, 0.5, 0.75):
            clf = SentimentClassifier(lexicon, path, SentimentBlend(lexicon_weight=weight, negative_bias=bias))
            pred = [clf.analyze(data.rows[i].text, data.tokens[i], v).label for i, v in zip(dev, vectors)]
            print(report_line(f"lexicon weight {weight}, negative bias {bias}", gold, pred, random_part))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--tune", action="store_true", help="try settings on dev and print them")
    parser.add_argument("--tune-blend", action="store_true", help="choose the lexicon weight and negative bias on dev")
    parser.add_argument("--out", type=Path, default=MODEL)
    args = parser.parse_args()
    root = shared_data_dir(args.data)
    lemmatizer = Lemmatizer()
    started = time.perf_counter()
    data = Featurized(read_rusentiment(root, "random") + read_rusentiment(root, "preselected"), lemmatizer)
    print(f"{len(data.split('train'))} train, {len(data.split('dev'))} dev; "
          f"features in {time.perf_counter() - started:.1f} s")
    if args.tune:
        tune(data)
        return
    if args.tune_blend:
        tune_blend(data, lemmatizer)
        return
    model = data.fit(data.split("train"), meta={
        "task": "sentiment", "data": "RuSentiment random+preselected, train split (90 % by key hash)",
        "licence": "CC BY-NC-SA 4.0", "features": "sentiment_features", "dense": f"{EMBEDDING_NAME} mean"})
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
