"""The scan of one source as plain methods: collect → pseudonymise → analyse → stories → store.

The platform items the posts were mapped from (``RawItem``) are pseudonymised with the posts
and written with them, in the same store write.

A source is scanned in two phases so that many sources can be read at once and the result is
still the same as one after another:

* :meth:`Pipeline.collect_source` reads the source since its watermark, pseudonymises and
  analyses the posts. It touches no shared state but the (read-only) watermark, so any number
  of sources may run it in parallel (threads, or Prefect mapped tasks).
* :meth:`Pipeline.commit_source` groups the posts into stories, writes them and moves the
  watermark. The story tracker and the store are shared state, so commits run one at a time,
  in the order of the source keys (``pipeline.run.run_scan``).
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone

from alerts import AlertSink, build_sinks, raise_alerts
from alerts.ledger import SinkLedger, ledger_path, reconcile_sinks
from collectors.base import build_collector, mapping_for
from core.config import Settings
from core.domain import Alert, Analysis, Post, RawItem, Risk
from core.privacy import Pseudonymizer
from core.store import Store, UpsertResult
from pipeline.report import Collected, SourceReport, lap
from pipeline.wiring import pseudonymizer

log = logging.getLogger(__name__)
STORY_WINDOW = timedelta(days=14)


class ScanObserver:
    """Progress hooks for a display; this base does nothing (the CLI's Rich display overrides them)."""

    def source_started(self, key: str) -> None:
        pass

    def stage(self, key: str, stage: str) -> None:
        pass

    def source_finished(self, report: SourceReport) -> None:
        pass

    def notice(self, text: str) -> None:
        """Something the person waiting should know (the store is busy, a stop was asked for)."""


class Pipeline:
    """Everything a scan needs, built once from the settings and shared by the stages."""

    def __init__(self, settings: Settings, store: Store, analyzer, sinks: list[AlertSink],
                 pseudonymizer: Pseudonymizer, observer: ScanObserver | None = None, ledger: SinkLedger | None = None):
        """``analyzer`` is an ``nlp.Analyzer`` or a callable that builds one: the models then load
        only when a post needs them (an idle scan never loads them)."""
        self.settings = settings
        self.store = store
        self._analyzer = analyzer
        self.sinks = sinks
        self.ledger = ledger  # which sink took which alert (alerts.ledger); None: not tracked
        self.pseudonymizer = pseudonymizer
        self.observer = observer or ScanObserver()
        self.touched: set[str] = set()
        self._tracker = None
        self._tracker_since: datetime | None = None  # the oldest last_seen the tracker loaded
        # The NLP models are shared; one batch at a time keeps them safe whatever they cache.
        self._analyse_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, observer: ScanObserver | None = None, console=None) -> "Pipeline":
        from nlp import Analyzer
        from store import open_store

        pipeline = cls(settings, None, lambda: Analyzer.from_settings(settings), build_sinks(settings, console),
                       pseudonymizer(settings), observer, SinkLedger(ledger_path(settings)))
        pipeline.store = open_store(settings.store, lambda text: pipeline.analyzer.lemmatize(text),
                                    data_dir=settings.data_dir)
        return pipeline

    @property
    def analyzer(self):
        """The NLP, built on first use."""
        if callable(self._analyzer) and not hasattr(self._analyzer, "analyze"):
            with self._analyse_lock:
                if callable(self._analyzer) and not hasattr(self._analyzer, "analyze"):
                    self._analyzer = self._analyzer()
        return self._analyzer

    def tracker_for(self, oldest: datetime | None = None):
        """The story tracker with the store's stories seen within ``STORY_WINDOW`` of now, or of
        ``oldest`` (the oldest post about to be grouped) when that is earlier: a backfill of
        older posts, or a replayed recording, joins the stories of its own time."""
        now = datetime.now(timezone.utc)
        since = (min(now, oldest) if oldest else now) - STORY_WINDOW
        if self._tracker is None or since < self._tracker_since:
            self._tracker = self.analyzer.story_tracker(self.store.recent_stories(since))
            self._tracker_since = since
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
        lap(report.stages, "collect", clock)
        posts, analyses = self.analyse(batch.posts, key, report.stages)
        return Collected(report, posts, analyses, watermark, batch.watermark, self.pseudonymise_raw(batch.raw),
                         list(batch.deleted))

    def commit_source(self, collected: Collected) -> SourceReport:
        """Assign stories, store the posts, then move the watermark. One commit at a time."""
        report = collected.report
        clock = time.perf_counter()
        result = self.store_posts(collected.posts, collected.analyses, report.key, collected.raw)
        if collected.deleted:
            report.deleted = self.store.mark_deleted(collected.deleted, datetime.now(timezone.utc))
        if collected.next_watermark and collected.next_watermark != collected.watermark:
            self.store.set_watermark(report.key, collected.next_watermark)  # only after the posts are stored
        report.new, report.updated, report.unchanged = result.new, result.updated, result.unchanged
        lap(report.stages, "store", clock)
        report.seconds = sum(report.stages.values())
        self.observer.source_finished(report)
        return report

    # -- posts --------------------------------------------------------------------------
    def ingest(self, posts: list[Post], key: str = "", raw: dict[str, RawItem] | None = None) -> UpsertResult:
        """Pseudonymise, analyse, group into stories and store posts (with their raw items);
        remembers the stories touched so that :meth:`raise_alerts` scores them. The live
        listener calls this for single messages."""
        posts, analyses = self.analyse(posts, key)
        return self.store_posts(posts, analyses, key, self.pseudonymise_raw(raw or {}))

    def analyse(self, posts: list[Post], key: str = "",
                stages: dict[str, float] | None = None) -> tuple[list[Post], list[Analysis]]:
        """Pseudonymised posts and their analyses, in order; adds the seconds spent analysing
        (not waiting for another source's batch) to ``stages["analyse"]``."""
        posts = [self.pseudonymizer.apply(post) for post in posts]
        self.observer.stage(key, "анализ")
        analyzer = self.analyzer if posts else None
        with self._analyse_lock:
            clock = time.perf_counter()
            analyses = analyzer.analyze(posts) if posts else []
            if stages is not None:
                lap(stages, "analyse", clock)
        return posts, analyses

    def pseudonymise_raw(self, raw: dict[str, RawItem]) -> dict[str, RawItem]:
        """Raw items with their authors pseudonymised like the posts (each platform's mapping
        names the payload keys that hold citizens' ids)."""
        return {pid: self.pseudonymizer.raw(item, mapping_for(item.platform).author_fields)
                for pid, item in raw.items()}

    def store_posts(self, posts: list[Post], analyses: list[Analysis], key: str = "",
                    raw: dict[str, RawItem] | None = None) -> UpsertResult:
        """Group analysed posts into stories (in order) and write both, the posts with their
        raw items."""
        stories = {}
        tracker = self.tracker_for(min((post.published_at for post in posts), default=None))
        for post, analysis in zip(posts, analyses):
            story = tracker.assign(post, analysis)
            analysis.story_id = story.id
            stories[story.id] = story
        self.observer.stage(key, "запись")
        result = self.store.upsert_posts(zip(posts, analyses), raw or None)
        for story in stories.values():
            self.store.upsert_story(story)
        if stories:
            self.store.add_pending_stories(set(stories))  # survives a crash before the alert step
        self.touched.update(stories)
        return result

    # -- the end of a scan --------------------------------------------------------------
    def raise_alerts(self, now: datetime | None = None) -> tuple[list[Risk], list[Alert]]:
        """Score the stories this run touched and those a failed run left pending; alert."""
        from nlp import score_story

        if self.ledger is not None:  # alerts a killed run recorded but did not hand to every sink
            reconcile_sinks(self.store.list_alerts(), self.sinks, self.ledger)
        touched = self.touched | self.store.pending_stories()
        result = raise_alerts(self.store, self.settings, touched, now or datetime.now(timezone.utc),
                              self.sinks, score_story, self.ledger)
        self.touched -= touched
        self.store.remove_pending_stories(touched)  # another process may have added stories meanwhile
        return result

    def purge(self, now: datetime | None = None) -> int:
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=self.settings.privacy.retention_days)
        self.store.purge_appeals_before(cutoff)
        return self.store.purge_before(cutoff)

    def close(self) -> None:
        self.store.close()
        if self.ledger is not None:
            self.ledger.close()
