"""The appeals section of the digest and of the weekly and monthly report (decree 2.2.1–2.2.5):
appeals received in the period against the period before, the main topics and places, deadlines
(overdue and due soon now, answered on time), answer quality, the «Решаемые» share actually
solved, satisfaction, and the rating of the units that answer."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from core.appeals import ANSWER_KINDS, AppealQuery
from core.config import Settings
from core.store import Store
from reports.appeal_deadlines import AppealDeadlines
from reports.appeal_stats import RATING_COLUMNS, AnswerCounts, AppealUnit, appeal_facts, appeal_rating, percent, rating_row
from reports.appeals_analysis import Spike, week_of, weekly_spikes
from reports.period import Period

TOP = 5
BASELINE_WEEKS = 6


@dataclass
class AppealSummary(AnswerCounts):
    period: Period | None = None
    received: int = 0
    previous: int = 0
    topics: list[tuple[str, int]] = field(default_factory=list)
    places: list[tuple[str, int]] = field(default_factory=list)
    deadline_states: Counter = field(default_factory=Counter)
    """states of the period's appeals (answered on time, late, overdue …)"""
    overdue_now: int = 0
    due_soon_now: int = 0
    rating: list[AppealUnit] = field(default_factory=list)
    spikes: list[Spike] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.received or self.previous or self.overdue_now or self.due_soon_now)


def appeal_summary(store: Store, settings: Settings, period: Period, now: datetime, *,
                   with_rating: bool = False) -> AppealSummary:
    topics = {t.code: t.label for t in settings.rubricator.topics}
    query = AppealQuery(since=period.since, until=period.until)
    before = period.previous()
    summary = AppealSummary(
        period=period, received=store.count_appeals(query),
        previous=store.count_appeals(AppealQuery(since=before.since, until=before.until)),
        topics=[(topics.get(c, c), n) for c, n in store.aggregate_appeals("topic", query).items()][:TOP],
        places=list(store.aggregate_appeals("place", query).items())[:TOP],
    )  # fmt: skip
    deadlines = AppealDeadlines(settings)
    for appeal in store.search_appeals(AppealQuery(since=period.since, until=period.until, limit=None)):
        summary.deadline_states[deadlines.of(appeal, now).state] += 1
        summary.count_answer(appeal)
    for appeal in store.search_appeals(AppealQuery(state="open", limit=None)):
        state = deadlines.of(appeal, now).state
        summary.overdue_now += state == "overdue"
        summary.due_soon_now += state == "due_soon"
    history = store.search_appeals(AppealQuery(since=period.since - timedelta(weeks=BASELINE_WEEKS + 1),
                                               until=period.until, limit=None))
    weeks = {week_of(day) for day in period.days(settings.timezone)}
    spikes = weekly_spikes(appeal_facts(history, deadlines.unit), weeks, BASELINE_WEEKS)[:TOP]
    summary.spikes = [replace(s, topic=topics.get(s.topic, s.topic)) for s in spikes]
    if with_rating:
        summary.rating = appeal_rating(store, settings, period, now)
    return summary


def appeal_lines(s: AppealSummary) -> list[tuple[str, bool]]:
    """The section as (line, is_heading) pairs, for the digest and the report."""
    lines: list[tuple[str, bool]] = [(f"Обращения граждан: {s.received} (предыдущий такой же период — {s.previous})",
                                      True)]
    if s.topics:
        lines.append(("  темы: " + ", ".join(f"{label} — {n}" for label, n in s.topics), False))
    if s.places:
        lines.append(("  места: " + ", ".join(f"{name} — {n}" for name, n in s.places), False))
    states = s.deadline_states
    due = states["on_time"] + states["late"] + states["overdue"]
    lines.append((f"  сроки: сейчас просрочено {s.overdue_now}, скоро срок {s.due_soon_now}; ответ в срок по "
                  f"обращениям периода — {percent(states['on_time'], due)}", False))
    classified = sum(s.kinds.values())
    if classified:
        kinds = ", ".join(f"{ANSWER_KINDS[k]} — {n}" for k, n in s.kinds.most_common())
        lines.append((f"  качество ответов: {kinds}", False))
        lines.append((f"  «Решаемые» решены: {percent(s.solved, s.solvable)}; разъяснения вместо решения: "
                      f"{percent(s.explained, s.solvable)}", False))
    if s.mean_rating is not None:
        lines.append((f"  удовлетворённость: средняя оценка {s.mean_rating:.1f} из 5 ({len(s.ratings)} оценок)"
                      .replace(".", ",", 1), False))
    for spike in s.spikes:
        lines.append((f"  рост: {spike.topic} · {spike.place or 'место не определено'} — {spike.count} за неделю с "
                      f"{spike.week:%d.%m}, обычно {spike.baseline_mean:.1f} в неделю; пример: «{_short(spike)}»",
                      False))
    return lines


def _short(spike: Spike) -> str:
    text = spike.examples[0] if spike.examples else ""
    return text if len(text) <= 100 else text[:99] + "…"


__all__ = ["AppealSummary", "appeal_summary", "appeal_lines", "RATING_COLUMNS", "rating_row"]
