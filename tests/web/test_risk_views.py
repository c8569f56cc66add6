"""The reaction after each answer, and the actions a card offers, as pure functions."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.domain import (Analysis, Answer, Post, Risk, RiskAssessment, RiskStatus, Sentiment, TopicScore)
from web.risk_views import StoryPost, actions_for, reactions, shown_posts

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def item(native: str, hours: float, source: str, label: str, comment: bool = False) -> StoryPost:
    post = Post(platform="vk", source=source, native_id=native, text="текст", published_at=T0 + timedelta(hours=hours),
                parent_id="parent" if comment else None)
    analysis = Analysis(post_id=post.id, sentiment=Sentiment(label=label, score=0.9),
                        topic=TopicScore(code="utilities", confidence=0.9), block="rural",
                        risk=RiskAssessment(score=0.5, level="medium"))
    return StoryPost(post, analysis, source.upper())


def risk(**update) -> Risk:
    base = Risk(id="r1", story_id="s1", level="high", score=0.7, topic="utilities", block="rural",
                created_at=T0, updated_at=T0)
    return base.model_copy(update=update)


def answer(hours: float) -> Answer:
    return Answer(text="ответ", links=["https://vk.com/wall-1_1"], actor="x", at=T0 + timedelta(hours=hours))


def test_reaction_is_counted_between_one_answer_and_the_next():
    posts = [item("1", 0, "a", "negative"), item("2", 1, "a", "negative", comment=True),
             item("3", 3, "b", "negative"), item("4", 4, "a", "positive", comment=True),
             item("5", 6, "a", "negative", comment=True), item("6", 7, "c", "neutral")]
    steps = reactions(risk(answers=[answer(5), answer(2)]), posts, now=T0 + timedelta(hours=8))
    first, second = (s.reaction for s in steps)
    assert [s.answer.at for s in steps] == [T0 + timedelta(hours=2), T0 + timedelta(hours=5)]
    assert (first.since, first.until) == (T0 + timedelta(hours=2), T0 + timedelta(hours=5))
    assert (first.new_posts, first.comments, first.new_sources) == (1, 1, ["B"])
    assert (first.tone["negative"], first.tone["positive"]) == (1, 1)
    assert (second.new_posts, second.comments, second.new_sources) == (1, 1, ["C"])
    assert (second.tone["negative"], second.tone["neutral"], second.until) == (1, 1, T0 + timedelta(hours=8))


def test_actions_follow_the_status():
    assert actions_for(risk()) == ["take", "not_risk", "escalate", "answer"]
    assert actions_for(risk(status=RiskStatus.in_work, escalated=True)) == ["not_risk", "answer"]
    answered = risk(status=RiskStatus.answer_published, answers=[answer(1)])
    assert actions_for(answered) == ["take", "escalate", "answer", "close"]
    assert actions_for(risk(status=RiskStatus.handled, answers=[answer(1)])) == ["take", "escalate", "answer"]


def test_a_large_story_shows_its_first_post_and_the_latest():
    posts = [item(str(i), i, "a", "neutral") for i in range(500)]
    shown = shown_posts(posts, limit=200)
    assert len(shown) == 200 and shown[0] is posts[0] and shown[1:] == posts[301:]
    assert shown_posts(posts[:150], limit=200) == posts[:150]
