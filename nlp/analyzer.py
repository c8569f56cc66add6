"""The NLP of one batch of posts: lemmas, toponyms, topic, sentiment, signal, block, risk.

:class:`Analyzer` wires the steps together; each step is its own object, built once
from the settings and shared (models load lazily on first use). Topic and sentiment come
from the trained models blended with the editable rules and lexicon
(``analyzer.topic_rules``, ``analyzer.sentiment_lexicon`` are the rule parts alone).

Every text is read up to ``core.text.MAX_TEXT`` characters (:func:`nlp.risk.analysed_text`), whatever its entry point (a scan,
``mcu analyze``, ``mcu eval``): the collectors cut posts at the same length, and Natasha's
NER needs memory in proportion to the text (a 1 MB text asked it for over 400 MB).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

from core.config import RiskThresholds, Rubricator, Settings
from core.domain import Analysis, Post, Sentiment, Signal, Toponym
from nlp.embeddings import TextVector, load_vectors
from nlp.questions import appeal_of
from nlp.gazetteer import Gazetteer, load_gazetteer
from nlp.lemmas import Lemmatizer
from nlp.risk import analysed_text, score_post
from nlp.sentiment import SentimentAnalyzer, SentimentLexicon
from nlp.sentiment_model import SENTIMENT_MODEL, SentimentClassifier
from nlp.signal import SIGNAL_MODEL, SignalClassifier
from nlp.stories import StoryTracker, place_weights
from nlp.topic import TopicClassifier
from nlp.topic_model import TOPIC_MODEL, BlendedTopicClassifier
from nlp.toponyms import ToponymFinder
from nlp.triggers import TriggerLexicon


@dataclass
class Timings:
    """Seconds spent per step over the analyser's life, for benchmarks and logs."""

    steps: dict[str, float] = field(default_factory=dict)
    posts: int = 0

    def add(self, step: str, seconds: float) -> None:
        self.steps[step] = self.steps.get(step, 0.0) + seconds


class _LexiconSentiment:
    """The lexicon alone behind the model's interface (``analyze(text, tokens)``)."""

    def __init__(self, lexicon: SentimentAnalyzer) -> None:
        self.lexicon = lexicon

    def analyze(self, text, tokens, vector=None):
        return self.lexicon.analyze(text, [t.lemma for t in tokens])


class Analyzer:
    def __init__(self, gazetteer: Gazetteer, rubricator: Rubricator, thresholds: RiskThresholds) -> None:
        self.gazetteer = gazetteer
        self.rubricator = rubricator
        self.thresholds = thresholds
        self.lemmatizer = Lemmatizer(gazetteer.overrides)
        self.toponyms = ToponymFinder(gazetteer, self.lemmatizer)
        self.topic_rules = TopicClassifier(rubricator, self.lemmatizer.lemmatize)
        self.sentiment_lexicon = SentimentAnalyzer(SentimentLexicon.load(self.lemmatizer.lemmatize))
        # the trained models load lazily on first use; without their files the rules and lexicon work alone
        self.topics = BlendedTopicClassifier(self.topic_rules) if TOPIC_MODEL.exists() else self.topic_rules
        self.sentiment = (SentimentClassifier(self.sentiment_lexicon) if SENTIMENT_MODEL.exists()
                          else _LexiconSentiment(self.sentiment_lexicon))
        self.triggers = TriggerLexicon(self.lemmatizer)
        self.signal = self._signal_classifier()
        self.timings = Timings()

    def _signal_classifier(self) -> SignalClassifier | None:
        """The problem-report signal (``nlp.signal``); without its model file every post is «none»."""
        if not SIGNAL_MODEL.exists():
            return None
        return SignalClassifier(self.lemmatizer.lemmatize, notices=self.sentiment_lexicon.lexicon.announcement)

    def signals(self, texts: Sequence[str], tokens: Sequence[Sequence], vectors: Sequence[TextVector | None],
                sentiments: Sequence[Sentiment]) -> list[Signal]:
        """The signal of each text; without the model file, «none» for all."""
        if self.signal is None:
            return [Signal() for _ in texts]
        return [self.signal.analyze(text, toks, vector, sentiment)
                for text, toks, vector, sentiment in zip(texts, tokens, vectors, sentiments)]

    def vectors(self, tokens: Sequence[Sequence]) -> list[TextVector | None]:
        """One navec vector per text, shared by the sentiment and signal models (if either ships)."""
        if self.signal is None and not SENTIMENT_MODEL.exists():
            return [None] * len(tokens)
        return load_vectors().many(tokens)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Analyzer":
        gazetteer = load_gazetteer(settings.resolve(settings.gazetteer).resolve())
        return cls(gazetteer, settings.rubricator, settings.risk)

    def lemmatize(self, text: str) -> list[str]:
        """Lemmas for indexing and for search queries (the store's lemmatiser)."""
        return self.lemmatizer.lemmatize(text)

    def canonical_place(self, text: str) -> str:
        """The gazetteer name of a place as a user types it («лаптеве», «ЦРБ» → «Лаптево»,
        «Пестовская ЦРБ»), for filtering stored posts by place; unknown text comes back trimmed."""
        key = tuple(t.norm for t in self.lemmatizer.tokens(text))
        places = self.gazetteer.forms.get(key)
        if places:
            return places[0].name
        found = self.toponyms.find(text)
        return found[0].name if len(found) == 1 and found[0].kind != "unknown" else text.strip()

    def place_of(self, toponyms: Sequence[Toponym]) -> Toponym | None:
        """The first place with a territorial department: a village, or a station or object in one."""
        return next((t for t in toponyms if t.department), None)

    def analyze(self, posts: Sequence[Post], use_ner: bool = True) -> list[Analysis]:
        """One :class:`Analysis` per post, in order; NER runs once over the batch. Each text is
        read up to ``core.text.MAX_TEXT`` characters."""
        clock = time.perf_counter()
        texts = [analysed_text(post) for post in posts]
        tokens = [self.lemmatizer.tokens(text) for text in texts]
        clock = self._tick("lemmas", clock)
        toponyms = self.toponyms.find_many(texts, tokens, use_ner=use_ner)
        clock = self._tick("toponyms+ner" if use_ner else "toponyms", clock)
        lemmas = [[t.lemma for t in toks] for toks in tokens]
        topics = [self.topics.classify(lem) for lem in lemmas]
        clock = self._tick("topic", clock)
        vectors = self.vectors(tokens)
        clock = self._tick("vectors", clock)
        sentiments = [self.sentiment.analyze(text, toks, vector) for text, toks, vector in zip(texts, tokens, vectors)]
        clock = self._tick("sentiment", clock)
        signals = self.signals(texts, tokens, vectors, sentiments)
        clock = self._tick("signal", clock)
        result = []
        for post, toks, lem, places, topic, sentiment, signal in zip(posts, tokens, lemmas, toponyms, topics,
                                                                      sentiments, signals):
            village = self.place_of(places)
            block = self.rubricator.rural_block if village else self.rubricator.topic(topic.primary.code).block
            risk = score_post(post, sentiment, topic.primary, self.rubricator, self.thresholds,
                              tokens=toks, triggers=self.triggers, signal=signal)
            triggered = any(reason.component == "trigger" for reason in risk.reasons)
            result.append(Analysis(
                post_id=post.id, lemmas=lem, sentiment=sentiment, signal=signal, topic=topic.primary,
                topics=topic.all, block=block, department=village.department if village else None,
                toponyms=places, risk=risk,
                appeal=None if post.by_owner else appeal_of(post.full_text, sentiment.label, triggered),
            ))
        self._tick("risk", clock)
        self.timings.posts += len(posts)
        return result

    def story_tracker(self, stories=(), window_hours: float = 72) -> StoryTracker:
        """A tracker that knows how specific each gazetteer place is (town 0, street 0.5, village 1)."""
        return StoryTracker(stories, window_hours=window_hours, place_weights=place_weights(self.gazetteer.places))

    def _tick(self, step: str, since: float) -> float:
        now = time.perf_counter()
        self.timings.add(step, now - since)
        return now
