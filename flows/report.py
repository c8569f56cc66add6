"""The ``digest_weekly`` and ``digest_monthly`` deployments: the report for the Head of the
district for the past week or month (``reports.files``), written as PDF and XLSX to
``out_dir`` and posted to the alert chat as documents (a file sink names them, the console
prints where they are). A re-run of the same period posts nothing twice to the chat."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from alerts.sinks import documents_all
from core.config import Settings
from core.store import Store
from flows.common import load_settings, limited_tags, retry_transient, store_tags
from pipeline.appeal_links import problem_matcher
from pipeline.wiring import opened_store, sinks as build_sinks
from reports.files import FORMATS, caption, write_report
from reports.period import Period, resolve


@task(name="write-report", retries=2, retry_delay_seconds=30, retry_condition_fn=retry_transient,
      timeout_seconds=20 * 60, cache_policy=NO_CACHE)
def write_report_task(store: Store, settings: Settings, period: Period, now: datetime, folder: Path,
                      formats: tuple[str, ...]) -> tuple[str, list[Path]]:
    report, paths = write_report(store, settings, period, now, folder, formats, matcher=problem_matcher(settings))
    return caption(report), paths


@flow(name="report", retries=1, retry_delay_seconds=300, timeout_seconds=30 * 60)
def report(period: str = "week", config: str | None = None, store: str | None = None, day: date | None = None,
           now: datetime | None = None, out_dir: str = "data/reports", formats: list[str] | None = None) -> list[str]:
    """Write the report of the last complete week or month (or the one containing ``day``) and
    post the files to every alert sink; returns the file paths."""
    settings = load_settings(config, store)
    now = now or datetime.now(timezone.utc)
    chosen = resolve(period, now, settings.timezone, day)
    with opened_store(settings) as db:
        write = write_report_task.with_options(tags=store_tags(settings, limited_tags()))
        text, paths = write(db, settings, chosen, now, Path(out_dir), tuple(formats or FORMATS))
    sent = documents_all(build_sinks(settings), paths, text, key=f"report:{chosen.slug}")
    get_run_logger().info("report %s: %s → %d получател(я/ей)", chosen.slug, [p.name for p in paths], sent)
    return [str(p) for p in paths]
