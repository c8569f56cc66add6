"""The story-level risk score, pinned by hand from the weights (``STORY_WEIGHTS``): spread and
velocity, and the whole score of a lone post and of a story that spread. Mutation testing found
``score_story``, ``_spread`` and ``_velocity`` without a test of their own."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.config import load_config
from core.domain import Analysis, Post, RiskAssessment, Sentiment, Signal, Story, TopicScore
from nlp.risk import _spread, _velocity, STORY_WEIGHTS, score_story

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def settings():
    return load_config(ROOT / "config/demo.yaml")


def post(i: int, source: str, at: datetime, text: str = "Сообщение жителя", **fields) -> Post:
    return Post(platform="vk", source=source, native_id=str(i), text=text, published_at=at, **fields)


ANGRY = Sentiment(label="negative", score=1.0)
REPORT = Signal(label="problem", score=1.0)


def analysed(p: Post, sentiment: Sentiment = ANGRY, signal: Signal = REPORT) -> tuple[Post, Analysis]:
    return p, Analysis(post_id=p.id, sentiment=sentiment, signal=signal, block="infrastructure",
                       topic=TopicScore(code="utilities", confidence=1.0), risk=RiskAssessment(score=0.0, level="none"))


def items(posts: list[Post]) -> list[tuple[Post, Analysis]]:
    return [analysed(p) for p in posts]


def story(posts: list[Post], topic: str = "utilities") -> Story:
    return Story(id="s1", title="вода", first_post_id=posts[0].id, first_seen=T0, last_seen=T0,
                 post_ids=[p.id for p in posts], sources=sorted({p.source for p in posts}), topic=topic)


def test_a_lone_post_has_no_spread():
    assert _spread([post(1, "a", T0)]) == (0.0, "распространение: 1 источник за 1 день, 1 публикация "
                                                "(1 за последние сутки)")


def test_spread_counts_sources_posts_and_the_last_day_strictly():
    posts = [post(1, "a", T0), post(2, "b", T0 + timedelta(days=1.5)), post(3, "a", T0 + timedelta(days=2.5))]
    share, detail = _spread(posts)  # sources 0.6·1/3, posts 0.2·2/10, the post exactly a day before the last: not recent
    assert share == pytest.approx(0.24)
    assert detail == "распространение: 2 источника за 3 дня, 3 публикации (1 за последние сутки)"
    wide = [post(i, "abcd"[i % 4], T0 + timedelta(minutes=i)) for i in range(11)]
    assert _spread(wide)[0] == pytest.approx(1.0)


def test_velocity_counts_reactions_and_posts_per_hour():
    posts = [post(1, "a", T0), post(2, "a", T0 + timedelta(hours=4))]
    share, detail = _velocity(posts, 100, STORY_WEIGHTS)  # (100 + 20) / 4 h = 30 an hour of the scale 60
    assert share == pytest.approx(0.8353, abs=1e-4)  # ln(31) / ln(61)
    assert detail == "скорость: 25 реакций в час, 2 публикации за 4 ч"
    assert _velocity([post(1, "a", T0)], 0, STORY_WEIGHTS)[0] == 0.0


def test_a_lone_negative_report_scores_signal_negativity_and_topic_only(settings):
    posts = [post(1, "a", T0)]
    risk = score_story(story(posts), items(posts), settings.rubricator, settings.risk)
    # signal 0.37·1; negativity 0.18·1 less its overlap with the signal (×0.5); topic 0.16·0.8
    assert {r.component: r.value for r in risk.reasons} == {"negativity": 0.09, "signal": 0.37, "topic": 0.128}
    assert (risk.score, risk.level) == (0.588, "medium")


def test_a_story_that_spread_adds_spread_and_velocity(settings):
    posts = [post(i, "abcd"[i % 4], T0 + timedelta(minutes=i)) for i in range(11)]
    risk = score_story(story(posts), items(posts), settings.rubricator, settings.risk)
    values = {r.component: r.value for r in risk.reasons}
    assert values == {"negativity": 0.09, "signal": 0.37, "topic": 0.128, "velocity": 0.03, "spread": 0.08}
    assert (risk.score, risk.level) == (0.698, "high")
    assert score_story(story(posts), [], settings.rubricator, settings.risk).score == 0.0


def test_velocity_names_reactions_and_posts_in_agreeing_russian_forms():
    one = _velocity([post(1, "a", T0)], 1, STORY_WEIGHTS)
    assert one == (pytest.approx(0.1686, abs=1e-4), "скорость: 1 реакция в час, 1 публикация за 1 ч")  # ln 2 / ln 61
    five = [post(i, "a", T0 + timedelta(hours=i)) for i in range(5)]
    share, detail = _velocity(five, 8, STORY_WEIGHTS)  # (8 + 4·20) / 4 h = 22 an hour
    assert share == pytest.approx(0.7627, abs=1e-4)  # ln 23 / ln 61
    assert detail == "скорость: 2 реакции в час, 5 публикаций за 4 ч"
    assert _velocity(five, 84, STORY_WEIGHTS)[1] == "скорость: 21 реакция в час, 5 публикаций за 4 ч"
    assert _velocity(five, 20, STORY_WEIGHTS)[1] == "скорость: 5 реакций в час, 5 публикаций за 4 ч"
    assert _velocity(five, 0, STORY_WEIGHTS)[1] == "скорость: 0 реакций в час, 5 публикаций за 4 ч"


def test_velocity_counts_a_story_younger_than_an_hour_as_one_hour():
    share, detail = _velocity([post(1, "a", T0), post(2, "a", T0 + timedelta(minutes=30))], 10, STORY_WEIGHTS)
    assert share == pytest.approx(0.8353, abs=1e-4)  # (10 + 20) / 1 h = 30: ln 31 / ln 61
    assert detail == "скорость: 10 реакций в час, 2 публикации за 1 ч"


@pytest.mark.parametrize("topic, weakest, below", [
    ("roads", (0.84, 0.4504), (0.83, 0.4496)),  # 0.055 + 0.4085·strength
    ("healthcare", (0.31, 0.4508), (0.29, 0.4491)),  # 0.0718 + 0.4397·strength
])
def test_a_story_of_one_calm_report_reaches_medium_once_the_model_is_fairly_sure(settings, topic, weakest, below):
    """Neutral tone, no triggers, reactions or reach, one post (no velocity, no spread):
    strength 0.8 + 0.2·score; negativity 0.18·0.15·(1 − 0.5·strength); signal 0.37·strength;
    topic 0.16·criticality·(0.35 + 0.65·strength)."""
    def risk_at(signal_score: float) -> RiskAssessment:
        p = post(1, "a", T0)
        return score_story(story([p], topic), [analysed(p, Sentiment(label="neutral", score=0.9),
                                                        Signal(label="problem", score=signal_score))],
                           settings.rubricator, settings.risk)
    risk = risk_at(weakest[0])
    assert (risk.score, risk.level) == (weakest[1], "medium")
    assert risk.top_reasons(1)[0].component == "signal"
    assert [r.component for r in risk.reasons] == ["negativity", "signal", "topic"]
    under = risk_at(below[0])
    assert (under.score, under.level) == (below[1], "none")
