"""``mcu appeals``: import exports of appeal systems, their statistics, and what is overdue."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from cli.options import ConfigOption, StoreOption, console, fail, load_settings

appeals_app = typer.Typer(help="Обращения граждан: загрузка выгрузок систем (ПОС, «Инцидент Менеджмент», порталы), "
                               "статистика, сроки.", no_args_is_help=True)
SHOWN_PROBLEMS = 20


def register(app: typer.Typer) -> None:
    app.add_typer(appeals_app, name="appeals")


@appeals_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Выгрузка: CSV (UTF-8 или cp1251, можно .csv.gz) или XLSX."),
    source: Optional[str] = typer.Option(None, "--source", "-s", help="Источник обращений из конфигурации "
                                         "(platform: appeals) с его разметкой колонок."),
    preset: Optional[str] = typer.Option(None, "--preset", help="Готовая разметка без настройки: spb "
                                         "(«Наш Санкт-Петербург») или kursk (портал Курской области)."),
    as_json: bool = typer.Option(False, "--json", help="Итог в JSON."),
    config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
) -> None:
    """Загрузить выгрузку обращений: персональные данные скрываются до записи, повторная загрузка
    обновляет статус, ответ и оценку и не создаёт дублей; плохие строки перечисляются с номером
    строки и колонкой."""
    from collectors.appeals.reader import ExportError
    from pipeline.appeals import appeals_source, import_file

    settings = load_settings(config, store)
    if preset is not None and preset not in ("spb", "kursk"):
        raise fail(f"--preset {preset}: есть spb и kursk")
    try:
        chosen = appeals_source(settings, source, preset)
    except ValueError as exc:
        raise fail(str(exc)) from None
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=as_json) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, done: int, total: int | None) -> None:
            label = {"read": "Чтение и обезличивание", "store": "Анализ и запись"}[phase]
            if phase not in tasks:
                tasks[phase] = bar.add_task(label, total=total)
            bar.update(tasks[phase], advance=done, total=total)

        try:
            report = import_file(settings, chosen, file, progress=progress)
        except ExportError as exc:
            raise fail(str(exc)) from None
    read = report.read
    if as_json:
        print(json.dumps({"source": chosen.key, "file": str(file), "rows": read.rows, "rejected": read.rejected,
                          "new": report.stored.new, "updated": report.stored.updated,
                          "unchanged": report.stored.unchanged, "duplicates": read.duplicates,
                          "masked": dict(read.masked), "problems": [str(p) for p in read.problems],
                          "seconds": round(report.seconds, 1)}, ensure_ascii=False, indent=2))
        return
    console.print(f"«{chosen.name}» ({chosen.key}), {file.name}: {'; '.join(read.notes)}", highlight=False)
    console.print(f"Строк: {read.rows}, загружено: {report.imported}, отклонено: {read.rejected}. "
                  f"Новых: {report.stored.new}, обновлено: {report.stored.updated}, "
                  f"без изменений: {report.stored.unchanged}. {report.seconds:.1f} с.", highlight=False)
    if read.masked:
        hidden = ", ".join(f"{kind} — {n}" for kind, n in read.masked.most_common())
        console.print(f"Скрыто персональных данных: {hidden}.", highlight=False)
    if read.problems:
        console.print(f"[yellow]Замечания ({len(read.problems)}):[/]")
        for problem in read.problems[:SHOWN_PROBLEMS]:
            console.print(Text(f"  {problem}"))
        if len(read.problems) > SHOWN_PROBLEMS:
            console.print(f"  … и ещё {len(read.problems) - SHOWN_PROBLEMS} (полный список: --json)")


@appeals_app.command("stats")
def stats_command(
    source: Optional[str] = typer.Option(None, "--source", "-s", help="Только этот источник обращений."),
    as_json: bool = typer.Option(False, "--json", help="Числа в JSON вместо таблиц."),
    config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
) -> None:
    """Обращения по темам, отделам и статусам; виды ответов и доля решённых среди «Решаемых»."""
    from core.appeals import AppealQuery
    from pipeline.wiring import opened_store
    from reports.appeal_stats import appeal_stats, percent

    settings = load_settings(config, store)
    with opened_store(settings) as db:
        stats = appeal_stats(db, settings, AppealQuery(source=source))
    if as_json:
        print(json.dumps({"total": stats.total, "by_topic": dict(stats.by_topic),
                          "by_department": dict(stats.by_department), "by_status": dict(stats.by_status),
                          "by_state": dict(stats.by_state), "by_answer_kind": dict(stats.by_answer_kind),
                          "solvable_by_topic": [{"topic": r.topic, "answered": r.answered, "solved": r.solved,
                                                 "explained": r.explained} for r in stats.solvable_by_topic],
                          "explaining_topics": [r.topic for r in stats.explaining_topics],
                          "spikes": [{"topic": x.topic, "place": x.place, "week": x.week.isoformat(),
                                      "count": x.count, "baseline": x.baseline_mean} for x in stats.spikes]},
                         ensure_ascii=False, indent=2))
        return
    if not stats.total:
        console.print("Обращений нет. Загрузите выгрузку: mcu appeals import ФАЙЛ --preset spb|kursk или --source КЛЮЧ")
        return
    console.print(f"Обращений: {stats.total}", highlight=False)
    for title, pairs in (("Темы", stats.by_topic), ("Территориальные отделы", stats.by_department),
                         ("Статусы", stats.by_status), ("Состояние", stats.by_state),
                         ("Виды ответов", stats.by_answer_kind)):
        table = Table(title=title, title_justify="left")
        table.add_column("значение", overflow="fold")
        table.add_column("обращений", justify="right")
        table.add_column("доля", justify="right")
        for label, n in pairs[:15]:
            table.add_row(Text(label), str(n), percent(n, stats.total).split(" ")[0])
        if pairs:
            console.print(table)
    if not stats.classified:
        console.print("Виды ответов не определены: классификатор ответов не установлен (nlp.appeals).")
        return
    labels = stats.topic_labels
    table = Table(title="«Решаемые» (темы, где орган может решить сам): решено или разъяснено", title_justify="left")
    for column in ("тема", "ответов", "решено", "разъяснение"):
        table.add_column(column, overflow="fold")
    for row in stats.solvable_by_topic[:15]:
        table.add_row(Text(labels.get(row.topic, row.topic)), str(row.answered), percent(row.solved, row.answered),
                      percent(row.explained, row.answered))
    console.print(table)
    worst = ", ".join(labels.get(r.topic, r.topic) for r in stats.explaining_topics) or "нет"
    console.print(f"Темы, где разъяснения заменяют решения: {worst}", highlight=False)
    for spike in stats.spikes[:10]:
        console.print(Text(f"Рост: {labels.get(spike.topic, spike.topic)} · {spike.place or 'место не определено'} — "
                           f"{spike.count} за неделю с {spike.week:%d.%m.%Y} (обычно {spike.baseline_mean:.1f})"))


@appeals_app.command("overdue")
def overdue_command(
    source: Optional[str] = typer.Option(None, "--source", "-s", help="Только этот источник обращений."),
    limit: int = typer.Option(5, "--limit", "-n", min=0, help="Сколько просроченных обращений показать по отделу."),
    as_json: bool = typer.Option(False, "--json", help="Итог в JSON."),
    config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
) -> None:
    """Открытые обращения по отделам: просрочено, скоро срок, в работе (сроки — appeals.deadlines)."""
    from core.text import zone
    from pipeline.wiring import opened_store
    from reports.appeal_deadlines import open_deadlines

    settings = load_settings(config, store)
    now = datetime.now(timezone.utc)
    with opened_store(settings) as db:
        units = open_deadlines(db, settings, now, source)
    if as_json:
        print(json.dumps([{"unit": u.unit, "overdue": u.states["overdue"], "due_soon": u.states["due_soon"],
                           "open": u.states["open"], "overdue_numbers": [d.appeal.number for d in u.overdue]}
                          for u in units], ensure_ascii=False, indent=2))
        return
    if not units:
        console.print("Открытых обращений нет.")
        return
    table = Table(title="Открытые обращения по отделам", title_justify="left")
    for column in ("отдел / орган", "просрочено", "скоро срок", "в работе"):
        table.add_column(column, overflow="fold")
    for unit in units:
        table.add_row(Text(unit.unit), str(unit.states["overdue"]), str(unit.states["due_soon"]),
                      str(unit.states["open"]))
    console.print(table)
    tz = zone(settings.timezone)
    for unit in (u for u in units if u.overdue and limit):
        console.print(f"[bold]{unit.unit}[/]: просрочено {len(unit.overdue)}", highlight=False)
        for d in unit.overdue[:limit]:
            console.print(Text(f"  № {d.appeal.number}, срок {d.due.astimezone(tz):%d.%m.%Y %H:%M}: "
                               f"{d.appeal.text[:90]}"))


@appeals_app.command("search")
def search_command(
    text: str = typer.Argument("", help="Слова для поиска (формы слов не важны: «ямы» найдёт «яма»)."),
    topic: Optional[str] = typer.Option(None, "--topic", help="Код темы рубрикатора (roads, utilities …)."),
    place: Optional[str] = typer.Option(None, "--place", help="Населённый пункт из газеттира."),
    state: Optional[str] = typer.Option(None, "--state", help="open — на рассмотрении, answered — дан ответ."),
    source: Optional[str] = typer.Option(None, "--source", "-s", help="Только этот источник обращений."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="Сколько обращений показать."),
    as_json: bool = typer.Option(False, "--json", help="Обращения в JSON."),
    config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
) -> None:
    """Поиск по обращениям (текст обезличен): лучшие совпадения, без текста — самые новые."""
    from core.appeals import APPEAL_STATES, AppealQuery
    from core.text import zone
    from pipeline.wiring import opened_store

    if state is not None and state not in APPEAL_STATES:
        raise fail(f"--state {state}: есть {', '.join(APPEAL_STATES)}")
    settings = load_settings(config, store)
    query = AppealQuery(text=text, topic=topic, place=place, state=state, source=source, limit=limit)
    with opened_store(settings) as db:
        found = db.search_appeals(query)
    if as_json:
        print(json.dumps([a.model_dump(mode="json", exclude={"analysis": {"lemmas"}}) for a in found],
                         ensure_ascii=False, indent=2))
        return
    tz = zone(settings.timezone)
    table = Table(title=f"Обращения: {len(found)}", title_justify="left")
    for column in ("№", "поступило", "канал", "тема", "место", "состояние", "текст"):
        table.add_column(column, overflow="fold")
    for a in found:
        table.add_row(Text(a.number), f"{a.received_at.astimezone(tz):%d.%m.%Y}", Text(a.channel), a.analysis.topic,
                      Text(", ".join(a.analysis.places[:2]) or "—"), APPEAL_STATES[a.state], Text(a.text[:160]))
    console.print(table)
