"""Train the topic model on real appeals and write ``nlp/models/topic.npz``.

    .venv/bin/python -m training.topic [--data ../shared/data]

Appeals come from ``nlp.datasets.read_appeals`` with the mapping of ``nlp.appeal_topics``.
The split is by a hash of each appeal's id (80 % train, 10 % dev, 10 % test). Training
caps each code at ``--cap`` appeals (St Petersburg has tens of thousands of housing
complaints), tunes C and the blend with the keyword rules on dev, and fits the final
model on train + dev. The test split is left for ``mcu eval``.
"""
from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from core.config import Rubricator
from nlp.datasets import read_appeals, shared_data_dir
from nlp.features import topic_features
from nlp.lemmas import Lemmatizer
from nlp.lexicon import load_stopwords
from nlp.metrics import classification_report
from nlp.topic import TopicClassifier
from nlp.topic_model import BlendedTopicClassifier, BlendSettings
from training.fit import fit_model

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "nlp" / "models" / "topic.npz"


def load_rubricator() -> Rubricator:
    return Rubricator.model_validate(yaml.safe_load((REPO / "config" / "rubricator.yaml").read_text(encoding="utf-8")))


def capped(items, cap: int, seed: int = 13):
    by_code = defaultdict(list)
    for item in items:
        by_code[item[1]].append(item)
    rng = random.Random(seed)
    out = []
    for code in sorted(by_code):
        group = by_code[code]
        rng.shuffle(group)
        out.extend(group[:cap])
    return out


def evaluate_blends(model_path: Path, rules: TopicClassifier, dev, blends, trusts=(1.01,), discounts=((0.0, 0.0),)) -> None:
    gold = [code for _, code in dev]
    for blend in blends:
        for trust in trusts:
            for discount, bias in discounts:
                clf = BlendedTopicClassifier(rules, model_path,
                                             BlendSettings(blend=blend, rule_trust=trust, discount=discount,
                                                           critical_bias=bias))
                pred = [clf.classify(lemmas).primary.code for lemmas, _ in dev]
                rep = classification_report(gold, pred)
                print(f"  blend {blend:.2f}, rule trust {trust:.2f}, discount {discount:.1f}, critical bias {bias}: "
                      f"dev accuracy {rep.accuracy:.3f}, macro-F1 {rep.macro_f1:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--cap", type=int, default=5000, help="most appeals per code in training")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--blend", type=float, default=1.0, help="model weight against the rules")
    parser.add_argument("--c", type=float, default=16.0)
    parser.add_argument("--out", type=Path, default=MODEL)
    args = parser.parse_args()
    root = shared_data_dir(args.data)
    started = time.perf_counter()
    lemmatizer = Lemmatizer()
    data = {"train": [], "dev": []}
    for appeal in read_appeals(root):
        if appeal.split in data:
            data[appeal.split].append((lemmatizer.lemmatize(appeal.text), appeal.code))
    print(f"lemmatised {sum(map(len, data.values()))} appeals in {time.perf_counter() - started:.0f} s")
    stop = load_stopwords()
    train = capped(data["train"], args.cap)
    print("train per code:", dict(Counter(code for _, code in train)))
    rules = TopicClassifier(load_rubricator(), lemmatizer.lemmatize)
    if args.tune:
        for c in (16.0,):
            model = fit_model([topic_features(l, stop) for l, _ in train], [code for _, code in train], c=c,
                              min_df=2, keep=40_000, class_weight="balanced")
            tmp = Path(f"/tmp/topic_c{c}.npz")
            model.save(tmp)
            print(f"C={c}:")
            evaluate_blends(tmp, rules, data["dev"], (1.0,), (0.5,), ((0.5, 0.0), (0.5, 0.1), (0.5, 0.2)))
        return
    final = train + capped(data["dev"], args.cap // 8)
    model = fit_model([topic_features(l, stop) for l, _ in final], [code for _, code in final], c=args.c,
                      min_df=2, keep=40_000, class_weight="balanced",
                      meta={"task": "topic", "blend": args.blend, "cap": args.cap,
                            "data": "nashspb appeals + Kursk appeals (train+dev splits)"})
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
