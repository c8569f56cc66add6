"""``mcu rating``: the ratings of the МЦУ's blocks and territorial departments for a period."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from cli.options import ConfigOption, StoreOption, console, load_settings, period_of

PeriodOption = typer.Option("month", "--period", "-p", help="week, month (прошлые полные; с --date — содержащие "
                                                             "дату) или скользящее окно: 7d, 30d …")
DateOption = typer.Option(None, "--date", help="Дата внутри нужной недели или месяца (ГГГГ-ММ-ДД).")


def register(app: typer.Typer) -> None:
    @app.command("rating")
    def rating(
        period: str = PeriodOption, date: Optional[str] = DateOption,
        as_json: bool = typer.Option(False, "--json", help="Числа в JSON вместо таблиц."),
        config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
    ) -> None:
        """Рейтинг блоков и территориальных отделов: риски, сроки взятия и ответа, отработка, реакция."""
        from pipeline.wiring import opened_store
        from reports.rating import MIN_RISKS, SHORT_COLUMNS, build_rating, table_row

        settings = load_settings(config, store)
        now = datetime.now(timezone.utc)
        chosen = period_of(period, date, settings, now)
        from pipeline.appeal_links import problem_matcher
        from reports.appeal_stats import RATING_COLUMNS, appeal_rating, rating_row  # noqa: E402 (heavy: on use)

        with opened_store(settings) as db:
            result = build_rating(db, settings, chosen, now)
            appeal_units = appeal_rating(db, settings, chosen, now, matcher=problem_matcher(settings))
        if as_json:
            print(json.dumps({"period": chosen.title, "since": chosen.since.isoformat(),
                              "until": chosen.until.isoformat(), "units": [unit_json(u) for u in result.units],
                              "official_pages": [page_json(p) for p in result.pages],
                              "appeal_units": [appeal_unit_json(u) for u in appeal_units]},
                             ensure_ascii=False, indent=2))
            return
        for title, units in (("Блоки МЦУ", result.blocks), ("Территориальные отделы", result.departments)):
            print_table(f"{title} · {chosen.title}", SHORT_COLUMNS, [table_row(u) for u in units], "подразделение")
        if result.pages:
            print_pages(result.pages, chosen.title)
        console.print("Взятие и ответ — медианы в рабочих часах от первой публикации. "
                      f"Балл: ответ в срок ×0,4, отработано ×0,3, не возвращено в работу ×0,15, спокойная реакция "
                      f"×0,15; с числом рисков меньше {MIN_RISKS} — вне рейтинга. Подробно: docs/ru/reports.md",
                      highlight=False)
        if appeal_units:
            print_table(f"По обращениям граждан · {chosen.title}", RATING_COLUMNS,
                        [rating_row(u) for u in appeal_units], "подразделение")
            console.print("Балл по обращениям: ответ в срок ×0,4, решено из «Решаемых» ×0,3, удовлетворённость ×0,3 "
                          "(оценка заявителя, иначе повторное обращение или негатив в соцсетях после ответа). "
                          "Подробно: docs/ru/appeals.md", highlight=False)


def print_table(title: str, columns, rows: list[list[str]], name_column: str) -> None:
    """A rating table: the name column kept readable, the others folded."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold", min_width=14 if column == name_column else None)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def print_pages(pages, title: str) -> None:
    """The official pages' table (``mcu rating``, ``mcu official``)."""
    from reports.official import PAGE_COLUMNS, page_row

    print_table(f"Госпаблики · {title}", PAGE_COLUMNS, [page_row(p) for p in pages], "страница")
    console.print("Госпаблики: балл — отвечено ×0,5, ответ в пределах лимита ×0,3, активность (публикаций в неделю "
                  "из 7) ×0,2.", highlight=False)


def page_json(page) -> dict:
    return {"key": page.key, "name": page.name, "rank": page.rank, "score": page.score, "posts": page.posts,
            "per_week": round(page.per_week, 2), "questions": page.questions, "complaints": page.complaints,
            "answered": len(page.answered), "median_answer_hours": page.median_hours,
            "unanswered": [{"url": a.post.url, "kind": a.kind, "published_at": a.post.published_at.isoformat()}
                           for a in page.unanswered]}


def unit_json(unit) -> dict:
    return {"kind": unit.kind, "code": unit.code, "label": unit.label, "rank": unit.rank, "score": unit.score,
            "received": unit.received, "not_risk": unit.not_risk, "median_take_hours": unit.median_take,
            "median_answer_hours": unit.median_answer, "answers_due": unit.answers_due, "on_time": unit.on_time,
            "answered": unit.answered, "handled": unit.handled, "reescalated": unit.reescalated,
            "judged": unit.judged, "net_negative": unit.net_negative, "calm": unit.calm,
            "overdue_now": unit.overdue_now}


def appeal_unit_json(unit) -> dict:
    return {"unit": unit.unit, "rank": unit.rank, "score": unit.score, "received": unit.received,
            "answered": unit.answered, "answers_due": unit.answers_due, "on_time": unit.on_time,
            "overdue_now": unit.overdue_now, "answer_kinds": dict(unit.kinds), "solvable": unit.solvable,
            "mean_rating": unit.mean_rating, "satisfaction": unit.satisfaction, "satisfaction_basis": unit.satisfied.bases}
