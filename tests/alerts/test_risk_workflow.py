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


# --- each action's exact record and reply (what staff read in the chat and in «mcu risk») ---

def rid_of(store, number: int) -> str:
    return workflow.find_risk(store, str(number)).id


def test_take_and_not_risk_reply_and_record(store):
    rid = rid_of(store, 1)
    taken = workflow.take(store, rid, "Анна", at(1))
    assert (taken.changed, taken.message, taken.notice) == (True, "риск №1 взят в работу", None)
    assert taken.risk.assignee == "Анна"
    # the reason as typed, kept without its surrounding blanks
    refused = workflow.mark_not_risk(store, rid, "Вера", at(2), "  фейк <b>\n")
    assert refused.message == "риск №1 отмечен «не риск»" and refused.risk.history[-1].note == "фейк <b>"
    again = workflow.mark_not_risk(store, rid, "Вера", at(3))
    assert (again.changed, again.message) == (False, "риск №1 уже отмечен «не риск»")
    back = workflow.take(store, rid, "Глеб", at(4))
    assert (back.message, back.notice) == ("риск №1 снова в работе", "↩️ Риск №1 снова в работе: взял Глеб")
    assert back.risk.assignee == "Глеб"
    store.save_risk(store.get_risk(rid).model_copy(update={"assignee": None}))
    assert workflow.take(store, rid, "Анна", at(5)).message == "риск №1 уже в работе у сотрудника МЦУ"


def test_escalation_replies_records_and_keeps_the_assignee(store):
    rid = rid_of(store, 1)
    workflow.take(store, rid, "Анна", at(1))
    up = workflow.escalate(store, rid, "Борис", at(2), "снова пишут")
    assert (up.message, up.notice) == ("риск №1 эскалирован", "⬆️ Риск №1 эскалирован (Борис): снова пишут")
    step = up.risk.history[-1]
    assert (step.action, step.previous, step.status, step.note, step.at) == (
        "escalate", RiskStatus.in_work, RiskStatus.in_work, "снова пишут", at(2))
    assert up.risk.assignee == "Анна" and up.risk.escalated
    again = workflow.escalate(store, rid, "Борис", at(3))
    assert (again.changed, again.message) == (False, "риск №1 уже эскалирован и в работе")
    other = rid_of(store, 2)
    plain = workflow.escalate(store, other, "Борис", at(4))
    assert plain.notice == "⬆️ Риск №2 эскалирован (Борис)" and plain.risk.assignee == "Борис"
    assert plain.risk.history[-1].note == "эскалирован руководителю МЦУ"
    assert (plain.risk.history[-1].previous, plain.risk.status) == (RiskStatus.new, RiskStatus.in_work)


def test_closing_replies_and_records_the_reason(store):
    rid = rid_of(store, 1)
    workflow.record_answer(store, rid, answer())
    done = workflow.close(store, rid, "Борис", at(60), " реакция спокойная ")
    assert (done.message, done.notice) == ("риск №1 отработан", "✅ Риск №1 отработан (Борис): реакция спокойная")
    assert [(s.action, s.note) for s in done.risk.history[-2:]] == [("watch", ""), ("handled", "реакция спокойная")]
    assert workflow.close(store, rid, "Борис", at(61)).message == "риск №1 уже отработан"
    other = rid_of(store, 2)
    workflow.record_answer(store, other, answer())
    workflow.escalate(store, other, "Борис", at(40))  # answered, then back in work
    store.save_risk(store.get_risk(other).model_copy(update={"status": RiskStatus.in_work}))
    plain = workflow.close(store, other, "Вера", at(70))
    assert plain.notice == "✅ Риск №2 отработан (Вера)" and plain.risk.history[-1].note == "решение сотрудника"
    assert plain.risk.history[-1].previous == RiskStatus.in_work  # no «watch» step from in work
    with pytest.raises(TransitionError, match="^риск №3: «отработан» возможен только после опубликованного ответа"):
        workflow.close(store, rid_of(store, 3), "Вера", at(52))  # a new risk, no answer


def test_each_answer_is_recorded_with_its_platforms_and_links(store):
    rid = rid_of(store, 1)
    first = workflow.record_answer(store, rid, answer(who="Анна", minutes=30))
    assert first.message == "ответ по риску №1 записан (VK, сайт/СМИ: 2 ссылки)"
    assert (first.risk.history[-1].action, first.risk.history[-1].note) == ("answer", "VK, сайт/СМИ: 2 ссылки")
    more = workflow.record_answer(store, rid, answer("Подробности: https://t.me/pestovo_novosti/3814", who="Борис",
                                                     minutes=40))
    assert more.changed and more.message == "ответ по риску №1 записан (Telegram: 1 ссылка)"
    step = more.risk.history[-1]
    assert (step.action, step.previous, step.status, step.actor, step.note) == (
        "answer", RiskStatus.answer_published, RiskStatus.answer_published, "Борис", "Telegram: 1 ссылка")
    assert more.risk.assignee == "Анна" and len(more.risk.answers) == 2
    same_text = workflow.record_answer(store, rid, answer(who="Борис", minutes=41))
    assert same_text.changed and len(same_text.risk.answers) == 3  # no ref: nothing to deduplicate by
    workflow.close(store, rid, "Борис", at(50))
    reopened = workflow.record_answer(store, rid, answer(minutes=55, ref="cli:1"))
    assert [s.action for s in reopened.risk.history[-2:]] == ["take", "answer"]
    assert reopened.risk.status == RiskStatus.answer_published
    repeat = workflow.record_answer(store, rid, answer(minutes=56, ref="cli:1"))
    assert (repeat.changed, repeat.message) == (False, "этот ответ по риску №1 уже записан")
    five = answer(" ".join(f"https://pestovo-adm.example/n/{i}" for i in range(5)) + " Ответ дан", minutes=57)
    assert workflow.record_answer(store, rid, five).message.endswith("(сайт/СМИ: 5 ссылок)")
    watched = rid_of(store, 2)
    workflow.record_answer(store, watched, answer())
    store.save_risk(store.get_risk(watched).model_copy(update={"status": RiskStatus.watching}))
    under_watch = workflow.record_answer(store, watched, answer(minutes=45))
    assert under_watch.risk.status == RiskStatus.watching and under_watch.risk.history[-1].action == "answer"
    refused = rid_of(store, 3)
    workflow.mark_not_risk(store, refused, "Вера", at(1))
    assert [s.action for s in workflow.record_answer(store, refused, answer()).risk.history] == \
        ["not_risk", "take", "answer"]


def test_a_risk_that_is_gone_or_keeps_conflicting(store):
    with pytest.raises(workflow.RiskNotFound, match="^риск nope не найден$"):
        workflow.take(store, "nope", "Анна", at(1))
    rid = rid_of(store, 1)
    racing = RacingStore(store, None)
    writes = []

    def always_conflicting(risk):
        writes.append(1)
        store.save_risk(store.get_risk(rid))  # someone else saves first, every time
        risk.assignee = "Анна"
        return "готово"

    from core.store import ConflictError

    with pytest.raises(ConflictError):
        workflow.change_risk(racing, rid, always_conflicting)
    assert len(writes) == workflow.ATTEMPTS
    unchanged = workflow.change_risk(store, rid, lambda risk: None)
    assert (unchanged.changed, unchanged.message, unchanged.risk.id) == (False, "без изменений", rid)
    same = workflow.change_risk(store, rid, lambda risk: ("ничего не менял", "уведомление"))
    assert (same.changed, same.message, same.notice) == (False, "ничего не менял", None)


def test_numbers_and_ids_find_one_risk_or_say_why_not(store):
    assert workflow.next_number(store) == 4
    assert workflow.find_risk(store, " #2 ").number == 2
    assert workflow.find_risk(store, "3ABC3").number == 3  # ids are matched case-insensitively
    store.save_risk(Risk(id="3abc9" + "0" * 15, story_id="s9", number=2, level="high", score=0.7, topic="utilities",
                         block="rural", created_at=T0, updated_at=T0))
    with pytest.raises(workflow.RiskNotFound) as error:
        workflow.find_risk(store, "2")
    assert str(error.value) == f"номер 2 у нескольких рисков: укажите id ({'2abc2' + '0' * 14}, {'3abc9' + '0' * 15})"
    with pytest.raises(workflow.RiskNotFound, match="^«3abc» подходит к нескольким рискам: укажите id длиннее$"):
        workflow.find_risk(store, "3abc")
    with pytest.raises(workflow.RiskNotFound, match="^риск «0» не найден: укажите номер"):
        workflow.find_risk(store, "0")
    with pytest.raises(workflow.RiskNotFound, match="не найден"):
        workflow.find_risk(store, "abc")  # under four characters: not an id prefix
    assert workflow.find_risk(store, "3abc9").number == 2


def test_unnumbered_risks_and_an_empty_store(tmp_path):
    with SqliteStore(tmp_path / "empty.sqlite", str.split) as empty:
        assert workflow.next_number(empty) == 1
        empty.save_risk(Risk(id="0abc0" + "0" * 15, story_id="s0", level="high", score=0.7, topic="utilities",
                             block="rural", created_at=T0, updated_at=T0))  # number 0: not assigned yet
        with pytest.raises(workflow.RiskNotFound, match="^риск «0» не найден"):
            workflow.find_risk(empty, "0")
        assert workflow.next_number(empty) == 1


def test_an_answer_without_a_reference_is_never_taken_for_a_repeat():
    answer = workflow.parse_answer("Насос заменён https://vk.com/wall-1_2", "Анна", T0)
    assert answer.ref == ""
    with pytest.raises(ValueError) as error:
        workflow.parse_answer("Насос заменён", "Анна", T0)
    assert str(error.value) == "нужна хотя бы одна ссылка на публикацию ответа (VK, Telegram, сайт или СМИ)"
    with pytest.raises(ValueError) as error:
        workflow.parse_answer("https://vk.com/wall-1_2 —", "Анна", T0)
    assert str(error.value) == "нужен текст ответа (отработки), а не только ссылки"
