"""Deadlines of the risk procedure (SLA): to take a risk in work and to publish the answer.

The clock starts at the story's first publication (``Story.first_seen``) and runs in working
hours of the МЦУ's calendar (``reports.calendar``). The limits depend on the risk's level
(``sla`` in the config). A stage is

* ``on_time`` / ``late``: done before / after its deadline;
* ``pending``: not done, the deadline is further than ``remind_before_hours``;
* ``due_soon``: not done, the deadline is within ``remind_before_hours``;
* ``overdue``: not done, the deadline has passed;
* ``not_needed``: the risk was closed as «не риск» before the stage was done.

«Taken» is the first step out of «новый» (taking it, escalating it, answering it or marking it
«не риск»); «answered» is the first recorded answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Literal

from core.config import Settings
from core.domain import Risk, RiskStatus
from core.store import Store
from reports.calendar import WorkCalendar

StageName = Literal["take", "answer"]
StageState = Literal["on_time", "late", "pending", "due_soon", "overdue", "not_needed"]
STAGE_RU = {"take": "взять в работу", "answer": "опубликовать ответ"}
STAGE_DONE_RU = {"take": "взят в работу", "answer": "ответ опубликован"}
STATE_RU = {"on_time": "в срок", "late": "с опозданием", "pending": "идёт срок", "due_soon": "срок истекает",
            "overdue": "просрочен", "not_needed": "не требуется"}
OPEN_STATES = ("pending", "due_soon", "overdue")


@dataclass(frozen=True)
class Stage:
    name: StageName
    limit_hours: float
    due: datetime
    done_at: datetime | None
    state: StageState
    hours: float | None
    """Working hours from the start to the moment it was done (None while not done)."""
    left_hours: float
    """Working hours left until the deadline (negative: overdue by that much; 0 when done)."""


@dataclass(frozen=True)
class RiskSla:
    risk: Risk
    start: datetime
    take: Stage
    answer: Stage

    @property
    def stages(self) -> tuple[Stage, Stage]:
        return self.take, self.answer

    @property
    def overdue(self) -> list[Stage]:
        return [s for s in self.stages if s.state == "overdue"]

    @property
    def due_soon(self) -> list[Stage]:
        return [s for s in self.stages if s.state == "due_soon"]

    @property
    def next_open(self) -> Stage | None:
        """The stage whose deadline matters now: the first one not done."""
        return next((s for s in self.stages if s.state in OPEN_STATES), None)


def taken_at(risk: Risk) -> datetime | None:
    """The first step out of «новый» (take, escalate, answer or «не риск»)."""
    return next((step.at for step in risk.history if step.previous == RiskStatus.new and step.status != RiskStatus.new),
                None)


def answered_at(risk: Risk) -> datetime | None:
    return min((answer.at for answer in risk.answers), default=None)


class Deadlines:
    """Deadlines of risks under the config's limits and calendar, evaluated at ``now``."""

    def __init__(self, settings: Settings, calendar: WorkCalendar | None = None):
        self.sla = settings.sla
        self.calendar = calendar or WorkCalendar(settings.sla.calendar, settings.timezone)

    def stage(self, risk: Risk, name: StageName, start: datetime, done_at: datetime | None,
              now: datetime) -> Stage:
        limit = (self.sla.take_hours if name == "take" else self.sla.answer_hours).of(risk.level)
        due = self.calendar.add_working_hours(start, limit)
        if done_at is not None:
            hours = self.calendar.working_hours(start, done_at)
            return Stage(name, limit, due, done_at, "on_time" if done_at <= due else "late", hours, 0.0)
        if risk.status == RiskStatus.not_risk or (name == "answer" and not risk.is_open):
            return Stage(name, limit, due, None, "not_needed", None, 0.0)
        if now >= due:
            return Stage(name, limit, due, None, "overdue", None, -self.calendar.working_hours(due, now))
        left = self.calendar.working_hours(now, due)
        state = "due_soon" if left <= self.sla.remind_before_hours else "pending"
        return Stage(name, limit, due, None, state, None, left)

    def of(self, risk: Risk, start: datetime, now: datetime) -> RiskSla:
        return RiskSla(risk, start, self.stage(risk, "take", start, taken_at(risk), now),
                       self.stage(risk, "answer", start, answered_at(risk), now))


def risk_starts(store: Store, risks: Iterable[Risk]) -> dict[str, datetime]:
    """Risk id → the first publication of its story (``Risk.first_seen``; for a risk recorded
    before that field, its story's, else the risk's creation)."""
    starts = {}
    for risk in risks:
        if risk.first_seen is not None:
            starts[risk.id] = risk.first_seen
            continue
        story = store.get_story(risk.story_id)
        starts[risk.id] = story.first_seen if story else risk.created_at
    return starts


def evaluate(store: Store, settings: Settings, risks: list[Risk], now: datetime,
             deadlines: Deadlines | None = None) -> dict[str, RiskSla]:
    """Risk id → its deadlines at ``now``."""
    deadlines = deadlines or Deadlines(settings)
    starts = risk_starts(store, risks)
    return {risk.id: deadlines.of(risk, starts[risk.id], now) for risk in risks}


def hours_text(hours: float) -> str:
    """Working hours as staff read them: «45 мин», «3 ч», «2 ч 30 мин»."""
    minutes = int(round(abs(hours) * 60))
    if minutes < 60:
        return f"{minutes} мин"
    whole, rest = divmod(minutes, 60)
    return f"{whole} ч" + (f" {rest} мин" if rest else "")


def stage_text(stage: Stage) -> str:
    """One phrase: «ответ: просрочен на 3 ч», «взять в работу: осталось 40 мин», «ответ: в срок (5 ч)»."""
    label = "ответ" if stage.name == "answer" else "взятие в работу"
    if stage.state == "overdue":
        return f"{label}: просрочен на {hours_text(stage.left_hours)} раб."
    if stage.state in ("pending", "due_soon"):
        return f"{label}: осталось {hours_text(stage.left_hours)} раб."
    if stage.state in ("on_time", "late"):
        return f"{label}: {STATE_RU[stage.state]} ({hours_text(stage.hours or 0)} раб.)"
    return f"{label}: не требуется"
