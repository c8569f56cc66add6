"""The weekly and monthly report for the Head of the district, as data.

:func:`build_report` gathers from the store what the PDF (``reports.report_pdf``) and the
XLSX (``reports.report_xlsx``) show: the period's risks and how they were handled, the
ratings, risks per day by level, topics, the tone per day, the risks by settlement for the
map, and the stories that drove the growth of complaints (negative posts) with examples, and the
appeals section (``reports.appeal_summary``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from core.config import Settings
from core.domain import LEVEL_ORDER, Risk
from core.store import SearchQuery, Store
from core.text import excerpt, zone
from reports.appeal_problems import ProblemMatcher
from reports.appeal_summary import AppealSummary, appeal_summary
from reports.examples import Example, example_of
from reports.owners import owner_of
from reports.period import Period
from reports.places import coordinates
from reports.polls import PollNote, period_polls
from reports.rating import Rating, build_rating
from reports.sla import RiskSla

TOP_STORIES = 5
EXAMPLES = 3


@dataclass
class RiskRow:
    risk: Risk
    sla: RiskSla
    topic: str
    block: str
    department: str
    owner: str


@dataclass
class DayCount:
    day: date
    levels: Counter = field(default_factory=Counter)
    posts: int = 0
    negative: int = 0


@dataclass
class TopicCount:
    label: str
    posts: int
    negative: int


@dataclass
class PlacePoint:
    name: str
    lat: float
    lon: float
    risks: int
    level: str


@dataclass
class ComplaintStory:
    title: str
    topic: str
    places: list[str]
    negative: int
    posts: int
    risk: str | None
    examples: list[Example]


@dataclass
class PeriodReport:
    period: Period
    municipality: str
    timezone: str
    at: datetime
    risks: list[RiskRow]
    rating: Rating
    days: list[DayCount]
    topics: list[TopicCount]
    places: list[PlacePoint]
    unplaced: list[tuple[str, int]]
    complaints: int
    previous_complaints: int
    stories: list[ComplaintStory]
    polls: list[PollNote] = field(default_factory=list)
    """the period's polls with their results (decree 2.2.5); the official pages are ``rating.pages``"""
    appeals: AppealSummary | None = None

    @property
    def by_level(self) -> Counter:
        return Counter(row.risk.level for row in self.risks)

    @property
    def by_status(self) -> Counter:
        return Counter(row.risk.status.value for row in self.risks)

    def stage_count(self, stage: str, *states: str) -> int:
        return sum(1 for row in self.risks if getattr(row.sla, stage).state in states)


def _days(store: Store, period: Period, tz: str, risks: list[RiskRow]) -> list[DayCount]:
    days = []
    for day in period.days(tz):
        start = max(period.since, datetime.combine(day, datetime.min.time(), tzinfo=zone(tz)))
        end = min(period.until, start.astimezone(zone(tz)).replace(hour=0, minute=0) + timedelta(days=1))
        query = SearchQuery(since=start, until=end)
        days.append(DayCount(day, Counter(r.risk.level for r in risks if start <= r.sla.start < end),
                             store.count(query), store.aggregate("sentiment", query).get("negative", 0)))
    return days


def _topics(store: Store, period: Period, settings: Settings) -> list[TopicCount]:
    labels = {t.code: t.label for t in settings.rubricator.topics}
    posts = store.aggregate("topic", SearchQuery(since=period.since, until=period.until))
    negative = store.aggregate("topic", SearchQuery(since=period.since, until=period.until, sentiment="negative"))
    return [TopicCount(labels.get(code, code), n, negative.get(code, 0)) for code, n in posts.items()]


def _places(risks: list[RiskRow], settings: Settings) -> tuple[list[PlacePoint], list[tuple[str, int]]]:
    """Risks per settlement with coordinates (a risk counts once per settlement), and the places
    the gazetteer has no coordinates for."""
    where = coordinates(settings)
    counts: Counter = Counter()
    levels: dict[str, str] = {}
    spots = {}
    unplaced: Counter = Counter()
    for row in risks:
        for spot in {where[name] for name in row.risk.places if name in where}:
            spots[spot.name] = spot
            counts[spot.name] += 1
            if LEVEL_ORDER[row.risk.level] > LEVEL_ORDER[levels.get(spot.name, "none")]:
                levels[spot.name] = row.risk.level
        unplaced.update(name for name in row.risk.places if name not in where)
    points = [PlacePoint(name, spots[name].lat, spots[name].lon, n, levels[name])
              for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return points, sorted(unplaced.items(), key=lambda kv: (-kv[1], kv[0]))


def _stories(store: Store, period: Period, settings: Settings, risks: list[RiskRow]) -> list[ComplaintStory]:
    """Stories with the most negative posts in the period, with negative examples and links."""
    labels = {t.code: t.label for t in settings.rubricator.topics}
    sources = {s.key: s.name for s in settings.sources}
    risk_of = {row.risk.story_id: row.risk.label for row in risks}
    found = []
    for story in store.recent_stories(period.since):
        if story.first_seen >= period.until:
            continue
        items = [(p, a) for p, a in store.posts_by_ids(story.post_ids) if period.since <= p.published_at < period.until]
        negative = [p for p, a in items if a is not None and a.sentiment.label == "negative"]
        if not negative:
            continue
        examples = sorted(negative, key=lambda p: (p.is_comment, -p.engagement.total, p.published_at))[:EXAMPLES]
        analyses = {p.id: a for p, a in items}
        found.append(ComplaintStory(excerpt(story.title, 120), labels.get(story.topic, story.topic), story.places[:3],
                                    len(negative), len(items), risk_of.get(story.id),
                                    [example_of(p, analyses[p.id], sources) for p in examples]))
    return sorted(found, key=lambda s: (-s.negative, -s.posts, s.title))[:TOP_STORIES]


def build_report(store: Store, settings: Settings, period: Period, now: datetime, *,
                 matcher: ProblemMatcher | None = None) -> PeriodReport:
    """The period's report; ``matcher`` (the application's) links appeals with stories and judges
    satisfaction without a rating (``reports.appeal_summary``)."""
    rating = build_rating(store, settings, period, now)
    rubricator = settings.rubricator
    rows = []
    for sla in rating.slas.values():
        risk = sla.risk
        block, department = rubricator.block(risk.block), rubricator.department(risk.department)
        rows.append(RiskRow(risk, sla, rubricator.topic(risk.topic).label, block.label if block else risk.block,
                            department.label if department else "", owner_of(risk, settings)))
    places, unplaced = _places(rows, settings)
    negative = SearchQuery(since=period.since, until=period.until, sentiment="negative")
    before = period.previous()
    return PeriodReport(
        period=period, municipality=settings.municipality, timezone=settings.timezone, at=now, risks=rows,
        rating=rating, days=_days(store, period, settings.timezone, rows), topics=_topics(store, period, settings),
        places=places, unplaced=unplaced, complaints=store.count(negative),
        previous_complaints=store.count(SearchQuery(since=before.since, until=before.until, sentiment="negative")),
        stories=_stories(store, period, settings, rows),
        polls=period_polls(store, settings, period.since, period.until),
        appeals=appeal_summary(store, settings, period, now, with_rating=True, matcher=matcher),
    )
