"""Reports: the digest, the ratings of blocks and departments, the period report as PDF and XLSX,
the saved digests and report files, and the risks' history as CSV.

Everything is counted by the ``reports`` stage (the same functions as ``mcu digest``,
``mcu rating`` and ``mcu report``); this module only chooses the period and shows the result.
"""
from __future__ import annotations

import io
import re
from datetime import timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response

from alerts.history import export_history
from pipeline.appeal_links import problem_matcher
from reports.digest import daily_digest, digest_lines
from reports.files import FORMATS, render
from reports.period import Period, resolve
from reports.rating import COLUMNS, MIN_RISKS, WEIGHTS, build_rating, table_row
from reports.report import build_report
from web.guard import Signed, context, signed_in
from web.templating import page

router = APIRouter()
DIGEST_FRESH = timedelta(minutes=5)
"""The digest is recounted at most this often per process: on a large store it reads every post
of the day's stories (``reports.digest``), which takes seconds to minutes."""
DIGEST_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.txt$")
REPORT_FILE = re.compile(r"^mcu-report-[0-9a-z-]+\.(pdf|xlsx)$")
PERIODS = {"30d": "последние 30 дней", "7d": "последние 7 дней", "week": "прошлая неделя", "month": "прошлый месяц"}
MEDIA = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "txt": "text/plain; charset=utf-8"}


def _period(request: Request, spec: str) -> tuple[str, Period]:
    ctx = context(request)
    spec = spec if spec in PERIODS else "30d"
    return spec, resolve(spec, ctx.now(), ctx.settings.timezone)


def _saved(folder, pattern: re.Pattern) -> list[str]:
    return sorted((p.name for p in folder.glob("*") if pattern.match(p.name)), reverse=True) if folder.is_dir() else []


@router.get("/reports")
def reports_page(request: Request, period: str = "30d", who: Signed = Depends(signed_in)):
    ctx = context(request)
    now = ctx.now()
    spec, chosen = _period(request, period)
    data = ctx.settings.data_dir
    return page(request, "reports.html", rating=build_rating(ctx.store, ctx.settings, chosen, now), columns=COLUMNS, table_row=table_row,
                min_risks=MIN_RISKS, weights=WEIGHTS, period=spec, chosen=chosen, periods=PERIODS, formats=FORMATS,
                digests=_saved(data / "digests", DIGEST_FILE)[:60], files=_saved(data / "reports", REPORT_FILE)[:40])


@router.get("/reports/digest")
def digest(request: Request, who: Signed = Depends(signed_in)):
    """The digest of the last 24 hours: a fragment the reports page loads after it is shown
    (htmx), or a page of its own without JavaScript."""
    ctx = context(request)
    now = ctx.now()
    counted_at, lines = ctx.cache.get("digest", (None, None))
    if counted_at is None or not now - DIGEST_FRESH <= counted_at <= now:
        counted_at, lines = now, digest_lines(daily_digest(ctx.store, ctx.settings, now,
                                                               matcher=problem_matcher(ctx.settings)))
        ctx.cache["digest"] = (counted_at, lines)
    fragment = bool(request.headers.get("hx-request"))
    return page(request, "digest.html", take_flash=not fragment, fragment=fragment, digest=lines,
                counted_at=counted_at)


@router.get("/reports/report.{fmt}")
def report_file(request: Request, fmt: str, period: str = "30d", who: Signed = Depends(signed_in)):
    """The period report built now (``reports.report`` rendered by ``reports.files``)."""
    if fmt not in FORMATS:
        raise HTTPException(status_code=404, detail="Такого формата отчёта нет.")
    ctx = context(request)
    _, chosen = _period(request, period)
    built = build_report(ctx.store, ctx.settings, chosen, ctx.now(), matcher=problem_matcher(ctx.settings))
    body = render(built, ctx.settings, fmt)
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="mcu-report-{chosen.slug}.{fmt}"'})


def _file(folder, name: str, pattern: re.Pattern, missing: str) -> FileResponse:
    path = folder / name
    if not pattern.match(name) or not path.is_file():
        raise HTTPException(status_code=404, detail=missing)
    return FileResponse(path, media_type=MEDIA[name.rsplit(".", 1)[1]])


@router.get("/reports/digests/{name}")
def saved_digest(request: Request, name: str, who: Signed = Depends(signed_in)):
    return _file(context(request).settings.data_dir / "digests", name, DIGEST_FILE, "Такой сводки нет.")


@router.get("/reports/files/{name}")
def saved_report(request: Request, name: str, who: Signed = Depends(signed_in)):
    return _file(context(request).settings.data_dir / "reports", name, REPORT_FILE, "Такого файла отчёта нет.")


@router.get("/reports/history.csv")
def history_csv(request: Request, who: Signed = Depends(signed_in)):
    ctx = context(request)
    out = io.StringIO()
    export_history(ctx.store.list_risks(), "csv", out, ctx.settings.timezone)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="risk-history.csv"'})
