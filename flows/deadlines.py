"""The ``deadlines`` flow: every 15 minutes, a reminder card for each open risk whose deadline
(to take it in work, to publish the answer) is close or past, once each
(``pipeline.deadlines.remind_deadlines``)."""
from __future__ import annotations

from datetime import datetime, timezone

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from core.config import Settings
from core.store import Store
from flows.common import load_settings, limited_tags, retry_transient, store_tags
from pipeline.deadlines import remind_deadlines
from pipeline.wiring import opened_store, sinks as build_sinks


@task(name="remind-deadlines", retries=1, retry_delay_seconds=60, retry_condition_fn=retry_transient,
      timeout_seconds=10 * 60, cache_policy=NO_CACHE)
def remind_task(store: Store, settings: Settings, now: datetime, sinks: list) -> list[str]:
    return [r.key for r in remind_deadlines(store, settings, now, sinks)]


@flow(name="deadlines", timeout_seconds=15 * 60)
def deadlines(config: str | None = None, store: str | None = None, now: datetime | None = None) -> list[str]:
    """Remind the alert chat of deadlines close or past; returns the reminder keys posted now."""
    settings = load_settings(config, store)
    with opened_store(settings) as db:
        remind = remind_task.with_options(tags=store_tags(settings, limited_tags()))
        sent = remind(db, settings, now or datetime.now(timezone.utc), build_sinks(settings))
    get_run_logger().info("deadlines: напоминаний отправлено %d", len(sent))
    return sent
