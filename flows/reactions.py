"""The ``track_reactions`` flow: every 30 minutes, judge the reaction to published answers.

A thin wrapper over ``alerts.track_reactions(store, settings, now, sinks=…)``, which
holds the decree's logic. The import is lazy: without it the flow only counts the
risks that wait for tracking and says so.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.common import load_settings, limited_tags, retry_transient, store_tags
from mcu.pipeline import Pipeline

log = logging.getLogger(__name__)


@dataclass
class ReactionsSummary:
    tracked: int = 0
    outcomes: Counter = field(default_factory=Counter)
    changed: int = 0
    available: bool = True
    """False when ``alerts.track_reactions`` is not installed: nothing was judged."""


def check_reactions(pipeline: Pipeline, now: datetime) -> ReactionsSummary:
    """Run the alerts' reaction tracking on the pipeline's store and sinks."""
    try:
        from alerts import track_reactions
    except ImportError:
        return _waiting(pipeline)
    reports = track_reactions(pipeline.store, pipeline.settings, now, sinks=pipeline.sinks,
                              analyzer=pipeline.analyzer)
    return ReactionsSummary(tracked=len(reports), outcomes=Counter(r.outcome for r in reports),
                            changed=sum(1 for r in reports if r.changed))


def _waiting(pipeline: Pipeline) -> ReactionsSummary:
    from mcu.domain import RiskStatus

    waiting = pipeline.store.list_risks([RiskStatus.answer_published, RiskStatus.watching])
    log.warning("alerts.track_reactions is not available: %d risk(s) wait for reaction tracking", len(waiting))
    return ReactionsSummary(tracked=0, outcomes=Counter(r.status.value for r in waiting), available=False)


@task(name="check-reactions", retries=1, retry_delay_seconds=60, retry_condition_fn=retry_transient,
      timeout_seconds=20 * 60, cache_policy=NO_CACHE)
def check_reactions_task(pipeline: Pipeline, now: datetime) -> ReactionsSummary:
    return check_reactions(pipeline, now)


@flow(name="track_reactions", timeout_seconds=25 * 60)
def track_reactions(config: str | None = None, store: str | None = None,
                    now: datetime | None = None) -> ReactionsSummary:
    """Reaction to published answers: «отработан», keep watching, or back in work."""
    settings = load_settings(config, store)
    pipeline = Pipeline.open(settings)
    try:
        tracked = check_reactions_task.with_options(tags=store_tags(settings, limited_tags()))
        summary = tracked(pipeline, now or datetime.now(timezone.utc))
    finally:
        pipeline.close()
    get_run_logger().info("track_reactions: рисков на отслеживании %d, изменено %d, итоги %s",
                          summary.tracked, summary.changed, dict(summary.outcomes))
    return summary
