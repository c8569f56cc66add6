"""Who answers for a risk in a report: the head of its territorial department (a village) or of
its block, named by position and, when the ``people`` directory knows them, by name; and the
person who took it in work."""
from __future__ import annotations

from core.config import Settings
from core.domain import Risk
from core.text import clean


def position_of(risk: Risk, settings: Settings) -> str | None:
    rubricator = settings.rubricator
    department = rubricator.department(risk.department)
    if department:
        return department.head.position
    block = rubricator.block(risk.block)
    return block.head.position if block else None


def person(position: str, settings: Settings) -> str:
    """«Position — Name» when the directory has the position, else the position."""
    contact = settings.people.get(position)
    return f"{position} — {contact.name}" if contact else position


def owner_of(risk: Risk, settings: Settings) -> str:
    """«в работе у <assignee>; отвечает: <head>» in one short line."""
    parts = []
    if risk.assignee:
        parts.append(f"в работе у {clean(risk.assignee)}")
    position = position_of(risk, settings)
    if position:
        parts.append(f"отвечает: {person(position, settings)}")
    return "; ".join(parts) or "ответственный не определён"
