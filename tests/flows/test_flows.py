"""watch, track_reactions, digest, campaigns and scan_region run with no Prefect server configured."""
from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from flows.campaigns import campaigns
from flows.common import store_lock
from flows.digest import digest
from flows.reactions import track_reactions
from flows.region import scan_region
from flows.scan import scan
from flows.watch import watch, watch_keys
from core.config import ConfigError, load_config
from store import SearchQuery, open_store
from testing.configs import demo_config


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


def test_digest_covers_24_hours_then_the_time_since_the_previous_one(scanned, tmp_path):
    from zoneinfo import ZoneInfo

    from nlp import Analyzer

    tmp, config, report = scanned
    settings = load_config(config)
    msk = ZoneInfo("Europe/Moscow")
    with open_store(settings.store, Analyzer.from_settings(settings).lemmatize) as db:
        latest = max(h.post.published_at for h in db.search(SearchQuery(limit=100_000)))
        now = latest + timedelta(minutes=1)  # just after the demo's last post
        day = db.count(SearchQuery(since=now - timedelta(hours=24), until=now))
        open_risks = [r for r in db.list_risks() if r.is_open]
    folder = tmp_path / "digests"
    text = digest(config=str(config), now=now, out_dir=str(folder))
    assert (folder / f"{now.astimezone(msk):%Y-%m-%d}.txt").read_text(encoding="utf-8") == text
    assert day > 0 and f"Публикаций: {day}, из них негативных:" in text
    assert f"Период: {(now - timedelta(hours=24)).astimezone(msk):%d.%m.%Y %H:%M} — " in text
    assert f"Открытых рисков: {len(open_risks)}, из них просрочено:" in text and open_risks
    assert text.startswith(f"Сводка МЦУ · Пестовский муниципальный округ · {now.astimezone(msk):%d.%m.%Y}")
    later = now + timedelta(hours=6)  # the next digest covers the time since this one
    second = digest(config=str(config), now=later, out_dir=str(folder))
    assert f"Период: {now.astimezone(msk):%d.%m.%Y %H:%M} — {later.astimezone(msk):%d.%m.%Y %H:%M}" in second
    assert "Публикаций: 0, из них негативных: 0" in second
    posted = (tmp / "alerts.txt").read_text(encoding="utf-8")
    assert text in posted and second in posted


def test_weekly_report_posts_its_files_once(scanned, tmp_path):
    from flows.report import report

    tmp, config, _ = scanned
    out = tmp_path / "reports"
    before = (tmp / "alerts.txt").read_text(encoding="utf-8")
    paths = report(period="week", config=str(config), day=date(2026, 11, 18), out_dir=str(out))
    assert [Path(p).name for p in paths] == ["mcu-report-week-2026-11-16.pdf", "mcu-report-week-2026-11-16.xlsx"]
    assert all(Path(p).stat().st_size > 1000 for p in paths)
    posted = (tmp / "alerts.txt").read_text(encoding="utf-8")[len(before):]
    assert "Отчёт МЦУ для Главы округа: неделя 16.11–22.11.2026" in posted
    assert all(f"Файл: {p}" in posted for p in paths)


def test_deadlines_flow_reminds_once(scanned):
    from flows.deadlines import deadlines

    tmp, config, _ = scanned
    first = deadlines(config=str(config))
    assert first and all(key.startswith("sla:") for key in first)
    assert deadlines(config=str(config)) == []


def test_track_reactions_runs_the_alerts_tracking(scanned):
    _, config, _ = scanned
    summary = track_reactions(config=str(config))
    assert summary.tracked == 0  # no answer is published in the demo yet: nothing to judge


def test_campaigns_post_once_a_week_to_the_alert_sinks(scanned):
    tmp, config, _ = scanned
    alerts_file = tmp / "alerts.txt"
    before = alerts_file.read_text(encoding="utf-8")
    due = campaigns(config=str(config), today=date(2026, 11, 20))
    assert due == ["ice"]
    posted = alerts_file.read_text(encoding="utf-8")[len(before):]
    assert "Превентивные кампании на неделю 16.11–22.11.2026" in posted and "Гололёд и снегопады" in posted
    assert "Дороги — " in posted
    again = campaigns(config=str(config), today=date(2026, 11, 22))  # same ISO week: cached, not posted
    assert again == ["ice"]
    assert alerts_file.read_text(encoding="utf-8") == before + posted
    assert campaigns(config=str(config), today=date(2026, 7, 1)) == ["fire_season"]
    assert alerts_file.read_text(encoding="utf-8").count("Превентивные кампании на неделю") == 2


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
