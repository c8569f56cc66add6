"""The ``digest`` flow: the morning summary at 08:30, before the morning meeting.

It covers the time since the previous digest (the last 24 hours the first time, or when the
previous one is more than a week old): ``out_dir/.last-digest`` keeps the moment of the
last digest sent. The content is ``reports.digest``, written to ``out_dir/YYYY-MM-DD.txt``
and posted to every alert sink (as Telegram HTML to the alert chat).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from alerts.sinks import notify_all
from core.config import Settings
from core.store import Store
from flows.common import load_settings, limited_tags, retry_transient, store_tags
from reports.digest import Digest, daily_digest, render_digest, render_digest_html, write_digest
from pipeline.appeal_links import problem_matcher
from pipeline.wiring import opened_store, sinks as build_sinks

LAST = ".last-digest"
LONGEST = timedelta(days=7)


@task(name="summarize-day", retries=2, retry_delay_seconds=30, retry_condition_fn=retry_transient,
      timeout_seconds=600, cache_policy=NO_CACHE)
def summarize_day_task(store: Store, settings: Settings, now: datetime, since: datetime | None) -> Digest:
    return daily_digest(store, settings, now, since=since, matcher=problem_matcher(settings))


def previous_digest(folder: Path, now: datetime) -> datetime | None:
    """When the previous digest was sent, if within a week before ``now``."""
    try:
        moment = datetime.fromisoformat((folder / LAST).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return moment if now - LONGEST <= moment < now - timedelta(hours=1) else None


@flow(name="digest", retries=2, retry_delay_seconds=60, timeout_seconds=15 * 60, log_prints=True)
def digest(config: str | None = None, store: str | None = None, now: datetime | None = None,
           out_dir: str = "data/digests", since_previous: bool = True) -> str:
    """The summary since the previous digest (else the last 24 hours): written to
    ``out_dir/YYYY-MM-DD.txt`` and sent to every alert sink."""
    settings = load_settings(config, store)
    folder = Path(out_dir)
    now = now or datetime.now(timezone.utc)
    since = previous_digest(folder, now) if since_previous else None
    with opened_store(settings) as db:
        summarize = summarize_day_task.with_options(tags=store_tags(settings, limited_tags()))
        summary = summarize(db, settings, now, since)
    text = render_digest(summary)
    path = write_digest(text, summary.day, folder)
    print(f"Сводка записана: {path} (период: {summary.period.title})")
    notify_all(build_sinks(settings), text, key=f"digest:{summary.day:%Y-%m-%d}", html=render_digest_html(summary))
    (folder / LAST).write_text(now.isoformat(), encoding="utf-8")
    return text
