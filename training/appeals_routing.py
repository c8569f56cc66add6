"""Train the routing model (responsible body) on the Kursk appeals; write ``nlp/models/routing.npz``.

    .venv/bin/python -m training.appeals_routing [--data ../shared/data] [--tune]

Split: ``nlp.appeals.data.read_kursk_routing`` (stratified random, seed 13: 70 % train, 15 % dev,
15 % test; bodies with fewer than 10 appeals form «Прочие органы»). ``--tune`` fits on train and
prints dev figures for a grid of C; the final model is fitted on train + dev with the chosen C.
The test split is left for ``mcu eval --only routing``.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from nlp.appeals.data import read_kursk_routing
from nlp.appeals.routing import ROUTING_MODEL, RoutingModel
from nlp.datasets import shared_data_dir
from nlp.features import topic_features
from nlp.lemmas import Lemmatizer
from nlp.lexicon import load_stopwords
from training.appeals_evaluation import score_routing
from training.fit import fit_model

C_GRID = (2.0, 4.0, 8.0, 16.0, 32.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--tune", action="store_true", help="print dev figures for a grid of C and stop")
    parser.add_argument("--c", type=float, default=8.0)
    parser.add_argument("--class-weight", default="balanced", choices=("balanced", "none"))
    parser.add_argument("--out", type=Path, default=ROUTING_MODEL)
    args = parser.parse_args()
    started = time.perf_counter()
    appeals = read_kursk_routing(shared_data_dir(args.data))
    lemmatizer = Lemmatizer()
    stop = load_stopwords()
    lemmas = {a.id: lemmatizer.lemmatize(a.text) for a in appeals}
    weight = None if args.class_weight == "none" else "balanced"
    by_split = {part: [a for a in appeals if a.split == part] for part in ("train", "dev", "test")}
    print({part: len(items) for part, items in by_split.items()}, f"{len({a.label for a in appeals})} classes")

    def fit(items, c):
        return fit_model([topic_features(lemmas[a.id], stop) for a in items], [a.label for a in items], c=c,
                         min_df=2, class_weight=weight,
                         meta={"task": "routing", "data": "Kursk feedback portal, train+dev splits",
                               "min_examples": 10, "seed": 13})

    if args.tune:
        for c in C_GRID:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "routing.npz"
                fit(by_split["train"], c).save(path)
                model = RoutingModel(RoutingModel.load(path).model, lemmatizer.lemmatize)
                score = score_routing(model, by_split["dev"], [lemmas[a.id] for a in by_split["dev"]])
                print(f"C={c}: dev accuracy {score.report.accuracy:.3f}, macro-F1 {score.report.macro_f1:.3f}, "
                      f"top-3 {score.top3:.3f}")
        return
    model = fit(by_split["train"] + by_split["dev"], args.c)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
