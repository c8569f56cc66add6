"""The map, reports and sources pages."""
from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta, timezone

import yaml

from core.domain import RiskStatus
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
    gazetteer = yaml.safe_load(web.ctx.settings.resolve(web.ctx.settings.gazetteer).read_text(encoding="utf-8"))
    in_town = {"Пестово"} | {p["name"] for p in gazetteer["places"] if p.get("within") == "Пестово"}
    open_in_pestovo = {r.label for r in web.store.list_risks() if r.is_open and in_town & set(r.places)}
    assert {r.label for r in web.store.list_risks() if r.is_open and "Пестово" in r.places} < open_in_pestovo
    assert {r["label"] for r in places["Пестово"]["risks"]} == open_in_pestovo
    assert places["Пестово"]["level"] == "critical"
    assert places["Пестово"]["negative"] > 0
    page = web.client.get("/map").text
    assert 'data-source="/map/data.json?period=30d"' in page and "/static/vendor/leaflet/leaflet.js" in page
    assert "Лаптево" in page and "нет в справочнике" in page  # a risk place without coordinates is listed


def test_a_risk_on_a_street_lies_at_its_settlement(as_viewer):
    web = as_viewer
    risk = web.first_risk()
    on_street = risk.model_copy(update={"id": "e" * 20, "number": 98, "story_id": "t" * 20, "version": 0,
                                        "places": ["Советская", "Пестово"], "history": [],
                                        "status": RiskStatus.new})
    web.store.save_risk(on_street)  # «Советская» is a street within Пестово in the gazetteer
    places = {p["name"]: p for p in web.client.get("/map/data.json").json()["places"]}
    assert "Советская" not in places
    assert [r["label"] for r in places["Пестово"]["risks"]].count("№98") == 1  # once, though named twice


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
    assert 'hx-get="/reports/digest" hx-trigger="load"' in page and "Сводок пока нет" in page
    fragment = web.client.get("/reports/digest", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and "<title>" not in fragment
    assert "Сводка МЦУ · Пестовский муниципальный округ" in fragment and "Открытых рисков:" in fragment
    alone = web.client.get("/reports/digest").text  # without JavaScript: a page of its own
    assert "<html" in alone and "Сводка МЦУ · Пестовский муниципальный округ" in alone
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


def rating_row(html: str, label: str) -> list[str]:
    row = re.search(r"<tr[^>]*><td[^>]*>[^<]*</td><td[^>]*>" + re.escape(label) + r"</td>(.*?)</tr>", html).group(1)
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)


def test_the_digest_is_recounted_at_most_every_five_minutes(as_operator):
    web = as_operator

    def open_risks() -> str:
        text = web.client.get("/reports/digest", headers={"HX-Request": "true"}).text
        return re.search(r"Открытых рисков: (\d+)", text).group(1)

    before = open_risks()
    risk = web.first_risk(level="critical")
    web.post(f"/risks/{risk.id}/not-risk", {"reason": "проверено: не риск"})
    web.clock.advance(minutes=4)
    assert open_risks() == before  # the counted digest is reused
    web.clock.advance(minutes=2)
    assert open_risks() == str(int(before) - 1)


def test_reports_rate_blocks_and_departments_over_the_chosen_period(as_viewer):
    web = as_viewer
    risks = web.store.list_risks()
    first = sorted(r.first_seen for r in risks)
    web.clock.moment = now = first[len(first) // 2] + timedelta(days=6)  # 7 days hold some of the demo's risks
    settings = web.ctx.settings
    assert 0 < sum(r.first_seen >= now - timedelta(days=7) for r in risks) < len(risks)
    for period, days in (("30d", 30), ("7d", 7)):
        page = web.client.get(f"/reports?period={period}").text
        assert f'<option value="{period}" selected>' in page
        since = now - timedelta(days=days)
        for department in settings.rubricator.departments:
            received = sum(1 for r in risks if r.department == department.code and since <= r.first_seen < now)
            assert rating_row(page, department.label)[0] == str(received), (period, department.label)
        for block in settings.rubricator.blocks:
            received = sum(1 for r in risks if r.block == block.code and since <= r.first_seen < now)
            assert rating_row(page, block.label)[0] == str(received), (period, block.label)
    assert '<option value="30d" selected>' in web.client.get("/reports?period=nonsense").text


def test_reports_are_built_as_pdf_and_xlsx_and_saved_files_are_listed(as_viewer):
    from openpyxl import load_workbook

    web = as_viewer
    pdf = web.client.get("/reports/report.pdf?period=7d")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and 'filename="mcu-report-7d-' in pdf.headers["content-disposition"]
    xlsx = web.client.get("/reports/report.xlsx?period=7d")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) > 1
    assert web.client.get("/reports/report.doc").status_code == 404
    page = web.client.get("/reports").text
    assert "Сохранённых отчётов пока нет" in page
    folder = web.ctx.settings.data_dir / "reports"
    folder.mkdir()
    (folder / "mcu-report-week-2026-11-09.pdf").write_bytes(pdf.content)
    (folder / "secrets.txt").write_text("не отчёт", encoding="utf-8")
    page = web.client.get("/reports").text
    assert '<a href="/reports/files/mcu-report-week-2026-11-09.pdf">' in page and "secrets" not in page
    saved = web.client.get("/reports/files/mcu-report-week-2026-11-09.pdf")
    assert saved.content == pdf.content and saved.headers["content-type"] == "application/pdf"
    assert web.client.get("/reports/files/secrets.txt").status_code == 404
    assert web.client.get("/reports/files/..%2Fmcu.yaml").status_code == 404


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
