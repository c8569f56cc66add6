"""The ``scan`` flow: a thin Prefect wrapper over ``pipeline.pipeline``.

    collect-source × N   submitted at once, tagged with the platform (vk, telegram) if limited
          │              read + pseudonymise + analyse; nothing is written
          ▼
    store-source × N     in the order of the config, tagged ``es`` on Elasticsearch if limited
          │              stories, posts, watermark; under the store lock
          ▼
    alerts, retention    (``run_scan``)

Tag concurrency limits (``flows/limits.py``) cap how many ``vk``/``telegram``/``es`` task
runs run at once across every flow run and worker. Runs locally with no Prefect server
configured (Prefect starts a temporary one).
"""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows.common import limited_tags, load_settings, retry_transient, store_lock, store_tags
from core.config import Settings
from pipeline import run
from pipeline.pipeline import Pipeline, ScanObserver
from pipeline.report import Collected, ScanReport, SourceReport

WORKERS = 16
"""Threads per flow run for collect-source; the tag limits decide how many may call one API."""


@task(name="collect-source", task_run_name="collect-{key}", retries=2, retry_delay_seconds=[5, 30],
      retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
def collect_source(pipeline: Pipeline, key: str, full: bool) -> Collected:
    # No task timeout: a thread cannot be interrupted; each client has its own network timeouts.
    return pipeline.collect_source(key, full)


@task(name="store-source", task_run_name="store-{key}", retries=2, retry_delay_seconds=[2, 10],
      retry_condition_fn=retry_transient, timeout_seconds=900, cache_policy=NO_CACHE)
def store_source(pipeline: Pipeline, collected: Collected, key: str) -> SourceReport:
    # Idempotent: a known post keeps its story, posts are upserts, the watermark moves last.
    return pipeline.commit_source(collected)


class PrefectExecutor:
    """``pipeline.run.Executor`` on Prefect: every source's collect is a task submitted at once
    (platforms interleaved, so that a source waiting for its API's slot does not hold back the
    others), each commit a retried task, and the lock a Prefect global concurrency limit.

    A task is tagged with its platform when the server has a limit for it (``limited``; None:
    unknown, tag all): every tagged task run asks the server for a slot, and on a SQLite-backed
    server those requests contend."""

    def __init__(self, limited: set[str] | None = None):
        self.limited = limited

    def collect(self, pipeline: Pipeline, keys: list[str], full: bool):
        platforms = {key: _platform(pipeline.settings, key) for key in keys}
        tasks = {p: collect_source.with_options(tags=[p] if self.limited is None or p in self.limited else [])
                 for p in set(platforms.values())}
        futures = {key: tasks[platforms[key]].submit(pipeline, key, full) for key in interleave(keys, platforms)}
        for key in keys:
            try:
                yield futures[key].result()
            except Exception as exc:  # run_scan reports the source and goes on
                yield exc

    def commit(self, pipeline: Pipeline, collected: Collected) -> SourceReport:
        store_task = store_source.with_options(tags=store_tags(pipeline.settings, self.limited))
        # quote(): Prefect would otherwise walk every post looking for futures.
        return store_task(pipeline, quote(collected), collected.report.key)

    def lock(self, pipeline: Pipeline):
        return store_lock(pipeline.settings)


def interleave(keys: list[str], platforms: dict[str, str]) -> list[str]:
    """vk1, telegram1, rss1, vk2, … : round-robin over platforms, config order within one."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(platforms[key], []).append(key)
    ordered, queues = [], [list(g) for g in groups.values()]
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop(0))
    return ordered


def _platform(settings: Settings, key: str) -> str:
    try:
        return settings.source(key).platform
    except KeyError:
        return "unknown"


def scan_with_tasks(settings: Settings, keys: list[str] | None = None, full: bool = False,
                    purge: bool = True, observer: ScanObserver | None = None) -> ScanReport:
    """The scan with Prefect tasks for its parallel and its retried parts; used by scan and watch."""
    return run.scan(settings, keys, full, PrefectExecutor(limited_tags()), purge, observer)


def log_report(name: str, report: ScanReport) -> None:
    logger = get_run_logger()
    logger.info("%s: источников %d (с ошибкой %d), публикаций новых %d, обновлено %d, новых алертов %d, %.1f с",
                name, len(report.sources), len(report.failed), sum(s.new for s in report.sources),
                sum(s.updated for s in report.sources), len(report.alerts), report.seconds)
    for failed in report.failed:
        logger.warning("%s: %s", failed.key, failed.error)


@flow(name="scan", timeout_seconds=3 * 3600, task_runner=ThreadPoolTaskRunner(max_workers=WORKERS))
def scan(config: str | None = None, store: str | None = None, full: bool = False,
         sources: list[str] | None = None) -> ScanReport:
    """Collect → analyse → store → alert for every configured (or every named) source.

    ``config`` defaults to ``MCU_CONFIG`` (set on the worker), then ``config/demo.yaml``."""
    report = scan_with_tasks(load_settings(config, store), sources, full)
    log_report("scan", report)
    return report
