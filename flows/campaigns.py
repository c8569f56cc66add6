"""The ``campaigns`` flow: every Monday, the preventive campaigns of the week — the calendar's
(``config/campaigns.yaml``) merged with the seasonal threats found in the store's history, with
a message plan (``reports.campaign_plan``) — posted to every alert sink once per config and
ISO week."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from alerts.sinks import notify_all
from core.config import Settings, config_path
from core.store import Store
from core.text import zone
from flows.common import load_settings, limited_tags, retry_transient, store_tags
from reports.campaign_plan import CampaignsWeek, build_week, render_week
from reports.campaigns import DEFAULT_CAMPAIGNS, Campaign, load_campaigns, week_key
from pipeline.wiring import opened_store, sinks as build_sinks


@task(name="post-reminders", retries=2, retry_delay_seconds=30, retry_condition_fn=retry_transient,
      cache_key_fn=lambda context, parameters: parameters["key"], cache_expiration=timedelta(days=7),
      persist_result=True)
def post_reminders(sinks: list, text: str, key: str) -> int:
    """Post the reminder to every alert sink; cached by ``key`` (config + ISO week)."""
    return notify_all(sinks, text, key=key)


@task(name="plan-week", retries=2, retry_delay_seconds=30, retry_condition_fn=retry_transient,
      cache_policy=NO_CACHE)
def plan_week_task(store: Store, settings: Settings, calendar: list[Campaign], today: date,
                   weeks: int) -> CampaignsWeek:
    return build_week(store, settings, calendar, today, weeks)


@flow(name="campaigns", retries=2, retry_delay_seconds=300, timeout_seconds=15 * 60)
def campaigns(config: str | None = None, store: str | None = None, campaigns_file: str = DEFAULT_CAMPAIGNS,
              today: date | None = None, weeks: int = 4) -> list[str]:
    """Remind the МЦУ of this week's campaigns and seasonal threats; returns the codes of the due
    campaigns, then ``topic:…`` / ``place:…`` of the threats found in the history."""
    settings = load_settings(config, store)
    calendar = load_campaigns(campaigns_file, settings)
    today = today or datetime.now(timezone.utc).astimezone(zone(settings.timezone)).date()
    with opened_store(settings) as db:
        plan = plan_week_task.with_options(tags=store_tags(settings, limited_tags()))
        week = plan(db, settings, calendar, today, weeks)
    logger = get_run_logger()
    found = [c.code for c in week.due] + [f"{t.kind}:{t.code}" for t in week.threats]
    if not found:
        logger.info("campaigns: на неделю с %s сезонных тем нет", week.monday)
        return []
    key = week_key(str(config_path(config)), week.monday, week.due, [f"{t.kind}:{t.code}" for t in week.threats])
    sent = post_reminders(build_sinks(settings), render_week(week, settings), key)
    logger.info("campaigns: %s → %d получател(я/ей)", found, sent)
    return found
