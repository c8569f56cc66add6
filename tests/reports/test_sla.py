"""Deadlines per level in working hours from the first publication: states of each stage."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.config import ConfigError, load_config
from core.domain import Answer, Risk, RiskStatus
from reports.sla import Deadlines, hours_text, stage_text
from tests.core.test_config import write_config

ROOT = Path(__file__).resolve().parents[2]
MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 11, 18, 10, 0, tzinfo=MSK)  # a Wednesday, in working hours


def risk(level: str = "medium") -> Risk:
    moment = START.astimezone(timezone.utc)
    return Risk(id="r1", story_id="s1", number=1, level=level, score=0.5, topic="roads", block="infrastructure",
                created_at=moment, updated_at=moment)


@pytest.fixture(scope="module")
def deadlines() -> Deadlines:
    return Deadlines(load_config(ROOT / "config/demo.yaml"))


def test_a_new_risk_is_pending_then_due_soon_then_overdue(deadlines):
    r = risk("medium")  # take within 4 working hours: by 14:00
    assert deadlines.of(r, START, START + timedelta(hours=1)).take.state == "pending"
    soon = deadlines.of(r, START, START + timedelta(hours=3, minutes=20)).take
    assert soon.state == "due_soon" and soon.due == datetime(2026, 11, 18, 14, 0, tzinfo=MSK)
    assert stage_text(soon) == "взятие в работу: осталось 40 мин раб."
    late = deadlines.of(r, START, START + timedelta(hours=6)).take
    assert late.state == "overdue" and stage_text(late) == "взятие в работу: просрочен на 2 ч раб."
    answer = deadlines.of(r, START, START + timedelta(hours=6)).answer
    assert answer.state == "pending" and answer.due == datetime(2026, 11, 19, 9, 0, tzinfo=MSK)  # 8 h: 7 today + 1


def test_done_stages_are_on_time_or_late(deadlines):
    r = risk("critical")  # take within 1 h, answer within 8 h
    r.move_to(RiskStatus.in_work, "a", START + timedelta(minutes=45), action="take")
    r.answers.append(Answer(text="ответ", links=["https://vk.com/wall-1_1"], actor="a",
                            at=datetime(2026, 11, 19, 9, 30, tzinfo=MSK)))
    r.move_to(RiskStatus.answer_published, "a", r.answers[0].at, action="answer")
    sla = deadlines.of(r, START, START + timedelta(days=3))
    assert sla.take.state == "on_time" and sla.take.hours == 0.75
    assert sla.answer.state == "late" and sla.answer.hours == 8.5  # 7 h on Wednesday + 1.5 on Thursday
    assert sla.overdue == [] and sla.next_open is None


def test_not_a_risk_needs_no_answer(deadlines):
    r = risk()
    r.move_to(RiskStatus.not_risk, "a", START + timedelta(hours=5), action="not_risk")
    sla = deadlines.of(r, START, START + timedelta(days=5))
    assert sla.take.state == "late" and sla.answer.state == "not_needed" and not sla.overdue


def test_limits_come_from_the_config(tmp_path):
    path = write_config(tmp_path, lambda d: d.update(sla={"take_hours": {"critical": 0.5, "high": 1, "medium": 2},
                                                          "answer_hours": {"critical": 2, "high": 4, "medium": 6},
                                                          "remind_before_hours": 0.25}))
    deadlines = Deadlines(load_config(path))
    sla = deadlines.of(risk("high"), START, START + timedelta(minutes=50))
    assert sla.take.due == START + timedelta(hours=1) and sla.take.state == "due_soon"
    assert sla.answer.due == START + timedelta(hours=4)


def test_people_directory_must_name_positions_of_the_rubricator(tmp_path):
    good = write_config(tmp_path, lambda d: d.update(people={"Руководитель МЦУ": {"name": "Леонтьева А.Г.",
                                                                                  "telegram_id": 777}}))
    assert load_config(good).people["Руководитель МЦУ"].telegram_id == 777
    bad = write_config(tmp_path, lambda d: d.update(people={"Руководитель МЦУУ": {"name": "Кто-то"}}))
    with pytest.raises(ConfigError, match="people.Руководитель МЦУУ: такой должности нет в рубрикаторе"):
        load_config(bad)
    wrong = write_config(tmp_path, lambda d: d.update(sla={"answer_hours": {"critical": 0, "high": 8, "medium": 8}}))
    with pytest.raises(ConfigError, match=r"sla\.answer_hours\.critical"):
        load_config(wrong)


def test_hours_in_words():
    assert [hours_text(h) for h in (0.25, 1, 2.5, 26)] == ["15 мин", "1 ч", "2 ч 30 мин", "26 ч"]
