"""Train the sentiment model on RuSentiment and write ``nlp/models/sentiment.npz``.

    .venv/bin/python -m training.sentiment [--data ../shared/data] [--tune]

Train: the «random» and «preselected» files minus a 10 % dev split (by hash). The model
has RuSentiment's five classes; ``nlp.sentiment`` folds them into three (speech → positive,
skip → neutral). ``--tune`` tries a few settings on dev; the test file is read once at
the end, for the figures in the model card.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from nlp.datasets import THREE_WAY, read_rusentiment, shared_data_dir, split_of
from nlp.features import sentiment_features
from nlp.lemmas import Lemmatizer
from nlp.metrics import classification_report
from training.fit import fit_model

MODEL = Path(__file__).resolve().parents[1] / "nlp" / "models" / "sentiment.npz"
SETTINGS = {"c": 2.0, "min_df": 2, "keep": 60_000, "class_weight": "balanced"}


def featurize(texts, lemmatizer: Lemmatizer):
    return [sentiment_features(text, lemmatizer.tokens(text)) for text in texts]


def three_way_predictions(model, docs):
    out = []
    for features in docs:
        proba = model.predict_proba(features)
        folded = {}
        for cls, p in zip(model.classes, proba):
            folded[THREE_WAY[cls]] = folded.get(THREE_WAY[cls], 0.0) + float(p)
        out.append(max(folded, key=folded.get))
    return out


def tune_lexicon(model, dev, lemmatizer: Lemmatizer) -> None:
    """Dev figures of the three-way label for several lexicon weights (see nlp.sentiment_model)."""
    import tempfile

    from nlp.sentiment import SentimentAnalyzer, SentimentLexicon
    from nlp.sentiment_model import SentimentBlend, SentimentClassifier

    path = Path(tempfile.mkdtemp()) / "sentiment.npz"
    model.save(path)
    lexicon = SentimentAnalyzer(SentimentLexicon.load(lemmatizer.lemmatize))
    gold = [THREE_WAY[r.label] for r in dev]
    tokens = [lemmatizer.tokens(r.text) for r in dev]
    for weight in (0.0, 0.2, 0.4, 0.6):
        for against in (0.0, 0.2, 0.4):
            clf = SentimentClassifier(lexicon, path, SentimentBlend(lexicon_weight=weight, against_neutral=against))
            rep = classification_report(gold, [clf.analyze(r.text, t).label for r, t in zip(dev, tokens)])
            print(f"lexicon weight {weight}, against neutral {against}: dev 3-way macro {rep.macro_f1:.3f} "
                  f"weighted {rep.weighted_f1:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--tune", action="store_true", help="try settings on dev and print them")
    parser.add_argument("--tune-lexicon", action="store_true", help="choose the lexicon weight on dev")
    parser.add_argument("--out", type=Path, default=MODEL)
    args = parser.parse_args()
    root = shared_data_dir(args.data)
    lemmatizer = Lemmatizer()
    started = time.perf_counter()
    rows = read_rusentiment(root, "random") + read_rusentiment(root, "preselected")
    train = [r for r in rows if split_of(r.key) != "dev"]
    dev = [r for r in rows if split_of(r.key) == "dev"]
    x_train, x_dev = featurize([r.text for r in train], lemmatizer), featurize([r.text for r in dev], lemmatizer)
    print(f"{len(train)} train, {len(dev)} dev; features in {time.perf_counter() - started:.1f} s")
    y_train = [r.label for r in train]
    if args.tune_lexicon:
        tune_lexicon(fit_model(x_train, y_train, **SETTINGS), dev, lemmatizer)
        return
    if args.tune:
        for c in (1.0, 2.0, 4.0, 8.0):
            for weight in (None, "balanced"):
                model = fit_model(x_train, y_train, c=c, min_df=2, keep=SETTINGS["keep"], class_weight=weight)
                pred = [model.classes[int(model.predict_proba(f).argmax())] for f in x_dev]
                five = classification_report([r.label for r in dev], pred)
                three = classification_report([THREE_WAY[r.label] for r in dev], three_way_predictions(model, x_dev))
                print(f"C={c} weight={weight}: dev 5-way macro {five.macro_f1:.3f} weighted {five.weighted_f1:.3f}; "
                      f"3-way macro {three.macro_f1:.3f} weighted {three.weighted_f1:.3f}")
        return
    model = fit_model(x_train + x_dev, y_train + [r.label for r in dev], **SETTINGS,
                      meta={"task": "sentiment", "data": "RuSentiment random+preselected",
                            "licence": "CC BY-NC-SA 4.0", "features": "sentiment_features"})
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
