"""Train the answer-kind model on weak labels; write ``nlp/models/answer_kind.npz``.

    .venv/bin/python -m training.appeals_answers [--data ../shared/data] [--tune]

1. Read the 45,716 answered St Petersburg appeals (``nlp.appeals.data.read_spb_answers``).
2. Leave out every hand-labelled answer (``training/labels/answer_kinds_{dev,test}.csv``).
3. Label the rest with the rules (``nlp.appeals.answer_rules``); answers no rule recognises are
   left out of training. Each kind is capped at ``--cap`` answers (solved is most of them).
4. Fit a logistic regression over negation-marked lemmas and lemma bigrams
   (``nlp.appeals.answers.answer_features``).

``--tune`` prints the dev figures of the rules, the model and rules-then-model for a grid of C
and stops; the decision rule and C go into the shipped file. The test labels are scored by
``mcu eval --only answers``, once the choice is made.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from nlp.appeals.answer_rules import normalize_answer, rule_kind, rule_kind_or_formal
from nlp.appeals.answers import ANSWER_MODEL, AnswerClassifier, answer_features
from nlp.appeals.data import read_hand_labels, read_spb_answers
from nlp.datasets import shared_data_dir
from nlp.lemmas import Lemmatizer
from training.appeals_evaluation import hand_labelled, score_answers
from training.fit import fit_model

C_GRID = (0.25, 0.5, 1.0, 2.0)
DECISIONS = ("model", "rules_then_model")


def weak_training_set(root: Path, lemmatize, cap: int, seed: int = 13) -> tuple[list[list[str]], list[str], Counter]:
    """Feature lists and rule labels of the answers outside the hand-labelled ones, capped per kind."""
    held_out = {label.id for part in ("dev", "test") for label in read_hand_labels(part)}
    by_kind: dict[str, list[str]] = defaultdict(list)
    abstained = 0
    for appeal in read_spb_answers(root):
        if appeal.id in held_out:
            continue
        kind = rule_kind(appeal.answer)
        if kind is None:
            abstained += 1
        else:
            by_kind[kind].append(appeal.answer)
    rng = random.Random(seed)
    docs, labels = [], []
    counts = Counter({kind: len(texts) for kind, texts in by_kind.items()})
    counts["(no rule)"] = abstained
    started = time.perf_counter()
    for kind in sorted(by_kind):
        texts = by_kind[kind]
        rng.shuffle(texts)
        for text in texts[:cap]:
            docs.append(answer_features(lemmatize(normalize_answer(text))))
            labels.append(kind)
    print(f"weak labels of all answers: {dict(counts)}; lemmatised {len(docs)} in {time.perf_counter() - started:.0f} s")
    return docs, labels, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--tune", action="store_true", help="print dev figures for a grid of C and stop")
    parser.add_argument("--c", type=float, default=4.0)
    parser.add_argument("--decision", choices=DECISIONS, default="rules_then_model")
    parser.add_argument("--cap", type=int, default=6000, help="most training answers per kind")
    parser.add_argument("--out", type=Path, default=ANSWER_MODEL)
    args = parser.parse_args()
    root = shared_data_dir(args.data)
    lemmatize = Lemmatizer().lemmatize
    docs, labels, counts = weak_training_set(root, lemmatize, args.cap)

    def fit(c: float):
        return fit_model(docs, labels, c=c, min_df=3, keep=30_000, class_weight="balanced",
                         meta={"task": "answer_kind", "decision": args.decision, "cap": args.cap,
                               "weak_labels": dict(counts),
                               "data": "nashspb answered appeals minus the hand-labelled ones, rule labels"})

    if args.tune:
        dev = hand_labelled(root, "dev")
        rules = score_answers(rule_kind_or_formal, dev)
        print(f"rules alone: dev accuracy {rules.accuracy:.3f}, macro-F1 {rules.macro_f1:.3f}")
        for c in C_GRID:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "answer_kind.npz"
                fit(c).save(path)
                for decision in DECISIONS:
                    clf = AnswerClassifier(AnswerClassifier.load(path, lemmatize).model, lemmatize, decision)
                    rep = score_answers(clf.classify, dev)
                    print(f"C={c}, {decision}: dev accuracy {rep.accuracy:.3f}, macro-F1 {rep.macro_f1:.3f}")
        return
    started = time.perf_counter()
    model = fit(args.c)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
