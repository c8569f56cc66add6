"""Explainable information-risk score in [0, 1], for one post and for a story.

The score is a sum of named components, each a weight times a value in [0, 1]:

* negativity — how negative the text is;
* signal     — the text reports a problem or an emergency (``nlp.signal``), whatever its tone;
* topic      — the topic's criticality from the rubricator;
* trigger    — trigger phrases («нет воды», «прокуратура»);
* engagement — likes, comments, reposts (log scale);
* velocity   — stories only: how fast reactions and posts come (per hour of the story's life);
* reach      — audience of the source(s) (log scale);
* spread     — stories only: distinct sources, number of posts, growth in the last day.

Topic, trigger, engagement and reach are gated by the larger of negativity and the signal:
a neutral announcement of a planned water cut or a much-liked thank-you post keeps only
part of them, a calm report of a destroyed bridge keeps them all. Incidents (topics of
criticality ``incident_criticality`` and above: fires, accidents, floods) keep more, since
news report them in a neutral tone. Each component becomes a
:class:`~core.domain.RiskReason` with a Russian explanation.

The signal's strength is ``report_floor + (1 − report_floor)·score`` for a problem and
``emergency`` (1.25) for an emergency, 0 otherwise: once the model reads a report, the report itself is the risk,
and its score only orders reports. The negativity of a report counts less (``overlap``): an
angry report is one complaint, not two. With the weights below, one calm report of a
problem in a topic of criticality 0.5 or more (roads, utilities, health care) reaches
«medium» on its own once the model is fairly sure of it: a post from a score of 0.78 on
roads (0.5) and 0.18 at criticality 0.8, a story of that one post from 0.84 and 0.31. A
report about a bench (improvement, 0.35) stays just under it even at full score, and an
angry report needs triggers, reactions or reach to go above «medium».
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Sequence

from core.config import RiskThresholds, Rubricator
from core.domain import Analysis, Post, RiskAssessment, RiskReason, Sentiment, Signal, Story, TopicScore
from core.text import MAX_TEXT, plural
from nlp.lemmas import Token
from nlp.triggers import Trigger, TriggerLexicon, default_triggers


@dataclass(frozen=True)
class RiskWeights:
    """Weights of the components (they sum to 1) and the scales that saturate them."""

    negativity: float = 0.24
    """Weight of the negativity of the text."""
    signal: float = 0.36
    """Weight of the problem-report signal."""
    topic: float = 0.18
    """Weight of the topic's criticality."""
    trigger: float = 0.12
    """Weight of trigger phrases."""
    engagement: float = 0.05
    """Weight of likes, comments and reposts."""
    reach: float = 0.05
    """Weight of the audience of the source(s)."""
    spread: float = 0.0
    """Weight of spread across sources and posts (stories only)."""
    velocity: float = 0.0
    """Weight of the pace of reactions and posts (stories only)."""
    velocity_scale: float = 60.0
    """Engagement per hour (plus 20 per post per hour) at which the velocity component is full."""
    gate_floor: float = 0.35
    """Share of the gated components kept for a text with no negativity at all."""
    incident_gate_floor: float = 0.7
    """The same share for incident topics (criticality at or above ``incident_criticality``)."""
    incident_criticality: float = 0.85
    """Criticality from which a topic counts as an incident."""
    neutral_negativity: float = 0.15
    """Negativity assumed for a neutral text."""
    report_floor: float = 0.8
    """Signal strength of a problem report at the lowest score (see the module docstring)."""
    emergency: float = 1.25
    """Signal strength of an emergency: a quarter above the strongest problem report, so that a fire
    or a missing person reaches «medium» on its own, whatever the topic rules made of it."""
    overlap: float = 0.5
    """Share of the negativity component dropped at full signal strength: an angry report is one
    complaint, not two (the signal already counts it)."""
    engagement_scale: int = 500
    """Engagement total (likes + 2·comments + 3·reposts) at which the component is full."""
    reach_scale: int = 50_000
    """Audience at which the reach component is full."""


POST_WEIGHTS = RiskWeights()
STORY_WEIGHTS = RiskWeights(negativity=0.18, signal=0.37, topic=0.16, trigger=0.10, engagement=0.04, velocity=0.03,
                            reach=0.04, spread=0.08)


def analysed_text(post: Post) -> str:
    """The part of a post's text the NLP reads: the first ``core.text.MAX_TEXT`` characters."""
    return post.full_text[:MAX_TEXT]


def format_number(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def negativity_of(sentiment: Sentiment, weights: RiskWeights) -> float:
    if sentiment.label == "negative":
        return sentiment.score
    return weights.neutral_negativity if sentiment.label == "neutral" else 0.0


def signal_strength(signal: Signal | None, weights: RiskWeights) -> float:
    """0 for no report, ``report_floor``…1 for a problem (by score), ``emergency`` for an emergency."""
    if signal is None or signal.label == "none":
        return 0.0
    if signal.label == "emergency":
        return weights.emergency
    return weights.report_floor + (1.0 - weights.report_floor) * signal.score


def gate_of(negativity: float, criticality: float, weights: RiskWeights, signal: float = 0.0) -> float:
    """Share of the gated components kept at this negativity (or signal strength, if larger)."""
    floor = weights.incident_gate_floor if criticality >= weights.incident_criticality else weights.gate_floor
    return floor + (1.0 - floor) * min(1.0, max(negativity, signal))


def _log_share(value: float, scale: float) -> float:
    return min(1.0, math.log1p(max(0.0, value)) / math.log1p(scale))


def _criticality_word(value: float) -> str:
    return "высокая" if value >= 0.7 else "средняя" if value >= 0.45 else "низкая"


SIGNAL_DETAIL = {"problem": "сообщение о проблеме", "emergency": "сообщение о происшествии"}


def _reasons(
    negativity: float,
    signal: tuple[float, str],
    topic_code: str,
    triggers: Sequence[Trigger],
    engagement: tuple[float, str],
    reach: tuple[float, str],
    rubricator: Rubricator,
    weights: RiskWeights,
) -> list[RiskReason]:
    topic = rubricator.topic(topic_code)
    strength, signal_detail = signal
    gate = gate_of(negativity, topic.criticality, weights, strength)
    reasons = []
    if negativity > 0:
        tone = "негативная" if negativity > weights.neutral_negativity else "нейтральная"
        reasons.append(RiskReason(component="negativity",
                                  value=weights.negativity * negativity * (1.0 - weights.overlap * min(1.0, strength)),
                                  detail=f"{tone} тональность ({negativity:.2f})"))
    if strength > 0:
        reasons.append(RiskReason(component="signal", value=weights.signal * strength, detail=signal_detail))
    reasons.append(RiskReason(component="topic", value=weights.topic * topic.criticality * gate,
                              detail=f"тема «{topic.label}» — {_criticality_word(topic.criticality)} "
                                     f"критичность ({topic.criticality:.2f})"))
    if triggers:
        strength = min(1.0, max(t.weight for t in triggers) + 0.15 * (len(triggers) - 1))
        quoted = ", ".join(f"«{t.text}»" for t in triggers[:4])
        label = "фраза-триггер" if len(triggers) == 1 else "фразы-триггеры"
        reasons.append(RiskReason(component="trigger", value=weights.trigger * strength * gate,
                                  detail=f"{label} {quoted}"))
    for component, (share, detail), weight in (("engagement", engagement, weights.engagement),
                                               ("reach", reach, weights.reach)):
        if share > 0:
            reasons.append(RiskReason(component=component, value=weight * share * gate, detail=detail))
    return reasons


def _assessment(reasons: list[RiskReason], thresholds: RiskThresholds) -> RiskAssessment:
    reasons = [r.model_copy(update={"value": round(r.value, 4)}) for r in reasons if r.value > 0]
    score = round(min(1.0, sum(r.value for r in reasons)), 4)
    return RiskAssessment(score=score, level=thresholds.level(score), reasons=reasons)


def _engagement_detail(likes: int, comments: int, reposts: int, views: int = 0) -> str:
    parts = [f"лайки: {format_number(likes)}", f"комментарии: {format_number(comments)}",
             f"репосты: {format_number(reposts)}"]
    if views:
        parts.append(f"просмотры: {format_number(views)}")
    return "реакции — " + ", ".join(parts)


def score_post(
    post: Post,
    sentiment: Sentiment,
    topic: TopicScore,
    rubricator: Rubricator,
    thresholds: RiskThresholds,
    *,
    tokens: Sequence[Token] | None = None,
    triggers: TriggerLexicon | None = None,
    weights: RiskWeights = POST_WEIGHTS,
    signal: Signal | None = None,
) -> RiskAssessment:
    """Risk of one post; pass ``tokens`` when already tokenised to save the work."""
    found = (triggers or default_triggers()).find(analysed_text(post), tokens)
    e = post.engagement
    engagement = (_log_share(e.total, weights.engagement_scale),
                  _engagement_detail(e.likes, e.comments, e.reposts, e.views))
    reach = (_log_share(post.reach / 1000, weights.reach_scale / 1000), f"охват источника {format_number(post.reach)}")
    reasons = _reasons(negativity_of(sentiment, weights), _signal_of([signal], weights), topic.code, found,
                       engagement, reach, rubricator, weights)
    return _assessment(reasons, thresholds)


def _signal_of(signals: Sequence[Signal | None], weights: RiskWeights) -> tuple[float, str]:
    """The strongest report among the posts, and its Russian explanation («сообщение о проблеме (0.82)»;
    for a story: «… в 2 публикациях из 5»)."""
    reports = [s for s in signals if s is not None and s.label != "none"]
    if not reports:
        return 0.0, ""
    best = max(reports, key=lambda s: (signal_strength(s, weights), s.score))
    detail = f"{SIGNAL_DETAIL[best.label]} ({best.score:.2f})"
    if len(signals) > 1:
        detail += (f" — в {len(reports)} {plural(len(reports), 'публикации', 'публикациях', 'публикациях')} "
                   f"из {len(signals)}")
    return signal_strength(best, weights), detail


def _spread(posts: Sequence[Post]) -> tuple[float, str]:
    sources = sorted({p.source for p in posts})
    first = min(p.published_at for p in posts)
    last = max(p.published_at for p in posts)
    days = max(1, math.ceil((last - first) / timedelta(days=1)))
    recent = sum(1 for p in posts if p.published_at > last - timedelta(days=1))
    share = (0.6 * min(1.0, (len(sources) - 1) / 3) + 0.2 * min(1.0, (len(posts) - 1) / 10)
             + 0.2 * min(1.0, (recent - 1) / 5))
    detail = (f"распространение: {len(sources)} {plural(len(sources), 'источник', 'источника', 'источников')} "
              f"за {days} {plural(days, 'день', 'дня', 'дней')}, {len(posts)} "
              f"{plural(len(posts), 'публикация', 'публикации', 'публикаций')} ({recent} за последние сутки)")
    return share, detail


def _velocity(posts: Sequence[Post], engagement_total: int, weights: RiskWeights) -> tuple[float, str]:
    """Reactions and posts per hour of the story's life (at least one hour)."""
    first = min(p.published_at for p in posts)
    last = max(p.published_at for p in posts)
    hours = max(1.0, (last - first) / timedelta(hours=1))
    pace = (engagement_total + 20 * (len(posts) - 1)) / hours
    share = _log_share(pace, weights.velocity_scale)
    per_hour = round(engagement_total / hours)
    detail = (f"скорость: {per_hour} {plural(per_hour, 'реакция', 'реакции', 'реакций')} в час, {len(posts)} "
              f"{plural(len(posts), 'публикация', 'публикации', 'публикаций')} за {hours:.0f} ч")
    return share, detail


def score_story(
    story: Story,
    items: Sequence[tuple[Post, Analysis]],
    rubricator: Rubricator,
    thresholds: RiskThresholds,
    *,
    triggers: TriggerLexicon | None = None,
    weights: RiskWeights = STORY_WEIGHTS,
) -> RiskAssessment:
    """Risk of a story from its posts: negativity, signal, topic, triggers, engagement, reach, spread."""
    if not items:
        return RiskAssessment(score=0.0, level="none", reasons=[])
    posts = [post for post, _ in items]
    negativities = [negativity_of(analysis.sentiment, weights) for _, analysis in items]
    negativity = 0.6 * max(negativities) + 0.4 * sum(negativities) / len(negativities)
    lexicon = triggers or default_triggers()
    found = list(dict.fromkeys(t for post in posts for t in lexicon.find(analysed_text(post))))
    likes = sum(p.engagement.likes for p in posts)
    comments = sum(p.engagement.comments for p in posts) + sum(1 for p in posts if p.is_comment)
    reposts = sum(p.engagement.reposts for p in posts)
    total = likes + 2 * comments + 3 * reposts
    engagement = (_log_share(total, weights.engagement_scale), _engagement_detail(likes, comments, reposts))
    audience = sum(max(p.reach for p in posts if p.source == source) for source in {p.source for p in posts})
    reach = (_log_share(audience / 1000, weights.reach_scale / 1000), f"охват источников {format_number(audience)}")
    signal = _signal_of([analysis.signal for _, analysis in items], weights)
    reasons = _reasons(negativity, signal, story.topic, found, engagement, reach, rubricator, weights)
    gate = gate_of(negativity, rubricator.topic(story.topic).criticality, weights, signal[0])
    velocity_share, velocity_detail = _velocity(posts, total, weights)
    if velocity_share > 0 and weights.velocity:
        reasons.append(RiskReason(component="velocity", value=weights.velocity * velocity_share * gate,
                                  detail=velocity_detail))
    spread_share, spread_detail = _spread(posts)
    if spread_share > 0:
        reasons.append(RiskReason(component="spread", value=weights.spread * spread_share * gate, detail=spread_detail))
    return _assessment(reasons, thresholds)
