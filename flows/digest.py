"""The ``digest`` flow: the daily summary at 08:30, before the morning meeting.

The content is ``reports.digest``: counted from the store, written to
``data/digests/YYYY-MM-DD.txt`` and posted to every alert sink.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from alerts.sinks import notify_all
from core.config import Settings
from core.store import Store
from flows.common import load_settings, limited_tags, retry_transient, store_tags
from reports.digest import Digest, daily_digest, render_digest, write_digest
from pipeline.wiring import opened_store, sinks as build_sinks


@task(name="summarize-day", retries=2, retry_delay_seconds=30, retry_condition_fn=retry_transient,
      timeout_seconds=600, cache_policy=NO_CACHE)
def summarize_day_task(store: Store, settings: Settings, now: datetime) -> Digest:
    return daily_digest(store, settings, now)


@flow(name="digest", retries=2, retry_delay_seconds=60, timeout_seconds=15 * 60, log_prints=True)
def digest(config: str | None = None, store: str | None = None, now: datetime | None = None,
           out_dir: str = "data/digests") -> str:
    """Today's summary: written to ``out_dir/YYYY-MM-DD.txt`` and sent to every alert sink."""
    settings = load_settings(config, store)
    with opened_store(settings) as db:
        summarize = summarize_day_task.with_options(tags=store_tags(settings, limited_tags()))
        summary = summarize(db, settings, now or datetime.now(timezone.utc))
    text = render_digest(summary, settings.municipality)
    path = write_digest(text, summary.day, Path(out_dir))
    print(f"Сводка записана: {path}")
    notify_all(build_sinks(settings), text, key=f"digest:{summary.day:%Y-%m-%d}")
    return text
