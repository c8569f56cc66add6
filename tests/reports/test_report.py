"""The report for the Head of the district: the PDF of the demo store rendered to PNG pages
(pdftoppm) is not blank and its text layer (pdftotext) holds the Russian headings; the XLSX
holds the numbers, counted again here from the store."""
from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from cli.app import app
from core.domain import RiskStatus
from core.store import SearchQuery
from reports.files import write_report
from reports.period import rolling
from reports.places import coordinates
from reports.report_pdf import HEADINGS
from tests.reports.conftest import ANCHOR, EVALUATED
from tests.reports.recompute import ANSWER, TAKE, deadline, first_take

POPPLER = bool(shutil.which("pdftoppm") and shutil.which("pdftotext"))


@pytest.fixture
def poppler():
    """pdftoppm and pdftotext (Debian's poppler-utils, which ``make test`` installs); in CI they must be there."""
    if not POPPLER:
        if os.environ.get("CI"):
            pytest.fail("poppler-utils (pdftoppm, pdftotext) is missing in CI: scripts/run-tests.sh installs it")
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed; make test installs it")


@pytest.fixture(scope="module")
def written(worked, tmp_path_factory):
    settings = worked.settings()
    period = rolling(timedelta(days=14), ANCHOR, settings.timezone)
    folder = tmp_path_factory.mktemp("report")
    with worked.store() as db:
        report, paths = write_report(db, settings, period, EVALUATED, folder)
    return settings, period, report, {p.suffix: p for p in paths}


def ink(page: Image.Image) -> float:
    """The share of pixels that are not (nearly) white."""
    grey = page.convert("L")
    histogram = grey.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


def test_pdf_pages_are_not_blank_and_hold_the_headings(written, tmp_path, poppler):
    _, _, report, files = written
    pdf = files[".pdf"]
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5
    for page in pages:
        with Image.open(page) as image:
            assert image.width > image.height  # A4 landscape
            assert ink(image) > 0.01, f"{page.name} is blank"
    with Image.open(pages[2]) as charts_page:  # the charts draw far more than text does
        assert ink(charts_page) > 0.05
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=120).stdout
    for heading in HEADINGS:
        assert heading in text
    assert f"Отчёт МЦУ для Главы округа: {report.period.title}" in text
    assert "Блоки МЦУ" in text and "Территориальные отделы" in text and "Лаптевский территориальный отдел" in text
    assert f"Поступило рисков: {len(report.risks)}" in text
    assert "https://" in text  # example posts carry their links


def test_xlsx_numbers_are_recounted_from_the_store(written, worked):
    settings, period, report, files = written
    book = load_workbook(files[".xlsx"])
    assert book.sheetnames == ["Сводка", "Риски", "Рейтинг блоков", "Рейтинг отделов", "По дням", "Темы", "Места",
                               "Истории"]
    summary = {row[0]: row[1] for row in book["Сводка"].iter_rows(values_only=True)}
    with worked.store() as db:
        risks = db.list_risks()
        starts = {r.id: db.get_story(r.story_id).first_seen for r in risks}
        hits = db.search(SearchQuery(since=period.since, until=period.until, limit=100_000))
    chosen = [r for r in risks if period.since <= starts[r.id] < period.until]
    assert summary["Рисков"] == len(chosen)
    for level, word in (("critical", "критический"), ("high", "высокий"), ("medium", "средний")):
        assert summary[f"уровень: {word}"] == sum(r.level == level for r in chosen)
    assert summary["статус: отработан"] == sum(r.status == RiskStatus.handled for r in chosen)
    overdue_answers = sum(1 for r in chosen if r.is_open and not r.answers
                          and EVALUATED >= deadline(starts[r.id], ANSWER[r.level]))
    assert summary["Просрочен ответ"] == overdue_answers > 0
    overdue_takes = sum(1 for r in chosen if r.is_open and first_take(r) is None
                        and EVALUATED >= deadline(starts[r.id], TAKE[r.level]))
    assert summary["Просрочено взятие в работу"] == overdue_takes > 0
    negative = sum(1 for h in hits if h.analysis and h.analysis.sentiment.label == "negative")
    assert summary["Негативных публикаций"] == negative
    rows = list(book["Риски"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[1] for r in rows) == sorted(r.id for r in chosen)
    days = list(book["По дням"].iter_rows(min_row=2, values_only=True))
    assert sum(d[4] for d in days) == len(hits)
    assert sum(d[1] + d[2] + d[3] for d in days) == len(chosen)
    topics = {row[0]: row[1] for row in book["Темы"].iter_rows(min_row=2, values_only=True)}
    labels = {t.code: t.label for t in settings.rubricator.topics}
    assert topics == {labels[c]: n for c, n in Counter(h.analysis.topic.code for h in hits).items()}


def test_the_map_counts_risks_per_settlement_with_coordinates(written):
    settings, _, report, _ = written
    where = coordinates(settings)
    expected: Counter = Counter()
    for row in report.risks:
        expected.update({where[name].name for name in row.risk.places if name in where})
    assert {p.name: p.risks for p in report.places} == dict(expected) and expected
    assert {name for name, _ in report.unplaced} == {n for row in report.risks for n in row.risk.places
                                                     if n not in where}


def test_mcu_report_writes_the_files(worked, tmp_path):
    result = CliRunner().invoke(app, ["report", "-c", str(worked.config), "--period", "week", "--date", "2026-11-18",
                                      "--format", "xlsx", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["mcu-report-week-2026-11-16.xlsx"]
    assert "неделя 16.11–22.11.2026" in result.output
    bad = CliRunner().invoke(app, ["report", "-c", str(worked.config), "--format", "docx", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "docx" in bad.output
