"""Seasonal threats found in the store's history: topics and places whose volume or negativity
rose in the same weeks of earlier years.

For each earlier year (52-week steps back, so weekdays line up) the *window* is the coming
``weeks`` weeks of that year, and the *baseline* the ``BASELINE_WEEKS`` weeks on either side.
Weeks without any stored post (nothing collected then, or deleted by retention) count in
neither. A topic or place *rose* in a year when

* volume: its weekly mean in the window, plus one, is at least ``RISE`` times the baseline's
  weekly mean plus one, with at least ``MIN_POSTS`` posts in the window; or
* negativity: its negative share in the window is at least ``NEGATIVE_RISE`` above the
  baseline's, with at least ``MIN_NEGATIVE`` negative posts in the window.

Threats are ordered by the number of years they rose in, then by the rise. Each carries its
evidence per year and example posts. The history must outlast the retention period for this
to see earlier years (``privacy.retention_days`` ≥ 365 + the window).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from core.config import Settings
from core.store import SearchQuery, Store
from core.text import zone
from reports.examples import Example, example_of

RISE = 1.5
MIN_POSTS = 5
NEGATIVE_RISE = 0.15
MIN_NEGATIVE = 3
BASELINE_WEEKS = 13
YEARS = 3
EXAMPLES = 3
WEEK = timedelta(weeks=1)


@dataclass
class YearEvidence:
    year: int
    back: int
    """years (52-week steps) before now"""
    since: datetime
    until: datetime
    posts: int
    weekly: float
    baseline_weekly: float
    negative: int
    negative_share: float
    baseline_negative_share: float
    peak: date
    """the first day of the window's busiest week, in that year"""
    volume_rose: bool
    negativity_rose: bool

    @property
    def ratio(self) -> float:
        return (self.weekly + 1) / (self.baseline_weekly + 1)

    @property
    def rose(self) -> bool:
        return self.volume_rose or self.negativity_rose


@dataclass
class SeasonalThreat:
    kind: str
    """topic or place"""
    code: str
    label: str
    years: list[YearEvidence]
    examples: list[Example] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    """where it was discussed most, in the years it rose"""
    expected: date | None = None
    """the peak week's start moved to this year"""
    checked: int = 0
    """earlier years with enough data to judge (the topic or place may be absent in some)"""

    @property
    def rising_years(self) -> list[YearEvidence]:
        return [y for y in self.years if y.rose]

    @property
    def best_ratio(self) -> float:
        return max((y.ratio for y in self.rising_years), default=0.0)


@dataclass
class _Week:
    start: datetime
    total: int
    counts: dict[str, Counter]
    """topic / place / topic_negative / place_negative → value → posts"""


def _week(store: Store, start: datetime) -> _Week:
    query = SearchQuery(since=start, until=start + WEEK)
    negative = SearchQuery(since=start, until=start + WEEK, sentiment="negative")
    return _Week(start, store.count(query), {
        "topic": Counter(store.aggregate("topic", query)), "place": Counter(store.aggregate("place", query)),
        "topic_negative": Counter(store.aggregate("topic", negative)),
        "place_negative": Counter(store.aggregate("place", negative)),
    })


def _evidence(kind: str, code: str, window: list[_Week], baseline: list[_Week], year: int, back: int,
              tz: str) -> YearEvidence:
    posts = sum(w.counts[kind][code] for w in window)
    negative = sum(w.counts[f"{kind}_negative"][code] for w in window)
    base_posts = sum(w.counts[kind][code] for w in baseline)
    base_negative = sum(w.counts[f"{kind}_negative"][code] for w in baseline)
    weekly, base_weekly = posts / len(window), base_posts / len(baseline)
    share = negative / posts if posts else 0.0
    base_share = base_negative / base_posts if base_posts else 0.0
    busiest = max(window, key=lambda w: (w.counts[kind][code], -w.start.timestamp()))
    return YearEvidence(
        year=year, back=back, since=window[0].start, until=window[-1].start + WEEK, posts=posts, weekly=weekly,
        baseline_weekly=base_weekly, negative=negative, negative_share=share, baseline_negative_share=base_share,
        peak=busiest.start.astimezone(zone(tz)).date(),
        volume_rose=posts >= MIN_POSTS and (weekly + 1) >= RISE * (base_weekly + 1),
        negativity_rose=negative >= MIN_NEGATIVE and share - base_share >= NEGATIVE_RISE,
    )


def _examples(store: Store, settings: Settings, threat: SeasonalThreat) -> None:
    names = {s.key: s.name for s in settings.sources}
    sources: Counter = Counter()
    found = []
    for year in sorted(threat.rising_years, key=lambda y: -y.year):
        query = SearchQuery(since=year.since, until=year.until, limit=500,
                            **{"topic" if threat.kind == "topic" else "place": threat.code})
        hits = store.search(query)
        sources.update(hit.post.source for hit in hits)
        found += [hit for hit in hits if not hit.post.is_comment]
    found.sort(key=lambda hit: (not (hit.analysis and hit.analysis.sentiment.label == "negative"),
                                -hit.post.engagement.total, -hit.post.published_at.timestamp()))
    threat.examples = [example_of(hit.post, hit.analysis, names, 200) for hit in found[:EXAMPLES]]
    threat.sources = [names.get(key, key) for key, _ in sources.most_common(3)]


def detect_seasonal(store: Store, settings: Settings, today: date, weeks: int = 4,
                    years: int = YEARS) -> list[SeasonalThreat]:
    """Topics and places that rose in the coming ``weeks`` weeks of earlier years (up to ``years`` back)."""
    tz = settings.timezone
    start = datetime.combine(today, time(0), tzinfo=zone(tz)).astimezone(timezone.utc)
    labels = {t.code: t.label for t in settings.rubricator.topics}
    evidence: dict[tuple[str, str], list[YearEvidence]] = {}
    checked = 0
    for back in range(1, years + 1):
        window_start = start - 52 * back * WEEK
        weeks_all = [_week(store, window_start + i * WEEK) for i in range(-BASELINE_WEEKS, weeks + BASELINE_WEEKS)]
        window = [w for w in weeks_all[BASELINE_WEEKS:BASELINE_WEEKS + weeks] if w.total]
        baseline = [w for w in weeks_all[:BASELINE_WEEKS] + weeks_all[BASELINE_WEEKS + weeks:]
                    if w.total and w.start + WEEK <= start]
        if not window or len(baseline) < 2:
            continue
        checked += 1
        year = (window_start + weeks * WEEK / 2).astimezone(zone(tz)).year
        for kind in ("topic", "place"):
            codes = {code for w in window for code in w.counts[kind]} - {"other"}
            for code in codes:
                evidence.setdefault((kind, code), []).append(_evidence(kind, code, window, baseline, year, back, tz))
    threats = []
    for (kind, code), found in evidence.items():
        threat = SeasonalThreat(kind, code, labels.get(code, code) if kind == "topic" else code, found, checked=checked)
        if not threat.rising_years:
            continue
        latest = min(threat.rising_years, key=lambda y: y.back)
        threat.expected = latest.peak + 52 * latest.back * WEEK
        threats.append(threat)
    threats.sort(key=lambda t: (-len(t.rising_years), -t.best_ratio, t.kind, t.label))
    for threat in threats:
        _examples(store, settings, threat)
    return threats
