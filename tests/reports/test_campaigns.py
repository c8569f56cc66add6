"""The seasonal campaign calendar: windows across the new year, the shipped calendar, clear errors."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from core.config import ConfigError, load_config
from reports.campaigns import Campaign, due_campaigns, load_campaigns

ROOT = Path(__file__).resolve().parents[2]


def write_calendar(path: Path, entries: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"campaigns": entries}, allow_unicode=True), encoding="utf-8")
    return path


def test_campaign_windows_cross_the_new_year():
    ice = Campaign(code="ice", title="Гололёд", start="11-15", end="03-15", reminder="…")
    flood = Campaign(code="flood", title="Паводок", start="03-01", end="05-15", reminder="…")
    assert due_campaigns([ice, flood], date(2026, 12, 31)) == [ice]
    assert due_campaigns([ice, flood], date(2027, 3, 10)) == [ice, flood]
    assert due_campaigns([ice, flood], date(2027, 7, 1)) == []


def test_the_shipped_calendar_is_valid_and_covers_every_season():
    settings = load_config(ROOT / "config/demo.yaml")
    calendar = load_campaigns(ROOT / "config/campaigns.yaml", settings)
    for day in (date(2026, 1, 10), date(2026, 4, 20), date(2026, 7, 1), date(2026, 10, 1)):
        assert due_campaigns(calendar, day), f"no campaign on {day}"


def test_bad_calendar_names_the_file_and_the_field(tmp_path):
    settings = load_config(ROOT / "config/demo.yaml")
    bad = write_calendar(tmp_path / "c.yaml", [{"code": "x", "title": "X", "start": "13-01", "end": "01-01",
                                                "reminder": "r"}])
    with pytest.raises(ConfigError, match=r"c\.yaml: campaigns\.0\.start: .*«13-01»: ожидается ММ-ДД"):
        load_campaigns(bad, settings)
    unknown = write_calendar(tmp_path / "d.yaml", [{"code": "x", "title": "X", "start": "01-01", "end": "02-01",
                                                    "reminder": "r", "topics": ["plumbing"]}])
    with pytest.raises(ConfigError, match=r"campaigns\.0\.topics: неизвестные темы \['plumbing'\]"):
        load_campaigns(unknown, settings)
