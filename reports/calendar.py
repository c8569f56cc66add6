"""The МЦУ's working calendar: which moments count towards a deadline.

Working days are weekdays that are not public holidays, with the official transfers
(a Saturday made a working day, a Monday made a day off) as the ``holidays`` library
publishes them for Russia; ``days_off`` and ``working_days`` of the config correct it.
Working time is ``start``–``end`` of each working day, less the configured breaks, in the
municipality's time zone.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import holidays

from core.service_levels import WorkCalendarSettings
from core.text import zone

MAX_DAYS = 3 * 366  # a deadline further than this is a config error, not a calendar


@lru_cache(maxsize=8)
def _public_holidays(country: str) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays(country, language="ru" if country == "RU" else None)
    except NotImplementedError:
        raise ValueError(f"sla.calendar.country: в библиотеке holidays нет страны «{country}»") from None


class WorkCalendar:
    def __init__(self, config: WorkCalendarSettings | None = None, tz: str = "Europe/Moscow"):
        self.config = config or WorkCalendarSettings()
        self.tz = zone(tz)
        self.public = _public_holidays(self.config.country)
        self._off = set(self.config.days_off)
        self._on = set(self.config.working_days)
        spans, cursor = [], self.config.start
        for first, last in self.config.break_spans():
            if first > cursor:
                spans.append((cursor, first))
            cursor = max(cursor, last)
        if cursor < self.config.end:
            spans.append((cursor, self.config.end))
        self._spans = spans

    def is_working_day(self, day: date) -> bool:
        if day in self._off:
            return False
        if day in self._on:
            return True
        return self.public.is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        return self.public.get(day)

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of ``day`` as aware UTC datetimes (none on a day off)."""
        if not self.is_working_day(day):
            return []
        return [(self._at(day, first), self._at(day, last)) for first, last in self._spans]

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz).astimezone(timezone.utc)

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working seconds between two moments (0 when ``end`` is not after ``start``)."""
        if end <= start:
            return 0.0
        total, day, last = 0.0, self._local_day(start), self._local_day(end)
        while day <= last:
            for first, stop in self.intervals(day):
                overlap = (min(stop, end) - max(first, start)).total_seconds()
                total += max(0.0, overlap)
            day += timedelta(days=1)
        return total

    def working_hours(self, start: datetime, end: datetime) -> float:
        return self.working_seconds(start, end) / 3600

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` working hours after ``start`` (a start outside working time counts
        from the next working interval)."""
        left = hours * 3600
        day = self._local_day(start)
        for _ in range(MAX_DAYS):
            for first, stop in self.intervals(day):
                begin = max(first, start)
                if begin >= stop:
                    continue
                span = (stop - begin).total_seconds()
                if left <= span:
                    return begin + timedelta(seconds=left)
                left -= span
            day += timedelta(days=1)
        raise ValueError(f"за {MAX_DAYS} дней от {start:%d.%m.%Y} не набирается {hours} рабочих часов: "
                         "проверьте sla.calendar")
