"""``mcu remap``: map the stored raw platform items again with the current mappings, without
collecting again (``pipeline.remap``)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.options import ConfigOption, StoreOption, check_source_keys, console, err, fail, load_settings
from core.domain import Platform

SHOWN_PROBLEMS = 20


def register(app: typer.Typer) -> None:
    app.command("remap")(remap)


def remap(
    config: Optional[Path] = ConfigOption,
    store: Optional[str] = StoreOption,
    source: list[str] = typer.Option([], "--source", "-s", help="Только этот источник (можно несколько)."),
    platform: Optional[Platform] = typer.Option(None, "--platform", help="Только эта платформа."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Только посчитать, ничего не записывать."),
) -> None:
    """Перемапить сохранённые исходные записи платформ текущими правилами разбора — без повторного сбора.

    Нужна после исправления разбора (например, когда VK переименовал поле).

    Публикации пересобираются из сохранённых записей; изменившиеся заново анализируются и записываются, сюжет у них сохраняется.

    Битые записи перечисляются с источником, записью и полем, остальные обрабатываются. Код выхода 1 — если ни одну запись перемапить не удалось.
    """
    from core.store import StoreError
    from pipeline.remap import LazyAnalyser, remap_store
    from pipeline.wiring import opened_store, pseudonymizer

    settings = load_settings(config, store)
    check_source_keys(settings, source)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    try:
        with opened_store(settings) as db, Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("перемаплено", total=None)
            report = remap_store(db, settings, LazyAnalyser(settings), pseudonymizer(settings), sources=source,
                                 platform=platform.value if platform else None, dry_run=dry_run,
                                 progress=lambda done: bar.advance(task, done))
    except StoreError as exc:
        raise fail(str(exc)) from None
    total = report.total
    if not report.by_source:
        console.print("Сохранённых исходных записей не найдено: перемапить нечего.")
        return
    table = Table(title="Перемапинг сохранённых записей" + (" (пробный прогон: ничего не записано)" if dry_run else ""))
    table.add_column("источник")
    for name in ("перемаплено", "изменилось", "без изменений", "ошибок"):
        table.add_column(name, justify="right")
    for key, counts in sorted(report.by_source.items()):
        table.add_row(key, str(counts.remapped), str(counts.changed), str(counts.unchanged), str(counts.errors))
    table.add_row("[bold]всего[/]", str(total.remapped), str(total.changed), str(total.unchanged), str(total.errors))
    console.print(table)
    console.print(f"Перемаплено: {total.remapped}; изменилось: {total.changed}; без изменений: {total.unchanged}; "
                  f"ошибок: {total.errors}; время: {report.seconds:.1f} с", highlight=False)
    for problem in report.problems[:SHOWN_PROBLEMS]:
        err.print(f"[yellow]Ошибка разбора:[/] {escape(str(problem))}", highlight=False)
    if len(report.problems) > SHOWN_PROBLEMS:
        err.print(f"… и ещё {len(report.problems) - SHOWN_PROBLEMS} ошибок", highlight=False)
    if total.errors and not total.remapped:
        raise typer.Exit(code=1)
