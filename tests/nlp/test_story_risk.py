"""The story-level risk score, pinned by hand from the weights (``STORY_WEIGHTS``): spread and
velocity, and the whole score of a lone post and of a story that spread; mixed tones and reports,
triggers, reactions and reach summed over the posts, the incident floor. Mutation testing found
``score_story``, ``_spread`` and ``_velocity`` without a test of their own, and (issue #14) these parts unpinned."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.config import load_config
from core.domain import Analysis, Engagement, Post, RiskAssessment, Sentiment, Signal, Story, TopicScore
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


NEUTRAL = Sentiment(label="neutral", score=0.9)
NO_REPORT = Signal(label="none", score=0.2)


def values(risk: RiskAssessment) -> dict[str, float]:
    return {r.component: r.value for r in risk.reasons}


def details(risk: RiskAssessment) -> dict[str, str]:
    return {r.component: r.detail for r in risk.reasons}


def test_mixed_posts_weigh_the_angriest_and_the_mean_and_the_strongest_report_leads(settings):
    posts = [post(i, "a", T0 + timedelta(hours=i)) for i in range(3)]
    mixed = [analysed(posts[0], Sentiment(label="negative", score=0.8), Signal(label="problem", score=0.9)),
             analysed(posts[1], NEUTRAL, Signal(label="emergency", score=0.6)),
             analysed(posts[2], Sentiment(label="positive", score=0.7), NO_REPORT)]
    risk = score_story(story(posts), mixed, settings.rubricator, settings.risk)
    # negativity 0.6·0.8 + 0.4·(0.8 + 0.15 + 0)/3 = 0.6067; the emergency (1.25) beats the surer problem
    # (0.98): signal 0.37·1.25, negativity 0.18·0.6067·0.5; the gate is full: topic 0.16·0.8;
    # velocity (0 + 2·20) / 2 h = 20 an hour: 0.03·ln 21/ln 61; spread: 1 source, 0.2·2/10 + 0.2·2/5 → 0.08·0.12
    assert values(risk) == {"negativity": 0.0546, "signal": 0.4625, "topic": 0.128, "velocity": 0.0222,
                            "spread": 0.0096}
    assert (risk.score, risk.level) == (0.6769, "high")
    assert details(risk)["negativity"] == "негативная тональность (0.61)"
    assert details(risk)["signal"] == "сообщение о происшествии (0.60) — в 2 публикациях из 3"


@pytest.mark.parametrize("reports, total, detail", [
    (1, 2, "сообщение о проблеме (1.00) — в 1 публикации из 2"),
    (2, 2, "сообщение о проблеме (1.00) — в 2 публикациях из 2"),
    (5, 6, "сообщение о проблеме (1.00) — в 5 публикациях из 6"),
])
def test_the_signal_says_in_how_many_posts_the_report_was_found(settings, reports, total, detail):
    posts = [post(i, "a", T0 + timedelta(minutes=i)) for i in range(total)]
    found = [analysed(p) if i < reports else analysed(p, signal=NO_REPORT) for i, p in enumerate(posts)]
    assert details(score_story(story(posts), found, settings.rubricator, settings.risk))["signal"] == detail


def test_triggers_of_every_post_count_once(settings, small_triggers):
    posts = [post(1, "a", T0, "Нет воды третий день"), post(2, "b", T0, "Всё ещё нет воды, пишем в прокуратуру")]
    risk = score_story(story(posts), items(posts), settings.rubricator, settings.risk, triggers=small_triggers)
    assert details(risk)["trigger"] == "фразы-триггеры «нет воды», «прокуратура»"
    assert values(risk)["trigger"] == 0.095  # 0.10·(0.8 + 0.15) at a full gate


def test_engagement_of_a_story_counts_comment_posts_as_comments(settings):
    posts = [post(1, "a", T0, engagement=Engagement(likes=10, comments=3, reposts=2)),
             post(2, "a", T0 + timedelta(hours=2), parent_id="vk:a:1")]
    risk = score_story(story(posts), items(posts), settings.rubricator, settings.risk)
    assert details(risk)["engagement"] == "реакции — лайки: 10, комментарии: 4, репосты: 2"
    # 10 + 2·4 + 3·2 = 24: 0.04·ln 25 / ln 501; velocity (24 + 20) / 2 h = 22 an hour: 0.03·ln 23 / ln 61
    assert (values(risk)["engagement"], values(risk)["velocity"]) == (0.0207, 0.0229)
    assert details(risk)["velocity"] == "скорость: 12 реакций в час, 2 публикации за 2 ч"


def test_reach_of_a_story_is_the_largest_audience_of_each_source(settings):
    posts = [post(1, "a", T0, reach=3000), post(2, "a", T0, reach=1000), post(3, "b", T0, reach=2000)]
    risk = score_story(story(posts), items(posts), settings.rubricator, settings.risk,
                       weights=replace(STORY_WEIGHTS, reach=1.0))  # the share itself, at a full gate
    assert details(risk)["reach"] == "охват источников 5 000"
    assert values(risk)["reach"] == 0.4557  # ln(1 + 5) / ln(1 + 50): thousands on a log scale up to 50 000


def test_spread_and_velocity_of_an_incident_keep_the_incident_floor(settings):
    posts = [post(1, "a", T0), post(2, "b", T0 + timedelta(hours=1))]
    risk = score_story(story(posts, "safety"), [analysed(p, NEUTRAL, NO_REPORT) for p in posts],
                       settings.rubricator, settings.risk)
    # safety (0.9) is an incident: gate 0.7 + 0.3·0.15 = 0.745; spread 0.08·0.26·gate;
    # velocity (0 + 20) / 1 h: 0.03·ln 21/ln 61·gate; topic 0.16·0.9·gate; negativity 0.18·0.15
    assert values(risk) == {"negativity": 0.027, "topic": 0.1073, "velocity": 0.0166, "spread": 0.0155}
    assert (risk.score, risk.level) == (0.1664, "none")


def test_spread_saturates_each_part_and_names_many_sources_days_and_posts():
    posts = [post(i, "abcde"[i % 5], T0 + timedelta(hours=10 * i)) for i in range(12)]
    share, detail = _spread(posts)  # sources 0.6·min(1, 4/3); posts 0.2·min(1, 11/10); 3 recent: 0.2·2/5
    assert share == pytest.approx(0.88)
    assert detail == "распространение: 5 источников за 5 дней, 12 публикаций (3 за последние сутки)"
