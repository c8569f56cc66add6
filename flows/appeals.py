"""The ``appeals`` flow: every morning, import the exports that the configured appeals sources
point at (a file, or a folder where staff drop the day's exports of the ПОС, «Инцидент
Менеджмент» and other systems). A thin wrapper over ``pipeline.appeals.import_configured``;
re-importing a file changes nothing, so the folder may keep the old exports."""
from __future__ import annotations

from datetime import datetime

from prefect import flow

from flows.common import load_settings
from pipeline.appeals import import_configured


@flow(name="appeals", retries=1, retry_delay_seconds=300, timeout_seconds=60 * 60, log_prints=True)
def appeals(config: str | None = None, store: str | None = None, now: datetime | None = None) -> dict[str, int]:
    """Import the configured appeal exports; returns rows, rejected, new and updated over all files."""
    settings = load_settings(config, store)
    totals = {"files": 0, "rows": 0, "rejected": 0, "new": 0, "updated": 0}
    for report in import_configured(settings, now=now):
        totals["files"] += 1
        totals["rows"] += report.read.rows
        totals["rejected"] += report.read.rejected
        totals["new"] += report.stored.new
        totals["updated"] += report.stored.updated
        print(f"{report.read.source}: {report.read.path.name}: строк {report.read.rows}, отклонено "
              f"{report.read.rejected}, новых {report.stored.new}, обновлено {report.stored.updated}")
        for problem in report.read.problems[:50]:
            print(f"  {problem}")
    return totals
