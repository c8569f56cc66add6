"""The appeals section of the digest and of the weekly and monthly report (decree 2.2.1–2.2.5):
appeals received in the period against the period before, the main topics and places, deadlines
(overdue and due soon now, answered on time), answer quality, the «Решаемые» share actually
solved, satisfaction, and the rating of the units that answer."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from core.appeals import ANSWER_KINDS, AppealQuery
from core.config import Settings
from core.store import Store
from reports.appeal_deadlines import AppealDeadlines
from reports.appeal_stats import RATING_COLUMNS, SOLVABLE_KINDS, AppealUnit, appeal_rating, percent, rating_row
from reports.period import Period

TOP = 5


@dataclass
class AppealSummary:
    period: Period
    received: int = 0
    previous: int = 0
    topics: list[tuple[str, int]] = field(default_factory=list)
    places: list[tuple[str, int]] = field(default_factory=list)
    deadline_states: Counter = field(default_factory=Counter)
    """states of the period's appeals (answered on time, late, overdue …)"""
    overdue_now: int = 0
    due_soon_now: int = 0
    kinds: Counter = field(default_factory=Counter)
    ratings: list[float] = field(default_factory=list)
    rating: list[AppealUnit] = field(default_factory=list)

    @property
    def solvable(self) -> int:
        return sum(self.kinds[k] for k in SOLVABLE_KINDS)

    @property
    def mean_rating(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    @property
    def empty(self) -> bool:
        return not (self.received or self.previous or self.overdue_now or self.due_soon_now)


def appeal_summary(store: Store, settings: Settings, period: Period, now: datetime, *,
                   with_rating: bool = False) -> AppealSummary:
    topics = {t.code: t.label for t in settings.rubricator.topics}
    query = AppealQuery(since=period.since, until=period.until)
    before = period.previous()
    summary = AppealSummary(
        period, received=store.count_appeals(query),
        previous=store.count_appeals(AppealQuery(since=before.since, until=before.until)),
        topics=[(topics.get(c, c), n) for c, n in store.aggregate_appeals("topic", query).items()][:TOP],
        places=list(store.aggregate_appeals("place", query).items())[:TOP],
    )  # fmt: skip
    deadlines = AppealDeadlines(settings)
    for appeal in store.search_appeals(AppealQuery(since=period.since, until=period.until, limit=None)):
        summary.deadline_states[deadlines.of(appeal, now).state] += 1
        if appeal.analysis.answer_kind:
            summary.kinds[appeal.analysis.answer_kind] += 1
        if appeal.rating is not None:
            summary.ratings.append(appeal.rating)
    for appeal in store.search_appeals(AppealQuery(state="open", limit=None)):
        state = deadlines.of(appeal, now).state
        summary.overdue_now += state == "overdue"
        summary.due_soon_now += state == "due_soon"
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
        lines.append((f"  «Решаемые» решены: {percent(s.kinds['solved'], s.solvable)}; разъяснения вместо решения: "
                      f"{percent(s.kinds['explained'], s.solvable)}", False))
    if s.mean_rating is not None:
        lines.append((f"  удовлетворённость: средняя оценка {s.mean_rating:.1f} из 5 ({len(s.ratings)} оценок)"
                      .replace(".", ",", 1), False))
    return lines


__all__ = ["AppealSummary", "appeal_summary", "appeal_lines", "RATING_COLUMNS", "rating_row"]
