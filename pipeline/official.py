"""The administration's own pages: the reports stage finds the questions and complaints left
unanswered (``reports.official``), the alerts stage posts them as one list a day
(``alerts.official``). ``mcu official --notify`` and the ``official-pages`` flow call
:func:`notify_unanswered`."""
from __future__ import annotations

from datetime import datetime

from alerts.official import STATE_FILE, Unanswered, send_unanswered
from alerts.sinks import AlertSink
from core.config import Settings
from core.store import Store
from core.text import zone
from reports.official import OfficialActivity, recent_activity


def unanswered_items(activity: OfficialActivity, settings: Settings) -> list[Unanswered]:
    names = {s.key: s.name for s in settings.sources}
    return [Unanswered(names.get(a.page, a.page), a.kind, a.post.display_text, a.post.url, a.post.published_at,
                       (activity.at - a.post.published_at).total_seconds() / 3600)
            for a in activity.unanswered]


def notify_unanswered(store: Store, settings: Settings, now: datetime,
                      sinks: list[AlertSink]) -> tuple[OfficialActivity, bool]:
    """The official pages' figures over the lookback, and whether today's list was posted now."""
    activity = recent_activity(store, settings, now)
    day = now.astimezone(zone(settings.timezone)).date()
    sent = send_unanswered(sinks, unanswered_items(activity, settings), activity.limit_hours, settings.timezone,
                           day, settings.data_dir / STATE_FILE)
    return activity, sent
