"""The scan as plain functions: collect → analyse → store → alert.

Prefect flows (``flows/``) are thin wrappers over this module, and tests and
benchmarks call it directly.

A source is scanned in two phases so that many sources can be read at once and
the result is still the same as one after another:

* :meth:`Pipeline.collect_source` reads the source since its watermark, pseudonymises
  and analyses the posts. It touches no shared state but the (read-only) watermark,
  so any number of sources may run it in parallel (threads, or Prefect mapped tasks).
* :meth:`Pipeline.commit_source` groups the posts into stories, writes them and moves
  the watermark. The story tracker and the store are shared state, so commits run one
  at a time, in the order of the source keys (:func:`run_scan`).

Analysis is pure per post, so a parallel collect followed by ordered commits assigns
the same stories, stores the same posts and raises the same alerts as a serial scan.
"""
from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, ContextManager, Iterable, Iterator, Protocol

from alerts import build_sinks, raise_alerts
from alerts.sinks import AlertSink
from collectors.base import build_collector
from mcu.config import Settings
from mcu.domain import Alert, Analysis, Post, Risk
from mcu.privacy import Pseudonymizer, load_salt
from store import Store, UpsertResult, open_store

log = logging.getLogger(__name__)
STORY_WINDOW = timedelta(days=14)
PENDING_STORIES = "_alerts.pending_stories"
"""Reserved watermark key: stories awaiting the alert step."""
STAGES = ("collect", "analyse", "store", "alert", "purge")


@dataclass
class SourceReport:
    key: str
    name: str
    platform: str
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    """Items read but not turned into posts (bad payload, no text)."""
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds this source spent in ``collect``, ``analyse`` and ``store``."""


@dataclass
class ScanReport:
    sources: list[SourceReport]
    risks: list[Risk]
    alerts: list[Alert]
    purged: int
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: summed over sources for collect/analyse/store (work, not wall time
    when sources run in parallel), wall time for alert and purge."""

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.error]


@dataclass
class Collected:
    """One source read and analysed, not stored yet: what a parallel collect hands to the commit."""

    report: SourceReport
    posts: list[Post]
    analyses: list[Analysis]
    watermark: str | None = None
    """The watermark the collect started from."""
    next_watermark: str | None = None
    """The watermark to save once the posts are stored."""


class ScanObserver(Protocol):
    """Progress hooks for a display; every method is optional in spirit (NullObserver does nothing)."""

    def source_started(self, key: str) -> None: ...
    def stage(self, key: str, stage: str) -> None: ...
    def source_finished(self, report: SourceReport) -> None: ...


class NullObserver:
    def source_started(self, key: str) -> None:
        pass

    def stage(self, key: str, stage: str) -> None:
        pass

    def source_finished(self, report: SourceReport) -> None:
        pass


class Pipeline:
    """Everything a scan needs, built once from the settings and shared by the stages."""

    def __init__(self, settings: Settings, store: Store, analyzer, sinks: list[AlertSink],
                 pseudonymizer: Pseudonymizer, observer: ScanObserver | None = None):
        self.settings = settings
        self.store = store
        self.analyzer = analyzer
        self.sinks = sinks
        self.pseudonymizer = pseudonymizer
        self.observer = observer or NullObserver()
        self.touched: set[str] = set()
        self._tracker = None
        # The NLP models are shared; one batch at a time keeps them safe whatever they cache.
        self._analyse_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, observer: ScanObserver | None = None, console=None) -> "Pipeline":
        from nlp import Analyzer

        analyzer = Analyzer.from_settings(settings)
        store = open_store(settings.store, analyzer.lemmatize)
        salt = load_salt(_salt_file(settings)) if settings.privacy.pseudonymize_authors else None
        return cls(settings, store, analyzer, build_sinks(settings, console), Pseudonymizer(salt), observer)

    @property
    def tracker(self):
        if self._tracker is None:
            since = datetime.now(timezone.utc) - STORY_WINDOW
            self._tracker = self.analyzer.story_tracker(self.store.recent_stories(since))
        return self._tracker

    def reload_stories(self) -> None:
        """Forget the story tracker, so the next commit rebuilds it from the store (after
        another process, e.g. a concurrent watch run, may have written stories)."""
        self._tracker = None

    # -- one source ---------------------------------------------------------------------
    def scan_source(self, key: str, full: bool = False) -> SourceReport:
        """Collect one source since its watermark, ingest the posts, then move the watermark."""
        return self.commit_source(self.collect_source(key, full))

    def collect_source(self, key: str, full: bool = False) -> Collected:
        """Read one source since its watermark, pseudonymise and analyse; writes nothing.
        Safe to run for many sources at once."""
        source = self.settings.source(key)
        report = SourceReport(key=source.key, name=source.name, platform=source.platform)
        self.observer.source_started(key)
        self.observer.stage(key, "сбор")
        clock = time.perf_counter()
        watermark = None if full else self.store.get_watermark(key)
        batch = build_collector(source, self.settings).collect(watermark)
        report.problems = batch.problems
        for problem in batch.problems:
            log.warning("%s", problem)
        report.fetched = len(batch.posts)
        report.skipped = batch.skipped
        _lap(report.stages, "collect", clock)
        posts, analyses = self.analyse(batch.posts, key, report.stages)
        return Collected(report, posts, analyses, watermark, batch.watermark)

    def commit_source(self, collected: Collected) -> SourceReport:
        """Assign stories, store the posts, then move the watermark. One commit at a time."""
        report = collected.report
        clock = time.perf_counter()
        result = self.store_posts(collected.posts, collected.analyses, report.key)
        if collected.next_watermark and collected.next_watermark != collected.watermark:
            self.store.set_watermark(report.key, collected.next_watermark)  # only after the posts are stored
        report.new, report.updated, report.unchanged = result.new, result.updated, result.unchanged
        _lap(report.stages, "store", clock)
        report.seconds = sum(report.stages.values())
        self.observer.source_finished(report)
        return report

    # -- posts --------------------------------------------------------------------------
    def ingest(self, posts: list[Post], key: str = "") -> UpsertResult:
        """Pseudonymise, analyse, group into stories and store posts; remembers the stories touched
        so that :meth:`raise_alerts` scores them. The live listener calls this for single messages."""
        posts, analyses = self.analyse(posts, key)
        return self.store_posts(posts, analyses, key)

    def analyse(self, posts: list[Post], key: str = "",
                stages: dict[str, float] | None = None) -> tuple[list[Post], list[Analysis]]:
        """Pseudonymised posts and their analyses, in order; adds the seconds spent analysing
        (not waiting for another source's batch) to ``stages["analyse"]``."""
        posts = [self.pseudonymizer.apply(post) for post in posts]
        self.observer.stage(key, "анализ")
        with self._analyse_lock:
            clock = time.perf_counter()
            analyses = self.analyzer.analyze(posts) if posts else []
            if stages is not None:
                _lap(stages, "analyse", clock)
        return posts, analyses

    def store_posts(self, posts: list[Post], analyses: list[Analysis], key: str = "") -> UpsertResult:
        """Group analysed posts into stories (in order) and write both."""
        stories = {}
        for post, analysis in zip(posts, analyses):
            story = self.tracker.assign(post, analysis)
            analysis.story_id = story.id
            stories[story.id] = story
        self.observer.stage(key, "запись")
        result = self.store.upsert_posts(zip(posts, analyses))
        for story in stories.values():
            self.store.upsert_story(story)
        if stories:
            self._set_pending(self._pending() | set(stories))  # survives a crash before the alerts
        self.touched.update(stories)
        return result

    # -- the end of a scan --------------------------------------------------------------
    def raise_alerts(self, now: datetime | None = None) -> tuple[list[Risk], list[Alert]]:
        from nlp import score_story

        touched = self.touched | self._pending()
        result = raise_alerts(self.store, self.settings, touched, now or datetime.now(timezone.utc),
                              self.sinks, score_story)
        self.touched -= touched
        self._set_pending(self._pending() - touched)  # another process may have added stories meanwhile
        return result

    def _pending(self) -> set[str]:
        """Stories stored but not yet scored for alerts, kept in the store so that a scan
        whose alert step failed (the store went down, the process died) is scored next time."""
        return set(json.loads(self.store.get_watermark(PENDING_STORIES) or "[]"))

    def _set_pending(self, story_ids: set[str]) -> None:
        self.store.set_watermark(PENDING_STORIES, json.dumps(sorted(story_ids)))

    def purge(self, now: datetime | None = None) -> int:
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=self.settings.privacy.retention_days)
        return self.store.purge_before(cutoff)

    def close(self) -> None:
        self.store.close()


def _lap(stages: dict[str, float], stage: str, since: float) -> float:
    now = time.perf_counter()
    stages[stage] = stages.get(stage, 0.0) + (now - since)
    return now


def _salt_file(settings: Settings) -> Path:
    url = settings.store
    folder = Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite:///") else Path("data")
    return folder / "pseudonym.key"


Outcome = Collected | BaseException
CollectMany = Callable[[list[str], bool], Iterable[Outcome]]
"""Keys → one outcome per key, in key order: a :class:`Collected` or the exception that stopped it."""


def collect_serial(pipeline: Pipeline) -> CollectMany:
    """One source after another, lazily: each is committed before the next is read."""

    def collect(keys: list[str], full: bool) -> Iterator[Outcome]:
        for key in keys:
            try:
                yield pipeline.collect_source(key, full)
            except Exception as exc:  # reported by run_scan
                yield exc

    return collect


def collect_parallel(pipeline: Pipeline, workers: int = 8) -> CollectMany:
    """Sources read in a thread pool (without Prefect); outcomes still come back in key order."""

    def collect(keys: list[str], full: bool) -> Iterator[Outcome]:
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="collect") as pool:
            futures = [pool.submit(pipeline.collect_source, key, full) for key in keys]
            for future in futures:
                try:
                    yield future.result()
                except Exception as exc:
                    yield exc

    return collect


def run_scan(pipeline: Pipeline, keys: list[str] | None = None, full: bool = False,
             scan_one: Callable[[str, bool], SourceReport] | None = None, *,
             collect: CollectMany | None = None, commit: Callable[[Collected], SourceReport] | None = None,
             guard: ContextManager | None = None, purge: bool = True) -> ScanReport:
    """The whole scan: every source isolated, then alerts, then retention.

    ``collect`` reads and analyses the sources (default: serially; :func:`collect_parallel`
    or the Prefect flow's mapped tasks run them at once) and yields outcomes in key order;
    ``commit`` stores one collected source (default :meth:`Pipeline.commit_source`; the flow
    passes its task). Commits run in key order, so stories do not depend on which source
    finished reading first. ``guard`` is held from the first commit through the alerts (the
    flow passes a Prefect lock so that two runs never write the same store at once).
    ``scan_one`` is the older form: one callable that scans a whole source.
    """
    started = time.perf_counter()
    keys = list(keys or [s.key for s in pipeline.settings.sources if s.enabled])
    commit = commit or pipeline.commit_source
    if scan_one is not None:
        outcomes: Iterable[Outcome | SourceReport] = _scan_each(scan_one, keys, full)
    else:
        outcomes = (collect or collect_serial(pipeline))(keys, full)
    reports: list[SourceReport] = []
    stages: dict[str, float] = {}
    with contextlib.ExitStack() as held:
        locked = guard is None

        def lock() -> None:
            nonlocal locked
            if not locked:  # at the first commit: take the lock, then read the stories as they are
                held.enter_context(guard)
                pipeline.reload_stories()
                locked = True

        for key, outcome in zip(keys, outcomes):
            lock()
            try:
                if isinstance(outcome, BaseException):
                    raise outcome
                reports.append(outcome if isinstance(outcome, SourceReport) else commit(outcome))
            except Exception as exc:  # one broken source must not stop the others
                reports.append(failed_report(pipeline.settings, key, exc))
                pipeline.observer.source_finished(reports[-1])
        lock()
        clock = time.perf_counter()
        risks, alerts = pipeline.raise_alerts()
        clock = _lap(stages, "alert", clock)
    purged = pipeline.purge() if purge else 0
    _lap(stages, "purge", clock)
    for report in reports:
        for stage, seconds in report.stages.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    ordered = {stage: stages[stage] for stage in STAGES if stage in stages}
    return ScanReport(reports, risks, alerts, purged, time.perf_counter() - started, ordered)


def _scan_each(scan_one: Callable[[str, bool], SourceReport], keys: list[str], full: bool):
    for key in keys:
        try:
            yield scan_one(key, full)
        except Exception as exc:
            yield exc


def failed_report(settings: Settings, key: str, exc: BaseException) -> SourceReport:
    log.error("source %s failed: %s", key, exc)
    try:
        source = settings.source(key)
    except KeyError:  # the key itself is what is wrong
        return SourceReport(key=key, name=key, platform="?", error=f"{type(exc).__name__}: {exc}")
    return SourceReport(key=key, name=source.name, platform=source.platform, error=f"{type(exc).__name__}: {exc}")
