"""Ratings of blocks and departments: every figure counted again from the store's risks with
the minute-by-minute calendar of ``recompute``; the ranking rule on a constructed case."""
from __future__ import annotations

import json
from datetime import timedelta
from statistics import median

from typer.testing import CliRunner

from cli.app import app
from reports.period import resolve, rolling
from reports.rating import MIN_RISKS, UnitRating, build_rating, rank
from tests.reports.conftest import ANCHOR, EVALUATED
from tests.reports.recompute import ANSWER, TAKE, deadline, first_answer, first_take, overdue_now, working_minutes


def expected_units(risks, starts, now, key):
    """Unit code → the figures, from the risks alone."""
    units: dict[str, dict] = {}
    for risk in risks:
        code = key(risk)
        if code is None:
            continue
        unit = units.setdefault(code, dict(received=0, not_risk=0, take=[], answer=[], due=0, on_time=0, handled=0,
                                           answered=0, reescalated=0, judged=0, calm=0, net_negative=0, overdue=0))
        start = starts[risk.id]
        unit["received"] += 1
        unit["not_risk"] += risk.status.value == "not_risk"
        taken, answered = first_take(risk), first_answer(risk)
        if taken:
            unit["take"].append(working_minutes(start, taken) / 60)
        if answered:
            unit["answer"].append(working_minutes(start, answered) / 60)
            unit["answered"] += 1
            unit["due"] += 1
            unit["on_time"] += answered <= deadline(start, ANSWER[risk.level])
        elif risk.is_open and now >= deadline(start, ANSWER[risk.level]):
            unit["due"] += 1
        unit["handled"] += risk.status.value == "handled"
        unit["reescalated"] += any(s.action in ("reescalate", "reopen") for s in risk.history)
        if risk.verdict:
            unit["judged"] += 1
            unit["net_negative"] += risk.verdict.evidence.net_negative
            unit["calm"] += risk.verdict.evidence.net_negative <= 0
        unit["overdue"] += overdue_now(risk, start, now)
    return units


def test_every_figure_is_recounted_from_the_store(worked):
    settings = worked.settings()
    period = rolling(timedelta(days=14), ANCHOR, settings.timezone)
    with worked.store() as db:
        rating = build_rating(db, settings, period, EVALUATED)
        risks = db.list_risks()
        starts = {r.id: db.get_story(r.story_id).first_seen for r in risks}
    chosen = [r for r in risks if period.since <= starts[r.id] < period.until]
    assert len(chosen) == len(rating.slas) > 5
    for units, key in ((rating.blocks, lambda r: r.block), (rating.departments, lambda r: r.department)):
        expected = expected_units(chosen, starts, EVALUATED, key)
        shown = {u.code: u for u in units}
        assert {c for c, u in shown.items() if u.received} == set(expected)
        for code, want in expected.items():
            unit = shown[code]
            assert (unit.received, unit.not_risk, unit.answered, unit.handled, unit.reescalated, unit.judged,
                    unit.calm, unit.net_negative, unit.overdue_now) == (
                want["received"], want["not_risk"], want["answered"], want["handled"], want["reescalated"],
                want["judged"], want["calm"], want["net_negative"], want["overdue"]), code
            assert (unit.answers_due, unit.on_time) == (want["due"], want["on_time"]), code
            for got, hours in ((unit.median_take, want["take"]), (unit.median_answer, want["answer"])):
                assert (got is None) == (not hours) and (not hours or abs(got - median(hours)) < 1 / 60), code
    # the scenario touched every kind of outcome
    assert sum(u.handled for u in rating.blocks) == 1 and sum(u.reescalated for u in rating.blocks) == 1
    assert sum(u.not_risk for u in rating.blocks) == 1 and sum(u.judged for u in rating.blocks) == 3


def test_units_with_fewer_than_two_risks_are_shown_but_not_ranked(worked):
    settings = worked.settings()
    with worked.store() as db:
        rating = build_rating(db, settings, rolling(timedelta(days=14), ANCHOR, settings.timezone), EVALUATED)
    assert {u.code for u in rating.departments} >= {d.code for d in settings.rubricator.departments}
    for unit in rating.units:
        assert (unit.rank is not None) == (unit.received >= MIN_RISKS and unit.score is not None)
    ranked = [u for u in rating.blocks if u.rank is not None]
    assert ranked and [u.score for u in ranked] == sorted((u.score for u in ranked), reverse=True)
    assert rating.blocks[: len(ranked)] == ranked  # ranked units first


def test_the_score_and_ties():
    a = UnitRating("block", "a", "А", received=3, answers_due=2, on_time=1, answered=2, reescalated=0,
                   judged=1, calm=1)
    a.handled = 1  # of 3 risks
    b = UnitRating("block", "b", "Б", received=2, answers_due=2, on_time=2, answered=2, handled=2, judged=2, calm=2)
    c = UnitRating("block", "c", "В", received=2, answers_due=2, on_time=2, answered=2, handled=2, judged=2, calm=2)
    d = UnitRating("block", "d", "Г", received=1, answers_due=1, on_time=1, answered=1, handled=1)
    e = UnitRating("block", "e", "Д", received=4)  # nothing answered or handled yet: only «handled» counts, 0
    f = UnitRating("block", "f", "Е", received=2, not_risk=2)  # no share has a denominator: no score
    ordered = rank([a, b, c, d, e, f])
    # a: (0.4·1/2 + 0.3·1/3 + 0.15·1 + 0.15·1) / 1 = 0.6 → 60.0
    assert a.score == 60.0 and b.score == c.score == 100.0 and e.score == 0.0
    assert [(u.code, u.rank) for u in ordered] == [("b", 1), ("c", 1), ("a", 3), ("e", 4), ("f", None), ("d", None)]
    assert d.score == 100.0 and f.score is None
    g = UnitRating("block", "g", "Ж", received=2, answers_due=1, on_time=1, handled=0, answered=1)
    rank([g])  # on time 1, handled 0, not re-escalated 1, calm unknown: (0.4 + 0 + 0.15) / 0.85
    assert g.score == round(100 * 0.55 / 0.85, 1) == 64.7


def test_mcu_rating_prints_the_tables_and_json(worked):
    runner = CliRunner()
    result = runner.invoke(app, ["rating", "-c", str(worked.config), "--period", "month", "--date", "2026-11-10",
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    settings = worked.settings()
    month = resolve("month", EVALUATED, settings.timezone, ANCHOR.date())
    assert data["period"] == "ноябрь 2026" and data["since"] == month.since.isoformat()
    with worked.store() as db:
        starts = [db.get_story(r.story_id).first_seen for r in db.list_risks()]
    blocks = [u for u in data["units"] if u["kind"] == "block"]
    assert sum(u["received"] for u in blocks) == sum(1 for s in starts if month.since <= s < month.until)
    table = runner.invoke(app, ["rating", "-c", str(worked.config), "--period", "month", "--date", "2026-11-10"],
                          env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "Блоки МЦУ · ноябрь 2026" in table.output and "Территориальные отделы" in table.output
