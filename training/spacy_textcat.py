"""A spaCy ``textcat`` variant of the sentiment classifier, measured against the shipped one.

    .venv/bin/python -m training.spacy_textcat [--epochs 6] [--arch ensemble|bow] [--test]

spaCy's blank «ru» pipeline with the pymorphy3 lemmatizer (no model download) feeds a
``textcat`` with RuSentiment's five exclusive classes. A small component copies each
token's lemma into ``norm``, so the tok2vec layer embeds lemmas (NORM) beside the word
forms' prefixes, suffixes and shapes. Architectures: ``ensemble`` (spaCy's
``TextCatEnsemble.v2``: a bag of words plus a CNN tok2vec with attention) or ``bow``
(``TextCatBOW.v3``, unigrams and bigrams). Training reads the same train split as
``training.sentiment`` and prints dev figures after each epoch, folded to three labels
like the shipped model; ``--test`` scores the RuSentiment test file once at the end, and
the posts per second on one core.

The comparison is recorded in ARCHITECTURE.md and in the sentiment model card: the shipped
linear model stays, since this variant measured lower and several times slower.
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from nlp.datasets import THREE_WAY, read_rusentiment, shared_data_dir, split_of
from nlp.metrics import classification_report

LABELS = ("negative", "neutral", "positive", "skip", "speech")
TOK2VEC = {
    "@architectures": "spacy.Tok2Vec.v2",
    "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 96,
              "attrs": ["NORM", "LOWER", "PREFIX", "SUFFIX", "SHAPE"], "rows": [5000, 5000, 2500, 2500, 500],
              "include_static_vectors": False},
    "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "window_size": 1,
               "maxout_pieces": 3, "depth": 2},
}
BOW = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
       "no_output_layer": False, "length": 262144}
ARCHITECTURES = {
    "bow": BOW,
    "ensemble": {"@architectures": "spacy.TextCatEnsemble.v2", "tok2vec": TOK2VEC, "linear_model": BOW},
}


def build_pipeline(arch: str):
    """Blank «ru» + pymorphy3 lemmatizer + lemma→norm + textcat (untrained)."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory("lemma_as_norm"):
        @Language.component("lemma_as_norm")
        def lemma_as_norm(doc):
            for token in doc:
                token.norm_ = token.lemma_
            return doc

    nlp = spacy.blank("ru")
    nlp.add_pipe("lemmatizer", config={"mode": "pymorphy3"})
    nlp.add_pipe("lemma_as_norm")
    textcat = nlp.add_pipe("textcat", config={"model": ARCHITECTURES[arch]})
    for label in LABELS:
        textcat.add_label(label)
    return nlp


def three_way(cats: dict[str, float]) -> str:
    folded: dict[str, float] = {}
    for label, p in cats.items():
        folded[THREE_WAY[label]] = folded.get(THREE_WAY[label], 0.0) + p
    return max(folded, key=folded.get)


def score(nlp, docs, rows, name: str) -> float:
    textcat = nlp.get_pipe("textcat")
    pred = [three_way(doc.cats) for doc in textcat.pipe(docs)]
    report = classification_report([THREE_WAY[r.label] for r in rows], pred)
    negative = next(c for c in report.classes if c.label == "negative")
    print(f"  {name}: 3-way macro F1 {report.macro_f1:.3f}, weighted {report.weighted_f1:.3f}, accuracy "
          f"{report.accuracy:.3f}; negative P {negative.precision:.3f} R {negative.recall:.3f}")
    return report.macro_f1


def main() -> None:
    from spacy.training import Example
    from spacy.util import minibatch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="ensemble")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--test", action="store_true", help="score the RuSentiment test file at the end")
    args = parser.parse_args()
    root = shared_data_dir(args.data)
    rows = read_rusentiment(root, "random") + read_rusentiment(root, "preselected")
    train = [r for r in rows if split_of(r.key) != "dev"]
    dev = [r for r in rows if split_of(r.key) == "dev"]
    nlp = build_pipeline(args.arch)
    started = time.perf_counter()
    prepare = [name for name in nlp.pipe_names if name != "textcat"]
    train_docs = list(nlp.pipe((r.text for r in train), disable=["textcat"], batch_size=256))
    dev_docs = list(nlp.pipe((r.text for r in dev), disable=["textcat"], batch_size=256))
    print(f"{len(train)} train, {len(dev)} dev; {prepare} in {time.perf_counter() - started:.0f} s")
    examples = [Example.from_dict(doc, {"cats": {label: float(label == r.label) for label in LABELS}})
                for doc, r in zip(train_docs, train)]
    optimizer = nlp.initialize(lambda: examples[:2000])
    textcat = nlp.get_pipe("textcat")
    rng = random.Random(7)
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        started = time.perf_counter()
        for batch in minibatch(examples, size=64):
            textcat.update(batch, sgd=optimizer, losses=losses, drop=0.2)
        print(f"epoch {epoch}: loss {losses['textcat']:.1f} in {time.perf_counter() - started:.0f} s")
        score(nlp, dev_docs, dev, "dev")
    if args.test:
        test = read_rusentiment(root, "test")
        started = time.perf_counter()
        test_docs = list(nlp.pipe((r.text for r in test), batch_size=256))
        seconds = time.perf_counter() - started
        score(nlp, test_docs, test, "RuSentiment test")
        print(f"  speed: {len(test) / seconds:.0f} posts/s (lemmatizer + textcat, one process)")


if __name__ == "__main__":
    main()
