"""``mcu risk …``: the decree's risk procedure without Telegram, for the embedded default and scripts.

The commands call the same functions as the chat bot (``alerts.workflow``), and a change made
here also refreshes the risk's card in the alert chat when one is configured.
"""
from __future__ import annotations

import getpass
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from alerts import workflow
from alerts.card import render_card
from alerts.history import export_history
from alerts.reactions import citizen_links
from core.text import age, clean, local
from cli.options import ConfigOption, StoreOption, console, err, fail, load_settings, parse_moment
from core.config import ConfigError, Settings
from pipeline.wiring import LazySentiment, opened_store
from core.domain import ACTION_RU, LEVEL_MARK, LEVEL_RU, OUTCOME_RU, RISK_STATUS_RU, RiskStatus, TransitionError


def default_actor(settings: Settings) -> str:
    return settings.environment.actor or f"{getpass.getuser()} (cli)"


def prepared(config: Optional[Path], store: Optional[str], at: Optional[str], sinks_of):
    """The settings, the moment of ``--now`` and the sinks ``sinks_of(settings)`` builds (a bad sink
    config is a one-line error)."""
    settings = load_settings(config, store)
    moment = parse_moment(at)
    try:
        return settings, moment, sinks_of(settings)
    except ConfigError as exc:
        raise fail(str(exc)) from None


def register(app: typer.Typer) -> None:
    risk_app = typer.Typer(help="Информационные риски: порядок работы из командной строки.", no_args_is_help=True)
    app.add_typer(risk_app, name="risk")
    Ref = typer.Argument(..., metavar="НОМЕР", help="Номер риска (например, 12) или начало его id.")
    Who = typer.Option(None, "--who", help="Кто действует (env MCU_ACTOR; по умолчанию пользователь ОС).")

    def refresh_chat(settings: Settings, outcome: workflow.Outcome) -> None:
        from alerts.sinks import notify_refresh, telegram_sinks

        if not outcome.changed:
            return
        try:
            notify_refresh(telegram_sinks(settings), outcome.risk, outcome.notice)
        except ConfigError as exc:
            err.print(f"[yellow]Карточка в алерт-чате не обновлена:[/] {escape(str(exc))}", highlight=False)

    def act(config: Path, store: Optional[str], ref: str, who: Optional[str], do) -> None:
        """Find the risk and apply ``do(db, risk, actor, now)``; print the outcome, refresh the card."""
        settings = load_settings(config, store)
        actor = who or default_actor(settings)
        with opened_store(settings) as db:
            try:
                risk = workflow.find_risk(db, ref)
                outcome = do(db, risk, actor, datetime.now(timezone.utc))
            except (workflow.RiskNotFound, TransitionError, ValueError) as exc:
                raise fail(clean(str(exc))) from None
        refresh_chat(settings, outcome)
        mark = "[green]✓[/]" if outcome.changed else "[yellow]•[/]"
        console.print(f"{mark} {escape(clean(outcome.message))} · статус: {RISK_STATUS_RU[outcome.risk.status]}",
                      highlight=False)

    @risk_app.command("list")
    def list_risks(
        config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
        all_: bool = typer.Option(False, "--all", "-a", help="Все риски, не только открытые."),
        status: Optional[RiskStatus] = typer.Option(None, "--status", help="Только в этом статусе."),
        overdue: bool = typer.Option(False, "--overdue", help="Только просроченные (взятие в работу или ответ)."),
        as_json: bool = typer.Option(False, "--json", help="JSON Lines вместо таблицы."),
    ) -> None:
        """Открытые риски по уровню и возрасту, со сроками (возраст — от первой публикации истории)."""
        import json

        from core.store import open_risks
        from reports.sla import evaluate, stage_text

        settings = load_settings(config, store)
        now = datetime.now(timezone.utc)
        with opened_store(settings) as db:
            risks = db.list_risks([status]) if status else (db.list_risks() if all_ else open_risks(db))
            slas = evaluate(db, settings, risks, now)
        if overdue:
            risks = [r for r in risks if slas[r.id].overdue]
        if as_json:
            for risk in risks:
                sla = slas[risk.id]
                record = json.loads(risk.model_dump_json(exclude={"history", "reasons"}))
                record["sla"] = {"start": sla.start.isoformat(), **{s.name: {
                    "state": s.state, "due": s.due.isoformat(), "hours": s.hours} for s in sla.stages}}
                print(clean(json.dumps(record, ensure_ascii=False)))
            return
        if not risks:
            console.print("Просроченных рисков нет." if overdue else
                          ("Рисков нет." if all_ or status else "Открытых рисков нет."))
            return
        labels = {t.code: t.label for t in settings.rubricator.topics}
        table = Table(title=f"Риски: {len(risks)}, просрочено: {sum(1 for r in risks if slas[r.id].overdue)}")
        for column in ("№", "уровень", "статус", "тема", "место", "возраст", "срок", "в работе у"):
            table.add_column(column, no_wrap=column in ("№", "уровень", "возраст"))
        for r in risks:
            sla = slas[r.id]
            stage = sla.next_open
            deadline = Text(("⛔ " if stage.state == "overdue" else "") + stage_text(stage),
                            style="bold red" if stage.state == "overdue" else "") if stage else Text("—")
            table.add_row(str(r.number or r.id[:8]), f"{LEVEL_MARK[r.level]} {LEVEL_RU[r.level].lower()}",
                          RISK_STATUS_RU[r.status], Text(labels.get(r.topic, r.topic)),
                          Text(clean(", ".join(r.places[:2]) or "—")), age(sla.start, now), deadline,
                          Text(clean(r.assignee or "—")))
        console.print(table)

    @risk_app.command("show")
    def show(ref: str = Ref, config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
             as_json: bool = typer.Option(False, "--json", help="Риск целиком в JSON.")) -> None:
        """Карточка риска, ответы, вердикт и история."""
        settings = load_settings(config, store)
        with opened_store(settings) as db:
            try:
                risk = workflow.find_risk(db, ref)
            except workflow.RiskNotFound as exc:
                raise fail(str(exc)) from None
            story = db.get_story(risk.story_id)
            items = db.posts_by_ids(story.post_ids) if story else []
        if as_json:
            print(clean(risk.model_dump_json(indent=2)))
            return
        console.print(Panel(Text(render_card(risk, story, items, settings)), expand=False,
                            title=f"риск {risk.label}"))
        table = Table(title="История")
        for column in ("когда", "действие", "статус", "кто", "примечание"):
            table.add_column(column)
        for step in risk.history:
            table.add_row(local(step.at, settings.timezone, "%d.%m.%Y %H:%M"), ACTION_RU.get(step.action, step.action),
                          RISK_STATUS_RU[step.status], Text(clean(step.actor)), Text(clean(step.note)))
        console.print(table if risk.history else "История пуста: риск ещё никто не брал в работу.")

    @risk_app.command("take")
    def take(ref: str = Ref, who: Optional[str] = Who, config: Optional[Path] = ConfigOption,
             store: Optional[str] = StoreOption) -> None:
        """Взять риск в работу (также вернуть в работу отработанный или «не риск»)."""
        act(config, store, ref, who, lambda db, r, actor, now: workflow.take(db, r.id, actor, now))

    @risk_app.command("answer")
    def answer(
        ref: str = Ref,
        text: str = typer.Option(..., "--text", "-t", help="Текст ответа (отработки); ссылки можно вписать в текст."),
        link: list[str] = typer.Option([], "--link", "-l", help="Ссылка на публикацию ответа (можно несколько)."),
        who: Optional[str] = Who, config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
    ) -> None:
        """Записать опубликованный ответ: текст, площадки (по ссылкам) и ссылки."""
        def do(db, risk, actor, now):
            record = workflow.parse_answer(text, actor, now, link, ref=f"cli:{uuid.uuid4().hex[:12]}")
            outcome = workflow.record_answer(db, risk.id, record)
            console.print(f"Площадки: {', '.join(record.platforms)} · ссылок: {len(record.links)}", highlight=False,
                          markup=False)
            for wrong in citizen_links(db, load_settings(config, store), record.links):
                err.print(f"⚠️ Ссылка {wrong} ведёт на публикацию жителя, а не на официальный ответ: "
                          "проверьте, что записан именно ответ", highlight=False, markup=False)
            return outcome

        act(config, store, ref, who, do)

    @risk_app.command("not-risk")
    def not_risk(ref: str = Ref, reason: str = typer.Option("", "--reason", help="Почему не риск."),
                 who: Optional[str] = Who, config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption) -> None:
        """Отметить «не риск»."""
        act(config, store, ref, who, lambda db, r, actor, now: workflow.mark_not_risk(db, r.id, actor, now, reason))

    @risk_app.command("escalate")
    def escalate(ref: str = Ref, reason: str = typer.Option("", "--reason", help="Причина эскалации."),
                 who: Optional[str] = Who, config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption) -> None:
        """Эскалировать руководителю МЦУ; риск снова в работе."""
        act(config, store, ref, who, lambda db, r, actor, now: workflow.escalate(db, r.id, actor, now, reason))

    @risk_app.command("close")
    def close(ref: str = Ref, note: str = typer.Option("", "--note", "--reason", help="Основание."),
              who: Optional[str] = Who, config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption) -> None:
        """Отметить «отработан» вручную: после опубликованного ответа, в том числе когда риск снова открыт."""
        act(config, store, ref, who, lambda db, r, actor, now: workflow.close(db, r.id, actor, now, note))

    @risk_app.command("track")
    def track(config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
              at: Optional[str] = typer.Option(None, "--now",
                                               help="Момент оценки (ISO); по умолчанию — сейчас.")) -> None:
        """Оценить реакцию на опубликованные ответы: «отработан» или снова в работу."""
        from alerts.reactions import track_reactions
        from alerts.sinks import telegram_sinks

        settings, moment, sinks = prepared(config, store, at, telegram_sinks)
        with opened_store(settings) as db:
            reports = track_reactions(db, settings, moment, sinks=sinks, sentiment_of=LazySentiment(settings))
        if not reports:
            console.print("Рисков с опубликованным ответом нет.")
            return
        table = Table(title=f"Реакция на ответы ({local(moment, settings.timezone, '%d.%m.%Y %H:%M')})")
        for column in ("№", "вердикт", "статус", "основание"):
            table.add_column(column)
        for report in reports:
            table.add_row(report.risk.label, OUTCOME_RU[report.outcome], RISK_STATUS_RU[report.risk.status],
                          Text(clean(report.reason)))
        console.print(table)

    @risk_app.command("remind")
    def remind(config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
               at: Optional[str] = typer.Option(None, "--now", help="Момент проверки (ISO); по умолчанию — сейчас.")
               ) -> None:
        """Напомнить в алерт-чат о сроках: истекает или просрочено (каждое напоминание — один раз)."""
        from pipeline.deadlines import remind_deadlines
        from pipeline.wiring import sinks as build_sinks

        settings, moment, sinks = prepared(config, store, at, build_sinks)
        with opened_store(settings) as db:
            sent = remind_deadlines(db, settings, moment, sinks)
        console.print(f"Напоминаний отправлено: {len(sent)}", highlight=False)
        for reminder in sent:
            console.print(f"  {reminder.risk.label}: {reminder.left}", highlight=False)

    @risk_app.command("history-export")
    def history_export(
        fmt: str = typer.Option("csv", "--format", "-f", help="csv (шаг на строку) или json (риски целиком)."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Файл; по умолчанию — стандартный вывод."),
        config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
    ) -> None:
        """Выгрузить историю рисков: кто, что и когда сделал."""
        if fmt not in ("csv", "json"):
            raise fail(f"--format: «{fmt}» не поддерживается; есть csv и json")
        settings = load_settings(config, store)
        with opened_store(settings) as db:
            risks = db.list_risks()
        if out is None:
            export_history(risks, fmt, sys.stdout, settings.timezone)
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as handle:
            written = export_history(risks, fmt, handle, settings.timezone)
        what = "шагов" if fmt == "csv" else "рисков"
        console.print(f"Записано {what}: {written} → {out}", highlight=False)

