"""Ratings of the МЦУ's blocks and territorial departments (decree, sections 3.4–3.6).

For each unit, over the risks it received in a period (a risk is received when its story was
first published, the moment its deadlines count from), evaluated at the moment of the rating:

* received: risks;
* median working hours to take a risk in work and to publish the answer;
* on time: answers published by the deadline, of the answers due (answered, or past the deadline);
* handled: risks «отработан» now, of the risks that were risks (not «не риск»);
* re-escalated: risks sent back in work by the reaction or re-opened by a growing story, of
  the answered ones;
* reaction: negative minus positive comments after the answer (``Verdict.evidence.net_negative``),
  summed; «calm» is the share of judged answers with a net negative of 0 or less.

**The score** (0–100) is the weighted mean of the shares a unit has data for:
on time ×0.4, handled ×0.3, not re-escalated ×0.15, calm ×0.15. A share whose denominator is
empty is left out and the other weights are rescaled. Units with fewer than ``MIN_RISKS``
risks in the period are shown but not ranked; ties share a rank.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Literal

from core.config import Settings
from core.domain import Risk, RiskStatus
from core.store import Store
from reports.period import Period
from reports.sla import Deadlines, RiskSla, risk_starts

MIN_RISKS = 2
WEIGHTS = {"on_time": 0.4, "handled": 0.3, "not_reescalated": 0.15, "calm": 0.15}
REESCALATIONS = frozenset({"reescalate", "reopen"})


@dataclass
class UnitRating:
    kind: Literal["block", "department"]
    code: str
    label: str
    received: int = 0
    not_risk: int = 0
    take_hours: list[float] = field(default_factory=list)
    answer_hours: list[float] = field(default_factory=list)
    answers_due: int = 0
    on_time: int = 0
    handled: int = 0
    answered: int = 0
    reescalated: int = 0
    judged: int = 0
    calm: int = 0
    net_negative: int = 0
    overdue_now: int = 0
    score: float | None = None
    rank: int | None = None

    @property
    def median_take(self) -> float | None:
        return median(self.take_hours) if self.take_hours else None

    @property
    def median_answer(self) -> float | None:
        return median(self.answer_hours) if self.answer_hours else None

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def on_time_share(self) -> float | None:
        return self._share(self.on_time, self.answers_due)

    @property
    def handled_share(self) -> float | None:
        return self._share(self.handled, self.received - self.not_risk)

    @property
    def reescalated_share(self) -> float | None:
        return self._share(self.reescalated, self.answered)

    @property
    def calm_share(self) -> float | None:
        return self._share(self.calm, self.judged)

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    def add(self, sla: RiskSla) -> None:
        risk = sla.risk
        self.received += 1
        if risk.status == RiskStatus.not_risk:
            self.not_risk += 1
        if sla.take.hours is not None:
            self.take_hours.append(sla.take.hours)
        if sla.answer.hours is not None:
            self.answer_hours.append(sla.answer.hours)
            self.answered += 1
        if sla.answer.state in ("on_time", "late", "overdue"):
            self.answers_due += 1
            self.on_time += sla.answer.state == "on_time"
        self.handled += risk.status == RiskStatus.handled
        self.reescalated += any(step.action in REESCALATIONS for step in risk.history)
        if risk.verdict is not None:
            self.judged += 1
            self.net_negative += risk.verdict.evidence.net_negative
            self.calm += risk.verdict.evidence.net_negative <= 0
        self.overdue_now += bool(sla.overdue)

    def compute_score(self) -> float | None:
        reescalated = self.reescalated_share
        parts = {"on_time": self.on_time_share, "handled": self.handled_share,
                 "not_reescalated": None if reescalated is None else 1 - reescalated, "calm": self.calm_share}
        known = {name: value for name, value in parts.items() if value is not None}
        if not known:
            return None
        weight = sum(WEIGHTS[name] for name in known)
        return round(100 * sum(WEIGHTS[name] * value for name, value in known.items()) / weight, 1)


@dataclass
class Rating:
    period: Period
    at: datetime
    blocks: list[UnitRating]
    departments: list[UnitRating]
    slas: dict[str, RiskSla]
    """every risk of the period with its deadlines, by risk id"""

    @property
    def units(self) -> list[UnitRating]:
        return self.blocks + self.departments


def rank(units: list[UnitRating]) -> list[UnitRating]:
    """Score each unit, rank those with at least ``MIN_RISKS`` risks and a score (ties share a
    rank), and order ranked units first, then the others by risks received."""
    for unit in units:
        unit.score = unit.compute_score()
        unit.rank = None
    ranked = sorted((u for u in units if u.received >= MIN_RISKS and u.score is not None),
                    key=lambda u: (-u.score, -u.received, u.label))
    for position, unit in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        unit.rank = previous.rank if previous is not None and previous.score == unit.score else position
    rest = sorted((u for u in units if u.rank is None), key=lambda u: (-u.received, u.label))
    return ranked + rest


def period_risks(store: Store, period: Period) -> tuple[list[Risk], dict[str, datetime]]:
    """Risks received in the period (their story's first publication falls in it), with their starts."""
    risks = store.list_risks()
    starts = risk_starts(store, risks)
    chosen = [r for r in risks if period.since <= starts[r.id] < period.until]
    return sorted(chosen, key=lambda r: (starts[r.id], r.number)), starts


def build_rating(store: Store, settings: Settings, period: Period, now: datetime) -> Rating:
    """Every block and every territorial department of the rubricator (and any unit a risk names
    that the rubricator lacks), rated over the period's risks at ``now``."""
    rubricator = settings.rubricator
    blocks = {b.code: UnitRating("block", b.code, b.label) for b in rubricator.blocks}
    departments = {d.code: UnitRating("department", d.code, d.label) for d in rubricator.departments}
    risks, starts = period_risks(store, period)
    deadlines = Deadlines(settings)
    slas = {}
    for risk in risks:
        sla = deadlines.of(risk, starts[risk.id], now)
        slas[risk.id] = sla
        blocks.setdefault(risk.block, UnitRating("block", risk.block, risk.block)).add(sla)
        if risk.department:
            departments.setdefault(risk.department, UnitRating("department", risk.department,
                                                               risk.department)).add(sla)
    return Rating(period, now, rank(list(blocks.values())), rank(list(departments.values())), slas)


SHORT_COLUMNS = ("место", "подразделение", "рисков", "взятие, ч", "ответ, ч", "в срок", "отработано",
                 "снова в работе", "нетто-негатив", "просрочено", "балл")
"""The same columns, short, for a terminal."""
COLUMNS = ("место", "подразделение", "рисков", "медиана взятия, раб. ч", "медиана ответа, раб. ч",
           "ответ в срок", "отработано", "снова в работе", "нетто-негатив после ответа", "просрочено сейчас", "балл")


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}% ({part}/{whole})" if whole else "—"


def table_row(unit: UnitRating) -> list[str]:
    """One row of the rating table in Russian (the CLI, the PDF, the README picture)."""
    place = str(unit.rank) if unit.rank is not None else ("—" if unit.received >= MIN_RISKS else "вне рейтинга")
    return [place, unit.label, str(unit.received), _hours(unit.median_take), _hours(unit.median_answer),
            _share(unit.on_time, unit.answers_due), _share(unit.handled, unit.received - unit.not_risk),
            _share(unit.reescalated, unit.answered), str(unit.net_negative) if unit.judged else "—",
            str(unit.overdue_now), "—" if unit.score is None else f"{unit.score:.1f}".replace(".", ",")]
