"""Reminder cards about deadlines: a risk whose deadline is close, and one past it, gets one
card each in the alert chat (and the other sinks), naming the responsible positions and
mentioning the people the ``people`` directory knows.

The deadlines themselves are computed by the reports stage; the application passes what is
due here. «Once each» is kept in the risk's history (an action ``remind_<stage>_<soon|overdue>``,
so it also shows in ``mcu risk show``), and the sink key makes a repeat one message in the chat.
"""
from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from datetime import datetime

from alerts.card import responsible
from alerts.sinks import AlertSink, notify_all
from alerts.workflow import SYSTEM, change_risk
from core.config import Settings
from core.domain import LEVEL_MARK, Risk
from core.store import Store
from core.text import clean, h, local

STAGE_RU = {"take": "взять риск в работу", "answer": "опубликовать ответ"}


@dataclass(frozen=True)
class Reminder:
    """What the application found due: the risk, the stage, its deadline and how it stands."""

    risk: Risk
    stage: str
    due: datetime
    overdue: bool
    left: str
    """the deadline in words, e.g. «ответ: просрочен на 3 ч раб.»"""

    @property
    def action(self) -> str:
        return f"remind_{self.stage}_{'overdue' if self.overdue else 'soon'}"

    @property
    def key(self) -> str:
        return f"sla:{self.risk.id}:{self.stage}:{'overdue' if self.overdue else 'soon'}"


def mentions(people: list[str], settings: Settings) -> list[tuple[str, int]]:
    """(name, Telegram id) of the directory's people among the responsible positions."""
    found = []
    for position, contact in settings.people.items():
        if contact.telegram_id and any(line == position or line.startswith(position + " ") for line in people):
            found.append((contact.name, contact.telegram_id))
    return found


def reminder_text(reminder: Reminder, settings: Settings) -> tuple[str, str]:
    """(plain text, Telegram HTML) of the reminder card."""
    risk = reminder.risk
    topic = settings.rubricator.topic(risk.topic).label
    head = ("⛔ Просрочено" if reminder.overdue else "⏰ Срок истекает") + f": риск {risk.label}"
    lines = [
        head,
        f"{LEVEL_MARK[risk.level]} {topic} · {', '.join(risk.places[:3]) or 'место не определено'}",
        f"Нужно: {STAGE_RU[reminder.stage]} до {local(reminder.due, settings.timezone, '%d.%m.%Y %H:%M')} "
        f"({reminder.left})",
    ]
    people = responsible(risk, settings)
    if people:
        lines.append("Ответственные: " + "; ".join(people))
    if risk.assignee:
        lines.append(f"В работе у: {clean(risk.assignee)}")
    plain = "\n".join(clean(line) for line in lines)
    html = "\n".join([f"<b>{h(lines[0])}</b>", *(h(line) for line in lines[1:])])
    tagged = mentions(people, settings)
    if tagged:
        html += "\n" + ", ".join(f'<a href="tg://user?id={uid}">{html_lib.escape(clean(name))}</a>'
                                 for name, uid in tagged)
    return plain + "\n", html


def already_sent(risk: Risk, reminder: Reminder) -> bool:
    return any(step.action == reminder.action for step in risk.history)


def send_reminder(store: Store, sinks: list[AlertSink], settings: Settings, reminder: Reminder,
                  now: datetime) -> bool:
    """Post the reminder unless the risk's history says it went already, then record it.
    Returns whether it was posted."""
    current = store.get_risk(reminder.risk.id)
    if current is None or already_sent(current, reminder):
        return False
    plain, html = reminder_text(reminder, settings)
    notify_all(sinks, plain, key=reminder.key, html=html)

    def record(risk: Risk):
        if already_sent(risk, reminder):
            return None
        risk.record(reminder.action, SYSTEM, now, note=reminder.left)
        return "напоминание записано"

    change_risk(store, reminder.risk.id, record)
    return True
