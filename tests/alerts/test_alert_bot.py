"""The whole path through the fake Bot API: the scan's alerts arrive as cards, members press
the buttons and reply with the answer, reaction tracking judges recorded comments, and the
one card per story stays current. Strangers change nothing."""
from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from alerts import build_sinks, track_reactions, workflow
from cli.app import app
from core.store import open_risks
from core.domain import RiskStatus
from store import open_store
from testing.alert_chat import CHAT, MEMBER, STRANGER
from tests.alerts.conftest import ANSWERED, FIXTURES
from tests.alerts.test_reactions import ANSWER_TEXT

MEMBER_NAME = "Анна Дежурная (tg:5550001)"


def sent_texts(api, chat=CHAT) -> list[str]:
    return [c.params["text"] for c in api.ok_calls("sendMessage") if int(c.params["chat_id"]) == chat]


def risk_cards(api) -> dict[str, int]:
    """Risk id → message id of every card in the chat (messages with risk buttons)."""
    found = {}
    for (chat, message_id), message in sorted(api.messages.items()):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("callback_data", "").startswith("risk:"):
                    found[button["callback_data"].split(":")[2]] = message_id
    return found


def started(demo, api, run_bot_thread, recording: str | None = None, minutes: int = 20):
    demo.use_api(api.url)
    if recording:
        demo.add_answer_source(FIXTURES / recording)
    settings = demo.settings()
    bot = run_bot_thread(settings, clock=lambda: ANSWERED + timedelta(minutes=minutes))
    store = open_store(settings.store, str.split)
    alerts = store.list_alerts()
    api.wait_for(lambda: len(risk_cards(api)) == len({a.risk_id for a in alerts}) > 0, what="one card per alert")
    assert len(api.ok_calls("sendMessage")) == len(alerts)
    return settings, bot, store


def test_alert_take_answer_and_handled_through_the_chat(demo, api, bot_env, run_bot_thread):
    settings, bot, store = started(demo, api, run_bot_thread, "answer_calm_vk.json")
    risk = demo.risk_about(store, "Лаптево", "utilities")
    card = bot.outbox.card_of(risk.id, CHAT)
    text = api.text_of(CHAT, card)
    assert f"риск №{risk.number}" in text and "Лаптевский территориальный отдел" in text
    assert "Почему риск" in text and "Ответственные:" in text and "Статус: новый" in text
    buttons = api.buttons_of(CHAT, card)
    assert list(buttons) == ["Взять в работу", "Не риск", "Ответ опубликован", "Эскалировать"]

    api.press(CHAT, MEMBER, card, buttons["Взять в работу"])
    api.wait_for(lambda: f"в работе у {MEMBER_NAME}" in api.text_of(CHAT, card), what="the card edited: in work")
    assert any("взят в работу" in c.params.get("text", "") for c in api.ok_calls("answerCallbackQuery"))
    taken = store.get_risk(risk.id)
    assert taken.status == RiskStatus.in_work and taken.assignee == MEMBER_NAME
    assert list(api.buttons_of(CHAT, card)) == ["Ответ опубликован", "Не риск", "Эскалировать"]

    api.press(CHAT, MEMBER, card, api.buttons_of(CHAT, card)["Ответ опубликован"])
    prompt = api.wait_for(lambda: next((mid for (chat, mid), m in api.messages.items()
                                        if (m.get("reply_markup") or {}).get("force_reply")), None),
                          what="the bot asks for the answer")
    assert json.loads(api.messages[(CHAT, prompt)]["reply_parameters"])["message_id"] == card
    api.message(CHAT, MEMBER, ANSWER_TEXT, reply_to=prompt)
    api.wait_for(lambda: any("Записан ответ" in t for t in sent_texts(api)), what="the answer confirmed")
    answered = store.get_risk(risk.id)
    assert answered.status == RiskStatus.answer_published
    record = answered.answers[0]
    assert record.platforms == ["VK", "сайт/СМИ"] and record.actor == MEMBER_NAME
    assert record.links == ["https://vk.com/wall-220011407_3318", "https://pestovo-adm.example/news/voda"]
    api.wait_for(lambda: "Статус: ответ опубликован" in api.text_of(CHAT, bot.outbox.card_of(risk.id, CHAT)))

    demo.scan_source("adm_vk")  # the next scan collects the answer post and its comments
    reports = track_reactions(store, settings, ANSWERED + timedelta(hours=25), sinks=build_sinks(settings))
    assert [(r.risk.id, r.outcome) for r in reports] == [(risk.id, "handled")]
    card = bot.outbox.card_of(risk.id, CHAT)
    api.wait_for(lambda: "Вердикт" in api.text_of(CHAT, card), what="the verdict on the card")
    final = api.text_of(CHAT, card)
    assert "Статус: отработан" in final and "под ответом 4 комментария" in final and "отработан —" in final
    assert list(api.buttons_of(CHAT, card)) == ["Взять в работу", "Эскалировать"]
    api.wait_for(lambda: any(t.startswith(f"✅ Риск №{risk.number} отработан") for t in sent_texts(api)))
    assert not bot.outbox.jobs("failed")
    bot.stop()
    history = store.get_risk(risk.id).history
    assert [(s.action, s.actor) for s in history] == [
        ("take", MEMBER_NAME), ("answer", MEMBER_NAME), ("watch", workflow.SYSTEM), ("handled", workflow.SYSTEM)]
    store.close()


def test_negative_reaction_reescalates_through_the_chat(demo, api, bot_env, run_bot_thread):
    settings, bot, store = started(demo, api, run_bot_thread, "answer_angry_vk.json")
    risk = demo.risk_about(store, "Лаптево", "utilities")
    card = bot.outbox.card_of(risk.id, CHAT)
    api.message(CHAT, MEMBER, "/answer " + ANSWER_TEXT, reply_to=card)  # answering straight to the card
    api.wait_for(lambda: store.get_risk(risk.id).status == RiskStatus.answer_published, what="the answer")
    assert [s.action for s in store.get_risk(risk.id).history] == ["take", "answer"]

    demo.scan_source("adm_vk")
    reports = track_reactions(store, settings, ANSWERED + timedelta(hours=2), sinks=build_sinks(settings))
    assert reports[0].outcome == "reescalated"
    back = store.get_risk(risk.id)
    assert back.status == RiskStatus.in_work
    card = bot.outbox.card_of(risk.id, CHAT)
    api.wait_for(lambda: "снова в работе —" in api.text_of(CHAT, card), what="the card shows the re-escalation")
    assert "после ответа" in api.text_of(CHAT, card) and "негативных комментари" in api.text_of(CHAT, card)
    assert list(api.buttons_of(CHAT, card)) == ["Ответ опубликован", "Не риск", "Эскалировать"]
    api.wait_for(lambda: any(t.startswith(f"↩️ Риск №{risk.number} снова в работе: после ответа")
                             for t in sent_texts(api)), what="the re-escalation notice")
    bot.stop()
    store.close()


def test_strangers_and_other_chats_change_nothing(demo, api, bot_env, run_bot_thread):
    settings, bot, store = started(demo, api, run_bot_thread)
    risk = demo.risk_about(store, "Лаптево", "utilities")
    card = bot.outbox.card_of(risk.id, CHAT)
    before = store.get_risk(risk.id)
    messages_before = len(api.ok_calls("sendMessage"))
    buttons = api.buttons_of(CHAT, card)
    pushed = [
        api.press(CHAT, STRANGER, card, buttons["Взять в работу"]),
        api.press(CHAT, STRANGER, card, buttons["Не риск"]),
        api.message(CHAT, STRANGER, ANSWER_TEXT, reply_to=card),
        api.message(CHAT, STRANGER, "/answer " + str(risk.number) + " " + ANSWER_TEXT),
        api.message(-100999, MEMBER, "/risks"),  # a member, but in a chat that is not configured
        api.press(-100999, MEMBER, card, buttons["Взять в работу"]),
    ]
    api.wait_for(lambda: all(bot.outbox.seen_update(u) for u in pushed), what="every update handled")
    refusals = [c for c in api.ok_calls("answerCallbackQuery") if "только участникам МЦУ" in c.params.get("text", "")]
    assert len(refusals) == 2  # strangers in the chat are told; the other chat gets nothing
    assert len(api.ok_calls("answerCallbackQuery")) == 2
    assert store.get_risk(risk.id) == before  # not a field changed, not even the version
    assert [c for c in api.calls if c.method == "editMessageText"] == []
    assert len(api.ok_calls("sendMessage")) == messages_before
    bot.stop()
    store.close()


def test_commands_risks_risk_digest_help(demo, api, bot_env, run_bot_thread):
    settings, bot, store = started(demo, api, run_bot_thread)
    risk = demo.risk_about(store, "Лаптево", "utilities")
    opened = open_risks(store)
    for text in ("/help", "/risks", f"/risk {risk.number}", "/digest", "/risk 999", "/risk"):
        api.message(CHAT, STRANGER, text)  # reading is open to everyone in the alert chat
    api.wait_for(lambda: len(sent_texts(api)) >= len(opened) + 6, what="six replies")
    replies = sent_texts(api)[len(opened):]
    joined = "\n".join(replies)
    assert "Бот алерт-чата МЦУ" in joined and "/digest — сводка за последние 24 часа" in joined
    assert f"Открытые риски: {len(opened)}" in joined
    details = next(r for r in replies if "<b>История</b>" in r)
    assert f"риск №{risk.number}" in details and risk.id in details
    digest = next(r for r in replies if r.startswith("<b>Сводка МЦУ"))
    assert f"<b>Открытых рисков: {len(opened)}, из них просрочено: " in digest
    moment = (ANSWERED + timedelta(minutes=20)).isoformat()  # the bot's clock in ``started``
    cli = CliRunner().invoke(app, ["digest", "-c", str(demo.config), "--date", moment, "--html"])
    assert cli.exit_code == 0 and cli.output == digest  # «mcu digest» and «/digest» say the same
    assert "«999» не найден" in joined and "Укажите номер риска" in joined
    assert store.get_risk(risk.id).history == []
    bot.stop()
    store.close()


def test_broken_text_reaches_the_chat_safely(demo, api, bot_env, run_bot_thread):
    settings, bot, store = started(demo, api, run_bot_thread)
    risk = demo.risk_about(store, "Лаптево", "utilities")
    nasty = ("Ответ <b>жирный?</b> & «вода» <script>x</script> \udcff (байт из argv) "
             "https://pestovo-adm.example/a?b=1&c=<2>")
    workflow.take(store, risk.id, 'Оператор <CLI> & "Ко"', ANSWERED)
    outcome = workflow.record_answer(store, risk.id, workflow.parse_answer(nasty, "cli", ANSWERED))
    bot.ctx.refresh(outcome)  # what ``mcu risk answer`` does through the telegram sink
    card = bot.outbox.card_of(risk.id, CHAT)
    api.wait_for(lambda: "Ответ" in api.text_of(CHAT, card) and "Статус: ответ опубликован" in api.text_of(CHAT, card),
                 what="the edited card")
    shown = api.text_of(CHAT, card)
    assert "<b>жирный?</b> & «вода» <script>x</script> \ufffd" in shown
    assert 'Оператор <CLI> & "Ко"' in shown
    assert all(c.ok for c in api.calls if c.method == "editMessageText")
    bot.stop()
    store.close()
