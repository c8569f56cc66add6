"""The report for the Head of the district as a PDF (fpdf2, A4 landscape), for reading and
printing. Text is real text (a text layer that can be searched and copied) in DejaVu Sans,
the font matplotlib ships, so no system font is needed."""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import matplotlib
from fpdf import FPDF, FontFace

from core.domain import LEVEL_RU, RISK_STATUS_RU
from core.text import clean as _clean, local
from reports import charts
from reports.places import Spot
from reports.official import PAGE_COLUMNS, page_row
from reports.appeal_summary import RATING_COLUMNS, AppealSummary, appeal_lines, rating_row
from reports.rating import COLUMNS, table_row
from reports.report import PeriodReport
from reports.sla import STATE_RU, hours_text, stage_text

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
MAX_RISK_ROWS = 60
HEADINGS = ("1. Риски за период и их отработка", "2. Рейтинг блоков и территориальных отделов", "3. Графики",
            "4. Карта рисков по населённым пунктам", "5. Истории, вызвавшие рост жалоб")
HEAD_STYLE = FontFace(emphasis="BOLD", fill_color=(226, 232, 240))


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    fonts = [TTFont(FONTS / name) for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")]
    return frozenset.intersection(*(frozenset(font.getBestCmap()) for font in fonts))


def clean(text: object) -> str:
    """Safe text the font can draw: characters it has no glyph for (emoji) are dropped."""
    glyphs = _glyphs()
    return "".join(ch for ch in _clean(text) if ord(ch) in glyphs or ch in "\n\t").strip()


class _Pdf(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=14)
        self.set_font("DejaVu", size=10)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("DejaVu", size=7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"{self.footer_text} · стр. {self.page_no()} из {{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: int = 14) -> None:
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)
        self.set_font("DejaVu", size=10)

    def para(self, text: str, size: float = 10, height: float = 5.2) -> None:
        self.set_font("DejaVu", size=size)
        self.multi_cell(0, height, clean(text), new_x="LMARGIN", new_y="NEXT")

    def grid(self, columns: tuple[str, ...] | list[str], rows: list[list[str]], widths: tuple[float, ...],
             size: float = 7.5) -> None:
        self.set_font("DejaVu", size=size)
        with self.table(col_widths=widths, headings_style=HEAD_STYLE, line_height=size * 0.5,
                        text_align="LEFT", padding=0.8) as table:
            table.row(list(columns))
            for values in rows:
                table.row([clean(v) for v in values])
        self.ln(3)
        self.set_font("DejaVu", size=10)

    def picture(self, png: bytes, width: float) -> None:
        self.image(io.BytesIO(png), x=(self.w - width) / 2, w=width)
        self.ln(2)

    def pictures(self, pngs: list[bytes], gap: float = 5) -> None:
        """Pictures side by side across the page width."""
        width = (self.epw - gap * (len(pngs) - 1)) / len(pngs)
        top, bottom = self.get_y(), self.get_y()
        for i, png in enumerate(pngs):
            info = self.image(io.BytesIO(png), x=self.l_margin + i * (width + gap), y=top, w=width)
            bottom = max(bottom, top + info.rendered_height)
        self.set_y(bottom + 3)


def _summary(report: PeriodReport) -> list[str]:
    levels = report.by_level
    statuses = report.by_status
    total = len(report.risks)
    lines = [f"Поступило рисков: {total} (критических {levels.get('critical', 0)}, высоких {levels.get('high', 0)}, "
             f"средних {levels.get('medium', 0)})."]
    if total:
        lines.append("По статусам: " + ", ".join(f"{RISK_STATUS_RU[s]} — {n}" for s, n in statuses.most_common()) + ".")
        taken = report.stage_count("take", "on_time", "late")
        answered = report.stage_count("answer", "on_time", "late")
        lines += [
            f"Взято в работу: {taken}, из них в срок {report.stage_count('take', 'on_time')}; "
            f"опубликовано ответов: {answered}, из них в срок {report.stage_count('answer', 'on_time')}.",
            f"Просрочено на {local(report.at, report.timezone, '%d.%m.%Y %H:%M')}: взятие в работу — "
            f"{report.stage_count('take', 'overdue')}, ответ — {report.stage_count('answer', 'overdue')}.",
        ]
    trend = report.complaints - report.previous_complaints
    lines.append(f"Негативных публикаций (жалоб): {report.complaints}; за предыдущий такой же период — "
                 f"{report.previous_complaints} ({'+' if trend >= 0 else ''}{trend}).")
    return lines


def _risk_rows(report: PeriodReport) -> list[list[str]]:
    rows = []
    for row in report.risks[:MAX_RISK_ROWS]:
        sla, risk = row.sla, row.risk
        taken = hours_text(sla.take.hours) if sla.take.hours is not None else STATE_RU[sla.take.state]
        answered = hours_text(sla.answer.hours) if sla.answer.hours is not None else STATE_RU[sla.answer.state]
        open_stage = sla.next_open
        rows.append([risk.label, LEVEL_RU[risk.level].lower(), row.topic, ", ".join(risk.places[:2]) or "—",
                     RISK_STATUS_RU[risk.status], local(sla.start, report.timezone), taken, answered,
                     stage_text(open_stage) if open_stage else "выполнены", row.owner])
    return rows


def render_pdf(report: PeriodReport, known: list[Spot]) -> bytes:
    """The report as PDF bytes; ``known`` are the gazetteer's places drawn grey on the map."""
    title = f"Отчёт МЦУ · {report.municipality} · {report.period.title}"
    pdf = _Pdf(title)
    pdf.set_title(title)
    pdf.set_author("МЦУ")
    pdf.add_page()
    pdf.heading(f"Отчёт МЦУ для Главы округа: {report.period.title}", 16)
    pdf.para(f"{report.municipality}. Период: {local(report.period.since, report.timezone, '%d.%m.%Y %H:%M')} — "
             f"{local(report.period.until, report.timezone, '%d.%m.%Y %H:%M')}. Сформирован "
             f"{local(report.at, report.timezone, '%d.%m.%Y %H:%M')}.", size=9)
    pdf.ln(2)
    pdf.heading(HEADINGS[0])
    for line in _summary(report):
        pdf.para(line)
    pdf.ln(2)
    if report.risks:
        pdf.grid(("№", "уровень", "тема", "место", "статус", "первая публикация", "взят за", "ответ за", "сроки",
                  "ответственный"), _risk_rows(report), (10, 22, 27, 29, 22, 22, 17, 17, 42, 65))
        if len(report.risks) > MAX_RISK_ROWS:
            pdf.para(f"… и ещё {len(report.risks) - MAX_RISK_ROWS}: полный список — в XLSX.", size=8)
    pdf.add_page()
    pdf.heading(HEADINGS[1])
    pdf.para("Балл 0–100: ответ в срок ×0,4, отработано ×0,3, не возвращено в работу ×0,15, спокойная реакция "
             "×0,15 (доли без данных не учитываются). Подразделения с числом рисков меньше 2 — вне рейтинга.", size=8)
    widths = (16, 62, 13, 20, 20, 24, 24, 22, 22, 20, 14)
    for name, units in (("Блоки МЦУ", report.rating.blocks), ("Территориальные отделы", report.rating.departments)):
        pdf.heading(name, 11)
        pdf.grid(COLUMNS, [table_row(u) for u in units], widths)
    if report.rating.pages:
        pdf.heading("Госпаблики", 11)
        pdf.para(f"Балл: отвечено ×0,5, ответ в пределах {report.rating.pages[0].limit_hours:g} ч ×0,3, активность "
                 "(публикаций в неделю из 7) ×0,2.", size=8)
        pdf.grid(PAGE_COLUMNS, [page_row(p) for p in report.rating.pages], (14, 62, 20, 18, 18, 16, 28, 24, 26, 14))
    if report.polls:
        pdf.heading("Опросы за период", 11)
        for note in report.polls:
            pdf.para(f"«{note.question}» · {note.source}{note.state} · {note.results}", size=8.5, height=4.6)
    pdf.add_page()
    pdf.heading(HEADINGS[2])
    pdf.pictures([charts.risks_per_day(report), charts.sentiment(report)])
    pdf.picture(charts.topics(report), 170)
    pdf.add_page()
    pdf.heading(HEADINGS[3])
    pdf.picture(charts.risk_map(report, known), 150)
    if report.unplaced:
        pdf.para("Без координат в газеттире: " + ", ".join(f"{name} — {n}" for name, n in report.unplaced), size=8)
    pdf.add_page()
    pdf.heading(HEADINGS[4])
    if not report.stories:
        pdf.para("За период негативных публикаций нет.")
    for story in report.stories:
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(0, 5.2, clean(f"«{story.title}»"), new_x="LMARGIN", new_y="NEXT")
        pdf.para(f"{story.topic} · {', '.join(story.places) or 'место не определено'} · негативных {story.negative} "
                 f"из {story.posts} публикаций периода" + (f" · риск {story.risk}" if story.risk else ""), size=9)
        for example in story.examples:
            pdf.para(f"— «{example.text}» ({example.source}, {local(example.published, report.timezone)})", size=8.5,
                     height=4.6)
            if example.url:
                pdf.set_text_color(30, 80, 170)
                pdf.set_font("DejaVu", size=8)
                pdf.cell(0, 4.6, clean(example.url), link=example.url, new_x="LMARGIN", new_y="NEXT")
                pdf.set_text_color(0, 0, 0)
        pdf.ln(3)
    if report.appeals is not None and not report.appeals.empty:
        _appeals(pdf, report.appeals)
    return bytes(pdf.output())


def _appeals(pdf: _Pdf, appeals: AppealSummary) -> None:
    """Appeals of the period, their deadlines and answers, and the rating of the units that answer."""
    pdf.add_page()
    for text, heading in appeal_lines(appeals):
        pdf.heading(text) if heading else pdf.para(text)
    if appeals.rating:
        pdf.heading("Рейтинг по обращениям", 11)
        pdf.para("Балл 0–100: ответ в срок ×0,4, решено из «Решаемых» ×0,3, удовлетворённость ×0,3 (оценка "
                 "заявителя, иначе повторное обращение или негатив в соцсетях после ответа; доли без данных "
                 "не учитываются). Меньше 3 обращений — вне рейтинга.", size=8)
        pdf.grid(RATING_COLUMNS, [rating_row(u) for u in appeals.rating[:40]], (16, 74, 20, 30, 24, 34, 28, 16))
