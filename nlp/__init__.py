"""Russian NLP of mcu-monitor: lemmas, toponyms, topics, sentiment, risk and stories.

    analyzer = Analyzer.from_settings(settings)
    analyses = analyzer.analyze(posts)            # list[Analysis], NER on by default
    analyze_stream(analyzer, lines, write)        # JSON lines in, JSON lines out (mcu analyze)
    tracker = analyzer.story_tracker(stored_stories)
    story = tracker.assign(post, analysis)        # sets analysis.story_id
    risk = score_story(story, items, settings.rubricator, settings.risk)
"""
from nlp.analyzer import Analyzer
from nlp.gazetteer import Gazetteer, Place, load_gazetteer
from nlp.lemmas import Lemmatizer, Token
from nlp.linear import LinearModel
from nlp.risk import POST_WEIGHTS, STORY_WEIGHTS, RiskWeights, score_post, score_story
from nlp.sentiment import SentimentAnalyzer, SentimentLexicon
from nlp.sentiment_model import SentimentClassifier
from nlp.stories import StoryTracker
from nlp.stream import analyze_stream
from nlp.topic import TopicClassifier, TopicResult
from nlp.topic_model import BlendedTopicClassifier
from nlp.toponyms import ToponymFinder

__all__ = [
    "Analyzer",
    "BlendedTopicClassifier",
    "LinearModel",
    "SentimentClassifier",
    "analyze_stream",
    "Gazetteer",
    "Lemmatizer",
    "POST_WEIGHTS",
    "Place",
    "RiskWeights",
    "STORY_WEIGHTS",
    "SentimentAnalyzer",
    "SentimentLexicon",
    "StoryTracker",
    "Token",
    "TopicClassifier",
    "TopicResult",
    "ToponymFinder",
    "load_gazetteer",
    "score_post",
    "score_story",
]
