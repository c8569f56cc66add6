"""Deadlines of citizens' appeals (decree 2.2.1: «контроль сроков»): each appeal's deadline from
the export, else from its channel's rule (``appeals.deadlines`` of the config: calendar days under
59-ФЗ, working days or working hours of the МЦУ calendar for the feedback systems), and its state
at a moment: answered on time or late, overdue, due soon, or open.

A working-day deadline ends with the working day: received on Monday, «1 working day» is due at
the end of Tuesday's working time (the day of receipt does not count, as in 59-ФЗ practice).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from core.appeals import Appeal, AppealQuery
from core.config import Settings
from core.store import Store
from reports.calendar import MAX_DAYS, WorkCalendar

DeadlineState = Literal["on_time", "late", "answered", "overdue", "due_soon", "open"]
STATE_RU: dict[str, str] = {"on_time": "ответ в срок", "late": "ответ с опозданием",
                            "answered": "ответ (дата неизвестна)", "overdue": "просрочено",
                            "due_soon": "скоро срок", "open": "в работе"}
NO_UNIT = "не определено"


@dataclass(frozen=True)
class AppealDeadline:
    appeal: Appeal
    due: datetime
    state: DeadlineState
    unit: str
    """who answers for it: the territorial department, else the responsible body, else «не определено»"""


class AppealDeadlines:
    def __init__(self, settings: Settings, calendar: WorkCalendar | None = None) -> None:
        self.settings = settings
        self.calendar = calendar or WorkCalendar(settings.sla.calendar, settings.timezone)
        self.departments = {d.code: d.label for d in settings.rubricator.departments}

    def due(self, appeal: Appeal) -> datetime:
        if appeal.deadline is not None:
            return appeal.deadline
        rule = self.settings.appeals.deadline_of(appeal.channel)
        start = appeal.received_at
        if rule.days is not None:
            return start + timedelta(days=rule.days)
        if rule.working_hours is not None:
            return self.calendar.add_working_hours(start, rule.working_hours)
        return self._after_working_days(start, int(rule.working_days or 0))

    def _after_working_days(self, start: datetime, days: int) -> datetime:
        day = start.astimezone(self.calendar.tz).date()
        for _ in range(MAX_DAYS):
            day += timedelta(days=1)
            intervals = self.calendar.intervals(day)
            if intervals:
                days -= 1
                if days == 0:
                    return intervals[-1][1]
        raise ValueError(f"за {MAX_DAYS} дней от {start:%d.%m.%Y} не набирается рабочих дней: проверьте sla.calendar")

    def unit(self, appeal: Appeal) -> str:
        department = appeal.analysis.department
        if department:
            return self.departments.get(department, department)
        return appeal.responsible or NO_UNIT

    def of(self, appeal: Appeal, now: datetime) -> AppealDeadline:
        due = self.due(appeal)
        if appeal.answered:
            if appeal.answered_at is None:
                state: DeadlineState = "answered"
            else:
                state = "on_time" if appeal.answered_at <= due else "late"
        elif now > due:
            state = "overdue"
        elif due - now <= timedelta(days=self.settings.appeals.due_soon_days):
            state = "due_soon"
        else:
            state = "open"
        return AppealDeadline(appeal, due, state, self.unit(appeal))


@dataclass
class UnitDeadlines:
    unit: str
    states: Counter = field(default_factory=Counter)
    overdue: list[AppealDeadline] = field(default_factory=list)
    due_soon: list[AppealDeadline] = field(default_factory=list)


def open_deadlines(store: Store, settings: Settings, now: datetime,
                   source: str | None = None) -> list[UnitDeadlines]:
    """Open appeals per unit: how many are overdue, due soon or in time, with the appeals
    themselves (the most overdue first); units with overdue appeals first."""
    deadlines = AppealDeadlines(settings)
    units: dict[str, UnitDeadlines] = {}
    for appeal in store.search_appeals(AppealQuery(state="open", source=source, limit=None)):
        d = deadlines.of(appeal, now)
        unit = units.setdefault(d.unit, UnitDeadlines(d.unit))
        unit.states[d.state] += 1
        if d.state == "overdue":
            unit.overdue.append(d)
        elif d.state == "due_soon":
            unit.due_soon.append(d)
    for unit in units.values():
        unit.overdue.sort(key=lambda d: (d.due, d.appeal.number))
        unit.due_soon.sort(key=lambda d: (d.due, d.appeal.number))
    return sorted(units.values(), key=lambda u: (-u.states["overdue"], -u.states["due_soon"], u.unit))
