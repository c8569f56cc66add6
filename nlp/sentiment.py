"""Lexicon sentiment v1: negative / neutral / positive with a confidence in [0, 1].

Evidence is summed from the lexicon (``nlp/lexicons/sentiment.yaml``): phrases and
complaint markers first («сколько можно», «не работает», «нет воды»), then single
words with negation («не плохо») and intensifiers («очень плохо»), then emoji and
emoticons, sarcasm markers and «?!» (a rhetorical question); «!!!» strengthens whichever
side leads. Official notices («Уважаемые жители! ... плановое отключение») damp the
negative side; long texts are damped so a long news article does not look angrier than a
short complaint.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from core.domain import Sentiment
from nlp.features import PROFANITY, QUESTION_EXCLAIM, SARCASM
from nlp.lexicon import LEXICON_DIR, read_yaml
from nlp.phrases import PhraseIndex

EMOJI_VARIATION = "\ufe0f"
EXCLAMATION = re.compile(r"!{2,}")


@dataclass(frozen=True)
class SentimentSettings:
    """Thresholds of the label decision."""

    label_margin: float = 1.0
    """Net evidence (after length damping) needed for a non-neutral label."""
    length_unit: int = 25
    """Texts longer than this many words are damped by sqrt(words / unit)."""
    exclamation_boost: float = 1.25
    """Multiplier on the leading side when the text has «!!» or more."""
    negated_negative: float = 1.0
    """«не плохо»: a negated negative word counts as positive, at most this much."""
    negated_positive: float = 0.8
    """«не рад»: a negated positive word counts this share as negative."""
    emoji_cap: int = 3
    """At most this many emoji of one side are counted."""
    confidence_scale: float = 2.5
    """How fast confidence grows with the margin: 0.59 at margin 1, 0.73 at 2, 0.88 at 4."""
    announcement_damping: float = 0.5
    """Share of the negative side kept in an official notice («плановое отключение»)."""
    sarcasm: float = 1.5
    """Negative evidence of a sarcasm marker; the positive words around it turn negative too."""
    profanity: float = 1.0
    """Negative evidence of profanity."""
    rhetorical: float = 1.0
    """Negative evidence of «?!» (a rhetorical question: «с больным ребёнком?!», «и это ремонт?!»)."""


@dataclass
class SentimentLexicon:
    """Signed word weights, phrase index, negators, intensifiers, emoji sets."""

    words: dict[str, float]
    phrases: PhraseIndex[float]
    complaint: PhraseIndex[float]
    announcement: PhraseIndex[str]
    negators: frozenset[str]
    intensifiers: dict[str, float]
    emoji_negative: frozenset[str]
    emoji_positive: frozenset[str]
    emoticon_negative: str = "("
    emoticon_positive: str = ")"

    @classmethod
    def load(
        cls, lemmatize: Callable[[str], list[str]], path: Path = LEXICON_DIR / "sentiment.yaml"
    ) -> "SentimentLexicon":
        raw = read_yaml(path.name, path.parent)
        words: dict[str, float] = {}
        for sign, side in ((-1.0, "negative"), (1.0, "positive")):
            for weight, entries in raw[side].items():
                for entry in entries:
                    for lemma in lemmatize(str(entry))[:1]:
                        words.setdefault(lemma, sign * float(weight))
        return cls(
            words=words,
            phrases=PhraseIndex.from_texts(((str(k), float(v)) for k, v in raw["phrases"].items()), lemmatize),
            complaint=PhraseIndex.from_texts(((str(k), -float(v)) for k, v in raw["complaint"].items()), lemmatize),
            announcement=PhraseIndex.from_texts(((str(k), str(k)) for k in raw["announcement"]), lemmatize),
            negators=frozenset(raw["negators"]),
            intensifiers={lemmatize(str(k))[0]: float(v) for k, v in raw["intensifiers"].items()},
            emoji_negative=frozenset(raw["emoji"]["negative"].replace(EMOJI_VARIATION, "")),
            emoji_positive=frozenset(raw["emoji"]["positive"].replace(EMOJI_VARIATION, "")),
            emoticon_negative=raw["emoticons"]["negative"],
            emoticon_positive=raw["emoticons"]["positive"],
        )


@dataclass
class SentimentEvidence:
    """What the analyser found: summed sides and the hits, for explanations and tests."""

    positive: float = 0.0
    negative: float = 0.0
    hits: list[str] = field(default_factory=list)
    complaints: list[str] = field(default_factory=list)
    announcement: bool = False

    def add(self, weight: float, label: str) -> None:
        if weight >= 0:
            self.positive += weight
        else:
            self.negative -= weight
        self.hits.append(f"{label} {weight:+.1f}")


class SentimentAnalyzer:
    def __init__(self, lexicon: SentimentLexicon, settings: SentimentSettings = SentimentSettings()) -> None:
        self.lexicon = lexicon
        self.settings = settings

    def evidence(self, text: str, lemmas: Sequence[str]) -> SentimentEvidence:
        lex, cfg = self.lexicon, self.settings
        found = SentimentEvidence()
        covered: set[int] = set()
        for index, is_complaint in ((lex.complaint, True), (lex.phrases, False)):
            for match in index.find(lemmas):
                if covered.intersection(range(match.start, match.end)):
                    continue
                covered.update(range(match.start, match.end))
                found.add(match.payload, " ".join(match.lemmas))
                if is_complaint:
                    found.complaints.append(" ".join(match.lemmas))
        for i, lemma in enumerate(lemmas):
            weight = lex.words.get(lemma)
            if weight is None or i in covered:
                continue
            before = [lemmas[j] for j in (i - 1, i - 2) if j >= 0 and j not in covered]
            if any(word in lex.negators for word in before):
                weight = min(-weight, cfg.negated_negative) if weight < 0 else -weight * cfg.negated_positive
                lemma = f"не {lemma}"
            weight *= max((lex.intensifiers.get(word, 1.0) for word in before), default=1.0)
            found.add(weight, lemma)
        chars = text.replace(EMOJI_VARIATION, "")
        for emoji_set, sign in ((lex.emoji_negative, -1.0), (lex.emoji_positive, 1.0)):
            count = min(cfg.emoji_cap, sum(1 for ch in chars if ch in emoji_set))
            if count:
                found.add(sign * count, "эмодзи")
        for mark, sign in ((lex.emoticon_negative, -0.5), (lex.emoticon_positive, 0.5)):
            if mark * 2 in text:
                found.add(sign, mark * 2)
        if SARCASM.search(text):  # «ага, конечно», «ну спасибо»: praise words said in anger
            found.negative += found.positive + cfg.sarcasm
            found.positive = 0.0
            found.hits.append(f"сарказм -{cfg.sarcasm:.1f}")
        if PROFANITY.search(text):
            found.add(-cfg.profanity, "мат")
        if cfg.rhetorical and QUESTION_EXCLAIM.search(text):
            found.add(-cfg.rhetorical, "?!")
        if lex.announcement.find(lemmas):
            found.announcement = True
            found.negative *= cfg.announcement_damping
        if EXCLAMATION.search(text):
            if found.negative > found.positive:
                found.negative *= cfg.exclamation_boost
            elif found.positive > found.negative:
                found.positive *= cfg.exclamation_boost
        return found

    def analyze(self, text: str, lemmas: Sequence[str]) -> Sentiment:
        found = self.evidence(text, lemmas)
        damping = max(1.0, math.sqrt(len(lemmas) / self.settings.length_unit))
        margin = (found.negative - found.positive) / damping
        threshold = self.settings.label_margin
        if abs(margin) >= threshold:
            confidence = 0.5 + 0.5 * (1.0 - math.exp(-(abs(margin) - threshold / 2) / self.settings.confidence_scale))
            return Sentiment(label="negative" if margin > 0 else "positive", score=round(confidence, 3))
        confidence = 0.9 - 0.4 * abs(margin) / threshold
        return Sentiment(label="neutral", score=round(confidence, 3))
