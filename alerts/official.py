"""The daily list of residents' questions and complaints that the administration's own pages left
unanswered longer than the limit: one message to the alert chat (and the other sinks) a day.

The reports stage finds them (``reports.official``); the application hands them here as
:class:`Unanswered`. «Once a day» is kept in a small JSON file in the data folder (the local day
of the last list sent), and the sink key (``official-unanswered:<day>``) makes a repeat one
message in the Telegram outbox too.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from alerts.sinks import AlertSink, notify_all
from core.text import counted, excerpt, h, local, trim_html

log = logging.getLogger(__name__)
STATE_FILE = "official_unanswered.json"
KIND_RU = {"question": "вопрос", "complaint": "жалоба"}
SHOWN = 30  # items in one message; the rest are counted


@dataclass(frozen=True)
class Unanswered:
    page: str
    kind: str
    text: str
    url: str | None
    published_at: datetime
    hours: float


def unanswered_text(items: list[Unanswered], limit_hours: float, tz: str) -> tuple[str, str]:
    """(plain text, Telegram HTML) of the list, oldest first."""
    head = (f"📭 Госпаблики: без ответа дольше {limit_hours:g} ч — "
            + counted(len(items), "обращение", "обращения", "обращений"))
    plain, html = [head], [f"<b>{h(head)}</b>"]
    for item in items[:SHOWN]:
        when = local(item.published_at, tz, "%d.%m %H:%M")
        line = f"• {item.page} · {KIND_RU.get(item.kind, item.kind)} · {when} ({round(item.hours)} ч): " \
               f"«{excerpt(item.text, 120)}»"
        plain.append(line + (f"\n  {item.url}" if item.url else ""))
        html.append(h(line) + (f'\n  <a href="{h(item.url)}">открыть</a>' if item.url else ""))
    if len(items) > SHOWN:
        rest = f"… и ещё {len(items) - SHOWN} (mcu official)"
        plain.append(rest)
        html.append(h(rest))
    return "\n".join(plain) + "\n", trim_html("\n".join(html))


def _last_sent(state: Path) -> str | None:
    try:
        return json.loads(state.read_text(encoding="utf-8")).get("sent")
    except (OSError, ValueError, AttributeError):
        return None


def _remember(state: Path, day: date) -> None:
    state.parent.mkdir(parents=True, exist_ok=True)
    tmp = state.with_name(f"{state.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"sent": day.isoformat()}), encoding="utf-8")
    os.replace(tmp, state)


def send_unanswered(sinks: list[AlertSink], items: list[Unanswered], limit_hours: float, tz: str, day: date,
                    state: Path) -> bool:
    """Post the list once for ``day`` (the local date); an empty list posts nothing. Returns
    whether it was posted now. The day is remembered only when a sink took the message."""
    if not items:
        return False
    if _last_sent(state) == day.isoformat():
        log.info("official pages: the list of %s is already sent", day)
        return False
    plain, html = unanswered_text(items, limit_hours, tz)
    if not notify_all(sinks, plain, key=f"official-unanswered:{day.isoformat()}", html=html):
        return False
    _remember(state, day)
    return True
