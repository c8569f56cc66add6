"""The trained topic model and its blend with the rubricator's keyword rules.

The model (``nlp/models/topic.npz``) is a logistic regression over content lemma
unigrams and bigrams, trained on real appeals (St Petersburg and Kursk) mapped onto the
rubricator codes (``nlp.appeal_topics``). It knows only the codes those appeals cover;
the keyword rules (:class:`nlp.topic.TopicClassifier`) know every code and stay editable
by analysts. :class:`BlendedTopicClassifier` adds the two:

    score(code) = blend · p_model(code) + (1 − blend) · rule_share(code)

where ``rule_share`` is the rule confidence of each code. The blend weight was chosen on
the dev split and is stored in the model file. A code the model saw fewer than
``min_support`` times in training (fires, culture, sport...) is led by the rules: its
score is at least its rule confidence, and so is the score of any code whose rules are
sure (``rule_trust``). When the best score stays under ``other_below``, the keywords decide
alone, and without any keyword the post is «other».
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Sequence

from core.domain import TopicScore
from nlp.features import topic_features
from nlp.lexicon import load_stopwords
from nlp.linear import LinearModel
from nlp.topic import OTHER, TopicClassifier, TopicResult

MODEL_DIR = Path(__file__).with_name("models")
TOPIC_MODEL = MODEL_DIR / "topic.npz"


@cache
def load_topic_model(path: Path = TOPIC_MODEL) -> LinearModel:
    """Loaded on first use and shared."""
    return LinearModel.load(path)


@dataclass(frozen=True)
class BlendSettings:
    """How the model and the rules combine. ``min_support``, ``other_below``, ``rule_trust``
    and ``discount`` were chosen on the dev split with a model fitted on the train split
    alone (docs/dev/nlp.md, «Topic»)."""

    blend: float = 1.0
    """Weight of the model against the rules (overridden by the value stored in the model file)."""
    other_below: float = 0.4
    """A best score under this gives «other»."""
    secondary_ratio: float = 0.35
    """A secondary topic scores at least this share of the primary's score."""
    max_secondary: int = 3
    min_support: int = 20
    """Training appeals a code needs before the model's word counts as much as the rules'."""
    rule_trust: float = 0.7
    """A rule confidence at or above this is kept even for a code the model knows well."""
    discount: float = 0.25
    """How much the rules' confidence in a code the model does not know discounts the model's codes."""
    critical_bias: float = 0.1
    """Ranking bonus per unit of criticality: near-ties go to the more critical topic (a missed
    fire costs more than a false alarm); the reported confidence stays the score itself."""


class BlendedTopicClassifier:
    """Primary topic with a confidence, and secondary topics, from model and rules together."""

    def __init__(self, rules: TopicClassifier, model_path: Path = TOPIC_MODEL,
                 settings: BlendSettings | None = None) -> None:
        self.rules = rules
        self.model_path = model_path
        self._settings = settings
        self._supported_codes: frozenset[str] | None = None
        self._known = {t.code for t in rules.rubricator.topics}
        self._criticality = {t.code: t.criticality for t in rules.rubricator.topics}

    @property
    def model(self) -> LinearModel:
        return load_topic_model(self.model_path)

    @property
    def settings(self) -> BlendSettings:
        if self._settings is None:
            stored = self.model.meta.get("blend")
            self._settings = BlendSettings(blend=float(stored)) if stored is not None else BlendSettings()
        return self._settings

    @property
    def _supported(self) -> frozenset[str]:
        """Codes with enough training appeals for the model to lead."""
        if self._supported_codes is None:
            support = self.model.meta.get("support", {})
            self._supported_codes = frozenset(c for c, n in support.items() if n >= self.settings.min_support)
        return self._supported_codes

    def model_scores(self, lemmas: Sequence[str]) -> dict[str, float]:
        proba = self.model.predict_proba(topic_features(lemmas, load_stopwords()))
        return {code: float(p) for code, p in zip(self.model.classes, proba) if code in self._known}

    def rule_scores(self, lemmas: Sequence[str]) -> tuple[dict[str, float], dict[str, list[str]]]:
        result = self.rules.classify(lemmas)
        if result.primary.code == OTHER:
            return {}, {}
        return {t.code: t.confidence for t in result.all}, result.evidence

    def classify(self, lemmas: Sequence[str]) -> TopicResult:
        cfg = self.settings
        rules, evidence = self.rule_scores(lemmas)
        model = self.model_scores(lemmas) if lemmas else {}
        combined = {code: cfg.blend * model.get(code, 0.0) + (1 - cfg.blend) * rules.get(code, 0.0)
                    for code in set(model) | set(rules)}
        # the model has never seen the unsupported codes (fires, culture...): its mass on the codes
        # it knows is conditional on the post being about one of them, which the rules doubt
        doubt = cfg.discount * max((c for code, c in rules.items() if code not in self._supported), default=0.0)
        for code in combined:
            if code in self._supported:
                combined[code] *= 1.0 - doubt
        for code, confidence in rules.items():
            if code not in self._supported or confidence >= cfg.rule_trust:
                combined[code] = max(combined[code], confidence)
        if not combined:
            return TopicResult(TopicScore(code=OTHER, confidence=self.rules.weights.other_confidence))
        criticality = self._criticality
        bias = cfg.critical_bias
        ranked = sorted(combined.items(),
                        key=lambda kv: (-(kv[1] + bias * criticality.get(kv[0], 0.0)), kv[0]))
        best_code, best = ranked[0]
        if best < cfg.other_below:
            if not rules:  # the model is unsure and no keyword speaks: «other»
                return TopicResult(TopicScore(code=OTHER, confidence=round(1.0 - best, 3)), evidence=evidence)
            # the model is unsure: the keywords decide
            ranked = sorted(rules.items(), key=lambda kv: (-kv[1], -criticality.get(kv[0], 0.0), kv[0]))
            best_code, best = ranked[0]
        primary = TopicScore(code=best_code, confidence=round(min(1.0, best), 3))
        secondary = [TopicScore(code=code, confidence=round(min(1.0, score), 3))
                     for code, score in ranked[1 : 1 + cfg.max_secondary]
                     if score >= cfg.secondary_ratio * best and score >= cfg.other_below / 2]
        return TopicResult(primary, secondary, evidence)
