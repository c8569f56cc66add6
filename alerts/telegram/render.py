"""Telegram HTML for the alert chat: the card with its buttons, the risk list, the digest, help.

Every piece of text from users, sources or config goes through :func:`core.text.h`
(broken Unicode repaired, ``<``, ``>``, ``&`` and quotes escaped); links become ``<a>`` only
for http(s) URLs. A message stays under Telegram's 4096 visible characters.
"""
from __future__ import annotations

import html
import re
from datetime import datetime
from urllib.parse import urlsplit

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from alerts.card import ANSWER_EXCERPT, MAX_LINKS, CardFacts, evidence_line
from core.text import LIMIT, age, clean, counted, excerpt, h, local, number, trim_html as trim, visible_length
from core.domain import ACTION_RU, LEVEL_MARK, LEVEL_RU, OUTCOME_RU, RISK_STATUS_RU, Risk, RiskStatus


BUTTONS = {
    "take": "Взять в работу",
    "not_risk": "Не риск",
    "answer": "Ответ опубликован",
    "escalate": "Эскалировать",
}
ACTIONS = {
    RiskStatus.new: ["take", "not_risk", "answer", "escalate"],
    RiskStatus.in_work: ["answer", "not_risk", "escalate"],
    RiskStatus.answer_published: ["escalate"],
    RiskStatus.watching: ["escalate"],
    RiskStatus.handled: ["take", "escalate"],
    RiskStatus.not_risk: ["take", "escalate"],
}


class RiskAction(CallbackData, prefix="risk"):
    """Callback data of a card button: ``risk:<action>:<risk id>`` (well under 64 bytes)."""

    action: str
    risk: str


def keyboard(risk: Risk) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=BUTTONS[a], callback_data=RiskAction(action=a, risk=risk.id).pack())
               for a in ACTIONS[risk.status]]
    return InlineKeyboardMarkup(inline_keyboard=[buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def link(url: str) -> str:
    """An ``<a>`` for an http(s) URL showing host and path; anything else as escaped text."""
    value = clean(url).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return h(value)
    shown = excerpt(f"{parts.hostname.removeprefix('www.')}{parts.path}".rstrip("/"), 48)
    return f'<a href="{h(value)}">{h(shown)}</a>'


def _header(risk: Risk, topic: str) -> str:
    return f"{LEVEL_MARK[risk.level]} <b>{LEVEL_RU[risk.level]} риск {h(risk.label)}</b> · {h(topic)}"


def _workflow(risk: Risk, tz: str, compact: bool) -> list[str]:
    status = f"<b>Статус:</b> {RISK_STATUS_RU[risk.status]}"
    if risk.assignee:
        status += f" · в работе у {h(risk.assignee)}"
    if risk.escalated:
        status += " · ⬆️ эскалирован"
    lines = [status]
    if risk.answers:
        answer = risk.answers[-1]
        places = ", ".join(answer.platforms) or "площадки не указаны"
        lines.append(f"<b>Ответ</b> ({local(answer.at, tz)}; {h(places)}): "
                     f"«{h(excerpt(answer.text, 120 if compact else ANSWER_EXCERPT))}»")
        lines += [f"  {link(url)}" for url in answer.links[: 2 if compact else MAX_LINKS]]
    if risk.verdict:
        verdict = risk.verdict
        lines.append(f"<b>Реакция:</b> {h(evidence_line(risk))}")
        lines.append(f"<b>Вердикт</b> ({local(verdict.at, tz)}): <b>{OUTCOME_RU[verdict.outcome]}</b> — "
                     f"{h(verdict.reason)}")
    return lines


def render_html(facts: CardFacts, compact: bool = False) -> str:
    """The card as Telegram HTML; ``compact`` when the full one would be too long."""
    risk = facts.risk
    lines = [
        _header(risk, facts.topic),
        f"<b>Блок:</b> {h(facts.block)}",
        f"<b>Место:</b> {h(facts.place)}",
        "",
        f"<blockquote>{h(excerpt(facts.excerpt, 140) if compact else facts.excerpt)}</blockquote>",
        "",
        f"<b>Распространение:</b> {counted(facts.posts, 'публикация', 'публикации', 'публикаций')} "
        f"(постов {facts.top_posts}, комментариев {facts.comments}) в "
        f"{counted(len(facts.sources), 'источнике', 'источниках', 'источниках')}: {h(', '.join(facts.sources))}",
        f"<b>Охват источников:</b> {number(facts.reach)}",
        f"<b>Почему риск</b> (оценка {facts.risk.score:.2f}):",
    ]
    lines += [f"• {h(excerpt(reason, 160))}" for reason in facts.reasons[: 2 if compact else None]]
    if facts.links:
        lines.append("<b>Ссылки:</b>")
        lines += [f"  {link(url)}" for url in facts.links[: 2 if compact else None]]
    if facts.people:
        lines.append(f"<b>Ответственные:</b> {h('; '.join(facts.people))}")
    lines.append("")
    lines += _workflow(risk, facts.timezone, compact)
    text = "\n".join(lines)
    if visible_length(text) > LIMIT and not compact:
        return render_html(facts, compact=True)
    return text


def details_html(facts: CardFacts, steps: int = 10) -> str:
    """``/risk N``: the card and the latest steps of the history."""
    risk = facts.risk
    lines = [render_html(facts, compact=True), "", f"<b>История</b> (последние {min(steps, len(risk.history))}):"]
    for step in risk.history[-steps:]:
        note = f" — {h(excerpt(step.note, 100))}" if step.note else ""
        lines.append(f"{local(step.at, facts.timezone)} · {ACTION_RU.get(step.action, h(step.action))} · "
                     f"{h(step.actor)}{note}")
    if not risk.history:
        lines.append("пока нет")
    lines.append(f"<code>{h(risk.id)}</code>")
    return trim("\n".join(lines))


def risks_html(risks: list[Risk], now: datetime, labels: dict[str, str], limit: int = 30) -> str:
    """``/risks``: open risks by level, each with its age and status."""
    if not risks:
        return "Открытых рисков нет."
    lines = [f"<b>Открытые риски: {len(risks)}</b>"]
    level = None
    for risk in risks[:limit]:
        if risk.level != level:
            level = risk.level
            lines.append(f"\n{LEVEL_MARK[level]} <b>{LEVEL_RU[level]}</b>")
        place = ", ".join(risk.places[:2]) or "место не определено"
        lines.append(f"{h(risk.label)} · {h(labels.get(risk.topic, risk.topic))} · {h(place)} · "
                     f"{RISK_STATUS_RU[risk.status]} · {age(risk.since, now)}")
    if len(risks) > limit:
        lines.append(f"… и ещё {len(risks) - limit}")
    lines.append("\nПодробно: /risk N")
    return trim("\n".join(lines))


HELP = """<b>Бот алерт-чата МЦУ</b>
Карточка риска приходит сюда. Кнопки под ней:
• <b>Взять в работу</b> — риск проверен и назначен;
• <b>Не риск</b> — закрыть без отработки;
• <b>Ответ опубликован</b> — бот попросит текст ответа и ссылки;
• <b>Эскалировать</b> — подключить руководителя МЦУ.
<b>Записать ответ:</b> ответьте (reply) на карточку текстом ответа и ссылками на публикации,
либо /answer N текст ссылки.
Бот запишет текст, площадки и ссылки, затем сам отследит реакцию: «отработан» или снова в работу.
<b>Команды:</b>
/risks — открытые риски по уровню и возрасту
/risk N — подробно о риске N
/digest — сводка за сегодня
/help — эта справка"""
