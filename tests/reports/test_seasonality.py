"""Seasonal threats from the history: a generated store with two years of seasonal history
(``seasonal_history``) and whatever its seed drew must be found, with its evidence."""
from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from core.config import load_config
from reports.campaign_plan import build_week, export_threats, render_week
from reports.campaigns import load_campaigns
from reports.seasonality import detect_seasonal
from store import open_store
from tests.core.test_config import write_config
from tests.reports.seasonal_history import generate

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 16)  # a Monday


@pytest.fixture(scope="module", params=[11, 29])
def history(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"seasons-{request.param}")
    config = write_config(folder, lambda d: d.update(store=f"sqlite:///{folder / 'mcu.sqlite'}"))
    settings = load_config(config)
    with open_store(settings.store, str.split) as db:
        plan = generate(db, request.param, TODAY)
    return settings, config, plan


def test_the_drawn_seasons_are_found_with_their_evidence(history):
    settings, _, plan = history
    with open_store(settings.store, str.split) as db:
        threats = detect_seasonal(db, settings, TODAY, weeks=4)
    found = {(t.kind, t.code): t for t in threats}
    topic = found[("topic", plan.seasonal_topic)]
    assert threats[0] is topic and len(topic.rising_years) == 2 == len(topic.years)
    assert all(y.volume_rose and y.negativity_rose for y in topic.rising_years)
    monday = TODAY - timedelta(days=TODAY.weekday())
    assert topic.expected == monday + timedelta(weeks=plan.seasonal_week)
    assert sorted(y.year for y in topic.rising_years) == [2024, 2025]
    assert topic.examples and all(e.negative for e in topic.examples) and topic.examples[0].url.startswith("https://")
    place = found[("place", plan.seasonal_place)]
    assert [y.back for y in place.rising_years] == [1]
    assert ("topic", plan.off_season_topic) not in found
    reported_topics = {code for kind, code in found if kind == "topic"}
    assert reported_topics <= {plan.seasonal_topic, plan.place_topic}  # background topics never cross the bar
    assert [y.back for y in found[("topic", plan.place_topic)].rising_years] == [1]


def test_the_off_season_topic_is_found_in_its_own_weeks(history):
    settings, _, plan = history
    with open_store(settings.store, str.split) as db:
        later = detect_seasonal(db, settings, TODAY + timedelta(weeks=20), weeks=4)
    assert ("topic", plan.off_season_topic) in {(t.kind, t.code) for t in later}


def test_the_weekly_post_merges_the_calendar_and_the_history(history, tmp_path):
    settings, config, plan = history
    calendar = load_campaigns(ROOT / "config/campaigns.yaml", settings)
    with open_store(settings.store, str.split) as db:
        week = build_week(db, settings, calendar, TODAY, weeks=4)
    text = render_week(week, settings)
    assert "По календарю сезонных тем:" in text and "Гололёд и снегопады" in text
    labels = {t.code: t.label for t in settings.rubricator.topics}
    covered = {t for c in week.due for t in c.topics}
    if plan.seasonal_topic in covered:
        assert f"Подтверждено историей («{labels[plan.seasonal_topic]}»)" in text
    else:
        assert f"Тема «{labels[plan.seasonal_topic]}»: рост в 2 из 2 г." in text
    assert f"Место «{plan.seasonal_place}»: рост в 1 из 2 г." in text
    assert "План сообщений:" in text and text.count("  до ") == len(week.plan) >= 2
    path = export_threats(week.threats, tmp_path / "threats.csv", settings.timezone)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["вид"], r["код"]) for r in rows] == [("тема" if t.kind == "topic" else "место", t.code)
                                                    for t in week.threats]
    cli = CliRunner().invoke(app, ["campaigns", "-c", str(config), "--date", TODAY.isoformat(), "--export",
                                   str(tmp_path / "threats.xlsx")])
    assert cli.exit_code == 0, cli.output
    assert "План сообщений:" in cli.output and (tmp_path / "threats.xlsx").is_file()
    assert f"Перечень потенциальных угроз ({len(week.threats)})" in cli.output
