"""Deadline reminders: the reports stage says which open risks are close to or past a deadline,
the alerts stage posts one reminder card each. ``mcu risk remind`` and the ``deadlines`` flow
call :func:`remind_deadlines`."""
from __future__ import annotations

from datetime import datetime

from alerts.reminders import Reminder, send_reminder
from alerts.sinks import AlertSink
from core.config import Settings
from core.store import Store, open_risks
from reports.sla import Deadlines, evaluate, stage_text


def due_reminders(store: Store, settings: Settings, now: datetime) -> list[Reminder]:
    """For every open risk, its first stage not done when it is due soon or overdue."""
    risks = open_risks(store)
    slas = evaluate(store, settings, risks, now, Deadlines(settings))
    reminders = []
    for risk in risks:
        stage = slas[risk.id].next_open
        if stage is not None and stage.state in ("due_soon", "overdue"):
            reminders.append(Reminder(risk, stage.name, stage.due, stage.state == "overdue", stage_text(stage)))
    return reminders


def remind_deadlines(store: Store, settings: Settings, now: datetime, sinks: list[AlertSink]) -> list[Reminder]:
    """Post the reminders not posted before; returns those posted now."""
    return [r for r in due_reminders(store, settings, now) if send_reminder(store, sinks, settings, r, now)]
