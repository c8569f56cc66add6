"""What the appeals say (decree 2.2.1–2.2.3, 3.4, 3.5): counts by topic, department and status,
the answer kinds, the «Решаемые» analysis and the rating of the units that answer.

**«Решаемые».** An appeal is of the «Решаемые» type when its answer (classified by the answer
model) treats a confirmed problem within the body's power: «решено», «разъяснение» or «отписка».
«Факты не подтвердились» and «перенаправлено» are not. The solved share is solved ÷ «Решаемые»;
a topic where explanations outnumber solutions (at least ``MIN_SOLVABLE`` «Решаемые») is listed
as one where explaining replaces solving.

**The rating** of a unit (territorial department, else the responsible body) over the appeals it
received in a period, at a moment: on time (answers by the deadline, of the answers with a date
plus the appeals overdue now), the solved share of «Решаемые», and satisfaction (the mean rating
on the 1–5 scale, as 0–1). Score (0–100): on time ×0.4, solved ×0.3, satisfaction ×0.3, over the
parts a unit has data for; units with fewer than ``MIN_APPEALS`` appeals are not ranked.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from core.appeals import ANSWER_KINDS, APPEAL_STATES, AppealQuery
from core.config import Settings
from core.store import Store
from reports.appeal_deadlines import AppealDeadlines
from reports.period import Period

SOLVABLE_KINDS = ("solved", "explained", "formal")
MIN_SOLVABLE = 3
MIN_APPEALS = 3
WEIGHTS = {"on_time": 0.4, "solved": 0.3, "satisfaction": 0.3}
RATING_SCALE = (1.0, 5.0)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class SolvableRow:
    """«Решаемые» of one topic or department."""

    code: str
    label: str
    solved: int = 0
    explained: int = 0
    formal: int = 0

    @property
    def solvable(self) -> int:
        return self.solved + self.explained + self.formal

    @property
    def solved_share(self) -> float | None:
        return share(self.solved, self.solvable)

    @property
    def explained_share(self) -> float | None:
        return share(self.explained, self.solvable)


@dataclass
class AppealStats:
    total: int
    by_topic: list[tuple[str, int]]
    by_department: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    by_state: list[tuple[str, int]]
    by_answer_kind: list[tuple[str, int]]
    solvable_by_topic: list[SolvableRow]
    solvable_by_department: list[SolvableRow]

    @property
    def classified(self) -> int:
        return sum(n for _, n in self.by_answer_kind)

    @property
    def explaining_topics(self) -> list[SolvableRow]:
        """Topics where explanations replace solutions, the worst first."""
        rows = [r for r in self.solvable_by_topic if r.solvable >= MIN_SOLVABLE and r.explained > r.solved]
        return sorted(rows, key=lambda r: (-(r.explained_share or 0), -r.solvable, r.label))


def _solvable(store: Store, field_name: str, query: AppealQuery, labels: dict[str, str]) -> list[SolvableRow]:
    rows: dict[str, SolvableRow] = {}
    for kind in SOLVABLE_KINDS:
        counts = store.aggregate_appeals(field_name, _with(query, answer_kind=kind))
        for code, n in counts.items():
            row = rows.setdefault(code, SolvableRow(code, labels.get(code, code)))
            setattr(row, kind, n)
    return sorted(rows.values(), key=lambda r: (-r.solvable, r.label))


def _with(query: AppealQuery, **changes) -> AppealQuery:
    return AppealQuery(**{**query.__dict__, **changes})


def appeal_stats(store: Store, settings: Settings, query: AppealQuery | None = None) -> AppealStats:
    query = query or AppealQuery()
    topics = {t.code: t.label for t in settings.rubricator.topics}
    departments = {d.code: d.label for d in settings.rubricator.departments}

    def labelled(field_name: str, labels: dict[str, str]) -> list[tuple[str, int]]:
        return [(labels.get(k, k), n) for k, n in store.aggregate_appeals(field_name, query).items()]

    return AppealStats(
        total=store.count_appeals(query), by_topic=labelled("topic", topics),
        by_department=labelled("department", departments), by_status=labelled("status", {}),
        by_state=labelled("state", APPEAL_STATES), by_answer_kind=labelled("answer_kind", ANSWER_KINDS),
        solvable_by_topic=_solvable(store, "topic", query, topics),
        solvable_by_department=_solvable(store, "department", query, departments),
    )  # fmt: skip


@dataclass
class AppealUnit:
    unit: str
    received: int = 0
    answered: int = 0
    answers_due: int = 0
    on_time: int = 0
    overdue_now: int = 0
    kinds: Counter = field(default_factory=Counter)
    ratings: list[float] = field(default_factory=list)
    score: float | None = None
    rank: int | None = None

    @property
    def solvable(self) -> int:
        return sum(self.kinds[k] for k in SOLVABLE_KINDS)

    @property
    def solved_share(self) -> float | None:
        return share(self.kinds["solved"], self.solvable)

    @property
    def on_time_share(self) -> float | None:
        return share(self.on_time, self.answers_due)

    @property
    def mean_rating(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    @property
    def satisfaction(self) -> float | None:
        low, high = RATING_SCALE
        mean = self.mean_rating
        return None if mean is None else min(1.0, max(0.0, (mean - low) / (high - low)))

    def compute_score(self) -> float | None:
        parts = {"on_time": self.on_time_share, "solved": self.solved_share, "satisfaction": self.satisfaction}
        known = {k: v for k, v in parts.items() if v is not None}
        if not known:
            return None
        weight = sum(WEIGHTS[k] for k in known)
        return round(100 * sum(WEIGHTS[k] * v for k, v in known.items()) / weight, 1)


def appeal_rating(store: Store, settings: Settings, period: Period, now: datetime) -> list[AppealUnit]:
    """Units rated over the appeals received in the period; ranked ones first (ties share a rank)."""
    deadlines = AppealDeadlines(settings)
    units: dict[str, AppealUnit] = {}
    for appeal in store.search_appeals(AppealQuery(since=period.since, until=period.until, limit=None)):
        d = deadlines.of(appeal, now)
        unit = units.setdefault(d.unit, AppealUnit(d.unit))
        unit.received += 1
        unit.answered += appeal.answered
        if d.state in ("on_time", "late", "overdue"):
            unit.answers_due += 1
            unit.on_time += d.state == "on_time"
        unit.overdue_now += d.state == "overdue"
        if appeal.analysis.answer_kind:
            unit.kinds[appeal.analysis.answer_kind] += 1
        if appeal.rating is not None:
            unit.ratings.append(appeal.rating)
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
                  "средняя оценка", "балл")


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}% ({part}/{whole})" if whole else "—"


def rating_row(unit: AppealUnit) -> list[str]:
    place = str(unit.rank) if unit.rank is not None else "вне рейтинга"
    mean = unit.mean_rating
    return [place, unit.unit, str(unit.received), percent(unit.on_time, unit.answers_due), str(unit.overdue_now),
            percent(unit.kinds["solved"], unit.solvable),
            "—" if mean is None else f"{mean:.1f}".replace(".", ","),
            "—" if unit.score is None else f"{unit.score:.1f}".replace(".", ",")]
