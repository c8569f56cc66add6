"""Quality figures of the appeal models (issue 13): routing on the Kursk held-out split, answer
kinds on the hand-labelled St Petersburg answers. ``mcu eval --only routing,answers`` prints them;
the model cards quote them; the training scripts tune on the dev parts with the same code.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from nlp.appeals.answer_rules import rule_kind_or_formal
from nlp.appeals.answers import AnswerClassifier
from nlp.appeals.data import RoutedAppeal, read_kursk_routing, read_spb_answers
from nlp.appeals.kinds import ANSWER_KINDS
from nlp.appeals.routing import RoutingModel
from nlp.metrics import Report, classification_report

LABELS_DIR = Path(__file__).resolve().parent / "labels"
"""``answer_kinds_{dev,test}.csv``: appeal id, kind and how the answer was drawn; no texts."""


@dataclass
class RoutingScore:
    report: Report
    top3: float
    n: int


def score_routing(model: RoutingModel, appeals: Sequence[RoutedAppeal],
                  lemmas: Sequence[Sequence[str]] | None = None) -> RoutingScore:
    """Accuracy, macro-F1 (over the labels, «Прочие органы» included) and top-3 accuracy."""
    lemmas = lemmas if lemmas is not None else [model.lemmatize(a.text) for a in appeals]
    ranked = [model.ranked_lemmas(l) for l in lemmas]
    predicted = [r[0][0] if r else "" for r in ranked]
    gold = [a.label for a in appeals]
    top3 = sum(a.label in [c for c, _ in r[:3]] for a, r in zip(appeals, ranked)) / len(appeals)
    return RoutingScore(classification_report(gold, predicted), top3, len(appeals))


def evaluate_routing(root: Path, model: RoutingModel | None = None, part: str = "test"):
    from training.evaluation import TaskResult

    model = model or RoutingModel.load()
    appeals = [a for a in read_kursk_routing(root) if a.split == part]
    score = score_routing(model, appeals)
    return [TaskResult("routing", "модель (органы с 10+ обращениями, прочие — «Прочие органы»)",
                       f"Курск, отложенная часть ({score.n}, {len({a.label for a in appeals})} классов)",
                       score.report, extra={"top3": score.top3})]


@dataclass(frozen=True, slots=True)
class HandLabel:
    id: str
    kind: str


def read_hand_labels(part: str, folder: Path = LABELS_DIR) -> list[HandLabel]:
    """``answer_kinds_<part>.csv`` (columns id, kind, drawn); an unknown kind is an error naming the row."""
    path = folder / f"answer_kinds_{part}.csv"
    labels = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            kind = row.get("kind", "").strip()
            if kind not in ANSWER_KINDS:
                raise ValueError(f"{path}: row {line}: column 'kind': {kind!r} is not one of {ANSWER_KINDS}")
            labels.append(HandLabel(row["id"].strip(), kind))
    return labels


def hand_labelled(root: Path, part: str) -> list[tuple[str, str]]:
    """(answer text, hand label) of one labelled part, in the label file's order."""
    labels = read_hand_labels(part)
    wanted = {l.id for l in labels}
    answers = {a.id: a.answer for a in read_spb_answers(root) if a.id in wanted}
    missing = wanted - set(answers)
    if missing:
        raise ValueError(f"training/labels/answer_kinds_{part}.csv: ids not among the answered appeals: "
                         f"{sorted(missing)[:5]}")
    return [(answers[l.id], l.kind) for l in labels]


def score_answers(classify: Callable[[str], str], items: Sequence[tuple[str, str]]) -> Report:
    return classification_report([k for _, k in items], [classify(t) for t, _ in items], labels=ANSWER_KINDS)


def evaluate_answers(root: Path, classifier: AnswerClassifier | None = None, part: str = "test"):
    from training.evaluation import TaskResult

    classifier = classifier or AnswerClassifier.load()
    items = hand_labelled(root, part)
    data = f"ответы СПб, ручная разметка, {part} ({len(items)})"
    results = [TaskResult("answers", f"поставляемый классификатор ({classifier.decision})", data,
                          score_answers(classifier.classify, items))]
    if classifier.model is not None:
        for decision, variant in (("model", "модель на слабых метках"),
                                  ("rules_then_model", "правила, где они есть, иначе модель")):
            if decision != classifier.decision:
                other = AnswerClassifier(classifier.model, classifier.lemmatize, decision)
                results.append(TaskResult("answers", variant, data, score_answers(other.classify, items)))
    results.append(TaskResult("answers", "только правила", data, score_answers(rule_kind_or_formal, items)))
    return results
