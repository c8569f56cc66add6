"""What the МЦУ promises about time, as config: deadlines per risk level in working hours,
the working calendar they are counted in, and the directory of the people behind the
decree's positions. ``reports.calendar`` and ``reports.sla`` compute with them."""
from __future__ import annotations

import re
from datetime import date, time

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LevelHours(_Strict):
    """Working hours allowed per risk level."""

    critical: float = Field(gt=0)
    high: float = Field(gt=0)
    medium: float = Field(gt=0)

    def of(self, level: str) -> float:
        return getattr(self, level) if level in ("critical", "high", "medium") else self.medium


class WorkCalendarSettings(_Strict):
    """Working days and hours of the МЦУ. Weekends and Russian public holidays, with the
    Government's official transfers, come from the ``holidays`` library; ``days_off`` and
    ``working_days`` correct it where a municipality decides otherwise."""

    country: str = Field("RU", description="country code of the public holidays (holidays library)")
    start: time = Field(time(8, 0), description="start of the working day, local time")
    end: time = Field(time(17, 0), description="end of the working day, local time")
    breaks: list[str] = Field(default_factory=list, description="breaks inside the day, e.g. 13:00-14:00")
    days_off: list[date] = Field(default_factory=list, description="extra days off")
    working_days: list[date] = Field(default_factory=list, description="extra working days (e.g. a Saturday)")

    @field_validator("breaks")
    @classmethod
    def _breaks(cls, value: list[str]) -> list[str]:
        for item in value:
            if not re.fullmatch(r"\d{2}:\d{2}-\d{2}:\d{2}", item.strip()):
                raise ValueError(f"«{item}»: ожидается ЧЧ:ММ-ЧЧ:ММ, например 13:00-14:00")
            first, last = (time.fromisoformat(part) for part in item.strip().split("-"))
            if first >= last:
                raise ValueError(f"«{item}»: перерыв должен заканчиваться позже, чем начинается")
        return value

    @model_validator(mode="after")
    def _hours(self) -> "WorkCalendarSettings":
        if self.start >= self.end:
            raise ValueError("calendar: конец рабочего дня (end) должен быть позже начала (start)")
        return self

    def break_spans(self) -> list[tuple[time, time]]:
        spans = []
        for item in self.breaks:
            first, last = (time.fromisoformat(part) for part in item.strip().split("-"))
            spans.append((max(first, self.start), min(last, self.end)))
        return sorted(span for span in spans if span[0] < span[1])


class SlaSettings(_Strict):
    """Deadlines of the decree's procedure, counted in working hours from the story's first
    publication: to take a risk in work, and to publish the official answer. The default answer
    deadline is 8 working hours, the one of the regional ЦУР ratings."""

    take_hours: LevelHours = Field(default_factory=lambda: LevelHours(critical=1, high=2, medium=4))
    answer_hours: LevelHours = Field(default_factory=lambda: LevelHours(critical=8, high=8, medium=8))
    remind_before_hours: float = Field(1.0, ge=0, description="working hours before a deadline when the "
                                                             "reminder «срок истекает» goes to the chat")
    calendar: WorkCalendarSettings = Field(default_factory=WorkCalendarSettings)


class Contact(_Strict):
    """The person behind a position of the rubricator, for cards and reminders."""

    name: str = Field(min_length=1, description="as staff write it, e.g. «Леонтьева А.Г.»")
    telegram_id: int | None = Field(None, description="numeric Telegram user id, for a mention")
    telegram: str | None = Field(None, description="Telegram @username, shown next to the name")
