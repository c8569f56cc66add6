"""The administration's own pages (госпаблики, decree section 2.2.11): activity and responsiveness.

For every source marked ``official: true`` and a period, evaluated at a moment ``now``:

* posts: the page's own posts (not comments) in the period, and per week;
* appeals: residents' questions and complaints in the comments (``Analysis.appeal``, the rules of
  ``nlp.questions``), not the page's own replies;
* answered: an appeal is answered when the page itself (``Post.by_owner``: VK ``from_id`` =
  −group id, the channel's own message in its discussion group) replied to it, directly or
  further down its reply chain, by ``now``; the time to answer is the first such reply's;
* unanswered: appeals without an answer ``official_pages.answer_hours`` after they were written
  (deleted appeals are left out: there is nothing to answer any more).

**The page score** (0–100, for the ranking): answered share ×0.5, answered within the limit
(of the appeals due) ×0.3, activity ×0.2 (posts per week over ``ACTIVE_WEEKLY``, capped at 1).
A share without data is left out and the weights rescaled; a page without appeals and posts
has no score.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from core.config import Settings
from core.domain import Analysis, Post
from core.store import SearchQuery, Store
from reports.period import Period, rolling
from reports.scores import weighted_score

LIMIT = 10_000  # posts and comments of one page read per evaluation
ACTIVE_WEEKLY = 7.0  # a page posting daily counts as fully active
WEIGHTS = {"answered": 0.5, "in_time": 0.3, "activity": 0.2}
CHAIN = 50  # reply-chain steps followed upwards (a loop in bad data ends there)


@dataclass
class Appeal:
    """A resident's question or complaint under an official page, and the page's answer."""

    post: Post
    kind: str
    page: str
    answered_at: datetime | None = None

    @property
    def hours(self) -> float | None:
        """Hours from the appeal to the page's first answer."""
        if self.answered_at is None:
            return None
        return (self.answered_at - self.post.published_at).total_seconds() / 3600


@dataclass
class PageActivity:
    key: str
    name: str
    platform: str
    period: Period
    limit_hours: float
    at: datetime
    posts: int = 0
    appeals: list[Appeal] = field(default_factory=list)
    score: float | None = None
    rank: int | None = None

    @property
    def per_week(self) -> float:
        days = self.period.length.total_seconds() / 86400
        return self.posts * 7 / days if days else 0.0

    @property
    def questions(self) -> int:
        return sum(1 for a in self.appeals if a.kind == "question")

    @property
    def complaints(self) -> int:
        return sum(1 for a in self.appeals if a.kind == "complaint")

    @property
    def answered(self) -> list[Appeal]:
        return [a for a in self.appeals if a.answered_at is not None]

    @property
    def answered_share(self) -> float | None:
        return len(self.answered) / len(self.appeals) if self.appeals else None

    @property
    def median_hours(self) -> float | None:
        hours = [a.hours for a in self.answered if a.hours is not None]
        return median(hours) if hours else None

    @property
    def due(self) -> list[Appeal]:
        """Appeals whose answer time has come: answered, or older than the limit."""
        limit = timedelta(hours=self.limit_hours)
        return [a for a in self.appeals if a.answered_at is not None or self.at - a.post.published_at >= limit]

    @property
    def in_time(self) -> int:
        return sum(1 for a in self.due if a.hours is not None and a.hours <= self.limit_hours)

    @property
    def unanswered(self) -> list[Appeal]:
        """Appeals without the page's answer after the limit, oldest first (deleted ones left out)."""
        limit = timedelta(hours=self.limit_hours)
        return sorted((a for a in self.appeals if a.answered_at is None and not a.post.deleted
                       and self.at - a.post.published_at >= limit), key=lambda a: a.post.published_at)

    def compute_score(self) -> float | None:
        due = self.due
        parts = {"answered": self.answered_share,
                 "in_time": self.in_time / len(due) if due else None,
                 "activity": min(1.0, self.per_week / ACTIVE_WEEKLY) if self.posts or self.appeals else None}
        return weighted_score(parts, WEIGHTS)


@dataclass
class OfficialActivity:
    period: Period
    at: datetime
    limit_hours: float
    pages: list[PageActivity]

    @property
    def unanswered(self) -> list[Appeal]:
        return sorted((a for page in self.pages for a in page.unanswered), key=lambda a: a.post.published_at)


def _ancestors(post: Post, by_id: dict[str, Post]) -> set[str]:
    """Ids up the reply chain of ``post`` (its parent, the parent's parent …)."""
    found: set[str] = set()
    parent = post.parent_id
    for _ in range(CHAIN):
        if parent is None or parent in found:
            break
        found.add(parent)
        parent = by_id[parent].parent_id if parent in by_id else None
    return found


def page_activity(store: Store, source, period: Period, now: datetime, limit_hours: float) -> PageActivity:
    """One official page over ``period``; answers are looked for up to ``now``."""
    page = PageActivity(source.key, source.name, source.platform, period, limit_hours, now)
    hits = store.search(SearchQuery(source=source.key, since=period.since, until=max(now, period.until),
                                    order="date", limit=LIMIT))
    items: list[tuple[Post, Analysis | None]] = [(h.post, h.analysis) for h in hits]
    by_id = {post.id: post for post, _ in items}
    replies = [(post, _ancestors(post, by_id)) for post, _ in items if post.is_comment and post.by_owner]
    for post, analysis in items:
        inside = period.since <= post.published_at < period.until
        if not inside:
            continue
        if not post.is_comment:
            page.posts += 1
            continue
        if post.by_owner or analysis is None or analysis.appeal is None:
            continue
        answers = [reply.published_at for reply, chain in replies
                   if post.id in chain and reply.published_at >= post.published_at and reply.published_at <= now]
        page.appeals.append(Appeal(post, analysis.appeal, source.key, min(answers, default=None)))
    page.appeals.sort(key=lambda a: a.post.published_at)
    return page


def rank_pages(pages: list[PageActivity]) -> list[PageActivity]:
    """Score the pages, rank those with a score (ties share a rank): the best first, then the rest."""
    for page in pages:
        page.score, page.rank = page.compute_score(), None
    ranked = sorted((p for p in pages if p.score is not None), key=lambda p: (-p.score, -len(p.appeals), p.name))
    for position, page in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        page.rank = previous.rank if previous is not None and previous.score == page.score else position
    return ranked + sorted((p for p in pages if p.score is None), key=lambda p: p.name)


def official_activity(store: Store, settings: Settings, period: Period, now: datetime) -> OfficialActivity:
    """Every official page of the config over ``period``, ranked, evaluated at ``now``."""
    limit = settings.official_pages.answer_hours
    pages = [page_activity(store, source, period, now, limit) for source in settings.sources if source.official]
    return OfficialActivity(period, now, limit, rank_pages(pages))


def recent_activity(store: Store, settings: Settings, now: datetime) -> OfficialActivity:
    """The official pages over the last ``official_pages.lookback_days`` (the digest, the daily list)."""
    period = rolling(timedelta(days=settings.official_pages.lookback_days), now, settings.timezone)
    return official_activity(store, settings, period, now)


def hours_ru(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def share_ru(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}% ({part}/{whole})" if whole else "—"


PAGE_COLUMNS = ("место", "страница", "публикаций", "в неделю", "вопросов", "жалоб", "отвечено",
                "медиана ответа, ч", "без ответа > лимита", "балл")


def page_row(page: PageActivity) -> list[str]:
    """One row of the official pages' table in Russian (the CLI, the PDF)."""
    return [str(page.rank) if page.rank is not None else "—", page.name, str(page.posts), hours_ru(page.per_week), str(page.questions), str(page.complaints),
            share_ru(len(page.answered), len(page.appeals)), hours_ru(page.median_hours), str(len(page.unanswered)),
            "—" if page.score is None else f"{page.score:.1f}".replace(".", ",")]


def page_line(page: PageActivity) -> str:
    """The page's figures in one Russian line (the digest)."""
    weekly = f"{page.per_week:.1f}".replace(".", ",")
    line = (f"{page.name}: публикаций {page.posts} ({weekly} в неделю); вопросов {page.questions}, "
            f"жалоб {page.complaints}; отвечено {share_ru(len(page.answered), len(page.appeals))}")
    if page.median_hours is not None:
        line += f", медиана ответа {hours_ru(page.median_hours)} ч"
    if page.unanswered:
        line += f"; без ответа дольше {page.limit_hours:g} ч: {len(page.unanswered)}"
    return line
