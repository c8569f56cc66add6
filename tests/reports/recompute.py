"""Independent recomputation for the report tests: deadlines counted minute by minute against
the public holidays (the ``holidays`` library directly), never through ``reports``."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from core.domain import Risk, RiskStatus

MSK = ZoneInfo("Europe/Moscow")
MINUTE = timedelta(minutes=1)
START, END = time(8, 0), time(17, 0)
TAKE = {"critical": 1, "high": 2, "medium": 4}
ANSWER = {"critical": 8, "high": 8, "medium": 8}
_RU = holidays.country_holidays("RU")


@lru_cache(maxsize=None)
def _working_day(day) -> bool:
    return _RU.is_working_day(day)


def working(moment: datetime) -> bool:
    local = moment.astimezone(MSK)
    return _working_day(local.date()) and START <= local.time() < END


def deadline(start: datetime, hours: float) -> datetime:
    """Step minute by minute from the first whole minute until ``hours`` working minutes passed."""
    moment = start.replace(second=0, microsecond=0)
    if moment < start:
        moment += MINUTE
    left = round(hours * 60)
    while left:
        if working(moment):
            left -= 1
        moment += MINUTE
    return moment


def working_minutes(start: datetime, end: datetime) -> int:
    moment, count = start.replace(second=0, microsecond=0), 0
    while moment < end:
        count += working(moment)
        moment += MINUTE
    return count


def first_take(risk: Risk) -> datetime | None:
    return next((s.at for s in risk.history if s.previous == RiskStatus.new and s.status != RiskStatus.new), None)


def first_answer(risk: Risk) -> datetime | None:
    return min((a.at for a in risk.answers), default=None)


def overdue_now(risk: Risk, start: datetime, now: datetime) -> bool:
    """Open, and its first stage not done is past its deadline."""
    if not risk.is_open:
        return False
    taken = first_take(risk)
    if taken is None:
        return now >= deadline(start, TAKE[risk.level])
    return first_answer(risk) is None and now >= deadline(start, ANSWER[risk.level])


def answer_on_time(risk: Risk, start: datetime) -> bool | None:
    """None when no answer was due by the evaluation (see the caller), else answered by the deadline."""
    answered = first_answer(risk)
    return None if answered is None else answered <= deadline(start, ANSWER[risk.level])
