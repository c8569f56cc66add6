"""The ``scan`` flow: a thin Prefect wrapper over ``mcu.pipeline``.

Runs locally with no Prefect server configured (Prefect starts a temporary one).
"""
from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from collectors.base import BadPayload, CollectorError
from mcu.config import ConfigError, load_config
from mcu.pipeline import Pipeline, ScanObserver, ScanReport, SourceReport, run_scan

PERMANENT = (CollectorError, ConfigError, BadPayload, KeyError)


def _retry_transient(task, task_run, state) -> bool:
    """Retry network hiccups, not errors that another try cannot fix (bad token, bad config)."""
    try:
        state.result()
    except PERMANENT:
        return False
    except Exception:
        return True
    return False


@task(name="scan-source", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=_retry_transient,
      cache_policy=NO_CACHE, tags=["scan"])
def scan_source(pipeline: Pipeline, key: str, full: bool) -> SourceReport:
    return pipeline.scan_source(key, full)


# The CLI sets this to its Rich display before calling the flow in-process.
observer: ScanObserver | None = None


@flow(name="scan", log_prints=False)
def scan(config: str = "config/demo.yaml", store: str | None = None, full: bool = False,
         sources: list[str] | None = None) -> ScanReport:
    """Collect → analyse → store → alert for every configured (or every named) source."""
    settings = load_config(config, store)
    pipeline = Pipeline.open(settings, observer=observer)
    try:
        return run_scan(pipeline, sources, full, scan_one=lambda key, f: scan_source(pipeline, key, f))
    finally:
        pipeline.close()
