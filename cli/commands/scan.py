"""``mcu scan`` (every source: collect → analyse → store → alert) and ``mcu demo`` (write the
demo sources and scan them)."""
from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from cli.options import ConfigOption, StoreOption, check_source_keys, console, load_settings


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
    app.command("demo")(demo)


def scan(
    config: Optional[Path] = ConfigOption,
    store: Optional[str] = StoreOption,
    full: bool = typer.Option(False, "--full", help="Игнорировать отметки (watermarks) и перечитать всё."),
    source: list[str] = typer.Option([], "--source", "-s", help="Только этот источник (можно несколько)."),
) -> None:
    """Сбор → анализ → запись → алерты по всем источникам конфигурации.

    Без сервера Prefect (по умолчанию) скан идёт в этом процессе; если задан PREFECT_API_URL,
    он запускается как поток Prefect на этом сервере и виден в его веб-интерфейсе."""
    from cli.display import ScanDisplay, print_summary
    from pipeline import run
    from pipeline.stop import install_stop_handlers

    settings = load_settings(config, store)
    check_source_keys(settings, source)
    keys = source or [s.key for s in settings.sources if s.enabled and s.scanned]
    if settings.environment.prefect_api_url:
        import flows.scan as scan_flow

        with console.status(f"Скан на сервере Prefect {settings.environment.prefect_api_url}…"):
            report = scan_flow.scan(config=str(settings.config_file), store=store, full=full, sources=keys)
    else:
        install_stop_handlers()
        with ScanDisplay(console, keys) as display:
            report = run.scan(settings, keys, full, run.ThreadExecutor(), observer=display)
    print_summary(console, report)
    if report.stopped:  # readers still blocked on the network are not waited for: the store is closed
        sys.stdout.flush()
        os._exit(143)
    if report.failed and len(report.failed) == len(report.sources):
        raise typer.Exit(code=1)


def show_polls_and_official_pages(settings, moment: datetime) -> None:
    """The demo's polls and the official pages' figures over the two weeks up to ``moment``."""
    from datetime import timedelta

    from pipeline.wiring import opened_store
    from reports.official import official_activity, page_line
    from reports.period import rolling
    from reports.polls import period_polls

    period = rolling(timedelta(days=14), moment, settings.timezone)
    with opened_store(settings) as db:
        polls = period_polls(db, settings, period.since, period.until)
        pages = official_activity(db, settings, period, moment).pages
    for note in polls:
        console.print(f"\nОпрос «{note.question}» ({note.source}{note.state}): {note.results}", highlight=False,
                      markup=False, soft_wrap=True)
    for page in pages:
        console.print(f"Госпаблик · {page_line(page)}", highlight=False, markup=False, soft_wrap=True)


def demo(
    out: Path = typer.Option(Path("data/demo"), "--out", help="Куда записать демо-источники."),
    config: Path = typer.Option(Path("config/demo.yaml"), "--config", "-c"),
    anchor: Optional[str] = typer.Option(None, "--anchor", help="Конец двухнедельного окна (ISO); по умолчанию — сейчас."),
) -> None:
    """Записать демо-данные Пестовского округа (VK JSON, дампы Telegram, RSS/Atom) и просканировать их."""
    from demo.render import render

    moment = datetime.fromisoformat(anchor) if anchor else datetime.now(timezone.utc).replace(minute=0, second=0,
                                                                                            microsecond=0)
    files = render(out, moment)
    console.print(f"Демо-источники: {len(files)} файлов в [bold]{out}[/] (окно две недели до {moment:%d.%m.%Y %H:%M} UTC)")
    scan(config=config, store=None, full=False, source=[])
    settings = load_settings(config)
    show_polls_and_official_pages(settings, moment)
    from pipeline.appeals import import_demo

    export, appeals = import_demo(settings, out, moment)
    console.print(f"Обращения граждан (ПОС, «Инцидент Менеджмент», письменные): {appeals.imported} из {export}, "
                  f"скрыто персональных данных: {sum(appeals.read.masked.values())}", highlight=False)
    db_path = settings.store.removeprefix("sqlite:///")
    console.print(f"\nХранилище: [bold]{db_path}[/]. Попробуйте:")
    for line in (
        'mcu search "вода Лаптево" --since 7d --topic utilities',
        'mcu search "дорогу" --since 14d',
        "mcu search --place Пестово --sentiment negative --json",
        "mcu alerts",
        "mcu risk list        # открытые риски; дальше: mcu risk take N, mcu risk answer N ...",
        "mcu digest           # сводка за 24 часа; mcu rating --period 14d — рейтинг блоков и отделов",
        "mcu official --period 14d   # госпаблики: вопросы жителей, доля ответов, без ответа > 24 ч",
        "mcu report --period 14d   # отчёт Главе округа: PDF и XLSX в data/reports/",
        "mcu appeals stats    # обращения граждан по темам и отделам; overdue — сроки; stories — они же в соцсетях",
        "mcu scan            # повторный запуск: ни новых постов, ни повторных алертов",
        "mcu users add admin --name 'Руководитель МЦУ' --role admin && .venv/bin/mcu web   # веб: http://127.0.0.1:8080/",
        f"datasette {db_path}   # просмотр базы в браузере (.venv/bin/pip install datasette)",
    ):
        console.print(f"  .venv/bin/{line}", style="cyan", markup=False, highlight=False, soft_wrap=True)
