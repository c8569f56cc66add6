"""The working calendar: Russian public holidays with the Government's transfers, the МЦУ's
hours and breaks, and the config's corrections."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from core.service_levels import WorkCalendarSettings
from reports.calendar import WorkCalendar

MSK = ZoneInfo("Europe/Moscow")


def msk(*args) -> datetime:
    return datetime(*args, tzinfo=MSK)


def test_public_holidays_and_official_transfers():
    calendar = WorkCalendar()
    assert calendar.is_working_day(date(2024, 4, 27))  # a Saturday worked for the May holidays
    assert not calendar.is_working_day(date(2024, 4, 29))  # … and the Monday off in exchange
    assert not calendar.is_working_day(date(2024, 12, 31))
    assert calendar.is_working_day(date(2024, 12, 28))
    assert not calendar.is_working_day(date(2026, 1, 9))  # transferred from Saturday 3 January
    assert not calendar.is_working_day(date(2026, 6, 12))  # Russia Day
    assert not calendar.is_working_day(date(2026, 11, 21))  # an ordinary Saturday
    assert calendar.is_working_day(date(2026, 11, 20))
    assert calendar.holiday_name(date(2026, 6, 12)) == "День России"


def test_working_hours_skip_nights_weekends_and_holidays():
    calendar = WorkCalendar()
    friday_evening = msk(2026, 11, 20, 16, 0)
    assert calendar.add_working_hours(friday_evening, 3) == msk(2026, 11, 23, 10, 0).astimezone(timezone.utc)
    assert calendar.working_hours(friday_evening, msk(2026, 11, 23, 10, 0)) == 3
    before_unity_day = msk(2026, 11, 3, 15, 0)  # Tuesday; 4 November (Wednesday) is a holiday
    assert calendar.add_working_hours(before_unity_day, 8) == msk(2026, 11, 5, 14, 0).astimezone(timezone.utc)
    night = msk(2026, 11, 18, 2, 0)
    assert calendar.add_working_hours(night, 1) == msk(2026, 11, 18, 9, 0).astimezone(timezone.utc)
    assert calendar.working_hours(msk(2026, 11, 18, 18, 0), msk(2026, 11, 19, 7, 0)) == 0


def test_breaks_days_off_and_extra_working_days_from_the_config():
    config = WorkCalendarSettings(start=time(9, 0), end=time(18, 0), breaks=["13:00-14:00"],
                                  days_off=[date(2026, 11, 19)], working_days=[date(2026, 11, 21)])
    calendar = WorkCalendar(config, "Europe/Moscow")
    assert calendar.working_hours(msk(2026, 11, 18, 9, 0), msk(2026, 11, 18, 18, 0)) == 8
    assert calendar.add_working_hours(msk(2026, 11, 18, 12, 0), 2) == msk(2026, 11, 18, 15, 0).astimezone(timezone.utc)
    assert not calendar.is_working_day(date(2026, 11, 19))
    assert calendar.is_working_day(date(2026, 11, 21))
    assert calendar.add_working_hours(msk(2026, 11, 18, 17, 0), 2) == msk(2026, 11, 20, 10, 0).astimezone(timezone.utc)


def test_bad_calendar_config_is_refused_with_the_field():
    with pytest.raises(ValueError, match="13:00-12:00.*перерыв должен заканчиваться позже"):
        WorkCalendarSettings(breaks=["13:00-12:00"])
    with pytest.raises(ValueError, match="ожидается ЧЧ:ММ-ЧЧ:ММ"):
        WorkCalendarSettings(breaks=["обед"])
    with pytest.raises(ValueError, match="конец рабочего дня"):
        WorkCalendarSettings(start=time(18, 0), end=time(9, 0))
    with pytest.raises(ValueError, match="нет страны «XX»"):
        WorkCalendar(WorkCalendarSettings(country="XX"))


def test_a_span_of_many_days_counts_every_working_day():
    calendar = WorkCalendar()
    start = msk(2026, 11, 2, 0, 0)
    days = [start.date() + timedelta(days=i) for i in range(28)]
    expected = 9 * sum(1 for d in days if d.weekday() < 5 and d != date(2026, 11, 4))
    assert calendar.working_hours(start, start + timedelta(days=28)) == expected
