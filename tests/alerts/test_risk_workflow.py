"""The decree's procedure on a real SQLite store: every step stored with who and when,
forbidden steps refused in Russian, concurrent writers reconciled, history exported."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from alerts import workflow
from alerts.history import export_history
from core.domain import Risk, RiskStatus, TransitionError
from store.sqlite import SqliteStore

T0 = datetime(2026, 11, 19, 9, 0, tzinfo=timezone.utc)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def store(tmp_path):
    with SqliteStore(tmp_path / "mcu.sqlite", lambda text: text.lower().split()) as db:
        for n in (1, 2, 3):
            db.save_risk(Risk(id=f"{n:x}abc{n}" + "0" * 14, story_id=f"s{n}", number=n, level="high", score=0.7,
                              topic="utilities", block="rural", created_at=T0, updated_at=T0))
        yield db


def answer(text="Насос заменён, вода подаётся. https://vk.com/wall-1_2 https://pestovo-adm.example/n/1",
           who="Анна", minutes=30, ref=""):
    return workflow.parse_answer(text, who, at(minutes), ref=ref)


def test_walk_through_every_state(store):
    rid = workflow.find_risk(store, "1").id
    assert workflow.take(store, rid, "Анна", at(1)).risk.status == RiskStatus.in_work
    outcome = workflow.record_answer(store, rid, answer(minutes=30))
    assert outcome.changed and outcome.risk.status == RiskStatus.answer_published
    assert outcome.risk.answers[0].platforms == ["VK", "сайт/СМИ"]
    closed = workflow.close(store, rid, "Борис", at(60), "реакция спокойная")
    assert closed.risk.status == RiskStatus.handled and "отработан" in closed.notice
    escalated = workflow.escalate(store, rid, "Борис", at(70), "снова пишут")
    assert escalated.risk.status == RiskStatus.in_work and escalated.risk.escalated
    assert workflow.mark_not_risk(store, rid, "Вера", at(80), "фейк").risk.status == RiskStatus.not_risk
    back = workflow.take(store, rid, "Вера", at(90))
    assert back.risk.status == RiskStatus.in_work and back.notice and "снова в работе" in back.notice
    history = store.get_risk(rid).history
    assert [(s.action, s.previous, s.status, s.actor) for s in history] == [
        ("take", RiskStatus.new, RiskStatus.in_work, "Анна"),
        ("answer", RiskStatus.in_work, RiskStatus.answer_published, "Анна"),
        ("watch", RiskStatus.answer_published, RiskStatus.watching, "Борис"),
        ("handled", RiskStatus.watching, RiskStatus.handled, "Борис"),
        ("escalate", RiskStatus.handled, RiskStatus.in_work, "Борис"),
        ("not_risk", RiskStatus.in_work, RiskStatus.not_risk, "Вера"),
        ("take", RiskStatus.not_risk, RiskStatus.in_work, "Вера"),
    ]
    assert [s.at for s in history] == [at(1), at(30), at(60), at(60), at(70), at(80), at(90)]


def test_forbidden_steps_are_refused_in_russian(store):
    rid = workflow.find_risk(store, "2").id
    with pytest.raises(TransitionError, match="только после опубликованного ответа"):
        workflow.close(store, rid, "Анна", at(1))
    workflow.take(store, rid, "Анна", at(2))
    workflow.record_answer(store, rid, answer())
    with pytest.raises(TransitionError, match="не предусмотрен порядком"):
        workflow.mark_not_risk(store, rid, "Анна", at(3))
    assert store.get_risk(rid).status == RiskStatus.answer_published


def test_repeated_steps_change_nothing(store):
    rid = workflow.find_risk(store, "3").id
    workflow.take(store, rid, "Анна", at(1))
    version = store.get_risk(rid).version
    again = workflow.take(store, rid, "Борис", at(2))
    assert not again.changed and "уже в работе у Анна" in again.message
    first = workflow.record_answer(store, rid, answer(ref="tg:-100:77"))
    repeat = workflow.record_answer(store, rid, answer(ref="tg:-100:77"))
    assert first.changed and not repeat.changed
    assert len(store.get_risk(rid).answers) == 1 and store.get_risk(rid).version == version + 1


def test_answer_on_a_new_risk_takes_it_first(store):
    rid = workflow.find_risk(store, "2").id
    outcome = workflow.record_answer(store, rid, answer(who="Глеб"))
    assert [s.action for s in outcome.risk.history] == ["take", "answer"]
    assert outcome.risk.assignee == "Глеб"


class RacingStore:
    """The real store, with another writer that saves the same risk just before our first save."""

    def __init__(self, inner: SqliteStore, rival):
        self.inner, self.rival, self.conflicts = inner, rival, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def save_risk(self, risk: Risk) -> Risk:
        if self.rival:
            rival, self.rival = self.rival, None
            rival(self.inner)
        try:
            return self.inner.save_risk(risk)
        except Exception:
            self.conflicts += 1
            raise


def test_a_concurrent_write_is_reloaded_not_lost(store):
    rid = workflow.find_risk(store, "1").id
    racing = RacingStore(store, lambda inner: workflow.escalate(inner, rid, "Бот-чат", at(5)))
    outcome = workflow.take(racing, rid, "CLI", at(6))
    assert racing.conflicts == 1  # the stored version moved under us: a real ConflictError
    final = store.get_risk(rid)
    assert final.escalated and final.status == RiskStatus.in_work
    assert [s.action for s in final.history] == ["escalate"] and not outcome.changed
    assert "уже в работе" in outcome.message


def test_find_risk_by_number_or_id(store):
    assert workflow.find_risk(store, "№2").number == 2
    assert workflow.find_risk(store, "3abc3").number == 3
    with pytest.raises(workflow.RiskNotFound, match="не найден"):
        workflow.find_risk(store, "99")
    with pytest.raises(workflow.RiskNotFound, match="не найден"):
        workflow.find_risk(store, "<script>")


def test_history_exports_as_csv_and_json(store):
    rid = workflow.find_risk(store, "1").id
    workflow.take(store, rid, 'Анна "А" <x>', at(1))
    workflow.record_answer(store, rid, answer())
    workflow.close(store, rid, "Борис", at(60), "спокойно, \udcff")
    out = io.StringIO()
    assert export_history(store.list_risks(), "csv", out, "Europe/Moscow") == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["action"] for r in rows] == ["take", "answer", "watch", "handled"]
    assert rows[0]["actor"] == 'Анна "А" <x>' and rows[0]["at_local"] == "2026-11-19 12:01"
    assert rows[3]["status_ru"] == "отработан" and rows[3]["note"] == "спокойно, \ufffd"
    out = io.StringIO()
    assert export_history(store.list_risks(), "json", out, "Europe/Moscow") == 3
    data = json.loads(out.getvalue())
    risk = next(r for r in data if r["id"] == rid)
    assert risk["answers"][0]["links"] == ["https://vk.com/wall-1_2", "https://pestovo-adm.example/n/1"]
    assert len(risk["history"]) == 4
    with pytest.raises(ValueError, match="формат"):
        export_history([], "xml", io.StringIO(), "Europe/Moscow")
