"""``mcu config``: check the configuration and list the sources."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from cli.options import ConfigOption, console, load_settings


def register(app: typer.Typer) -> None:
    app.command("config")(check_config)


def check_config(config: Optional[Path] = ConfigOption) -> None:
    """Проверить конфигурацию и показать источники."""
    settings = load_settings(config)
    table = Table(title=f"{settings.municipality}: источники")
    for column in ("ключ", "платформа", "название", "адрес", "включён"):
        table.add_column(column)
    for s in settings.sources:
        address = getattr(s, "owner", None) or getattr(s, "chat", None) or getattr(s, "url", "")
        table.add_row(s.key, s.platform, s.name, str(s.replay or address), "да" if s.enabled else "нет")
    console.print(table)
    console.print(f"Хранилище: {settings.store} · тем: {len(settings.rubricator.topics)} · "
                  f"блоков: {len(settings.rubricator.blocks)} · газеттир: {settings.resolve(settings.gazetteer)}")
