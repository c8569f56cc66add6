"""What the appeals say (decree 2.2.1–2.2.3, 3.4, 3.5): counts by topic, department and status,
the answer kinds, the «Решаемые» analysis and the rating of the units that answer.

**«Решаемые»** follow ``reports.appeals_analysis`` (the definitions of the answer-model branch):
an answered appeal is of the «Решаемые» type when its topic is one the body can fix itself
(``SOLVABLE_TOPICS``); the solved share is solved ÷ those, the explained share is «разъяснение» ÷
those, and topics where the explained share reaches 25 % (with at least 10 such answers) are the
ones where explaining replaces solving. Spikes of topic × place against the weeks before are the
causes of growth (``weekly_spikes``).

**The rating** of a unit (territorial department, else the responsible body) over the appeals it
received in a period, at a moment: on time (answers by the deadline, of the answers with a date
plus the appeals overdue now), the solved share of «Решаемые», and satisfaction: the mean over
its answered appeals of the rating (1–5 as 0–1) where the export has one, otherwise 0 for an
answer followed by a repeated appeal or a negative social-media reaction and 1 for one that
stayed quiet for ``appeals.satisfaction.repeat_days`` (``reports.appeal_links``; without the
application's :class:`~reports.appeal_problems.ProblemMatcher`, the rating alone). Score
(0–100): on time ×0.4, solved ×0.3, satisfaction ×0.3, over the parts a unit has data for;
units with fewer than ``MIN_APPEALS`` appeals are not ranked.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from core.appeals import ANSWER_KINDS, APPEAL_STATES, Appeal, AppealQuery
from core.config import Settings
from core.store import Store
from reports.appeal_deadlines import AppealDeadlines
from reports.appeal_links import LinkedProblem, Satisfaction, SatisfactionCounts
from reports.appeal_problems import AppealProblems, ProblemMatcher, appeal_problems, rating_only
from reports.appeals_analysis import (
    SOLVABLE_TOPICS, AppealFacts, SolvableShare, Spike, explaining_instead_of_solving, solvable_shares, weekly_spikes,
)  # fmt: skip
from reports.period import Period

MIN_APPEALS = 3
WEIGHTS = {"on_time": 0.4, "solved": 0.3, "satisfaction": 0.3}


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def appeal_facts(appeals: Iterable[Appeal], unit_of: Callable[[Appeal], str]) -> list[AppealFacts]:
    """What ``reports.appeals_analysis`` reads of each appeal: topic, the unit that answers, the
    first place (else the district), the answer kind."""
    return [AppealFacts(id=a.id, created_at=a.received_at, topic=a.analysis.topic, department=unit_of(a),
                        place=(a.analysis.places or [a.district])[0], answer_kind=a.analysis.answer_kind, text=a.text)
            for a in appeals]


@dataclass
class AppealStats:
    total: int
    by_topic: list[tuple[str, int]]
    by_department: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    by_state: list[tuple[str, int]]
    by_answer_kind: list[tuple[str, int]]
    solvable_by_topic: list[SolvableShare]
    solvable_by_unit: list[SolvableShare]
    explaining_topics: list[SolvableShare]
    spikes: list[Spike]
    topic_labels: dict[str, str] = field(default_factory=dict)
    satisfaction_by_unit: list[tuple[str, SatisfactionCounts]] = field(default_factory=list)
    repeated: int = 0
    """answered appeals followed by a repeated appeal"""
    problems: list[LinkedProblem] = field(default_factory=list)
    """stories with the appeals about the same problem and place"""
    matched: bool = False
    """whether appeals were matched with each other and with stories (a matcher was given)"""

    @property
    def classified(self) -> int:
        return sum(n for _, n in self.by_answer_kind)


def appeal_stats(store: Store, settings: Settings, query: AppealQuery | None = None, *,
                 matcher: ProblemMatcher | None = None, now: datetime | None = None) -> AppealStats:
    """``now`` (default: the latest answer) decides which quiet answers have waited long enough."""
    query = query or AppealQuery()
    topics = {t.code: t.label for t in settings.rubricator.topics}
    departments = {d.code: d.label for d in settings.rubricator.departments}

    def labelled(field_name: str, labels: dict[str, str]) -> list[tuple[str, int]]:
        return [(labels.get(k, k), n) for k, n in store.aggregate_appeals(field_name, query).items()]

    appeals = store.search_appeals(replace(query, limit=None))
    unit_of = AppealDeadlines(settings).unit
    facts = appeal_facts(appeals, unit_of)
    moment = now or max((a.answered_at for a in appeals if a.answered_at), default=None)
    problems = appeal_problems(store, settings, matcher, appeals, moment) if matcher and moment else None
    judge = problems.judge if problems else rating_only
    satisfied: dict[str, SatisfactionCounts] = {}
    for appeal in appeals:
        verdict = judge(appeal)
        if verdict is not None:
            satisfied.setdefault(unit_of(appeal), SatisfactionCounts()).add(verdict)
    return AppealStats(
        total=store.count_appeals(query), by_topic=labelled("topic", topics),
        by_department=labelled("department", departments), by_status=labelled("status", {}),
        by_state=labelled("state", APPEAL_STATES), by_answer_kind=labelled("answer_kind", ANSWER_KINDS),
        solvable_by_topic=solvable_shares(facts, by_department=False), solvable_by_unit=solvable_shares(facts),
        explaining_topics=explaining_instead_of_solving(facts), spikes=weekly_spikes(facts), topic_labels=topics,
        satisfaction_by_unit=sorted(satisfied.items(), key=lambda kv: (-kv[1].judged, kv[0])),
        repeated=len(problems.repeated) if problems else 0, problems=problems.problems if problems else [],
        matched=problems is not None,
    )  # fmt: skip


@dataclass
class AnswerCounts:
    """Answer kinds, «Решаемые» (answered appeals of ``SOLVABLE_TOPICS`` with a classified answer)
    and the citizens' ratings of a set of appeals."""

    kinds: Counter = field(default_factory=Counter)
    solvable: int = 0
    solved: int = 0
    explained: int = 0
    ratings: list[float] = field(default_factory=list)
    satisfied: SatisfactionCounts = field(default_factory=SatisfactionCounts)

    def count_answer(self, appeal: Appeal, judged: Satisfaction | None = None) -> None:
        """Count an appeal; ``judged`` is its satisfaction (``AppealProblems.judge``), else the rating's."""
        kind = appeal.analysis.answer_kind
        if kind:
            self.kinds[kind] += 1
            if appeal.analysis.topic in SOLVABLE_TOPICS:
                self.solvable += 1
                self.solved += kind == "solved"
                self.explained += kind == "explained"
        if appeal.rating is not None:
            self.ratings.append(appeal.rating)
        judged = judged or rating_only(appeal)
        if judged is not None:
            self.satisfied.add(judged)

    @property
    def solved_share(self) -> float | None:
        return share(self.solved, self.solvable)

    @property
    def mean_rating(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None


@dataclass
class AppealUnit(AnswerCounts):
    unit: str = ""
    received: int = 0
    answered: int = 0
    answers_due: int = 0
    on_time: int = 0
    overdue_now: int = 0
    score: float | None = None
    rank: int | None = None

    @property
    def on_time_share(self) -> float | None:
        return share(self.on_time, self.answers_due)

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied.share

    def compute_score(self) -> float | None:
        parts = {"on_time": self.on_time_share, "solved": self.solved_share, "satisfaction": self.satisfaction}
        known = {k: v for k, v in parts.items() if v is not None}
        if not known:
            return None
        weight = sum(WEIGHTS[k] for k in known)
        return round(100 * sum(WEIGHTS[k] * v for k, v in known.items()) / weight, 1)


def appeal_rating(store: Store, settings: Settings, period: Period, now: datetime, *,
                  matcher: ProblemMatcher | None = None, problems: AppealProblems | None = None) -> list[AppealUnit]:
    """Units rated over the appeals received in the period; ranked ones first (ties share a rank).
    Satisfaction uses ``problems`` (or matches with ``matcher``) where the rating is missing."""
    deadlines = AppealDeadlines(settings)
    units: dict[str, AppealUnit] = {}
    appeals = store.search_appeals(AppealQuery(since=period.since, until=period.until, limit=None))
    if problems is None and matcher is not None:
        problems = appeal_problems(store, settings, matcher, appeals, now)
    judge = problems.judge if problems else rating_only
    for appeal in appeals:
        d = deadlines.of(appeal, now)
        unit = units.setdefault(d.unit, AppealUnit(unit=d.unit))
        unit.received += 1
        unit.answered += appeal.answered
        if d.state in ("on_time", "late", "overdue"):
            unit.answers_due += 1
            unit.on_time += d.state == "on_time"
        unit.overdue_now += d.state == "overdue"
        unit.count_answer(appeal, judge(appeal))
    for unit in units.values():
        unit.score = unit.compute_score()
    ranked = sorted((u for u in units.values() if u.received >= MIN_APPEALS and u.score is not None),
                    key=lambda u: (-u.score, -u.received, u.unit))
    for position, unit in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        unit.rank = previous.rank if previous is not None and previous.score == unit.score else position
    rest = sorted((u for u in units.values() if u.rank is None), key=lambda u: (-u.received, u.unit))
    return ranked + rest


RATING_COLUMNS = ("место", "подразделение", "обращений", "ответ в срок", "просрочено сейчас", "решено из «Решаемых»",
                  "удовлетворённость", "балл")


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}% ({part}/{whole})" if whole else "—"


def satisfaction_text(counts: SatisfactionCounts) -> str:
    """«63% (5)»: the satisfaction and how many answers it is judged on; «—» without any."""
    share = counts.share
    return "—" if share is None else f"{round(100 * share)}% ({counts.judged})"


def rating_row(unit: AppealUnit) -> list[str]:
    place = str(unit.rank) if unit.rank is not None else "вне рейтинга"
    return [place, unit.unit, str(unit.received), percent(unit.on_time, unit.answers_due), str(unit.overdue_now),
            percent(unit.solved, unit.solvable), satisfaction_text(unit.satisfied),
            "—" if unit.score is None else f"{unit.score:.1f}".replace(".", ",")]
