"""watch, track_reactions, digest, campaigns and scan_region run with no Prefect server configured."""
from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from flows.campaigns import campaigns
from reports.campaigns import Campaign, due_campaigns, load_campaigns
from flows.common import store_lock
from flows.digest import digest
from flows.reactions import track_reactions
from flows.region import scan_region
from flows.scan import scan
from flows.watch import watch, watch_keys
from core.config import ConfigError, load_config
from store import SearchQuery, open_store
from tests.flows.conftest import ROOT
from tests.scan.test_scan import demo_config


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("flows")
    config = demo_config(tmp)
    report = scan(config=str(config))
    return tmp, config, report


def test_watch_reads_telegram_by_default_and_named_vk_publics(tmp_path):
    config = demo_config(tmp_path)
    settings = load_config(config)
    telegram = [s.key for s in settings.sources if s.platform == "telegram"]
    assert watch_keys(settings) == telegram
    assert watch_keys(settings, ["pestovo_online"]) == ["pestovo_online", *telegram]
    assert watch_keys(settings, ["laptevo_village"], platforms=[]) == ["laptevo_village"]
    with pytest.raises(ConfigError, match="неизвестные ключи источников \\['nope'\\]"):
        watch_keys(settings, ["nope"])

    report = watch(config=str(config), sources=["pestovo_online"])
    assert [s.key for s in report.sources] == ["pestovo_online", *telegram]
    assert all(s.new > 0 for s in report.sources) and not report.failed
    again = watch(config=str(config), sources=["pestovo_online"])
    assert sum(s.new for s in again.sources) == 0 and again.alerts == []


def test_watch_with_nothing_to_watch_reads_nothing(tmp_path):
    config = demo_config(tmp_path)
    report = watch(config=str(config), platforms=[])
    assert report.sources == []


def test_digest_counts_the_store_and_writes_the_day_file(scanned, tmp_path):
    from zoneinfo import ZoneInfo

    from nlp import Analyzer

    _, config, report = scanned
    settings = load_config(config)
    with open_store(settings.store, Analyzer.from_settings(settings).lemmatize) as db:
        latest = max(h.post.published_at for h in db.search(SearchQuery(limit=100_000)))
        now = latest + timedelta(minutes=1)  # the demo's last day is «today»
        local = now.astimezone(ZoneInfo("Europe/Moscow"))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        today = db.count(SearchQuery(since=midnight, until=now))
        open_risks = [r for r in db.list_risks() if r.is_open]
    text = digest(config=str(config), now=now, out_dir=str(tmp_path / "digests"))
    path = tmp_path / "digests" / f"{local:%Y-%m-%d}.txt"
    assert path.read_text(encoding="utf-8") == text
    assert today > 0
    assert f"Публикаций за сегодня: {today}," in text
    assert f"Открытых рисков: {len(open_risks)}" in text and open_risks
    assert text.startswith(f"Сводка МЦУ · Пестовский муниципальный округ · {local:%d.%m.%Y}")


def test_track_reactions_runs_the_alerts_tracking(scanned):
    _, config, _ = scanned
    summary = track_reactions(config=str(config))
    assert summary.tracked == 0  # no answer is published in the demo yet: nothing to judge


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


def test_campaigns_post_once_a_week_to_the_alert_sinks(scanned):
    tmp, config, _ = scanned
    alerts_file = tmp / "alerts.txt"
    before = alerts_file.read_text(encoding="utf-8")
    due = campaigns(config=str(config), today=date(2026, 11, 20))
    assert due == ["ice"]
    posted = alerts_file.read_text(encoding="utf-8")[len(before):]
    assert "Сезонные темы на неделю 16.11–22.11.2026" in posted and "Гололёд и снегопады" in posted
    assert "Дороги — " in posted
    again = campaigns(config=str(config), today=date(2026, 11, 22))  # same ISO week: cached, not posted
    assert again == ["ice"]
    assert alerts_file.read_text(encoding="utf-8") == before + posted
    assert campaigns(config=str(config), today=date(2026, 7, 1)) == ["fire_season"]
    assert alerts_file.read_text(encoding="utf-8").count("Сезонные темы") == 2


def test_region_scans_every_municipality(tmp_path):
    first = demo_config(tmp_path / "a")
    second = demo_config(tmp_path / "b")
    states = scan_region(configs=[str(first), str(second)], deployment=None)
    assert states == {str(first): "COMPLETED", str(second): "COMPLETED"}
    for config in (first, second):
        settings = load_config(config)
        from nlp import Analyzer

        with open_store(settings.store, Analyzer.from_settings(settings).lemmatize) as db:
            assert db.stats().posts > 100


def test_region_needs_configs():
    with pytest.raises(ConfigError, match="хотя бы одну конфигурацию муниципалитета"):
        scan_region(configs=[], deployment=None)


def test_store_lock_lets_one_writer_in_at_a_time(tmp_path):
    settings = load_config(demo_config(tmp_path))
    held: list[tuple[float, float]] = []

    def write():
        with store_lock(settings):
            start = time.monotonic()
            time.sleep(0.4)
            held.append((start, time.monotonic()))

    threads = [threading.Thread(target=write) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(held) == 3
    spans = sorted(held)
    assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:])), spans
