"""The map, reports and sources pages."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from pipeline.journal import record_scan, source_status
from pipeline.report import SourceReport
from tests.web.conftest import make_web


def test_map_points_come_from_the_gazetteer_with_open_risks_and_negative_posts(as_viewer):
    web = as_viewer
    data = web.client.get("/map/data.json").json()
    assert data["tiles"] is None and data["outline"] is None  # an intranet: no tiles, no outline known
    places = {p["name"]: p for p in data["places"]}
    from nlp import load_gazetteer

    town = load_gazetteer(web.ctx.settings.resolve(web.ctx.settings.gazetteer)).place("Пестово")
    assert town.lat is not None and (places["Пестово"]["lat"], places["Пестово"]["lon"]) == (town.lat, town.lon)
    assert all(p["lat"] is not None for p in data["places"])
    open_in_pestovo = {r.label for r in web.store.list_risks() if r.is_open and "Пестово" in r.places}
    assert {r["label"] for r in places["Пестово"]["risks"]} == open_in_pestovo
    assert places["Пестово"]["level"] == "critical"
    assert places["Пестово"]["negative"] > 0
    page = web.client.get("/map").text
    assert 'data-source="/map/data.json?period=30d"' in page and "/static/vendor/leaflet/leaflet.js" in page
    assert "Лаптево" in page and "нет в справочнике" in page  # a risk place without coordinates is listed


def test_map_with_a_tile_server_and_a_district_outline(scanned_demo, tmp_path):
    outline = {"type": "Feature", "properties": {"name": "Пестовский округ"},
               "geometry": {"type": "Polygon", "coordinates": [[[35.3, 58.4], [36.3, 58.4], [36.3, 58.8], [35.3, 58.4]]]}}
    (tmp_path / "outline.geojson").write_text(json.dumps(outline), encoding="utf-8")

    def configure(data):
        data["web"] = {"tiles": "https://tiles.example.ru/{z}/{x}/{y}.png", "tiles_attribution": "© участники OSM",
                       "outline": "outline.geojson"}

    web = make_web(scanned_demo, tmp_path, configure)
    with web.client:
        web.login("viewer")
        response = web.client.get("/map/data.json")
        assert response.json()["outline"] == outline
        assert response.json()["tiles"] == "https://tiles.example.ru/{z}/{x}/{y}.png"
        assert "img-src 'self' data: https://tiles.example.ru;" in response.headers["Content-Security-Policy"]


def test_reports_show_the_digest_saved_digests_and_the_history(as_operator):
    web = as_operator
    risk = web.first_risk(level="critical")
    web.post(f"/risks/{risk.id}/take")
    page = web.client.get("/reports").text
    assert "Сводка МЦУ · Пестовский муниципальный округ" in page and "Открытых рисков:" in page
    assert "Сводок пока нет" in page
    folder = web.ctx.settings.data_dir / "digests"
    folder.mkdir()
    (folder / "2026-11-20.txt").write_text("Сводка за 20.11\n", encoding="utf-8")
    (folder / "notes.txt").write_text("не сводка", encoding="utf-8")
    page = web.client.get("/reports").text
    assert '<a href="/reports/digests/2026-11-20.txt">2026-11-20</a>' in page and "notes" not in page
    assert web.client.get("/reports/digests/2026-11-20.txt").text == "Сводка за 20.11\n"
    assert web.client.get("/reports/digests/notes.txt").status_code == 404
    assert web.client.get("/reports/digests/..%2Fmcu.yaml").status_code == 404
    csv = web.client.get("/reports/history.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith("risk,risk_id,story_id") and any("Оператор Иванова (web:oper)" in l for l in lines)


def test_sources_show_the_last_scan_errors_and_posts_per_day(as_viewer):
    web = as_viewer
    page = web.client.get("/sources").text
    for source in web.ctx.settings.sources:
        assert source.name in page
    assert "ещё не было" not in page  # the demo scan recorded every source
    status = source_status(web.store, "pestovo_online")
    assert status.last_success is not None and status.last_error is None and status.fetched > 0
    report = SourceReport(key="pestovo_online", name="Пестово Онлайн", platform="vk",
                          error="VkApiError: [5] User authorization failed: invalid access_token")
    record_scan(web.store, report, datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc))
    page = web.client.get("/sources").text
    assert 'class="state-error"' in page and "invalid access_token" in page and "01.12.2026 07:00" in page
    stats = web.store.stats().by_source
    assert f'<td class="num">{stats["pestovo_online"]}</td>' in page.replace("\u202f", "")


def test_scan_journal_keeps_the_last_success_through_errors(as_viewer):
    store = as_viewer.store
    t1, t2, t3 = (datetime(2026, 12, d, 4, tzinfo=timezone.utc) for d in (1, 2, 3))
    record_scan(store, SourceReport(key="x1", name="x", platform="vk", fetched=7, new=3), t1)
    failed = record_scan(store, SourceReport(key="x1", name="x", platform="vk", error="boom"), t2)
    assert (failed.last_success, failed.last_error, failed.last_error_at, failed.fetched) == (t1, "boom", t2, 7)
    again = record_scan(store, SourceReport(key="x1", name="x", platform="vk", fetched=2), t3)
    assert (again.last_success, again.last_error, again.last_attempt, again.fetched) == (t3, None, t3, 2)
    assert source_status(store, "x1") == again
