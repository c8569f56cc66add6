"""What every ``mcu`` command shares: the consoles, the common options, settings loading and
the one-line failure. Commands import this module, never ``cli.app``.

No environment variable is read here: ``--config`` left empty means the kernel's loader
picks ``MCU_CONFIG`` or the demo config (``core.config.config_path``).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import typer
from rich.console import Console

from core.config import ConfigError, Settings
from pipeline.wiring import load_settings as _load

console = Console()
err = Console(stderr=True)


class State:
    """What the global options set for this run (``mcu -v``)."""

    verbose: bool = False


state = State()

ConfigOption = typer.Option(None, "--config", "-c", show_default=False,
                            help="YAML-конфигурация (по умолчанию MCU_CONFIG или config/demo.yaml).")
StoreOption = typer.Option(None, "--store", help="Хранилище: sqlite:///путь или elasticsearch://host:9200.")


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one Russian error line and return the exit to raise: ``raise fail("…")``."""
    err.print(f"[bold red]Ошибка:[/] {message}", highlight=False)
    return typer.Exit(code=code)


def load_settings(config: Path | None, store: str | None = None) -> Settings:
    """The validated settings, or a one-line error and exit code 2."""
    try:
        return _load(config, store)
    except ConfigError as exc:
        raise fail(str(exc)) from None


def check_source_keys(settings: Settings, keys: list[str]) -> None:
    unknown = [key for key in keys if key not in {s.key for s in settings.sources}]
    if unknown:
        raise fail(f"{settings.config_file}: нет источников {unknown}; есть: {[s.key for s in settings.sources]}")


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """``7d``, ``12h``, ``30m`` or an ISO date."""
    if not value:
        return None
    now = now or datetime.now(timezone.utc)
    match = re.fullmatch(r"(\d+)\s*([dhm])", value.strip())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return now - timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: amount})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"«{value}»: ожидается 7d, 12h, 30m или дата ГГГГ-ММ-ДД") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def parse_moment(value: str | None, tz: str | None = None) -> datetime:
    """An ISO moment (naive: in the zone ``tz``, else UTC), or now."""
    from core.text import zone

    if not value:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"«{value}»: ожидается дата и время ISO, например 2026-11-21T20:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone(tz) if tz else timezone.utc)


DIGEST_TIME = "08:30"
"""The morning digest's time: ``--date D`` of ``mcu digest`` means D at this time (prefect.yaml runs it then)."""


def parse_day(value: str | None) -> date | None:
    """An ISO date (ГГГГ-ММ-ДД), or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"«{value}»: ожидается дата ГГГГ-ММ-ДД") from None


def period_of(spec: str, day: str | None, settings: Settings, now: datetime | None = None):
    """``--period`` (week, month, 24h, 30d …) with ``--date`` → a ``reports.period.Period``."""
    from reports.period import PeriodError, resolve

    try:
        return resolve(spec, now or datetime.now(timezone.utc), settings.timezone, parse_day(day))
    except PeriodError as exc:
        raise typer.BadParameter(str(exc)) from None
