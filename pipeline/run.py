"""The whole scan: every source isolated, then alerts, then retention; and the executors that
decide how sources are read (one after another, in threads, or as Prefect tasks).

An executor has three parts: ``collect`` yields one outcome per key *in key order* (a
:class:`Collected` or the exception that stopped the source), ``commit`` stores one collected
source, and ``lock`` is held from the first commit through the alerts, so that two runs never
write the same store at once. ``flows.scan`` passes a Prefect executor; the CLI a plain one.
"""
from __future__ import annotations

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime, timezone
from typing import ContextManager, Iterable, Iterator, Protocol

from core.store import StoreFull
from pipeline.journal import record_scan
from pipeline.lock import store_lock
from pipeline.pipeline import Pipeline
from pipeline.report import STAGES, Collected, ScanReport, SourceReport, failed_report, lap
from pipeline.stop import STOP

Outcome = Collected | BaseException


class Executor(Protocol):
    def collect(self, pipeline: Pipeline, keys: list[str], full: bool) -> Iterable[Outcome]: ...
    def commit(self, pipeline: Pipeline, collected: Collected) -> SourceReport: ...
    def lock(self, pipeline: Pipeline) -> ContextManager: ...


class SerialExecutor:
    """One source after another, lazily: each is committed before the next is read."""

    def collect(self, pipeline: Pipeline, keys: list[str], full: bool) -> Iterator[Outcome]:
        for key in keys:
            try:
                yield pipeline.collect_source(key, full)
            except Exception as exc:  # reported by run_scan
                yield exc

    def commit(self, pipeline: Pipeline, collected: Collected) -> SourceReport:
        return pipeline.commit_source(collected)

    def lock(self, pipeline: Pipeline) -> ContextManager:
        """The store's OS lock (``pipeline.lock``): two scans of one store take turns at writing."""
        return store_lock(pipeline.settings, waiting=getattr(pipeline.observer, "notice", None))


class ThreadExecutor(SerialExecutor):
    """Sources read in a thread pool; outcomes still come back (and are committed) in key order."""

    def __init__(self, workers: int = 8):
        self.workers = max(1, workers)

    def collect(self, pipeline: Pipeline, keys: list[str], full: bool) -> Iterator[Outcome]:
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="collect")
        try:
            futures = [pool.submit(pipeline.collect_source, key, full) for key in keys]
            for future in futures:
                while not future.done():  # short waits, so that a stop is noticed at once
                    if STOP.is_set():
                        return
                    wait([future], timeout=0.2)
                try:
                    yield future.result()
                except Exception as exc:
                    yield exc
        finally:  # on a stop, sources not started yet are dropped; running ones are not waited for
            pool.shutdown(wait=not STOP.is_set(), cancel_futures=True)


def run_scan(pipeline: Pipeline, keys: list[str] | None = None, full: bool = False,
             executor: Executor | None = None, purge: bool = True) -> ScanReport:
    """Collect and commit every source (a broken one is reported, the others go on), raise the
    alerts, then apply retention. Commits run in key order, so stories do not depend on which
    source finished reading first."""
    started = time.perf_counter()
    executor = executor or SerialExecutor()
    keys = list(keys or [s.key for s in pipeline.settings.sources if s.enabled and s.scanned])
    outcomes = executor.collect(pipeline, keys, full)
    reports: list[SourceReport] = []
    stages: dict[str, float] = {}
    with contextlib.ExitStack() as held:
        locked = False

        def lock() -> None:
            nonlocal locked
            if not locked:  # at the first commit: take the lock, then read the stories as they are
                held.enter_context(executor.lock(pipeline))
                pipeline.reload_stories()
                locked = True

        for key, outcome in zip(keys, outcomes):
            lock()
            if STOP.is_set():  # a safe point: every commit so far is complete, nothing half-written
                break
            try:
                if isinstance(outcome, BaseException):
                    raise outcome
                reports.append(executor.commit(pipeline, outcome))
            except StoreFull:  # every later write would fail too: stop, the watermarks did not move
                raise
            except Exception as exc:  # one broken source must not stop the others
                reports.append(failed_report(pipeline.settings, key, exc))
                pipeline.observer.source_finished(reports[-1])
            record_scan(pipeline.store, reports[-1], datetime.now(timezone.utc))
        lock()
        clock = time.perf_counter()
        if STOP.is_set():  # the stories written wait in the store's pending list for the next run
            return ScanReport(reports, [], [], 0, time.perf_counter() - started, stages, stopped=True)
        risks, alerts = pipeline.raise_alerts()
        clock = lap(stages, "alert", clock)
    purged = pipeline.purge() if purge else 0
    lap(stages, "purge", clock)
    for report in reports:
        for stage, seconds in report.stages.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    ordered = {stage: stages[stage] for stage in STAGES if stage in stages}
    return ScanReport(reports, risks, alerts, purged, time.perf_counter() - started, ordered)


def scan(settings, keys: list[str] | None = None, full: bool = False, executor: Executor | None = None,
         purge: bool = True, observer=None) -> ScanReport:
    """Open the pipeline from the settings, run the scan, close it: what ``mcu scan`` and the
    ``scan`` flow both call."""
    pipeline = Pipeline.open(settings, observer=observer)
    try:
        return run_scan(pipeline, keys, full, executor, purge)
    finally:
        pipeline.close()
