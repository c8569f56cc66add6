"""``mcu campaigns``: preventive campaigns for the coming weeks, from the calendar and from the history."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from cli.options import ConfigOption, StoreOption, console, fail, load_settings, parse_day


def register(app: typer.Typer) -> None:
    @app.command("campaigns")
    def campaigns(
        weeks: int = typer.Option(4, "--weeks", "-w", min=1, max=52, help="На сколько недель вперёд искать рост в "
                                                                         "истории прошлых лет."),
        date: Optional[str] = typer.Option(None, "--date", help="Неделя, содержащая дату (ГГГГ-ММ-ДД); по умолчанию "
                                                               "— текущая."),
        calendar: Path = typer.Option(Path("config/campaigns.yaml"), "--calendar", help="Календарь сезонных тем."),
        export: Optional[Path] = typer.Option(None, "--export", "-e", help="Выгрузить перечень потенциальных "
                                                                           "сезонных угроз: файл .csv или .xlsx."),
        config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
    ) -> None:
        """Сезонные темы недели по календарю и по истории публикаций, с планом сообщений."""
        from core.config import ConfigError
        from core.text import zone
        from pipeline.wiring import opened_store
        from reports.campaign_plan import build_week, export_threats, render_week
        from reports.campaigns import load_campaigns

        settings = load_settings(config, store)
        try:
            entries = load_campaigns(calendar, settings)
        except ConfigError as exc:
            raise fail(str(exc)) from None
        today = parse_day(date) or datetime.now(timezone.utc).astimezone(zone(settings.timezone)).date()
        with console.status("Ищу сезонные темы в истории публикаций…"):
            with opened_store(settings) as db:
                week = build_week(db, settings, entries, today, weeks)
        console.print(render_week(week, settings), markup=False, highlight=False, end="", soft_wrap=True)
        if export is not None:
            try:
                path = export_threats(week.threats, export, settings.timezone)
            except ValueError as exc:
                raise fail(str(exc)) from None
            console.print(f"\nПеречень потенциальных угроз ({len(week.threats)}): {path}", highlight=False)
