"""Telegram HTML for the alert chat: the card with its buttons, the risk list, help.

The card and the ``/risk N`` details are ``alerts.card``'s one builder in its :data:`~alerts.card.HTML`
format. Every piece of text from users, sources or config goes through :func:`core.text.h`
(broken Unicode repaired, ``<``, ``>``, ``&`` and quotes escaped); links become ``<a>`` only
for http(s) URLs. A message stays under Telegram's 4096 visible characters.
"""
from __future__ import annotations

from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from alerts.card import HTML, CardFacts, card_text, details_text
from core.domain import LEVEL_MARK, LEVEL_RU, RISK_STATUS_RU, Risk, RiskStatus
from core.text import age, h, trim_html


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


def render_html(facts: CardFacts, compact: bool = False) -> str:
    """The card as Telegram HTML; compact when asked or when the full one would be too long."""
    return card_text(facts, HTML, compact)


def details_html(facts: CardFacts, steps: int = 10) -> str:
    """``/risk N``: the compact card, the latest steps of the history and the risk's id."""
    return details_text(facts, HTML, steps)


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
    return trim_html("\n".join(lines))


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
/digest — сводка за последние 24 часа
/help — эта справка"""
