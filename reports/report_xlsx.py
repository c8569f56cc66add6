"""The report as an XLSX workbook (openpyxl), for working with the numbers: one sheet per table,
numbers stored as numbers (hours, shares with a percent format), dates as dates."""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.domain import LEVEL_RU, RISK_STATUS_RU
from core.text import clean, zone
from reports.appeal_summary import RATING_COLUMNS, appeal_lines, rating_row
from reports.rating import UnitRating
from reports.report import PeriodReport
from reports.sla import STATE_RU

HEAD_FILL = PatternFill("solid", fgColor="E2E8F0")
PERCENT = "0%"
HOURS = "0.0"


def _local(moment: datetime | None, tz: str) -> datetime | None:
    """openpyxl cannot store aware datetimes: local time without the zone, as staff read it."""
    return moment.astimezone(zone(tz)).replace(tzinfo=None) if moment else None


def _sheet(book: Workbook, title: str, columns: list[str], rows: list[list[Any]],
           formats: dict[int, str] | None = None) -> None:
    sheet = book.create_sheet(title)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([clean(v) if isinstance(v, str) else v for v in row])
    for index, fmt in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            cell.number_format = fmt
    for index, column in enumerate(columns, start=1):
        values = [str(c.value) for (c,) in sheet.iter_rows(min_col=index, max_col=index) if c.value is not None]
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, *(len(v) for v in values)) + 2)
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions


def _unit_row(unit: UnitRating) -> list[Any]:
    return [unit.rank, unit.label, unit.received, unit.median_take, unit.median_answer, unit.answers_due,
            unit.on_time, unit.on_time_share, unit.handled, unit.handled_share, unit.answered, unit.reescalated,
            unit.reescalated_share, unit.judged, unit.net_negative if unit.judged else None, unit.overdue_now,
            unit.score]


UNIT_COLUMNS = ["место (пусто — вне рейтинга)", "подразделение", "рисков", "медиана взятия, раб. ч",
                "медиана ответа, раб. ч", "ответов к сроку", "ответов в срок", "доля в срок", "отработано",
                "доля отработанных", "с ответом", "снова в работе", "доля снова в работе", "с вердиктом",
                "нетто-негатив после ответа", "просрочено сейчас", "балл"]
UNIT_FORMATS = {3: HOURS, 4: HOURS, 7: PERCENT, 9: PERCENT, 12: PERCENT}


def render_xlsx(report: PeriodReport) -> bytes:
    tz = report.timezone
    book = Workbook()
    summary = book.active
    summary.title = "Сводка"
    levels, statuses = report.by_level, report.by_status
    facts = [
        ("Муниципалитет", report.municipality), ("Период", report.period.title),
        ("Начало", _local(report.period.since, tz)), ("Конец (не включая)", _local(report.period.until, tz)),
        ("Сформирован", _local(report.at, tz)), ("Рисков", len(report.risks)),
        *((f"уровень: {LEVEL_RU[lvl].lower()}", levels.get(lvl, 0)) for lvl in ("critical", "high", "medium")),
        *((f"статус: {RISK_STATUS_RU[s]}", statuses.get(s, 0)) for s in RISK_STATUS_RU),
        ("Взято в работу в срок", report.stage_count("take", "on_time")),
        ("Взято в работу с опозданием", report.stage_count("take", "late")),
        ("Ответ в срок", report.stage_count("answer", "on_time")),
        ("Ответ с опозданием", report.stage_count("answer", "late")),
        ("Просрочено взятие в работу", report.stage_count("take", "overdue")),
        ("Просрочен ответ", report.stage_count("answer", "overdue")),
        ("Негативных публикаций", report.complaints), ("Негативных за предыдущий период", report.previous_complaints),
    ]
    for name, value in facts:
        summary.append([name, value])
    summary.column_dimensions["A"].width = 36
    summary.column_dimensions["B"].width = 40
    for (cell,) in summary.iter_rows(min_col=2, max_col=2):
        if isinstance(cell.value, datetime):
            cell.number_format = "DD.MM.YYYY HH:MM"
    _sheet(book, "Риски", ["№", "id", "уровень", "статус", "тема", "блок", "территориальный отдел", "места",
                           "первая публикация", "взят в работу", "взят за, раб. ч", "срок взятия", "взятие",
                           "первый ответ", "ответ за, раб. ч", "срок ответа", "ответ", "ответственный"],
           [[r.risk.number or None, r.risk.id, LEVEL_RU[r.risk.level].lower(), RISK_STATUS_RU[r.risk.status], r.topic,
             r.block, r.department, ", ".join(r.risk.places), _local(r.sla.start, tz), _local(r.sla.take.done_at, tz),
             r.sla.take.hours, _local(r.sla.take.due, tz), STATE_RU[r.sla.take.state], _local(r.sla.answer.done_at, tz),
             r.sla.answer.hours, _local(r.sla.answer.due, tz), STATE_RU[r.sla.answer.state], r.owner]
            for r in report.risks],
           {8: "DD.MM.YYYY HH:MM", 9: "DD.MM.YYYY HH:MM", 10: HOURS, 11: "DD.MM.YYYY HH:MM",
            13: "DD.MM.YYYY HH:MM", 14: HOURS, 15: "DD.MM.YYYY HH:MM"})
    _sheet(book, "Рейтинг блоков", UNIT_COLUMNS, [_unit_row(u) for u in report.rating.blocks], UNIT_FORMATS)
    _sheet(book, "Рейтинг отделов", UNIT_COLUMNS, [_unit_row(u) for u in report.rating.departments], UNIT_FORMATS)
    _sheet(book, "Госпаблики", ["место", "страница", "публикаций", "в неделю", "вопросов", "жалоб", "отвечено",
                                "доля отвеченных", "медиана ответа, ч", "без ответа > лимита", "балл"],
           [[p.rank, p.name, p.posts, round(p.per_week, 2), p.questions, p.complaints, len(p.answered),
             p.answered_share, p.median_hours, len(p.unanswered), p.score] for p in report.rating.pages],
           {7: PERCENT, 8: HOURS})
    _sheet(book, "Без ответа", ["страница", "вид", "опубликовано", "текст", "ссылка"],
           [[p.name, "вопрос" if a.kind == "question" else "жалоба", _local(a.post.published_at, tz),
             a.post.display_text, a.post.url] for p in report.rating.pages for a in p.unanswered],
           {2: "DD.MM.YYYY HH:MM"})
    _sheet(book, "Опросы", ["вопрос", "источник", "опубликован", "голосовавших", "итоги", "завершён", "ссылка"],
           [[n.question, n.source, _local(n.published_at, tz), n.voters, n.results, "да" if n.closed else "нет", n.url]
            for n in report.polls], {2: "DD.MM.YYYY HH:MM"})
    _sheet(book, "По дням", ["день", "рисков: критических", "высоких", "средних", "публикаций", "негативных",
                             "доля негатива"],
           [[d.day, d.levels.get("critical", 0), d.levels.get("high", 0), d.levels.get("medium", 0), d.posts,
             d.negative, d.negative / d.posts if d.posts else None] for d in report.days],
           {0: "DD.MM.YYYY", 6: PERCENT})
    _sheet(book, "Темы", ["тема", "публикаций", "негативных"], [[t.label, t.posts, t.negative] for t in report.topics])
    _sheet(book, "Места", ["населённый пункт", "широта", "долгота", "рисков", "высший уровень"],
           [[p.name, p.lat, p.lon, p.risks, LEVEL_RU[p.level].lower()] for p in report.places]
           + [[name, None, None, n, "нет координат"] for name, n in report.unplaced])
    _sheet(book, "Истории", ["история", "тема", "места", "негативных", "публикаций за период", "риск", "пример",
                             "источник", "опубликован", "ссылка"],
           [[s.title, s.topic, ", ".join(s.places), s.negative, s.posts, s.risk, e.text, e.source,
             _local(e.published, tz), e.url] for s in report.stories for e in s.examples],
           {8: "DD.MM.YYYY HH:MM"})
    if report.appeals is not None and not report.appeals.empty:
        _sheet(book, "Обращения", ["итог"], [[text.strip()] for text, _ in appeal_lines(report.appeals)])
        _sheet(book, "Рейтинг по обращениям", list(RATING_COLUMNS), [rating_row(u) for u in report.appeals.rating])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
