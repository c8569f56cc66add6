"""Rule topic classifier: the rubricator's keyword lemmas and phrases, counted and weighed.

Each topic scores the keywords found in the post's lemmas: a single lemma weighs 1,
a phrase («ремонт дороги», «нет воды») weighs more. Repeats count with diminishing
returns. Confidence is the topic's share of all scores times a saturation on the
amount of evidence, so one stray keyword never yields a confident topic.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Sequence

from core.config import Rubricator
from core.domain import TopicScore
from nlp.phrases import PhraseIndex

OTHER = "other"


@dataclass(frozen=True)
class TopicWeights:
    """Knobs of the rule classifier."""

    single: float = 1.0
    """Weight of a one-lemma keyword."""
    phrase: float = 2.0
    """Weight of a keyword of two or more lemmas."""
    saturation: float = 2.0
    """Evidence at which confidence reaches 63 % of the topic's share (1 - 1/e)."""
    secondary_ratio: float = 0.2
    """A secondary topic scores at least this share of the primary's score."""
    other_confidence: float = 0.2
    """Confidence of «other» when no keyword is found."""


@dataclass(frozen=True)
class TopicResult:
    """The primary topic, the secondary ones, and which keywords decided them."""

    primary: TopicScore
    secondary: list[TopicScore] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)

    @property
    def all(self) -> list[TopicScore]:
        """Primary first, then the secondary topics: what ``Analysis.topics`` holds."""
        return [self.primary, *self.secondary]


class TopicClassifier:
    """Scores every rubricator topic on the lemmas of a post."""

    def __init__(
        self, rubricator: Rubricator, lemmatize: Callable[[str], list[str]], weights: TopicWeights = TopicWeights()
    ) -> None:
        self.rubricator = rubricator
        self.weights = weights
        entries = [(keyword, topic.code) for topic in rubricator.topics for keyword in topic.keywords]
        self.index: PhraseIndex[str] = PhraseIndex.from_texts(entries, lemmatize)

    def scores(self, lemmas: Sequence[str]) -> tuple[dict[str, float], dict[str, list[str]]]:
        """Raw score per topic and the keyword phrases (as lemma strings) that produced it."""
        counts: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
        for match in self.index.find(lemmas):
            counts[(match.payload, match.lemmas)] += 1
        scores: dict[str, float] = defaultdict(float)
        evidence: dict[str, list[str]] = defaultdict(list)
        for (code, phrase), count in sorted(counts.items()):
            weight = self.weights.phrase if len(phrase) > 1 else self.weights.single
            scores[code] += weight * math.sqrt(min(count, 4))
            evidence[code].append(" ".join(phrase))
        return dict(scores), dict(evidence)

    def classify(self, lemmas: Sequence[str]) -> TopicResult:
        scores, evidence = self.scores(lemmas)
        if not scores:
            return TopicResult(TopicScore(code=OTHER, confidence=self.weights.other_confidence))
        total = sum(scores.values())
        # ties go to the more critical topic: missing a risk costs more than a false alarm
        criticality = {code: self.rubricator.topic(code).criticality for code in scores}
        ranked = sorted(scores.items(), key=lambda item: (-item[1], -criticality[item[0]], item[0]))
        best = ranked[0][1]

        def confidence(score: float) -> float:
            saturation = 1.0 - math.exp(-score / self.weights.saturation)
            return round(min(1.0, score / total * saturation), 3)

        primary = TopicScore(code=ranked[0][0], confidence=confidence(best))
        secondary = [
            TopicScore(code=code, confidence=confidence(score))
            for code, score in ranked[1:]
            if score >= self.weights.secondary_ratio * best
        ]
        return TopicResult(primary, secondary, evidence)
