"""What a scan reports: per source and in all, with the seconds spent per stage."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from core.config import Settings
from core.domain import Alert, Analysis, Post, Risk

log = logging.getLogger(__name__)
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
    stopped: bool = False
    """A stop (SIGTERM) ended the scan at a safe point: the sources listed were written in full,
    the others and the alerts are left to the next scan."""

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
    raw: dict = field(default_factory=dict)
    """Post id → the platform's raw item it was mapped from (``core.domain.RawItem``)."""


def lap(stages: dict[str, float], stage: str, since: float) -> float:
    """Add the seconds since ``since`` to ``stages[stage]``; returns now."""
    now = time.perf_counter()
    stages[stage] = stages.get(stage, 0.0) + (now - since)
    return now


def failed_report(settings: Settings, key: str, exc: BaseException) -> SourceReport:
    log.info("source %s failed: %s", key, exc)  # the report carries it; the display and the flow log show it
    try:
        source = settings.source(key)
    except KeyError:  # the key itself is what is wrong
        return SourceReport(key=key, name=key, platform="?", error=f"{type(exc).__name__}: {exc}")
    return SourceReport(key=key, name=source.name, platform=source.platform, error=f"{type(exc).__name__}: {exc}")
