"""The scan as plain functions: collect → analyse → store → alert.

Prefect flows (``flows/``) are thin wrappers over this module, and tests and
benchmarks call it directly.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Protocol

from alerts import build_sinks, raise_alerts
from alerts.sinks import AlertSink
from collectors.base import build_collector
from mcu.config import Settings
from mcu.domain import Alert, Post, Risk
from mcu.privacy import Pseudonymizer, load_salt
from store import Store, UpsertResult, open_store

log = logging.getLogger(__name__)
STORY_WINDOW = timedelta(days=14)


@dataclass
class SourceReport:
    key: str
    name: str
    platform: str
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


@dataclass
class ScanReport:
    sources: list[SourceReport]
    risks: list[Risk]
    alerts: list[Alert]
    purged: int
    seconds: float

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.error]


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

    def scan_source(self, key: str, full: bool = False) -> SourceReport:
        """Collect one source since its watermark, ingest the posts, then move the watermark."""
        source = self.settings.source(key)
        report = SourceReport(key=source.key, name=source.name, platform=source.platform)
        started = time.perf_counter()
        self.observer.source_started(key)
        self.observer.stage(key, "сбор")
        watermark = None if full else self.store.get_watermark(key)
        batch = build_collector(source, self.settings).collect(watermark)
        report.problems = batch.problems
        for problem in batch.problems:
            log.warning("%s", problem)
        report.fetched = len(batch.posts)
        result = self.ingest(batch.posts, key)
        if batch.watermark and batch.watermark != watermark:
            self.store.set_watermark(key, batch.watermark)  # only after the posts are stored
        report.new, report.updated, report.unchanged = result.new, result.updated, result.unchanged
        report.seconds = time.perf_counter() - started
        self.observer.source_finished(report)
        return report

    def ingest(self, posts: list[Post], key: str = "") -> UpsertResult:
        """Pseudonymise, analyse, group into stories and store posts; remembers the stories touched
        so that :meth:`raise_alerts` scores them. The live listener calls this for single messages."""
        posts = [self.pseudonymizer.apply(post) for post in posts]
        self.observer.stage(key, "анализ")
        analyses = self.analyzer.analyze(posts)
        stories = {}
        for post, analysis in zip(posts, analyses):
            story = self.tracker.assign(post, analysis)
            analysis.story_id = story.id
            stories[story.id] = story
        self.observer.stage(key, "запись")
        result = self.store.upsert_posts(zip(posts, analyses))
        for story in stories.values():
            self.store.upsert_story(story)
        self.touched.update(stories)
        return result

    def raise_alerts(self, now: datetime | None = None) -> tuple[list[Risk], list[Alert]]:
        from nlp import score_story

        touched, self.touched = self.touched, set()
        return raise_alerts(self.store, self.settings, touched, now or datetime.now(timezone.utc),
                            self.sinks, score_story)

    def purge(self, now: datetime | None = None) -> int:
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=self.settings.privacy.retention_days)
        return self.store.purge_before(cutoff)

    def close(self) -> None:
        self.store.close()


def _salt_file(settings: Settings) -> Path:
    url = settings.store
    folder = Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite:///") else Path("data")
    return folder / "pseudonym.key"


def run_scan(pipeline: Pipeline, keys: list[str] | None = None, full: bool = False,
             scan_one: Callable[[str, bool], SourceReport] | None = None) -> ScanReport:
    """The whole scan: every source isolated, then alerts, then retention.

    ``scan_one`` runs one source; the Prefect flow passes its task here, plain callers omit it.
    """
    started = time.perf_counter()
    scan_one = scan_one or pipeline.scan_source
    reports = []
    for key in keys or [s.key for s in pipeline.settings.sources if s.enabled]:
        try:
            reports.append(scan_one(key, full))
        except Exception as exc:  # one broken source must not stop the others
            reports.append(failed_report(pipeline.settings, key, exc))
            pipeline.observer.source_finished(reports[-1])
    risks, alerts = pipeline.raise_alerts()
    purged = pipeline.purge()
    return ScanReport(reports, risks, alerts, purged, time.perf_counter() - started)


def failed_report(settings: Settings, key: str, exc: BaseException) -> SourceReport:
    source = settings.source(key)
    log.error("source %s failed: %s", key, exc)
    return SourceReport(key=key, name=source.name, platform=source.platform, error=f"{type(exc).__name__}: {exc}")
