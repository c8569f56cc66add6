"""``mcu official``: the administration's own pages (госпаблики): activity, residents' questions and
complaints, answers, and the list of those left unanswered; ``--notify`` posts the list to the
alert chat (once a day, like the ``official-pages`` flow)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from cli.commands.rating import DateOption, print_pages
from cli.options import ConfigOption, StoreOption, console, fail, load_settings, period_of


def register(app: typer.Typer) -> None:
    @app.command("official")
    def official(
        period: str = typer.Option("7d", "--period", "-p", help="week, month или скользящее окно: 7d, 30d …"),
        date: Optional[str] = DateOption,
        notify: bool = typer.Option(False, "--notify", help="Отправить список обращений без ответа в алерт-чат "
                                                            "(не чаще раза в день)."),
        config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
    ) -> None:
        """Госпаблики: публикации в неделю, вопросы и жалобы жителей, доля ответов и медиана времени ответа."""
        from core.text import local
        from pipeline.official import notify_unanswered
        from pipeline.wiring import opened_store, sinks
        from reports.official import official_activity

        settings = load_settings(config, store)
        if not settings.official_sources:
            raise fail("в конфигурации нет источников с official: true (страницы администрации и учреждений)")
        now = datetime.now(timezone.utc)
        chosen = period_of(period, date, settings, now)
        with opened_store(settings) as db:
            activity = official_activity(db, settings, chosen, now)
            sent = notify_unanswered(db, settings, now, sinks(settings))[1] if notify else False
        print_pages(activity.pages, chosen.title)
        waiting = activity.unanswered
        console.print(f"Без ответа дольше {activity.limit_hours:g} ч: {len(waiting)}", highlight=False)
        for appeal in waiting:
            console.print(f"  • {local(appeal.post.published_at, settings.timezone, '%d.%m %H:%M')} · "
                          f"{appeal.kind == 'question' and 'вопрос' or 'жалоба'} · {appeal.post.url or appeal.post.id}",
                          highlight=False, soft_wrap=True)
        if notify:
            console.print("Список отправлен в алерт-чат." if sent else
                          "Список не отправлен: сегодня уже отправляли, или обращений без ответа нет.", highlight=False)
