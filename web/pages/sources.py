"""Sources: each configured source's last successful scan, its last error, and its posts per day,
so that a broken token or a silent source is seen the same morning."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from fastapi import APIRouter, Depends, Request

from core.config import SourceBase
from core.store import SearchQuery
from core.text import zone
from pipeline.journal import SourceStatus, source_status
from web.guard import Signed, context, signed_in
from web.templating import page

router = APIRouter()
DAYS = 7


def day_start(now: datetime, tz: str) -> datetime:
    """The local midnight that began ``now``'s day, in UTC."""
    return datetime.combine(now.astimezone(zone(tz)).date(), time(0), tzinfo=zone(tz)).astimezone(timezone.utc)


@dataclass(frozen=True)
class SourceRow:
    source: SourceBase
    status: SourceStatus | None
    per_day: list[int]
    total: int

    @property
    def state(self) -> str:
        """ok, error, silent (read fine, nothing new for days) or never (not scanned yet)."""
        if self.status is None:
            return "never"
        if self.status.last_error:
            return "error"
        return "silent" if self.source.enabled and not any(self.per_day[-3:]) else "ok"


@router.get("/sources")
def sources_page(request: Request, who: Signed = Depends(signed_in)):
    ctx = context(request)
    now = ctx.now()
    today = day_start(now, ctx.settings.timezone)
    days: list[date] = [(today - timedelta(days=i)).astimezone(zone(ctx.settings.timezone)).date()
                        for i in range(DAYS - 1, -1, -1)]
    counts = []
    for i in range(DAYS - 1, -1, -1):
        start = today - timedelta(days=i)
        counts.append(ctx.store.aggregate("source", SearchQuery(since=start, until=min(start + timedelta(days=1), now)
                                                                if i else None, limit=0)))
    totals = ctx.store.stats().by_source
    rows = [SourceRow(source, source_status(ctx.store, source.key), [c.get(source.key, 0) for c in counts],
                      totals.get(source.key, 0)) for source in ctx.settings.sources]
    return page(request, "sources.html", rows=rows, days=days)
