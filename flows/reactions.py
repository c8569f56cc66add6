"""The ``track_reactions`` flow: every 30 minutes, judge the reaction to published answers.

A thin wrapper over ``alerts.reactions.track_reactions(store, settings, now, sinks=…)``, which
holds the decree's logic; it opens the store and the sinks, and the NLP only if a post lacks
its analysis.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from alerts.reactions import track_reactions as track
from core.config import Settings
from core.store import Store
from flows.common import load_settings, limited_tags, retry_transient, store_tags
from pipeline.wiring import LazySentiment, opened_store, sinks as build_sinks


@dataclass
class ReactionsSummary:
    tracked: int = 0
    outcomes: Counter = field(default_factory=Counter)
    changed: int = 0


def check_reactions(store: Store, settings: Settings, now: datetime, sinks: list) -> ReactionsSummary:
    """Run the alerts' reaction tracking on the store and the sinks."""
    reports = track(store, settings, now, sinks=sinks, sentiment_of=LazySentiment(settings))
    return ReactionsSummary(tracked=len(reports), outcomes=Counter(r.outcome for r in reports),
                            changed=sum(1 for r in reports if r.changed))


@task(name="check-reactions", retries=1, retry_delay_seconds=60, retry_condition_fn=retry_transient,
      timeout_seconds=20 * 60, cache_policy=NO_CACHE)
def check_reactions_task(store: Store, settings: Settings, now: datetime, sinks: list) -> ReactionsSummary:
    return check_reactions(store, settings, now, sinks)


@flow(name="track_reactions", timeout_seconds=25 * 60)
def track_reactions(config: str | None = None, store: str | None = None,
                    now: datetime | None = None) -> ReactionsSummary:
    """Reaction to published answers: «отработан», keep watching, or back in work."""
    settings = load_settings(config, store)
    with opened_store(settings) as db:
        tracked = check_reactions_task.with_options(tags=store_tags(settings, limited_tags()))
        summary = tracked(db, settings, now or datetime.now(timezone.utc), build_sinks(settings))
    get_run_logger().info("track_reactions: рисков на отслеживании %d, изменено %d, итоги %s",
                          summary.tracked, summary.changed, dict(summary.outcomes))
    return summary
