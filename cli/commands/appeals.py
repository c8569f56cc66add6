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
    """Обращения по темам, отделам и статусам; виды ответов и доля решённых среди «Решаемых»;
    удовлетворённость ответами (оценка, иначе повторные обращения и реакция в соцсетях) и проблемы,
    которые видны и в обращениях, и в соцсетях."""
    from core.appeals import AppealQuery
    from pipeline.appeal_links import problem_matcher
    from pipeline.wiring import opened_store
    from reports.appeal_stats import appeal_stats, percent

    settings = load_settings(config, store)
    with opened_store(settings) as db:
        stats = appeal_stats(db, settings, AppealQuery(source=source), matcher=problem_matcher(settings),
                             now=datetime.now(timezone.utc))
    if as_json:
        print(json.dumps({"total": stats.total, "by_topic": dict(stats.by_topic),
                          "by_department": dict(stats.by_department), "by_status": dict(stats.by_status),
                          "by_state": dict(stats.by_state), "by_answer_kind": dict(stats.by_answer_kind),
                          "solvable_by_topic": [{"topic": r.topic, "answered": r.answered, "solved": r.solved,
                                                 "explained": r.explained} for r in stats.solvable_by_topic],
                          "explaining_topics": [r.topic for r in stats.explaining_topics],
                          "spikes": [{"topic": x.topic, "place": x.place, "week": x.week.isoformat(),
                                      "count": x.count, "baseline": x.baseline_mean} for x in stats.spikes],
                          "repeated": stats.repeated,
                          "satisfaction": {unit: {"share": c.share, **c.bases}
                                           for unit, c in stats.satisfaction_by_unit},
                          "problems": [problem_json(p) for p in stats.problems]},
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
    print_satisfaction(stats)
    print_problems(stats.problems, stats.topic_labels)
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


def print_satisfaction(stats) -> None:
    from reports.appeal_stats import satisfaction_text

    if not stats.satisfaction_by_unit:
        return
    table = Table(title="Удовлетворённость ответами: оценка заявителя, иначе повторное обращение или негатив "
                        "в соцсетях после ответа", title_justify="left")
    for column in ("отдел / орган", "по оценке", "повтор или негатив", "без сигналов", "не ясно", "итог"):
        table.add_column(column, overflow="fold", min_width=14 if column == "отдел / орган" else None)
    for unit, counts in stats.satisfaction_by_unit[:15]:
        b = counts.bases
        table.add_row(Text(unit), str(b["rating"]), str(b["repeated"] + b["reaction"]), str(b["quiet"]),
                      str(b["pending"]), satisfaction_text(counts))
    console.print(table)
    if stats.matched:
        console.print(f"Ответов, после которых пришло повторное обращение о той же проблеме: {stats.repeated}",
                      highlight=False)


def print_problems(problems, labels: dict[str, str]) -> None:
    if not problems:
        return
    table = Table(title="Одна проблема в обращениях и в соцсетях", title_justify="left")
    for column in ("тема", "место", "обращений", "публикаций", "история в соцсетях"):
        table.add_column(column, overflow="fold")
    for problem in problems[:15]:
        story = problem.story
        table.add_row(Text(labels.get(story.topic, story.topic)), Text(", ".join(problem.places)),
                      str(len(problem.appeal_ids)), str(problem.posts), Text(story.title[:120]))
    console.print(table)


def problem_json(problem) -> dict:
    story = problem.story
    return {"story_id": story.id, "title": story.title, "topic": story.topic, "places": list(problem.places),
            "posts": problem.posts, "first_seen": story.first_seen.isoformat(),
            "last_seen": story.last_seen.isoformat(), "appeals": list(problem.appeal_ids)}


@appeals_app.command("stories")
def stories_command(
    days: int = typer.Option(30, "--days", "-d", min=1, help="Обращения, поступившие за столько дней."),
    source: Optional[str] = typer.Option(None, "--source", "-s", help="Только этот источник обращений."),
    as_json: bool = typer.Option(False, "--json", help="Итог в JSON."),
    config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
) -> None:
    """Обращения и истории в соцсетях об одной проблеме и одном месте: тема, место, номера
    обращений, число публикаций; какие ответы не удовлетворили (повтор, негатив после ответа)."""
    from datetime import timedelta

    from core.appeals import AppealQuery
    from pipeline.appeal_links import problem_matcher
    from pipeline.wiring import opened_store
    from reports.appeal_problems import appeal_problems

    settings = load_settings(config, store)
    now = datetime.now(timezone.utc)
    with opened_store(settings) as db:
        appeals = db.search_appeals(AppealQuery(since=now - timedelta(days=days), source=source, limit=None))
        found = appeal_problems(db, settings, problem_matcher(settings), appeals, now)
    numbers = {a.id: a.number for a in appeals}
    if as_json:
        print(json.dumps({"problems": [{**problem_json(p), "appeals": [numbers[i] for i in p.appeal_ids]}
                                       for p in found.problems],
                          "repeated": {numbers[i]: [numbers.get(r, r) for r in later]
                                       for i, later in found.repeated.items() if i in numbers},
                          "negative_reaction": sorted(numbers[i] for i in found.reaction)},
                         ensure_ascii=False, indent=2))
        return
    topics = {t.code: t.label for t in settings.rubricator.topics}
    if not found.problems:
        console.print(f"За {days} дн. нет обращений о тех же проблемах и местах, что истории в соцсетях.")
    for problem in found.problems:
        story = problem.story
        console.print(Text(f"{topics.get(story.topic, story.topic)} · {', '.join(problem.places)}: обращений "
                           f"{len(problem.appeal_ids)} ({', '.join(numbers[i] for i in problem.appeal_ids)}), "
                           f"публикаций {problem.posts} — «{story.title[:100]}»", style="bold"))
    for appeal_id, later in found.repeated.items():
        if appeal_id in numbers:
            console.print(Text(f"После ответа на № {numbers[appeal_id]} повторно: "
                               f"{', '.join('№ ' + numbers.get(i, i) for i in later)}"))
    for appeal_id in sorted(found.reaction, key=numbers.get):
        console.print(Text(f"После ответа на № {numbers[appeal_id]} — негатив в соцсетях по той же истории"))


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
