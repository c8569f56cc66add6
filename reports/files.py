"""Writing the period report to files: ``mcu-report-<period>.pdf`` and ``.xlsx`` in a folder."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from core.config import Settings
from core.store import Store
from reports.appeal_problems import ProblemMatcher
from reports.period import Period
from reports.places import coordinates
from reports.report import PeriodReport, build_report

FORMATS = ("pdf", "xlsx")


def render(report: PeriodReport, settings: Settings, fmt: str) -> bytes:
    if fmt == "pdf":
        from reports.report_pdf import render_pdf

        known = sorted(set(coordinates(settings).values()), key=lambda spot: spot.name)
        return render_pdf(report, known)
    if fmt == "xlsx":
        from reports.report_xlsx import render_xlsx

        return render_xlsx(report)
    raise ValueError(f"формат «{fmt}» не поддерживается; есть {', '.join(FORMATS)}")


def write_report(store: Store, settings: Settings, period: Period, now: datetime, folder: Path,
                 formats: tuple[str, ...] = FORMATS, *,
                 matcher: ProblemMatcher | None = None) -> tuple[PeriodReport, list[Path]]:
    """Build the report and write it in each format; returns the report and the files."""
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise ValueError(f"форматы {unknown} не поддерживаются; есть {', '.join(FORMATS)}")
    report = build_report(store, settings, period, now, matcher=matcher)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = folder / f"mcu-report-{period.slug}.{fmt}"
        path.write_bytes(render(report, settings, fmt))
        paths.append(path)
    return report, paths


def caption(report: PeriodReport) -> str:
    """The line that goes with the files to the alert chat."""
    overdue = sum(1 for row in report.risks if row.sla.overdue)
    return (f"Отчёт МЦУ для Главы округа: {report.period.title}. Рисков за период: {len(report.risks)}, "
            f"просрочено сейчас: {overdue}; негативных публикаций: {report.complaints}.")
