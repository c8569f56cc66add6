"""Summaries for the chat and the CLI: open risks by level and age, and today's digest."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from alerts.text import zone
from mcu.config import Settings
from mcu.domain import LEVEL_ORDER, OPEN_STATUSES, Risk
from store.base import SearchQuery, Store


def open_risks(store: Store) -> list[Risk]:
    """Open risks, the highest level first, the oldest first within a level."""
    risks = store.list_risks(OPEN_STATUSES)
    return sorted(risks, key=lambda r: (-LEVEL_ORDER[r.level], r.created_at, r.number))


@dataclass
class Digest:
    day: date
    posts: int = 0
    negative: int = 0
    topics: list[tuple[str, int]] = field(default_factory=list)
    new_risks: Counter = field(default_factory=Counter)
    alerts: int = 0
    steps: Counter = field(default_factory=Counter)
    open: list[Risk] = field(default_factory=list)


def day_start(now: datetime, tz: str) -> datetime:
    local = now.astimezone(zone(tz))
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo).astimezone(timezone.utc)


def daily_digest(store: Store, settings: Settings, now: datetime) -> Digest:
    """Today (in the municipality's time zone) so far: posts, topics, new risks, alerts and the
    workflow steps taken, plus what is still open."""
    since = day_start(now, settings.timezone)
    query = SearchQuery(since=since, until=now)
    labels = {t.code: t.label for t in settings.rubricator.topics}
    topics = store.aggregate("topic", query)
    digest = Digest(
        day=now.astimezone(zone(settings.timezone)).date(),
        posts=store.count(query),
        negative=store.aggregate("sentiment", query).get("negative", 0),
        topics=[(labels.get(code, code), n) for code, n in list(topics.items()) if code != "other"][:5],
        alerts=sum(1 for a in store.list_alerts() if since <= a.created_at <= now),
        open=open_risks(store),
    )
    for risk in store.list_risks():
        if since <= risk.created_at <= now:
            digest.new_risks[risk.level] += 1
        for step in risk.history:
            if since <= step.at <= now:
                digest.steps[step.action] += 1
    return digest
