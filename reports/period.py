"""Report periods: a calendar week or month in the municipality's time zone, or a rolling
window («24h», «7d») that ends at a moment."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from core.text import zone

MONTHS_RU = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
             "ноябрь", "декабрь")
KINDS = ("week", "month")


class PeriodError(ValueError):
    """A period that cannot be understood; the message says what is expected."""


@dataclass(frozen=True)
class Period:
    since: datetime
    """inclusive, aware UTC"""
    until: datetime
    """exclusive, aware UTC"""
    kind: str
    """week, month or rolling"""
    title: str
    """Russian, e.g. «неделя 09.11–15.11.2026», «ноябрь 2026», «24 ч до 20.11.2026 08:30»"""
    slug: str = ""
    """for file names: «week-2026-11-09», «month-2026-11», «24h-2026-11-20-0830»"""

    @property
    def length(self) -> timedelta:
        return self.until - self.since

    def previous(self) -> "Period":
        """The period of the same length just before (for trends)."""
        return Period(self.since - self.length, self.since, self.kind, "предыдущий период")

    def days(self, tz: str) -> list[date]:
        """Local calendar days the period touches."""
        first = self.since.astimezone(zone(tz)).date()
        last = (self.until - timedelta(microseconds=1)).astimezone(zone(tz)).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(timezone.utc)


def week(day: date, tz: str) -> Period:
    """The Monday–Sunday week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    return Period(_midnight(monday, tz), _midnight(monday + timedelta(days=7), tz), "week",
                  f"неделя {monday:%d.%m}–{sunday:%d.%m.%Y}", f"week-{monday:%Y-%m-%d}")


def month(day: date, tz: str) -> Period:
    """The calendar month containing ``day``."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(_midnight(first, tz), _midnight(following, tz), "month", f"{MONTHS_RU[first.month - 1]} {first:%Y}",
                  f"month-{first:%Y-%m}")


def rolling(length: timedelta, until: datetime, tz: str) -> Period:
    hours = length.total_seconds() / 3600
    label = f"{hours:g} ч" if hours < 48 or hours % 24 else f"{hours / 24:g} дн"
    local = until.astimezone(zone(tz))
    slug = label.replace(" ч", "h").replace(" дн", "d")
    return Period(until - length, until, "rolling", f"{label} до {local:%d.%m.%Y %H:%M}", f"{slug}-{local:%Y-%m-%d-%H%M}")


def parse_length(text: str) -> timedelta:
    """«24h», «7d», «90m» → a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", text or "")
    if not match or int(match.group(1)) == 0:
        raise PeriodError(f"«{text}»: ожидается длительность вроде 24h, 7d или 90m")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: amount})


def resolve(spec: str, now: datetime, tz: str, day: date | None = None) -> Period:
    """``week`` / ``month``: the one containing ``day``, else the last complete one before ``now``;
    ``24h``, ``7d`` …: the window that ends at ``now`` (or at the end of ``day``)."""
    today = now.astimezone(zone(tz)).date()
    if spec in ("week", "month"):
        if day is None:
            day = today - timedelta(days=today.weekday() + 1) if spec == "week" else today.replace(day=1) - timedelta(days=1)
        return week(day, tz) if spec == "week" else month(day, tz)
    length = parse_length(spec)
    end = now if day is None else _midnight(day + timedelta(days=1), tz)
    return rolling(length, end, tz)
