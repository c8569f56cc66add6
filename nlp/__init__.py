"""Russian NLP of mcu-monitor: lemmas, toponyms, topics, sentiment, risk and stories.

    analyzer = Analyzer.from_settings(settings)
    analyses = analyzer.analyze(posts)            # list[Analysis], NER on by default
    analyze_stream(analyzer, lines, write)        # JSON lines in, JSON lines out (mcu analyze)
    tracker = analyzer.story_tracker(stored_stories)
    story = tracker.assign(post, analysis)        # sets analysis.story_id
    risk = score_story(story, items, settings.rubricator, settings.risk)

The names below load on first use (PEP 562), so ``from nlp import score_story`` does not pay
for the models and libraries the analyser needs.
"""
from __future__ import annotations

import importlib

EXPORTS = {
    "Analyzer": "nlp.analyzer",
    "BlendedTopicClassifier": "nlp.topic_model",
    "Gazetteer": "nlp.gazetteer",
    "Lemmatizer": "nlp.lemmas",
    "LinearModel": "nlp.linear",
    "POST_WEIGHTS": "nlp.risk",
    "Place": "nlp.gazetteer",
    "RiskWeights": "nlp.risk",
    "STORY_WEIGHTS": "nlp.risk",
    "SentimentAnalyzer": "nlp.sentiment",
    "SentimentClassifier": "nlp.sentiment_model",
    "SentimentLexicon": "nlp.sentiment",
    "StoryTracker": "nlp.stories",
    "Token": "nlp.lemmas",
    "TopicClassifier": "nlp.topic",
    "TopicResult": "nlp.topic",
    "ToponymFinder": "nlp.toponyms",
    "analyze_stream": "nlp.stream",
    "load_gazetteer": "nlp.gazetteer",
    "score_post": "nlp.risk",
    "score_story": "nlp.risk",
}
__all__ = sorted(EXPORTS)


def __getattr__(name: str):
    if name not in EXPORTS:
        raise AttributeError(f"module 'nlp' has no attribute {name!r}")
    value = getattr(importlib.import_module(EXPORTS[name]), name)
    globals()[name] = value
    return value
