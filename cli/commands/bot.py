"""``mcu bot``: the alert chat bot (aiogram polling) and the delivery of the alert outbox."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cli.options import ConfigOption, StoreOption, console, err, fail, load_settings


def register(app: typer.Typer) -> None:
    @app.command("bot")
    def bot(
        config: Optional[Path] = ConfigOption,
        store: Optional[str] = StoreOption,
        once: bool = typer.Option(False, "--once", help="Доставить очередь алертов один раз и выйти (без опроса)."),
        status: bool = typer.Option(False, "--status", help="Показать очередь алертов и выйти."),
    ) -> None:
        """Бот алерт-чата в Telegram: карточки рисков, кнопки, ответы и команды.

        Токен — из переменной окружения MCU_BOT_TOKEN; чат — MCU_BOT_CHAT_ID или chat_id в конфигурации.
        """
        import asyncio

        from alerts.outbox import Outbox, outbox_path
        from core.config import ConfigError
        from pipeline.wiring import opened_store

        settings = load_settings(config, store)
        with Outbox(outbox_path(settings)) as outbox:
            if status:
                counts = outbox.counts()
                waiting = counts.get("pending", 0) + counts.get("sending", 0)
                console.print(f"Очередь {outbox.path}: ожидают {waiting}, отправлено "
                              f"{counts.get('sent', 0)}, без отправки {counts.get('done', 0)}, "
                              f"отклонено {counts.get('failed', 0)}", highlight=False)
                for row in outbox.jobs("failed") + outbox.jobs("sending") + outbox.jobs("pending"):
                    console.print(f"  #{row[0]} {row[1]} риск {row[3] or '—'} · {row[4]} · попыток {row[5]} · "
                                  f"{row[7] or ''}", highlight=False, markup=False)
                return
            from alerts.telegram.bot import BotContext, run_bot
            from alerts.telegram.config import bot_config, make_bot
            from alerts.telegram.connect import TokenRefused
            from alerts.telegram.delivery import CardRenderer, deliver_pending, reconcile

            try:
                config_ = bot_config(settings)
            except ConfigError as exc:
                raise fail(str(exc)) from None
            with opened_store(settings) as db:
                reconcile_other_sinks(settings, db)
                telegram = make_bot(config_)
                try:
                    if once:
                        reconcile(db, outbox, config_.chat_id)
                        report = deliver_pending(outbox, telegram, CardRenderer(db, settings),
                                                 config_.rate_per_minute)
                        print_report(report)
                        if not report.complete:
                            raise typer.Exit(1)
                        return
                    console.print(f"Бот алерт-чата запущен (чат {config_.chat_id}, участников "
                                  f"{len(config_.members)}). Остановка: Ctrl+C", highlight=False)
                    asyncio.run(run_bot(BotContext(db, settings, outbox, config_, digest=digest_of(db, settings)),
                                        telegram))
                except TokenRefused as exc:
                    raise fail(str(exc), code=1) from None


def reconcile_other_sinks(settings, db) -> None:
    """The bot's reconcile step for the file and console sinks (the outbox's own reconcile covers
    the chat): recorded alerts a killed scan did not hand to them. Skipped while a scan holds the
    store, since that scan reconciles them itself."""
    from alerts.ledger import SinkLedger, ledger_path, reconcile_sinks
    from alerts.sinks import build_sinks
    from pipeline.lock import StoreBusy, store_lock

    sinks = build_sinks(settings, console, skip=("telegram",))
    if not sinks:
        return
    try:
        with store_lock(settings, wait=0), SinkLedger(ledger_path(settings)) as ledger:
            reconcile_sinks(db.list_alerts(), sinks, ledger)
    except StoreBusy:
        pass


def print_report(report) -> None:
    """``mcu bot --once``: how many went out and how many are still queued, as it is."""
    from core.text import counted

    line = (f"Доставлено {report.delivered}; в очереди осталось {report.queued}"
            + (f"; отклонено Telegram {report.rejected}" if report.rejected else ""))
    console.print(line, highlight=False, markup=False)
    if report.problem:
        err.print(f"Доставка прервана: {report.problem}", highlight=False, markup=False)
    elif report.queued:
        err.print(f"Не доставлено: {counted(report.queued, 'сообщение ждёт', 'сообщения ждут', 'сообщений ждут')} "
                  "очереди (лимит чата или сбой Bot API); запустите mcu bot или повторите mcu bot --once",
                  highlight=False, markup=False)


def digest_of(db, settings):
    """``/digest`` of the bot: the reports' digest of the moment, as Telegram HTML."""
    from pipeline.appeal_links import problem_matcher
    from reports.digest import daily_digest, render_digest_html

    matcher = problem_matcher(settings)
    return lambda now: render_digest_html(daily_digest(db, settings, now, matcher=matcher), now)
