"""Quality figures of the appeal models (issue 13): routing on the Kursk held-out split, answer
kinds on the hand-labelled St Petersburg answers. ``mcu eval --only routing,answers`` prints them;
the model cards quote them; the training scripts tune on the dev parts with the same code.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from nlp.appeals.answer_rules import rule_kind_or_formal
from nlp.appeals.answers import AnswerClassifier
from nlp.appeals.data import RoutedAppeal, read_hand_labels, read_kursk_routing, read_spb_answers
from nlp.appeals.kinds import ANSWER_KINDS
from nlp.appeals.routing import RoutingModel
from nlp.metrics import Report, classification_report


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
    results = [TaskResult("answers", f"модель + правила ({classifier.decision})", data,
                          score_answers(classifier.classify, items))]
    if classifier.decision != "model" and classifier.model is not None:
        alone = AnswerClassifier(classifier.model, classifier.lemmatize, "model")
        results.append(TaskResult("answers", "модель на слабых метках", data, score_answers(alone.classify, items)))
    results.append(TaskResult("answers", "только правила", data, score_answers(rule_kind_or_formal, items)))
    return results
