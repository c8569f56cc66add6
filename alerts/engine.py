"""From scored stories to risks and alerts: one risk per story, one alert per story and level.

Re-alerts follow the decree's chat etiquette: a story that grows while its risk is in work
refreshes the risk's card (sinks with a ``refresh`` hook edit it) instead of sending a new
alert; only a rising level alerts again. A story that grows after «отработан» re-opens its risk.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Callable

from alerts.card import render_card
from alerts.sinks import AlertSink, notify_refresh
from core.text import counted
from alerts.workflow import ATTEMPTS, SYSTEM, next_number
from core.config import Settings
from core.domain import (LEVEL_ORDER, Alert, Analysis, Post, Risk, RiskAssessment, RiskStatus, Story, alert_id,
                        risk_id)
from core.store import ConflictError, Store

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


class Numbers:
    """Hands out risk numbers («№12»): one past the highest stored, read once per run."""

    def __init__(self, store: Store):
        self.store = store
        self._next: int | None = None

    def __call__(self) -> int:
        if self._next is None:
            self._next = next_number(self.store)
        self._next += 1
        return self._next - 1


def _reopen_note(risk: Risk, items: list[tuple[Post, Analysis | None]], settings: Settings) -> str | None:
    """Why a risk marked «отработан» re-opens: enough new posts in its story since then."""
    handled_at = risk.entered(RiskStatus.handled)
    if risk.status != RiskStatus.handled or handled_at is None:
        return None
    fresh = [post for post, _ in items if not post.is_comment and post.published_at > handled_at
             and not settings.is_official(post)]
    if len(fresh) < settings.alerts.reactions.new_posts:
        return None
    sources = {post.source for post in fresh}
    return (f"история снова распространяется после «отработан»: "
            f"{counted(len(fresh), 'новая публикация', 'новые публикации', 'новых публикаций')} "
            f"в {counted(len(sources), 'источнике', 'источниках', 'источниках')}")


def update_risk(store: Store, settings: Settings, story: Story, items, assessment: RiskAssessment,
                now: datetime, numbers: Callable[[], int] | None = None) -> tuple[Risk, bool, str | None]:
    """Create the story's risk, or refresh its score, level and size; the workflow status is kept,
    except that a handled risk whose story grows again goes back in work.
    Returns the stored risk, whether it changed, and a notice for the chat (re-opened)."""
    block, department, places = _routing(items, story, settings)
    numbers = numbers or Numbers(store)
    fields = dict(
        level=assessment.level, score=round(assessment.score, 4), topic=story.topic, block=block,
        department=department, places=places, reasons=assessment.reasons, posts=story.size,
        first_seen=story.first_seen,
    )
    for attempt in range(ATTEMPTS):
        risk = store.get_risk(risk_id(story.id))
        notice = None
        if risk is None:
            risk = Risk(id=risk_id(story.id), story_id=story.id, number=numbers(), created_at=now, updated_at=now,
                        **fields)
        else:
            reopen = _reopen_note(risk, items, settings)
            if reopen is None and risk.number and all(getattr(risk, k) == v for k, v in fields.items()):
                return risk, False, None
            risk = risk.model_copy(update={**fields, "updated_at": now, "number": risk.number or numbers()},
                                   deep=True)
            if reopen:
                risk.move_to(RiskStatus.in_work, SYSTEM, now, note=reopen, action="reopen")
                notice = f"↩️ Риск {risk.label} снова открыт: {reopen}"
        try:
            return store.save_risk(risk), True, notice
        except ConflictError:  # the bot or the CLI wrote the risk meanwhile: reload and re-apply
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def raise_alerts(
    store: Store, settings: Settings, story_ids: set[str], now: datetime, sinks: list[AlertSink], score_story
) -> tuple[list[Risk], list[Alert]]:
    """Score each touched story. A story at or above the alert level gets a risk, and an alert
    the first time it reaches a level: a rising level alerts again, a steady or falling one does not
    and refreshes the risk's card instead."""
    risks, alerts = [], []
    floor = LEVEL_ORDER[settings.alerts.min_level]
    numbers = Numbers(store)
    alerted: dict[str, int] = {}
    for previous in store.list_alerts():
        alerted[previous.story_id] = max(alerted.get(previous.story_id, 0), LEVEL_ORDER[previous.level])
    stories = [story for story in map(store.get_story, sorted(story_ids)) if story is not None]
    for story in sorted(stories, key=lambda s: (s.first_seen, s.id)):  # older stories get smaller numbers
        items = store.posts_by_ids(story.post_ids)
        # the administration's own posts are context: the risk is what residents write
        citizens = [(post, analysis) for post, analysis in items if not settings.is_official(post)]
        assessment = score_story(story, citizens, settings.rubricator, settings.risk)
        known = store.get_risk(risk_id(story.id))
        if LEVEL_ORDER[assessment.level] < floor and known is None:
            continue
        risk, changed, notice = update_risk(store, settings, story, items, assessment, now, numbers)
        risks.append(risk)
        rising = floor <= LEVEL_ORDER[risk.level] > alerted.get(story.id, 0)
        if changed and (notice or not rising):  # no new alert: the current card is edited instead
            notify_refresh(sinks, risk, notice)
        if not rising:  # below the alert level, or already alerted at this level or higher
            continue
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
