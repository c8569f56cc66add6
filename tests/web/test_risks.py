"""The risk list and card, and every action on a risk, below the browser (TestClient).

Actions go through ``alerts.workflow`` on the demo store and refresh the card in the alert
chat's outbox (the real Telegram sink, as ``mcu risk`` does)."""
from __future__ import annotations

import re
from datetime import timedelta

from alerts.outbox import Outbox, outbox_path
from alerts.workflow import record_answer, parse_answer, take
from core.domain import RiskStatus
from reports.sla import evaluate


def refreshed(web, risk_id: str) -> bool:
    """The alert chat's outbox holds a card refresh for the risk."""
    with Outbox(outbox_path(web.ctx.settings)) as outbox:
        return any(job[1] == "refresh" and job[3] == risk_id for job in outbox.jobs())


def row_numbers(html: str) -> list[str]:
    return re.findall(r'<td><a href="/risks/[0-9a-f]+">(№\d+)</a></td>', html)


def test_the_list_shows_open_risks_highest_level_first(as_viewer):
    web = as_viewer
    page = web.client.get("/risks")
    risks = {r.label: r for r in web.store.list_risks()}
    shown = row_numbers(page.text)
    assert sorted(shown) == sorted(r.label for r in risks.values() if r.is_open)
    order = {"critical": 3, "high": 2, "medium": 1}
    levels = [order[risks[label].level] for label in shown]
    assert levels == sorted(levels, reverse=True) and levels[0] == 3


def test_the_list_filters_by_department_topic_block_and_status(as_viewer):
    web = as_viewer
    risks = web.store.list_risks()
    laptevo = {r.label for r in risks if r.department == "laptevsky"}
    assert laptevo and set(row_numbers(web.client.get("/risks?department=laptevsky").text)) == laptevo
    roads = {r.label for r in risks if r.topic == "roads"}
    assert set(row_numbers(web.client.get("/risks?topic=roads").text)) == roads
    social = {r.label for r in risks if r.block == "social"}
    assert set(row_numbers(web.client.get("/risks?block=social").text)) == social
    assert row_numbers(web.client.get("/risks?status=handled").text) == []
    assert "Рисков с такими условиями нет" in web.client.get("/risks?status=not_risk").text


def row_class(html: str, risk_id: str) -> str:
    return re.search(r'<tr class="([^"]+)">\s*<td><a href="/risks/' + risk_id + '">', html).group(1)


def row_deadline(html: str, risk_id: str) -> list[str]:
    row = html.split(f'<a href="/risks/{risk_id}">')[1].split("</tr>")[0]
    return re.sub(r"<[^>]+>", " ", re.findall(r"<td>(.*?)</td>", row, re.S)[-2]).split()


def test_overdue_risks_are_highlighted_until_taken_and_answered(as_operator):
    """The list's deadlines are the config's (``sla:``) in working hours, from ``reports.sla``."""
    web = as_operator
    risk = web.first_risk(level="critical")
    sla = evaluate(web.store, web.ctx.settings, [risk], web.clock.moment)[risk.id]
    assert (sla.take.limit_hours, sla.answer.limit_hours) == (1, 8)  # the defaults for a critical risk
    web.clock.moment = sla.take.due - timedelta(minutes=1)
    page = web.client.get("/risks").text
    assert row_class(page, risk.id) == "level-critical"
    assert " ".join(row_deadline(page, risk.id)).endswith("взятие в работу: осталось 1 мин раб.")
    web.clock.moment = sla.take.due + timedelta(seconds=1)
    page = web.client.get("/risks").text
    assert row_class(page, risk.id) == "level-critical overdue" and "просрочено: " in page
    assert "взятие в работу: просрочен на" in " ".join(row_deadline(page, risk.id))
    assert "просрочен на" in web.client.get(f"/risks/{risk.id}").text.split('class="deadlines"')[1][:400]
    web.post(f"/risks/{risk.id}/take")
    page = web.client.get("/risks").text
    assert row_class(page, risk.id) == "level-critical"
    assert "ответ: осталось" in " ".join(row_deadline(page, risk.id))
    web.clock.moment = sla.answer.due + timedelta(seconds=1)
    assert row_class(web.client.get("/risks").text, risk.id) == "level-critical overdue"
    web.post(f"/risks/{risk.id}/answer", {"text": "Подвоз воды организован", "links": "https://vk.com/wall-1_2"})
    page = web.client.get("/risks").text
    assert row_class(page, risk.id) == "level-critical"
    assert " ".join(row_deadline(page, risk.id)) == "сроки выполнены"


def test_the_table_refreshes_itself_and_shows_new_risks(as_viewer):
    web = as_viewer
    page = web.client.get("/risks?department=laptevsky")
    assert 'hx-get="/risks/table?department=laptevsky" hx-trigger="every 20s"' in page.text
    before = row_numbers(web.client.get("/risks/table").text)
    risk = web.first_risk()
    extra = risk.model_copy(update={"id": "f" * 20, "number": 99, "story_id": "s" * 20, "version": 0,
                                    "history": [], "status": RiskStatus.new})
    web.store.save_risk(extra)  # what a scan does when a new alert arrives
    fragment = web.client.get("/risks/table")
    assert fragment.text.lstrip().startswith('<div id="risk-table"')
    assert "<html" not in fragment.text
    assert set(row_numbers(fragment.text)) == set(before) | {"№99"}


def test_the_card_shows_posts_reasons_people_and_history(as_viewer):
    web = as_viewer
    risk = next(r for r in sorted(web.store.list_risks(), key=lambda r: r.number)
                if r.level == "critical" and r.department)
    story = web.store.get_story(risk.story_id)
    page = web.client.get(f"/risks/{risk.number}").text  # by number, as staff say it
    times = [m for m in re.findall(r"<time>([^<]+)</time>", page)]
    assert len(times) == len(story.post_ids)
    stamps = [tuple(reversed(t.split(" ")[0].split("."))) + (t.split(" ")[1],) for t in times]
    assert stamps == sorted(stamps)  # posts and comments in time order
    assert page.count('class="post comment') > 0 and "открыть публикацию" in page
    top = max(risk.reasons, key=lambda r: r.value)
    assert top.detail in page
    assert f'<span class="weight">{top.value:.2f}</span>'.replace(".", ",") in page  # Russian decimals
    assert f"<dd>{risk.score:.2f}".replace(".", ",") + " · публикаций в истории" in page
    head = web.ctx.settings.rubricator.department(risk.department).head.position
    assert head.startswith("Глава ") and head in page  # the department head is a responsible position
    assert "Риск ещё никто не брал в работу" in page
    assert web.client.get("/risks/nothing-like-this").status_code == 404


def test_take_records_the_signed_in_person_and_refreshes_the_chat_card(as_operator):
    web = as_operator
    risk = web.first_risk(level="critical")
    response = web.post(f"/risks/{risk.id}/take")
    assert response.status_code == 303 and response.headers["location"] == f"/risks/{risk.id}"
    stored = web.store.get_risk(risk.id)
    assert stored.status == RiskStatus.in_work and stored.assignee == "Оператор Иванова (web:oper)"
    assert stored.history[-1].actor == "Оператор Иванова (web:oper)" and stored.history[-1].action == "take"
    assert refreshed(web, risk.id)
    card = web.client.get(f"/risks/{risk.id}").text
    assert "Риск №" in card and "взят в работу" in card  # the flash, shown once
    assert "Риск №" not in web.client.get(f"/risks/{risk.id}").text.split("<main>")[1][:200]
    assert "Оператор Иванова" in card.split('id="history"')[1]


def test_answers_with_links_several_of_them_then_close(as_operator):
    web = as_operator
    risk = web.first_risk(level="critical")
    web.post(f"/risks/{risk.id}/take")
    web.post(f"/risks/{risk.id}/answer", {"text": "Водовоз приедет в 18:00", "links": "https://vk.com/wall-1_10",
                                           "platforms": ["сайт/СМИ"]})
    web.clock.advance(hours=1)
    web.post(f"/risks/{risk.id}/answer", {"text": "Насос заменён, вода подаётся",
                                           "links": "https://t.me/pestovo_chat/77\nhttps://pestovo-adm.example/n/1"})
    stored = web.store.get_risk(risk.id)
    assert stored.status == RiskStatus.answer_published
    assert [a.text for a in stored.answers] == ["Водовоз приедет в 18:00", "Насос заменён, вода подаётся"]
    assert stored.answers[0].platforms == ["VK", "сайт/СМИ"]
    assert stored.answers[1].links == ["https://t.me/pestovo_chat/77", "https://pestovo-adm.example/n/1"]
    assert all(a.ref.startswith("web:oper:") for a in stored.answers) and stored.answers[0].ref != stored.answers[1].ref
    card = web.client.get(f"/risks/{risk.id}").text
    assert card.count('class="answer-record"') == 2 and card.count("Реакция в истории после ответа") == 2
    web.post(f"/risks/{risk.id}/close", {"note": "жители благодарят"})
    closed = web.store.get_risk(risk.id)
    assert closed.status == RiskStatus.handled and closed.history[-1].note == "жители благодарят"
    assert closed.history[-1].actor == "Оператор Иванова (web:oper)"


def test_an_answer_without_a_link_is_refused_and_explained(as_operator):
    web = as_operator
    risk = web.first_risk(level="critical")
    web.post(f"/risks/{risk.id}/answer", {"text": "Ответили жителям", "links": ""})
    assert web.store.get_risk(risk.id).answers == []
    assert "Не выполнено: нужна хотя бы одна ссылка" in web.client.get(f"/risks/{risk.id}").text


def test_close_before_an_answer_is_refused(as_operator):
    web = as_operator
    risk = web.first_risk(level="high")
    web.post(f"/risks/{risk.id}/close")
    assert web.store.get_risk(risk.id).status == RiskStatus.new
    assert "Не выполнено:" in web.client.get(f"/risks/{risk.id}").text


def test_not_risk_and_escalate(as_operator):
    web = as_operator
    first, second = sorted(web.store.list_risks(), key=lambda r: r.number)[:2]
    web.post(f"/risks/{first.id}/not-risk", {"reason": "реклама"})
    web.post(f"/risks/{second.id}/escalate", {"reason": "нужна помощь главы"})
    dismissed, escalated = web.store.get_risk(first.id), web.store.get_risk(second.id)
    assert dismissed.status == RiskStatus.not_risk and dismissed.history[-1].note == "реклама"
    assert escalated.escalated and escalated.status == RiskStatus.in_work
    assert escalated.history[-1].action == "escalate" and escalated.history[-1].note == "нужна помощь главы"
    assert refreshed(web, first.id) and refreshed(web, second.id)
    assert "Руководитель МЦУ" in web.client.get(f"/risks/{second.id}").text or \
        "руководитель МЦУ" in web.client.get(f"/risks/{second.id}").text.lower()


def test_a_viewer_sees_the_card_but_cannot_act(as_viewer):
    web = as_viewer
    risk = web.first_risk(level="critical")
    card = web.client.get(f"/risks/{risk.id}").text
    assert 'action="/risks/' not in card and "действовать могут операторы" in card
    for action, data in (("take", {}), ("answer", {"text": "ответ", "links": "https://vk.com/wall-1_1"}),
                         ("escalate", {}), ("not-risk", {}), ("close", {})):
        assert web.post(f"/risks/{risk.id}/{action}", data).status_code == 403, action
    assert web.store.get_risk(risk.id) == risk


def test_actions_need_the_csrf_token(as_operator):
    web = as_operator
    risk = web.first_risk(level="critical")
    assert web.post(f"/risks/{risk.id}/take", csrf=None).status_code == 403
    assert web.post(f"/risks/{risk.id}/take", csrf="forged-token").status_code == 403
    assert web.store.get_risk(risk.id).status == RiskStatus.new
    header = web.client.post(f"/risks/{risk.id}/take", headers={"X-CSRF-Token": web.csrf()}, follow_redirects=False)
    assert header.status_code == 303 and web.store.get_risk(risk.id).status == RiskStatus.in_work


def test_an_action_in_the_chat_or_cli_shows_in_the_web(as_viewer):
    web = as_viewer
    risk = web.first_risk(level="critical")
    now = web.clock()
    take(web.store, risk.id, "Иван Петров (tg:5550001)", now)
    record_answer(web.store, risk.id, parse_answer("Ответ в группе https://vk.com/wall-1_5", "Иван Петров (tg:5550001)",
                                                   now, ref="tg:-100:15"))
    card = web.client.get(f"/risks/{risk.id}").text
    assert "Иван Петров (tg:5550001)" in card and "ответ опубликован" in card


def test_a_telegram_member_with_an_account_is_one_name_everywhere(as_operator):
    web = as_operator
    web.ctx.accounts.add("ivanov", "Иван Петров", "operator", "ivanov-pass-1", telegram_id=5550001)
    risk = web.first_risk(level="critical")
    take(web.store, risk.id, "Ivan P. (tg:5550001)", web.clock())  # the bot names him by his Telegram name
    history = web.client.get(f"/risks/{risk.id}").text.split('id="history"')[1]
    assert "Иван Петров" in history and "Ivan P." not in history
    assert web.ctx.accounts.get("ivanov").actor == "Иван Петров (tg:5550001)"


def test_a_large_story_loads_its_first_post_and_the_latest(as_viewer):
    from web.risk_views import story_of

    risk = as_viewer.first_risk(level="critical")
    story, items = story_of(as_viewer.store, risk, limit=5)
    assert len(story.post_ids) > 5
    assert [post.id for post, _ in items] == story.post_ids[:1] + story.post_ids[-4:]


def test_the_list_orders_by_age_or_by_deadline(as_viewer):
    web = as_viewer
    risks = {r.label: r for r in web.store.list_risks()}
    by_age = [risks[label].first_seen for label in row_numbers(web.client.get("/risks?sort=age").text)]
    assert len(by_age) > 5 and by_age == sorted(by_age)  # oldest story first
    web.clock.moment = sorted(r.first_seen for r in risks.values())[len(risks) // 2]  # some overdue, some not
    page = web.client.get("/risks?sort=deadline").text
    rows = re.findall(r'<tr class="([^"]+)">\s*<td><a href="/risks/[0-9a-f]+">(№\d+)</a></td>.*?'
                      r"<td>(\d\d)\.(\d\d) (\d\d:\d\d)<br>", page, re.S)
    overdue = [("overdue" in css) for css, *_ in rows]
    assert True in overdue and False in overdue and overdue == sorted(overdue, reverse=True)  # overdue first
    waiting = [(month, day, clock) for css, _, day, month, clock in rows if "overdue" not in css]
    assert waiting == sorted(waiting)  # then the nearest deadline first
