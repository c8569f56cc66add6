"""Where alerts go: small sinks behind one ``send`` method, built from config."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from rich.console import Console
from rich.panel import Panel

from mcu.domain import Alert

log = logging.getLogger(__name__)
STYLE = {"critical": "bold red", "high": "dark_orange", "medium": "yellow"}


class AlertSink(Protocol):
    def send(self, alert: Alert) -> None: ...


class ConsoleSink:
    def __init__(self, console: Console | None = None):
        self.console = console or Console()

    def send(self, alert: Alert) -> None:
        self.console.print(Panel(alert.text, border_style=STYLE.get(alert.level, "white"), expand=False))


class FileSink:
    """Appends every alert card to a text file, separated by a rule."""

    def __init__(self, path: Path):
        self.path = path

    def send(self, alert: Alert) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        stamp = alert.created_at.strftime("%Y-%m-%d %H:%M UTC")
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"=== {stamp} · алерт {alert.id}\n{alert.text}\n\n")


def build_sinks(settings, console: Console | None = None) -> list[AlertSink]:
    sinks: list[AlertSink] = []
    for config in settings.alerts.sinks:
        if config.type == "console":
            sinks.append(ConsoleSink(console))
        elif config.type == "file":
            sinks.append(FileSink(config.path))  # runtime outputs are relative to the working folder
    return sinks
