"""``mcu report``: the weekly or monthly report for the Head of the district, as PDF and XLSX files."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from cli.options import ConfigOption, StoreOption, console, fail, load_settings, period_of


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        period: str = typer.Option("week", "--period", "-p", help="week или month (прошлые полные; с --date — "
                                                                   "содержащие дату) или окно: 14d …"),
        date: Optional[str] = typer.Option(None, "--date", help="Дата внутри нужной недели или месяца (ГГГГ-ММ-ДД)."),
        fmt: list[str] = typer.Option([], "--format", "-f", help="pdf или xlsx (можно оба); по умолчанию оба."),
        out: Path = typer.Option(Path("data/reports"), "--out", "-o", help="Папка для файлов."),
        config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
    ) -> None:
        """Отчёт для Главы округа: риски и их отработка, рейтинг, графики, карта, истории роста жалоб."""
        from pipeline.appeal_links import problem_matcher
        from pipeline.wiring import opened_store
        from reports.files import FORMATS, write_report

        formats = tuple(dict.fromkeys(f.lower() for f in fmt)) or FORMATS
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise fail(f"--format: {unknown} не поддерживается; есть {', '.join(FORMATS)}")
        settings = load_settings(config, store)
        now = datetime.now(timezone.utc)
        chosen = period_of(period, date, settings, now)
        with console.status(f"Строю отчёт за период «{chosen.title}»…"):
            with opened_store(settings) as db:
                built, paths = write_report(db, settings, chosen, now, out, formats,
                                            matcher=problem_matcher(settings))
        console.print(f"Отчёт за период «{chosen.title}»: рисков {len(built.risks)}, "
                      f"негативных публикаций {built.complaints}.", highlight=False)
        for path in paths:
            console.print(f"  {path}", highlight=False)
