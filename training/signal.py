"""Train the problem-report signal model and write ``nlp/models/signal.npz``.

    .venv/bin/python -m training.signal [--data ../shared/data] [--tune]

The labelled texts come from ``training/signal_data.py`` (appeals, official answers,
RuSentiment VK posts, news), split by a hash of their keys. Training reads the train
split, ``--tune`` prints dev figures for a few settings and thresholds, and the final fit
uses train + dev. The test split is left for ``mcu eval``.

Two choices were made on the training data, not on dev:

* St Petersburg appeals of fewer than ``MIN_WORDS`` words («Решетка», «Листва на газоне»)
  are left out: they taught the model that one municipal word is a problem;
* the VK posts and news labelled as reports weigh ``REPORT_WEIGHT`` times more: there are
  75 of them against 12,000 appeals, and they are the only reports in social-media style.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from nlp.datasets import shared_data_dir
from nlp.embeddings import EMBEDDING_NAME, load_vectors
from nlp.lemmas import Lemmatizer
from nlp.signal import REPORT, SIGNAL_MODEL, SignalCues, signal_features
from training.fit import fit_model
from training.signal_data import SignalExample, describe, read_signal_examples

SETTINGS = {"c": 4.0, "min_df": 2, "dense_scale": 1.0}
SATURATION = 8
"""Known words from which a text's vector counts in full (``TextVector.damped``)."""
MIN_WORDS = 4
REPORT_WEIGHT = 20.0
SOCIAL = ("rusentiment", "news")


def is_report(example: SignalExample) -> bool:
    return example.label != "none"


def usable(example: SignalExample, tokens) -> bool:
    return example.source != "nashspb" or sum(t.lemma.isalpha() for t in tokens) >= MIN_WORDS


KURSK_WEIGHT = 3.0
"""Weight of the Kursk appeals (district and village life, health care, transport)."""


def weight(example: SignalExample) -> float:
    if example.source == "kursk":
        return KURSK_WEIGHT
    return REPORT_WEIGHT if example.source in SOCIAL and is_report(example) else 1.0


class Featurized:
    """Tokens, feature lists and navec vectors of the examples, computed once."""

    def __init__(self, examples: list[SignalExample], lemmatizer: Lemmatizer) -> None:
        started = time.perf_counter()
        cues = SignalCues(lemmatizer.lemmatize)
        self.examples = examples
        tokens = [lemmatizer.tokens(e.text) for e in examples]
        self.usable = [usable(e, t) for e, t in zip(examples, tokens)]
        self.features = [signal_features(e.text, t, cues) for e, t in zip(examples, tokens)]
        self.vectors = np.vstack([v.damped(SATURATION) for v in load_vectors().many(tokens)])
        print(f"featurized {len(examples)} texts in {time.perf_counter() - started:.0f} s")

    def rows(self, splits: tuple[str, ...]) -> list[int]:
        return [i for i, e in enumerate(self.examples) if e.split in splits and self.usable[i]]

    def fit(self, rows: list[int], meta: dict | None = None, **settings):
        return fit_model([self.features[i] for i in rows],
                         [REPORT if is_report(self.examples[i]) else "none" for i in rows],
                         dense=self.vectors[rows], sample_weight=[weight(self.examples[i]) for i in rows],
                         meta=meta, **(SETTINGS | settings))


def dev_figures(model, data: Featurized) -> None:
    rows = [i for i, e in enumerate(data.examples) if e.split == "dev"]
    column = model.classes.index(REPORT)
    p = np.array([model.predict_proba(data.features[i], data.vectors[i])[column] for i in rows])
    gold = np.array([is_report(data.examples[i]) for i in rows])
    source = np.array([data.examples[i].source for i in rows])
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        flagged = p >= threshold
        tp = int((flagged & gold).sum())
        f1 = 2 * tp / max(1, int(flagged.sum() + gold.sum()))
        parts = []
        for name in ("rusentiment", "news", "answers", "kursk", "nashspb"):
            mine = source == name
            parts.append(f"{name} {int((flagged & gold & mine).sum())}/{int((gold & mine).sum())} "
                         f"fp {int((flagged & ~gold & mine).sum())}/{int((~gold & mine).sum())}")
        print(f"  threshold {threshold}: dev F1 {f1:.3f}; " + "; ".join(parts))


PREVALENCE = 0.1
"""Share of reports assumed when choosing the threshold: 32 of 312 real local posts (issue 12)."""


def cross_validate(data: Featurized, folds: int = 4) -> None:
    """Out-of-fold ``p`` over train + dev (folds by a hash of the key), and per threshold the recall
    of the social-media reports and the false-positive rate of social-media and news texts, with the
    precision and F1 they imply at ``PREVALENCE``: the figures the threshold was chosen on."""
    import hashlib

    rows = data.rows(("train", "dev"))
    everything = [i for i, e in enumerate(data.examples) if e.split in ("train", "dev")]
    fold = {i: int(hashlib.md5(data.examples[i].key.encode()).hexdigest()[:6], 16) % folds for i in everything}
    p = np.zeros(len(data.examples))
    for k in range(folds):
        model = data.fit([i for i in rows if fold[i] != k])
        column = model.classes.index(REPORT)
        for i in everything:
            if fold[i] == k:
                p[i] = model.predict_proba(data.features[i], data.vectors[i])[column]
    social = {"rusentiment", "news", "answers"}
    positive = [i for i in everything if data.examples[i].source in social and is_report(data.examples[i])]
    negative = [i for i in everything if data.examples[i].source in social and not is_report(data.examples[i])]
    for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6):
        recall = float(np.mean(p[positive] >= threshold))
        fp_rate = float(np.mean(p[negative] >= threshold))
        precision = PREVALENCE * recall / (PREVALENCE * recall + (1 - PREVALENCE) * fp_rate)
        print(f"  threshold {threshold}: social reports recall {recall:.3f} ({len(positive)}), false positives "
              f"{fp_rate:.4f} ({len(negative)}); at {PREVALENCE:.0%} reports: precision {precision:.3f}, "
              f"F1 {2 * precision * recall / (precision + recall):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--tune", action="store_true", help="print dev figures for a few settings")
    parser.add_argument("--cv", action="store_true", help="4-fold figures over train + dev (the threshold)")
    parser.add_argument("--kursk", type=float, default=None, help="weight of the Kursk appeals (tuning)")
    parser.add_argument("--out", type=Path, default=SIGNAL_MODEL)
    args = parser.parse_args()
    root = shared_data_dir(args.data)
    started = time.perf_counter()
    examples = read_signal_examples(root)
    print(describe(examples))
    data = Featurized(examples, Lemmatizer())
    if args.kursk:
        global KURSK_WEIGHT
        KURSK_WEIGHT = args.kursk
    if args.cv:
        cross_validate(data)
        return
    if args.tune:
        for c in (2.0, 4.0, 8.0):
            for scale in (0.5, 1.0):
                print(f"C={c}, dense scale {scale}:")
                dev_figures(data.fit(data.rows(("train",)), c=c, dense_scale=scale), data)
        return
    model = data.fit(data.rows(("train", "dev")), meta={
        "task": "signal", "dense": f"{EMBEDDING_NAME} mean", "dense_saturation": SATURATION,
        "min_words": MIN_WORDS, "report_weight": REPORT_WEIGHT,
        "data": "appeals (nashspb capped, Kursk), nashspb official answers, RuSentiment, NEREL + factRuEval "
                "(train+dev splits; labels in training/labels/signal.tsv)",
        "licence": "RuSentiment CC BY-NC-SA 4.0; appeals and answers: public portal posts, no licence stated"})
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
