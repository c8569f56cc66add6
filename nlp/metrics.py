"""Quality figures: per-class precision/recall/F1, macro and weighted averages, confusion,
and span-level F1 for toponyms. Plain Python, so ``mcu eval`` needs no scikit-learn."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence


@dataclass
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    """A classification report; ``confusion[(gold, predicted)]`` counts the pairs."""

    classes: list[ClassScore]
    accuracy: float
    macro_f1: float
    weighted_f1: float
    macro_precision: float
    macro_recall: float
    weighted_precision: float
    weighted_recall: float
    total: int
    confusion: Counter = field(default_factory=Counter)

    def top_confusions(self, n: int = 5) -> list[tuple[str, str, int]]:
        pairs = [(g, p, c) for (g, p), c in self.confusion.items() if g != p]
        return sorted(pairs, key=lambda x: (-x[2], x[0], x[1]))[:n]

    def as_dict(self) -> dict:
        return {
            "accuracy": round(self.accuracy, 4), "macro_f1": round(self.macro_f1, 4),
            "weighted_f1": round(self.weighted_f1, 4), "macro_precision": round(self.macro_precision, 4),
            "macro_recall": round(self.macro_recall, 4), "total": self.total,
            "per_class": {c.label: {"p": round(c.precision, 4), "r": round(c.recall, 4), "f1": round(c.f1, 4),
                                    "n": c.support} for c in self.classes},
        }


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def classification_report(gold: Sequence[str], predicted: Sequence[str], labels: Iterable[str] | None = None) -> Report:
    """Scores over ``labels`` (default: every gold label). Predictions outside them count as errors."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    confusion = Counter(zip(gold, predicted))
    support = Counter(gold)
    chosen = sorted(set(labels) if labels is not None else set(gold))
    scores = []
    for label in chosen:
        tp = confusion[(label, label)]
        pred = sum(c for (g, p), c in confusion.items() if p == label)
        precision = tp / pred if pred else 0.0
        recall = tp / support[label] if support[label] else 0.0
        scores.append(ClassScore(label, precision, recall, _f1(precision, recall), support[label]))
    total = sum(support[label] for label in chosen)
    n = len(scores) or 1
    weighted = (lambda attr: sum(getattr(s, attr) * s.support for s in scores) / total if total else 0.0)
    return Report(
        classes=scores,
        accuracy=sum(confusion[(g, g)] for g in set(gold)) / len(gold) if gold else 0.0,
        macro_f1=sum(s.f1 for s in scores) / n,
        weighted_f1=weighted("f1"),
        macro_precision=sum(s.precision for s in scores) / n,
        macro_recall=sum(s.recall for s in scores) / n,
        weighted_precision=weighted("precision"),
        weighted_recall=weighted("recall"),
        total=len(gold),
        confusion=confusion,
    )


@dataclass
class SpanScore:
    """Exact-span precision, recall and F1, plus token-overlap figures."""

    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int
    token_precision: float = 0.0
    token_recall: float = 0.0
    token_f1: float = 0.0
    lenient_precision: float = 0.0
    lenient_recall: float = 0.0
    lenient_f1: float = 0.0


def span_scores(pairs: Iterable[tuple[Sequence[tuple[int, int]], Sequence[tuple[int, int]], str]]) -> SpanScore:
    """``pairs`` of (gold spans, predicted spans, text) per document.

    Token figures count word characters: a predicted «Москвы» inside gold «округе Москвы» is a
    half-right answer there and a plain miss in the exact-span figures. Lenient figures count
    overlaps: a predicted span is right when it overlaps a gold span, and a gold span is found
    when a predicted one overlaps it (the usual «partial match» of NER evaluations)."""
    tp = n_gold = n_pred = 0
    t_tp = t_gold = t_pred = 0
    l_found = l_right = 0
    for gold, predicted, text in pairs:
        g, p = set(gold), set(predicted)
        tp += len(g & p)
        l_found += sum(any(ps < ge and gs < pe for ps, pe in p) for gs, ge in g)
        l_right += sum(any(gs < pe and ps < ge for gs, ge in g) for ps, pe in p)
        n_gold += len(g)
        n_pred += len(p)
        g_chars = {i for s, e in g for i in range(s, e) if text[i].isalnum()}
        p_chars = {i for s, e in p for i in range(s, e) if text[i].isalnum()}
        t_tp += len(g_chars & p_chars)
        t_gold += len(g_chars)
        t_pred += len(p_chars)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    tprec = t_tp / t_pred if t_pred else 0.0
    trec = t_tp / t_gold if t_gold else 0.0
    lprec = l_right / n_pred if n_pred else 0.0
    lrec = l_found / n_gold if n_gold else 0.0
    return SpanScore(precision, recall, _f1(precision, recall), n_gold, n_pred, tprec, trec, _f1(tprec, trec),
                     lprec, lrec, _f1(lprec, lrec))
