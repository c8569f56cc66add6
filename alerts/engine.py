"""From scored stories to risks and alerts: one risk per story, one alert per story and level."""
from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from alerts.card import render_card
from alerts.sinks import AlertSink
from mcu.config import Settings
from mcu.domain import LEVEL_ORDER, Alert, Analysis, Post, Risk, RiskAssessment, Story, alert_id, risk_id
from store.base import Store

log = logging.getLogger(__name__)


def _routing(items: list[tuple[Post, Analysis | None]], story: Story, settings: Settings,
             max_places: int = 3) -> tuple[str, str | None, list[str]]:
    """A village story goes to its territorial department (block «Сельские территории»),
    any other to the block of the story's topic. Places: the most mentioned known ones."""
    analyses = [a for _, a in items if a is not None]
    departments = Counter(a.department for a in analyses if a.department)
    department = departments.most_common(1)[0][0] if departments else None
    rubricator = settings.rubricator
    block = rubricator.rural_block if department else rubricator.topic(story.topic).block
    mentions = Counter(t.name for a in analyses for t in {t.name: t for t in a.toponyms if t.kind != "unknown"}.values())
    places = [name for name, _ in mentions.most_common(max_places)]
    return block, department, places or story.places[:max_places]


def update_risk(store: Store, settings: Settings, story: Story, items, assessment: RiskAssessment,
                now: datetime) -> Risk:
    """Create the story's risk, or refresh its score and level (the workflow status is kept)."""
    block, department, places = _routing(items, story, settings)
    risk = store.get_risk(risk_id(story.id))
    fields = dict(
        level=assessment.level, score=round(assessment.score, 4), topic=story.topic, block=block,
        department=department, places=places, reasons=assessment.reasons,
    )
    if risk is None:
        risk = Risk(id=risk_id(story.id), story_id=story.id, created_at=now, updated_at=now, **fields)
    else:
        if all(getattr(risk, key) == value for key, value in fields.items()):
            return risk
        risk = risk.model_copy(update={**fields, "updated_at": now})
    return store.save_risk(risk)


def raise_alerts(
    store: Store, settings: Settings, story_ids: set[str], now: datetime, sinks: list[AlertSink], score_story
) -> tuple[list[Risk], list[Alert]]:
    """Score each touched story. A story at or above the alert level gets a risk, and an alert
    the first time it reaches a level: a rising level alerts again, a steady or falling one does not."""
    risks, alerts = [], []
    floor = LEVEL_ORDER[settings.alerts.min_level]
    alerted: dict[str, int] = {}
    for previous in store.list_alerts():
        alerted[previous.story_id] = max(alerted.get(previous.story_id, 0), LEVEL_ORDER[previous.level])
    for story_id in sorted(story_ids):
        story = store.get_story(story_id)
        if story is None:
            continue
        items = store.posts_by_ids(story.post_ids)
        assessment = score_story(story, items, settings.rubricator, settings.risk)
        known = store.get_risk(risk_id(story.id))
        if LEVEL_ORDER[assessment.level] < floor and known is None:
            continue
        risk = update_risk(store, settings, story, items, assessment, now)
        risks.append(risk)
        if LEVEL_ORDER[risk.level] < floor or LEVEL_ORDER[risk.level] <= alerted.get(story.id, 0):
            continue  # below the alert level, or already alerted at this level or higher
        alert = Alert(
            id=alert_id(story.id, risk.level), risk_id=risk.id, story_id=story.id, level=risk.level,
            text=render_card(risk, story, items, settings), created_at=now,
        )
        if store.add_alert(alert):
            alerts.append(alert)
            for sink in sinks:
                try:
                    sink.send(alert)
                except OSError as exc:  # a sink failure must not lose the recorded alert
                    log.error("alert %s: sink %s failed: %s", alert.id, type(sink).__name__, exc)
    return risks, alerts
