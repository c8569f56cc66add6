"""Reports: today's digest (``reports.digest``), the saved daily digests, and the risks' history
as CSV. The ratings and report files of the reports issue join this page when they exist."""
from __future__ import annotations

import io
import re

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response

from alerts.history import export_history
from reports.digest import daily_digest, render_digest
from web.guard import Signed, context, signed_in
from web.templating import page

router = APIRouter()
DIGEST_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.txt$")


def digest_folder(ctx):
    return ctx.settings.data_dir / "digests"


@router.get("/reports")
def reports_page(request: Request, who: Signed = Depends(signed_in)):
    ctx = context(request)
    summary = daily_digest(ctx.store, ctx.settings, ctx.now())
    folder = digest_folder(ctx)
    saved = sorted((p.name for p in folder.glob("*.txt") if DIGEST_FILE.match(p.name)), reverse=True) \
        if folder.is_dir() else []
    return page(request, "reports.html", digest=render_digest(summary, ctx.settings.municipality), summary=summary,
                saved=saved[:60])


@router.get("/reports/digests/{name}")
def saved_digest(request: Request, name: str, who: Signed = Depends(signed_in)):
    path = digest_folder(context(request)) / name
    if not DIGEST_FILE.match(name) or not path.is_file():
        raise HTTPException(status_code=404, detail="Такой сводки нет.")
    return FileResponse(path, media_type="text/plain; charset=utf-8")


@router.get("/reports/history.csv")
def history_csv(request: Request, who: Signed = Depends(signed_in)):
    ctx = context(request)
    out = io.StringIO()
    export_history(ctx.store.list_risks(), "csv", out, ctx.settings.timezone)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="risk-history.csv"'})
