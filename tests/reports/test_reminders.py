"""Reminder cards: every open risk close to or past its deadline gets one card each in the
alert chat and the other sinks, naming the responsible positions and mentioning the people of
the directory; a second run posts nothing; the next stage reminds again."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from typer.testing import CliRunner

from alerts import workflow
from alerts.outbox import Outbox
from cli.app import app
from pipeline.deadlines import remind_deadlines
from pipeline.wiring import sinks as build_sinks
from tests.reports.conftest import ACTOR, EVALUATED, edit_config
from tests.reports.recompute import ANSWER, TAKE, deadline, first_answer, first_take, working_minutes

CHAT = -1001112223334
HEAD = "Глава Лаптевского территориального отдела"


def with_chat_and_people(data: dict) -> None:
    data["alerts"]["sinks"].append({"type": "telegram", "chat_id": CHAT, "api_server": "http://127.0.0.1:9"})
    data["people"] = {HEAD: {"name": "Петрова М.И.", "telegram_id": 424242, "telegram": "petrova_mi"}}


def expected(risks, starts, now) -> set[tuple[str, str, bool]]:
    found = set()
    for risk in risks:
        if not risk.is_open:
            continue
        start = starts[risk.id]
        if first_take(risk) is None:
            stage, due = "take", deadline(start, TAKE[risk.level])
        elif first_answer(risk) is None:
            stage, due = "answer", deadline(start, ANSWER[risk.level])
        else:
            continue
        if now >= due:
            found.add((risk.id, stage, True))
        elif working_minutes(now, due) <= 60:
            found.add((risk.id, stage, False))
    return found


def notices(settings) -> dict[str, str]:
    with Outbox(settings.data_dir / "outbox.sqlite") as outbox:
        rows = outbox._query("SELECT key, text FROM outbox WHERE kind = 'notice'")
    return {key: text for key, text in rows}


def test_each_reminder_goes_once_naming_the_responsible(worked_copy):
    edit_config(worked_copy.config, with_chat_and_people)
    settings = worked_copy.settings()
    with worked_copy.store() as db:
        risks = db.list_risks()
        starts = {r.id: db.get_story(r.story_id).first_seen for r in risks}
        sent = remind_deadlines(db, settings, EVALUATED, build_sinks(settings))
        again = remind_deadlines(db, settings, EVALUATED + timedelta(minutes=15), build_sinks(settings))
        stored = {r.id: r for r in db.list_risks()}
    want = expected(risks, starts, EVALUATED)
    assert {(r.risk.id, r.stage, r.overdue) for r in sent} == want and len(want) >= 5
    assert again == []
    chat = notices(settings)
    for reminder in sent:
        html = chat[f"notify:{reminder.key}"]
        assert html.startswith("<b>⛔ Просрочено: риск ") if reminder.overdue else html.startswith("<b>⏰ Срок истекает")
        assert "Ответственные: " in html
        assert [s.action for s in stored[reminder.risk.id].history].count(reminder.action) == 1
    laptevo = next(r for r in sent if r.risk.department == "laptevsky")
    html = chat[f"notify:{laptevo.key}"]
    assert f"{HEAD} — Петрова М.И. (@petrova_mi)" in html and '<a href="tg://user?id=424242">Петрова М.И.</a>' in html
    written = (worked_copy.folder / "alerts.txt").read_text(encoding="utf-8")
    assert written.count("Просрочено: риск") + written.count("Срок истекает: риск") == len(sent)
    assert f"{HEAD} — Петрова М.И." in written


def test_after_taking_it_the_answer_deadline_reminds(worked_copy):
    settings = worked_copy.settings()
    with worked_copy.store() as db:
        first = remind_deadlines(db, settings, EVALUATED, build_sinks(settings))
        untaken = next(r for r in first if r.stage == "take" and r.overdue)
        workflow.take(db, untaken.risk.id, ACTOR, EVALUATED + timedelta(minutes=5))
        later = remind_deadlines(db, settings, EVALUATED + timedelta(minutes=10), build_sinks(settings))
    assert [(r.risk.id, r.stage, r.overdue) for r in later] == [(untaken.risk.id, "answer", True)]


def test_mcu_risk_remind_and_the_overdue_list(worked_copy):
    runner = CliRunner()
    listed = runner.invoke(app, ["risk", "list", "-c", str(worked_copy.config), "--overdue", "--json"])
    assert listed.exit_code == 0, listed.output
    records = [json.loads(line) for line in listed.output.splitlines()]
    with worked_copy.store() as db:
        risks = db.list_risks()
        starts = {r.id: db.get_story(r.story_id).first_seen for r in risks}
    now = datetime.now(timezone.utc)

    def overdue(risk) -> bool:
        start = starts[risk.id]
        return risk.is_open and (first_take(risk) is None and now >= deadline(start, TAKE[risk.level])
                                 or first_answer(risk) is None and now >= deadline(start, ANSWER[risk.level]))

    assert {r["id"] for r in records} == {r.id for r in risks if overdue(r)}
    assert all(r["sla"]["take"]["state"] == "overdue" or r["sla"]["answer"]["state"] == "overdue" for r in records)
    reminded = runner.invoke(app, ["risk", "remind", "-c", str(worked_copy.config), "--now", EVALUATED.isoformat()])
    assert reminded.exit_code == 0, reminded.output
    assert f"Напоминаний отправлено: {len(expected(risks, starts, EVALUATED))}" in reminded.output
