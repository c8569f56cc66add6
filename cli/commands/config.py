"""``mcu config``: check the configuration and list the sources."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table
from rich.text import Text

from cli.options import ConfigOption, console, fail, load_settings
from pipeline.checks import check_files

STYLE = {"ok": "green", "warning": "yellow", "error": "red"}


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
        table.add_row(s.key, s.platform, Text(s.name), Text(str(s.replay or address)), "да" if s.enabled else "нет")
    console.print(table)
    console.print(f"Хранилище: {settings.store} · тем: {len(settings.rubricator.topics)} · "
                  f"блоков: {len(settings.rubricator.blocks)} · газеттир: {settings.resolve(settings.gazetteer)}",
                  markup=False, highlight=False)
    checks = check_files(settings)
    files = Table(title="Файлы и папки")
    for column in ("что", "путь", "состояние"):
        files.add_column(column, overflow="fold")
    for check in checks:
        files.add_row(check.what, Text(str(check.path)), Text(check.detail, style=STYLE[check.status]))
    console.print(files)
    errors = [c for c in checks if c.status == "error"]
    if errors:
        raise fail(f"в конфигурации есть недоступные файлы или папки: {len(errors)}", code=1)
