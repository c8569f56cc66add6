"""The ``campaigns`` flow: every Monday, the seasonal topics of the week (``reports.campaigns``),
posted to every alert sink once per config and ISO week."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from alerts.sinks import notify_all
from core.config import config_path
from core.store import Store
from flows.common import load_settings, limited_tags, retry_transient, store_tags
from reports.campaigns import (DEFAULT_CAMPAIGNS, count_topics, due_campaigns, load_campaigns, render_reminder,
                               week_key)
from pipeline.wiring import opened_store, sinks as build_sinks


@task(name="post-reminders", retries=2, retry_delay_seconds=30, retry_condition_fn=retry_transient,
      cache_key_fn=lambda context, parameters: parameters["key"], cache_expiration=timedelta(days=7),
      persist_result=True)
def post_reminders(sinks: list, text: str, key: str) -> int:
    """Post the reminder to every alert sink; cached by ``key`` (config + ISO week)."""
    return notify_all(sinks, text, key=key)


@task(name="count-topics", retries=2, retry_delay_seconds=30, retry_condition_fn=retry_transient,
      cache_policy=NO_CACHE)
def count_topics_task(store: Store, topics: list[str], since: datetime, until: datetime) -> dict[str, int]:
    return count_topics(store, topics, since, until)


@flow(name="campaigns", retries=2, retry_delay_seconds=300, timeout_seconds=15 * 60)
def campaigns(config: str | None = None, store: str | None = None, campaigns_file: str = DEFAULT_CAMPAIGNS,
              today: date | None = None) -> list[str]:
    """Remind the МЦУ of this week's seasonal topics; returns the codes of the due campaigns."""
    settings = load_settings(config, store)
    calendar = load_campaigns(campaigns_file, settings)
    now = datetime.now(timezone.utc)
    today = today or now.astimezone(ZoneInfo(settings.timezone)).date()
    monday = today - timedelta(days=today.weekday())
    due = due_campaigns(calendar, today)
    logger = get_run_logger()
    if not due:
        logger.info("campaigns: на неделю с %s сезонных тем нет", monday)
        return []
    with opened_store(settings) as db:
        topics = sorted({t for c in due for t in c.topics})
        until = datetime.combine(monday, datetime.min.time(), tzinfo=ZoneInfo(settings.timezone))
        count = count_topics_task.with_options(tags=store_tags(settings, limited_tags()))
        counts = count(db, topics, until - timedelta(days=7), until)
    text = render_reminder(due, monday, counts, settings)
    sent = post_reminders(build_sinks(settings), text, week_key(str(config_path(config)), monday, due))
    logger.info("campaigns: %s → %d получател(я/ей)", [c.code for c in due], sent)
    return [c.code for c in due]
