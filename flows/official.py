"""The ``official-pages`` flow: once a day, the residents' questions and complaints that the
administration's own pages left unanswered longer than the limit, as one list to the alert chat
(``pipeline.official.notify_unanswered``; a second run the same day posts nothing)."""
from __future__ import annotations

from datetime import datetime, timezone

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from core.config import Settings
from core.store import Store
from flows.common import load_settings, limited_tags, retry_transient, store_tags
from pipeline.official import notify_unanswered
from pipeline.wiring import opened_store, sinks as build_sinks


@task(name="official-unanswered", retries=1, retry_delay_seconds=60, retry_condition_fn=retry_transient,
      timeout_seconds=10 * 60, cache_policy=NO_CACHE)
def unanswered_task(store: Store, settings: Settings, now: datetime, sinks: list) -> tuple[int, bool]:
    activity, sent = notify_unanswered(store, settings, now, sinks)
    return len(activity.unanswered), sent


@flow(name="official-pages", timeout_seconds=15 * 60)
def official_pages(config: str | None = None, store: str | None = None, now: datetime | None = None) -> bool:
    """Post today's list of unanswered questions on the official pages; returns whether it was posted now."""
    settings = load_settings(config, store)
    with opened_store(settings) as db:
        run = unanswered_task.with_options(tags=store_tags(settings, limited_tags()))
        waiting, sent = run(db, settings, now or datetime.now(timezone.utc), build_sinks(settings))
    get_run_logger().info("official pages: без ответа %d, список %s", waiting, "отправлен" if sent else "не отправлен")
    return sent
