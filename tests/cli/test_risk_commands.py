"""``mcu risk …`` walks a risk through every state without Telegram; ``mcu bot --once`` delivers
the outbox; errors are clear and exit with code 2."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from typer.testing import CliRunner

from alerts.outbox import Outbox, outbox_path
from cli.app import app
from store import open_store
from testing.alert_chat import CHAT
from tests.alerts.conftest import ANSWERED, FIXTURES
from tests.alerts.test_reactions import ANSWER_LINK

runner = CliRunner()


def mcu(demo, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "-c", str(demo.config)], env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


def test_every_state_from_the_command_line(demo):
    demo.add_answer_source(FIXTURES / "answer_calm_vk.json")
    demo.scan_source("adm_vk")
    settings = demo.settings()
    with open_store(settings.store, str.split) as db:
        risk = demo.risk_about(db, "Лаптево", "utilities")
    n = str(risk.number)
    listing = mcu(demo, "risk", "list")
    assert "Лаптево" in listing and "новый" in listing

    assert f"риск №{n} взят в работу" in mcu(demo, "risk", "take", n, "--who", "Анна")
    out = mcu(demo, "risk", "answer", n, "--text", "Насос заменён, вода подаётся", "--link", ANSWER_LINK,
              "--link", "pestovo-adm.example/news/voda", "--who", "Анна")
    assert "Площадки: VK, сайт/СМИ · ссылок: 2" in out and "статус: ответ опубликован" in out
    watching = mcu(demo, "risk", "track", "--now", (ANSWERED + timedelta(hours=3)).isoformat())
    assert "наблюдение за реакцией" in watching and "решение через 21 ч" in watching
    assert "статус: отработан" in mcu(demo, "risk", "close", n, "--note", "жалоб нет", "--who", "Борис")
    assert "статус: в работе" in mcu(demo, "risk", "escalate", n, "--reason", "снова пишут", "--who", "Борис")
    assert "статус: не риск" in mcu(demo, "risk", "not-risk", n, "--reason", "вопрос закрыт", "--who", "Вера")
    assert "статус: в работе" in mcu(demo, "risk", "take", n, "--who", "Вера")

    shown = mcu(demo, "risk", "show", n)
    for step in ("взят в работу", "ответ опубликован", "наблюдение за реакцией", "отработан", "эскалирован",
                 "не риск"):
        assert step in shown
    exported = demo.folder / "history.csv"
    assert "Записано шагов: 7" in mcu(demo, "risk", "history-export", "--out", str(exported))
    rows = [r for r in csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))) if r["risk"] == n]
    assert [(r["action"], r["actor"]) for r in rows] == [
        ("take", "Анна"), ("answer", "Анна"), ("watch", "система"), ("handled", "Борис"), ("escalate", "Борис"),
        ("not_risk", "Вера"), ("take", "Вера")]
    data = json.loads(mcu(demo, "risk", "history-export", "--format", "json"))
    assert next(r for r in data if r["id"] == risk.id)["answers"][0]["platforms"] == ["VK", "сайт/СМИ"]

    # the chat's card follows what was done here: one pending refresh, and the notices
    with Outbox(outbox_path(settings)) as outbox:
        pending = [row for row in outbox.jobs("pending") if row[3] == risk.id]
        assert [row[1] for row in pending].count("refresh") == 1 and ("card", CHAT) in {(r[1], r[2]) for r in pending}


def test_clear_errors(demo):
    assert "риск «999» не найден" in mcu(demo, "risk", "take", "999", code=2)
    with open_store(demo.settings().store, str.split) as db:
        fresh = next(r for r in db.list_risks() if r.status == "new")
    assert "только после опубликованного ответа" in mcu(demo, "risk", "close", str(fresh.number), code=2)
    assert "нужна хотя бы одна ссылка" in mcu(demo, "risk", "answer", str(fresh.number), "--text", "без ссылок",
                                             code=2)
    assert "не поддерживается" in mcu(demo, "risk", "history-export", "--format", "xml", code=2)
    assert "MCU_BOT_TOKEN" in mcu(demo, "bot", "--once", code=2)


def test_bot_once_delivers_and_status_reports(demo, api, bot_env):
    demo.use_api(api.url)
    before = mcu(demo, "bot", "--status")
    with open_store(demo.settings().store, str.split) as db:
        alerts = db.list_alerts()
    assert f"ожидают {len(alerts)}" in before
    out = mcu(demo, "bot", "--once")
    assert "в очереди осталось 0" in out
    assert len(api.ok_calls("sendMessage")) == len(alerts)
    assert f"отправлено {len(alerts)}" in mcu(demo, "bot", "--status")
    mcu(demo, "bot", "--once")  # nothing twice
    assert len(api.ok_calls("sendMessage")) == len(alerts)


def test_several_answers_and_closing_after_a_reopening(demo):
    """Answers on several platforms and after a re-opening are all recorded; «отработан» works once
    an answer exists, also when reaction tracking or a person put the risk back in work."""
    with open_store(demo.settings().store, str.split) as db:
        risk = demo.risk_about(db, "Лаптево", "utilities")
    n = str(risk.number)
    first = mcu(demo, "risk", "answer", n, "--text", "Насос заменён", "--link", ANSWER_LINK, "--who", "Анна")
    assert "статус: ответ опубликован" in first
    second = mcu(demo, "risk", "answer", n, "--text", "То же в Telegram", "--link", "https://t.me/pestovo_adm/77",
                 "--who", "Анна")
    assert "записан" in second and "уже записан" not in second
    assert "статус: в работе" in mcu(demo, "risk", "escalate", n, "--reason", "снова пишут", "--who", "Борис")
    third = mcu(demo, "risk", "answer", n, "--text", "Вода будет к вечеру", "--link", "https://pestovo-adm.example/n/2",
                "--who", "Борис")
    assert "статус: ответ опубликован" in third
    assert "статус: в работе" in mcu(demo, "risk", "escalate", n, "--reason", "и снова", "--who", "Борис")
    assert "статус: отработан" in mcu(demo, "risk", "close", n, "--reason", "вода есть, жалоб нет", "--who", "Вера")
    with open_store(demo.settings().store, str.split) as db:
        stored = db.get_risk(risk.id)
    assert [a.text for a in stored.answers] == ["Насос заменён", "То же в Telegram", "Вода будет к вечеру"]
    assert len({a.ref for a in stored.answers}) == 3
    assert stored.history[-1].note == "вода есть, жалоб нет" and stored.history[-1].actor == "Вера"


def test_links_must_be_http_addresses(demo):
    with open_store(demo.settings().store, str.split) as db:
        n = str(demo.risk_about(db, "Лаптево", "utilities").number)
    for bad in ("не ссылка", "ftp://pestovo.example/x", "javascript:alert(1)", "http://localhost"):
        out = mcu(demo, "risk", "answer", n, "--text", "Ответ", "--link", bad, code=2)
        assert "не ссылка: нужен адрес публикации" in out
    ok = mcu(demo, "risk", "answer", n, "--text", "Ответ", "--link", "vk.com/wall-1_2")
    assert "ссылок: 1" in ok


def test_a_residents_post_given_as_the_answer_gets_a_warning(demo):
    with open_store(demo.settings().store, str.split) as db:
        risk = demo.risk_about(db, "Лаптево", "utilities")
        story = db.get_story(risk.story_id)
        complaint = next(p for p, _ in db.posts_by_ids(story.post_ids) if p.platform == "vk" and not p.is_comment)
    result = runner.invoke(app, ["risk", "answer", str(risk.number), "--text", "Ответ", "--link", complaint.url,
                                 "-c", str(demo.config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "ведёт на публикацию жителя" in result.output
    official = runner.invoke(app, ["risk", "answer", str(risk.number), "--text", "Ответ администрации",
                                   "--link", "https://pestovo-adm.example/news/voda-laptevo",
                                   "-c", str(demo.config)], env={"COLUMNS": "200"})
    assert official.exit_code == 0 and "ведёт на публикацию жителя" not in official.output


def test_a_risk_is_as_old_as_its_first_publication(demo):
    with open_store(demo.settings().store, str.split) as db:
        risk = demo.risk_about(db, "Лаптево", "utilities")
        story = db.get_story(risk.story_id)
    assert risk.first_seen == story.first_seen and risk.since == story.first_seen
    assert risk.since < risk.created_at
    listing = mcu(demo, "risk", "list")
    header = next(line for line in listing.splitlines() if "возраст" in line)
    row = next(line for line in listing.splitlines() if f"│ {risk.number} " in line)
    age = row.split("│")[header.split("┃").index(next(c for c in header.split("┃") if "возраст" in c))].strip()
    assert age != "0 мин" and age.endswith("дн")  # days since the first post, not minutes since the scan
