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
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import ContextManager, Iterable, Iterator, Protocol

from pipeline.journal import record_scan
from pipeline.pipeline import Pipeline
from pipeline.report import STAGES, Collected, ScanReport, SourceReport, failed_report, lap

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
        return contextlib.nullcontext()


class ThreadExecutor(SerialExecutor):
    """Sources read in a thread pool; outcomes still come back (and are committed) in key order."""

    def __init__(self, workers: int = 8):
        self.workers = max(1, workers)

    def collect(self, pipeline: Pipeline, keys: list[str], full: bool) -> Iterator[Outcome]:
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="collect") as pool:
            futures = [pool.submit(pipeline.collect_source, key, full) for key in keys]
            for future in futures:
                try:
                    yield future.result()
                except Exception as exc:
                    yield exc


def run_scan(pipeline: Pipeline, keys: list[str] | None = None, full: bool = False,
             executor: Executor | None = None, purge: bool = True) -> ScanReport:
    """Collect and commit every source (a broken one is reported, the others go on), raise the
    alerts, then apply retention. Commits run in key order, so stories do not depend on which
    source finished reading first."""
    started = time.perf_counter()
    executor = executor or SerialExecutor()
    keys = list(keys or [s.key for s in pipeline.settings.sources if s.enabled])
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
            try:
                if isinstance(outcome, BaseException):
                    raise outcome
                reports.append(executor.commit(pipeline, outcome))
            except Exception as exc:  # one broken source must not stop the others
                reports.append(failed_report(pipeline.settings, key, exc))
                pipeline.observer.source_finished(reports[-1])
            record_scan(pipeline.store, reports[-1], datetime.now(timezone.utc))
        lock()
        clock = time.perf_counter()
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
