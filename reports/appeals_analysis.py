"""Two analyses of answered appeals (issue 13), as pure functions over :class:`AppealFacts`.

**«Решаемые»** (:func:`solvable_shares`, :func:`explaining_instead_of_solving`). An appeal is
*solvable* when its topic is one where the responsible body can fix the problem itself, by
works or services within its own budget and powers: repair a road, restore water or light,
clean a yard, take away waste, catch stray animals, clean up a dump. The default list is
:data:`SOLVABLE_TOPICS` (rubricator codes); a municipality passes its own (codes or the portal's
own finer reasons). Topics that usually need a law, money from another level, or someone
else's decision (healthcare, education, social support, economy, government...) are not
solvable by default: there an explanation («разъяснение») is often the honest answer. For
each topic (and department) the share of solvable answered appeals that got an *explained*
answer is the «explained where a solution was possible» share; topics where that share is at
least ``threshold`` are where explaining replaces solving.

**Causes of growth** (:func:`weekly_spikes`). Appeals are counted per topic × place × week
(weeks start on Monday). A cell is a spike when its count is at least ``min_count``, at least
``min_ratio`` times the mean of the same topic and place over the ``baseline_weeks`` weeks
before (weeks without appeals count as zero), and ``(count − mean) / √max(mean, 1)`` — a
Poisson z-score — is at least ``min_z``. Each spike carries up to ``examples`` appeal texts.

Answer kinds are the strings of ``nlp.appeals.kinds`` (``solved``, ``explained``...); the
application classifies the answers and passes them in, as reports import no stage.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Collection, Iterable, Sequence

SOLVED = "solved"
EXPLAINED = "explained"

SOLVABLE_TOPICS: frozenset[str] = frozenset({"roads", "utilities", "improvement", "waste", "animals", "ecology"})
"""Rubricator codes whose problems the responsible body can usually fix itself (module docstring)."""


@dataclass(frozen=True)
class AppealFacts:
    """What the two analyses read of one appeal."""

    id: str
    created_at: datetime
    topic: str                     # a rubricator code, or the portal's own category
    department: str = ""           # the responsible body
    place: str = ""                # settlement, district or street: the level the spikes count at
    answer_kind: str | None = None # None while unanswered
    text: str = ""


@dataclass(frozen=True)
class SolvableShare:
    """One topic (and department, unless grouped by topic only) among the solvable answered appeals."""

    topic: str
    department: str | None
    answered: int
    explained: int
    solved: int

    @property
    def explained_share(self) -> float:
        return self.explained / self.answered if self.answered else 0.0

    @property
    def solved_share(self) -> float:
        return self.solved / self.answered if self.answered else 0.0


def solvable_shares(appeals: Iterable[AppealFacts], solvable: Collection[str] = SOLVABLE_TOPICS,
                    by_department: bool = True) -> list[SolvableShare]:
    """Answered appeals of solvable topics, per topic (and department): how many were explained, how
    many solved. Sorted by the explained share (highest first), then by topic and department."""
    answered: Counter = Counter()
    explained: Counter = Counter()
    solved: Counter = Counter()
    for appeal in appeals:
        if appeal.answer_kind is None or appeal.topic not in solvable:
            continue
        key = (appeal.topic, appeal.department if by_department else None)
        answered[key] += 1
        explained[key] += appeal.answer_kind == EXPLAINED
        solved[key] += appeal.answer_kind == SOLVED
    shares = [SolvableShare(topic, department, answered[(topic, department)], explained[(topic, department)],
                            solved[(topic, department)]) for topic, department in answered]
    return sorted(shares, key=lambda s: (-s.explained_share, s.topic, s.department or ""))


def explaining_instead_of_solving(appeals: Iterable[AppealFacts], solvable: Collection[str] = SOLVABLE_TOPICS,
                                  threshold: float = 0.25, min_answered: int = 10) -> list[SolvableShare]:
    """Solvable topics (all departments together) whose explained share is at least ``threshold``,
    among topics with at least ``min_answered`` answered appeals; highest share first."""
    return [s for s in solvable_shares(appeals, solvable, by_department=False)
            if s.answered >= min_answered and s.explained_share >= threshold]


# --- causes of growth ------------------------------------------------------------------------
@dataclass(frozen=True)
class Spike:
    topic: str
    place: str
    week: date                     # the Monday of the week
    count: int
    baseline_mean: float           # appeals per week over the baseline weeks
    baseline_weeks: int
    z: float
    examples: list[str] = field(default_factory=list)
    appeal_ids: list[str] = field(default_factory=list)   # the week's appeals of the cell, oldest first

    @property
    def ratio(self) -> float:
        return self.count / self.baseline_mean if self.baseline_mean else math.inf


def week_of(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def weekly_spikes(appeals: Sequence[AppealFacts], weeks: Collection[date] | None = None, baseline_weeks: int = 6,
                  min_count: int = 5, min_ratio: float = 2.0, min_z: float = 3.0, examples: int = 3) -> list[Spike]:
    """Topic × place spikes in ``weeks`` (Mondays; default: the last week with appeals) against the
    ``baseline_weeks`` weeks before each. Sorted by z-score, highest first. Appeals without a place
    are counted under the place «»."""
    if baseline_weeks < 1:
        raise ValueError("baseline_weeks: must be at least 1")
    counts: Counter = Counter()
    cells: dict[tuple[str, str, date], list[AppealFacts]] = defaultdict(list)
    for appeal in appeals:
        key = (appeal.topic, appeal.place, week_of(appeal.created_at))
        counts[key] += 1
        cells[key].append(appeal)
    if not counts:
        return []
    targets = {week_of(w) for w in weeks} if weeks is not None else {max(week for _, _, week in counts)}
    spikes = []
    for (topic, place, week), count in counts.items():
        if week not in targets or count < min_count:
            continue
        history = [counts.get((topic, place, week - timedelta(weeks=i)), 0) for i in range(1, baseline_weeks + 1)]
        mean = sum(history) / baseline_weeks
        z = (count - mean) / math.sqrt(max(mean, 1.0))
        if count >= min_ratio * mean and z >= min_z:
            members = sorted(cells[(topic, place, week)], key=lambda a: (a.created_at, a.id))
            texts = [a.text for a in members if a.text.strip()][:examples]
            spikes.append(Spike(topic, place, week, count, round(mean, 3), baseline_weeks, round(z, 3), texts,
                                [a.id for a in members]))
    return sorted(spikes, key=lambda s: (-s.z, s.topic, s.place, s.week))
