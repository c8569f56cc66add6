"""``mcu digest``: the morning digest in the terminal, the same text ``/digest`` gives in the chat."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from cli.options import DIGEST_TIME, ConfigOption, StoreOption, console, load_settings, parse_day, parse_moment


def digest_moment(value: str | None, tz: str) -> datetime:
    """``--date``: a date means that day at the digest time; a date and time is taken as is (local)."""
    if value and len(value.strip()) == 10:
        value = f"{parse_day(value.strip())}T{DIGEST_TIME}"
    return parse_moment(value, tz)


def register(app: typer.Typer) -> None:
    @app.command("digest")
    def digest(
        date: Optional[str] = typer.Option(None, "--date", help=f"На какой момент: дата (тогда {DIGEST_TIME}) или "
                                                               "дата и время; по умолчанию — сейчас."),
        period: str = typer.Option("24h", "--period", help="За какой срок до этого момента: 24h, 48h, 7d …"),
        html: bool = typer.Option(False, "--html", help="Вывести в разметке Telegram (как /digest в чате)."),
        config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
    ) -> None:
        """Сводка МЦУ: публикации и тональность, новые, открытые и просроченные риски, выросшие истории, ответы."""
        from pipeline.appeal_links import problem_matcher
        from pipeline.wiring import opened_store
        from reports.digest import daily_digest, render_digest, render_digest_html
        from reports.period import PeriodError, parse_length

        settings = load_settings(config, store)
        try:
            length = parse_length(period)
        except PeriodError as exc:
            raise typer.BadParameter(str(exc)) from None
        now = digest_moment(date, settings.timezone)
        with opened_store(settings) as db:
            summary = daily_digest(db, settings, now, length, matcher=problem_matcher(settings))
        text = render_digest_html(summary) if html else render_digest(summary)
        console.print(text, markup=False, highlight=False, end="", soft_wrap=True)
