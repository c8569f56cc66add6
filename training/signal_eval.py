"""Figures of the problem-report signal on the held-out split (``mcu eval --only signal``).

The test split of ``training/signal_data.py`` (10 % of the keys by hash, never trained on)
is scored three ways:

* the shipped signal, three labels (problem, emergency, none), with the text's sentiment as
  the analyser passes it (praise damps the score);
* the same folded to two (report or none), on every text and per source: VK posts,
  news, appeals with the official answers. The F1 of «report» is the issue's target;
* the model alone at its threshold, without the incident lexicon, notice and praise damping.
"""
from __future__ import annotations

from pathlib import Path

from nlp.metrics import classification_report
from training.evaluation import TaskResult
from training.signal_data import read_signal_examples

SOURCES = {"VK-посты (RuSentiment)": ("rusentiment",), "новости (NEREL, factRuEval)": ("news",),
           "обращения и ответы на них": ("nashspb", "kursk", "answers")}


def _folded(label: str) -> str:
    return "none" if label == "none" else "report"


def evaluate_signal(root: Path, analyzer) -> list[TaskResult]:
    test = [e for e in read_signal_examples(root) if e.split == "test"]
    clf = analyzer.signal
    if clf is None:
        return []
    tokens = [analyzer.lemmatizer.tokens(e.text) for e in test]
    vectors = clf.vectors.many(tokens)
    sentiments = [analyzer.sentiment.analyze(e.text, t, v) for e, t, v in zip(test, tokens, vectors)]
    signals = [clf.analyze(e.text, t, v, s) for e, t, v, s in zip(test, tokens, vectors, sentiments)]
    counts = ", ".join(f"{label} {sum(e.label == label for e in test)}" for label in ("problem", "emergency", "none"))
    data = f"отложенная часть ({len(test)}: {counts})"
    results = [TaskResult("signal", "сигнал: модель + происшествия, 3 метки", data,
                          classification_report([e.label for e in test], [s.label for s in signals]))]
    gold = [_folded(e.label) for e in test]
    pred = [_folded(s.label) for s in signals]
    results.append(TaskResult("signal", "сигнал: сообщение или нет", data, classification_report(gold, pred)))
    for name, sources in SOURCES.items():
        rows = [i for i, e in enumerate(test) if e.source in sources]
        results.append(TaskResult("signal", f"сигнал: сообщение или нет, {name}",
                                  f"{name} ({len(rows)}, сообщений {sum(gold[i] == 'report' for i in rows)})",
                                  classification_report([gold[i] for i in rows], [pred[i] for i in rows])))
    threshold = clf.settings.threshold
    alone = ["report" if clf.probability(e.text, t, v) >= threshold else "none"
             for e, t, v in zip(test, tokens, vectors)]
    results.append(TaskResult("signal", f"только модель (порог {threshold}), сообщение или нет", data,
                              classification_report(gold, alone)))
    return results
