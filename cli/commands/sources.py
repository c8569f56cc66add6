"""``mcu sources check``: can every configured source be read? Token, chat, feed, per source."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from cli.options import ConfigOption, console, fail as _fail, load_settings as _settings

STATUS_RU = {"ok": "[green]работает[/]", "warning": "[yellow]предупреждение[/]", "error": "[red]ошибка[/]",
             "unchecked": "[dim]не проверено[/]"}


def check_sources(settings, keys: list[str] | None = None) -> list[tuple[object, object]]:
    """(source, SourceCheck) for the named sources, or for all of them, in config order."""
    from collectors.base import check_source

    chosen = [s for s in settings.sources if not keys or s.key in keys]
    return [(source, check_source(source, settings)) for source in chosen]


def register(app: typer.Typer) -> None:
    sources_app = typer.Typer(help="Источники мониторинга: проверка доступа.", no_args_is_help=True)

    @sources_app.command("check")
    def check(
        config: Optional[Path] = ConfigOption,
        source: list[str] = typer.Option([], "--source", "-s", help="Только этот источник (можно несколько)."),
        include_disabled: bool = typer.Option(False, "--all", help="Проверять и выключенные источники."),
    ) -> None:
        """Проверить источники: токены VK, доступность чатов Telegram, разбор лент RSS/Atom."""
        settings = _settings(config)
        unknown = [key for key in source if key not in {s.key for s in settings.sources}]
        if unknown:
            raise _fail(f"{config}: нет источников {unknown}; есть: {[s.key for s in settings.sources]}")
        keys = source or [s.key for s in settings.sources if s.enabled or include_disabled]
        table = Table(title=f"{settings.municipality}: проверка источников", show_lines=True)
        for column in ("ключ", "платформа", "название", "состояние", "подробности"):
            table.add_column(column, overflow="fold")
        results = []
        with console.status("Проверяю источники…"):
            for item, result in check_sources(settings, keys):
                results.append(result)
                table.add_row(item.key, item.platform, item.name, STATUS_RU.get(result.status, result.status),
                              result.detail)
        console.print(table)
        counts = {status: sum(r.status == status for r in results) for status in STATUS_RU}
        console.print(f"Работают: {counts['ok']}, с предупреждением: {counts['warning']}, "
                      f"с ошибкой: {counts['error']}, не проверено: {counts['unchecked']}.")
        if counts["error"]:
            raise typer.Exit(code=1)

    app.add_typer(sources_app, name="sources")
