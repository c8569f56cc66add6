"""Where alerts go: small sinks behind one protocol, built from config by one registry.

Every sink has three methods:

* ``send(alert)``: a new alert card;
* ``refresh(risk, notice)``: the risk changed without a new alert (its story grew, someone
  acted on it, reaction tracking decided); ``notice`` is a short line for people to see
  (re-opened, escalated, handled), or None;
* ``notify(text, key, html=None)``: a message that is not about one risk (a digest, a
  reminder); the same ``key`` twice is one message where the sink can tell;
* ``document(path, caption, key)``: a file (a weekly or monthly report) with a caption; the
  same ``key`` twice is one file where the sink can tell.

``SINK_TYPES`` maps a config ``type`` to its factory; a new sink is one more entry.
"""
from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, Protocol

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from alerts.outbox import Outbox, outbox_path
from core.text import clean, h
from core.config import ConfigError, Settings
from core.domain import Alert, Risk

log = logging.getLogger(__name__)
STYLE = {"critical": "bold red", "high": "dark_orange", "medium": "yellow"}


class AlertSink(Protocol):
    def send(self, alert: Alert) -> None: ...
    def refresh(self, risk: Risk, notice: str | None = None) -> None: ...
    def notify(self, text: str, key: str, html: str | None = None) -> None: ...
    def document(self, path: Path, caption: str, key: str) -> None: ...


class ConsoleSink:
    def __init__(self, console: Console | None = None):
        self.console = console or Console()

    def send(self, alert: Alert) -> None:
        self.console.print(Panel(Text(clean(alert.text)), border_style=STYLE.get(alert.level, "white"), expand=False))

    def refresh(self, risk: Risk, notice: str | None = None) -> None:
        if notice:
            self.console.print(clean(notice), markup=False, highlight=False)

    def notify(self, text: str, key: str, html: str | None = None) -> None:
        self.console.print(clean(text), markup=False, highlight=False)

    def document(self, path: Path, caption: str, key: str) -> None:
        self.console.print(f"{clean(caption)}: {path}", markup=False, highlight=False)


class FileSink:
    """Appends every alert card (and every notice) to a text file, separated by a rule."""

    def __init__(self, path: Path):
        self.path = path

    def _write(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(clean(text))

    def send(self, alert: Alert) -> None:
        stamp = alert.created_at.strftime("%Y-%m-%d %H:%M UTC")
        self._write(f"=== {stamp} · алерт {alert.id}\n{alert.text}\n\n")

    def refresh(self, risk: Risk, notice: str | None = None) -> None:
        if notice:
            self._write(f"--- {risk.updated_at:%Y-%m-%d %H:%M UTC} · риск {risk.id}\n{notice}\n\n")

    def notify(self, text: str, key: str, html: str | None = None) -> None:
        """A message that is not about one risk (a digest, a reminder)."""
        self._write(f"=== {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {key}\n{text}\n\n")

    def document(self, path: Path, caption: str, key: str) -> None:
        """A file is named, not copied: the line says where it is."""
        self._write(f"=== {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {key}\n{caption}\nФайл: {path}\n\n")


class TelegramSink:
    """Puts alerts into the alert chat's outbox; ``mcu bot`` delivers them. No token is needed
    here, so a scan never talks to Telegram and never blocks on it."""

    def __init__(self, outbox: Outbox, chat_id: int):
        self.outbox = outbox
        self.chat_id = chat_id

    def send(self, alert: Alert) -> None:
        try:
            self.outbox.enqueue_card(self.chat_id, alert.risk_id, alert.id, time.time())
        except sqlite3.Error as exc:  # the bot re-enqueues recorded alerts missing here (reconcile)
            raise OSError(f"outbox {self.outbox.path}: {exc}") from exc

    def refresh(self, risk: Risk, notice: str | None = None) -> None:
        now = time.time()
        try:
            self.outbox.enqueue_refresh(self.chat_id, risk.id, now)
            if notice:
                self.outbox.enqueue_notice(self.chat_id, h(notice), now, risk_id=risk.id,
                                           key=f"notice:{risk.id}:{risk.version}")
        except sqlite3.Error as exc:
            raise OSError(f"outbox {self.outbox.path}: {exc}") from exc

    def notify(self, text: str, key: str, html: str | None = None) -> None:
        """A message that is not about one risk (a digest, a reminder); ``html`` is trusted as
        Telegram HTML, ``text`` is escaped. The same ``key`` twice is one message."""
        try:
            self.outbox.enqueue_notice(self.chat_id, html if html is not None else h(text), time.time(),
                                       key=f"notify:{key}")
        except sqlite3.Error as exc:
            raise OSError(f"outbox {self.outbox.path}: {exc}") from exc


    def document(self, path: Path, caption: str, key: str) -> None:
        """The file goes to the chat as a document (sendDocument); ``caption`` is escaped."""
        try:
            self.outbox.enqueue_document(self.chat_id, path, h(caption), time.time(), key=f"document:{key}")
        except sqlite3.Error as exc:
            raise OSError(f"outbox {self.outbox.path}: {exc}") from exc


def alert_chat_id(settings: Settings) -> int:
    """The alert chat: ``MCU_BOT_CHAT_ID`` from the environment, else ``chat_id`` of the telegram sink."""
    value = (settings.environment.bot_chat_id or "").strip()
    if value:
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"окружение: MCU_BOT_CHAT_ID: ожидается числовой id чата, получено «{value}»") from None
    sink = settings.alerts.telegram
    if sink is None or sink.chat_id is None:
        raise ConfigError("alerts.sinks: приёмнику telegram нужен chat_id (или переменная окружения MCU_BOT_CHAT_ID)")
    return sink.chat_id


SinkFactory = Callable[[Any, Settings, Console | None], AlertSink]
SINK_TYPES: dict[str, SinkFactory] = {
    "console": lambda config, settings, console: ConsoleSink(console),
    # runtime outputs are relative to the working folder
    "file": lambda config, settings, console: FileSink(config.path),
    "telegram": lambda config, settings, console: TelegramSink(Outbox(outbox_path(settings)),
                                                               alert_chat_id(settings)),
}


def build_sinks(settings: Settings, console: Console | None = None) -> list[AlertSink]:
    """The configured sinks, in config order."""
    return [SINK_TYPES[config.type](config, settings, console) for config in settings.alerts.sinks]


def telegram_sinks(settings: Settings) -> list[AlertSink]:
    """Only the alert chat: for actions taken outside the chat (``mcu risk``) to refresh its cards."""
    if settings.alerts.telegram is None:
        return []
    return [TelegramSink(Outbox(outbox_path(settings)), alert_chat_id(settings))]


def notify_refresh(sinks: list[AlertSink], risk: Risk, notice: str | None = None) -> None:
    for sink in sinks:
        try:
            sink.refresh(risk, notice)
        except OSError as exc:  # a sink failure must not undo the stored change
            log.error("risk %s: sink %s could not refresh: %s", risk.id, type(sink).__name__, exc)


def documents_all(sinks: list[AlertSink], paths: list[Path], caption: str, key: str) -> int:
    """Post files (a report in its formats) to every sink; returns how many sinks took them all."""
    sent = 0
    for sink in sinks:
        try:
            for path in paths:
                sink.document(path, caption, key=f"{key}:{path.suffix.lstrip('.')}")
        except OSError as exc:
            log.error("document %s: sink %s failed: %s", key, type(sink).__name__, exc)
            continue
        sent += 1
    return sent


def notify_all(sinks: list[AlertSink], text: str, key: str, html: str | None = None) -> int:
    """Post a message that is not about one risk to every sink; returns how many took it."""
    sent = 0
    for sink in sinks:
        try:
            sink.notify(text, key=key, html=html)
        except OSError as exc:  # one sink's trouble must not stop the others
            log.error("notice %s: sink %s failed: %s", key, type(sink).__name__, exc)
            continue
        sent += 1
    return sent
