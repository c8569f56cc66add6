"""The web workplace as a person uses it, in a real browser: Debian's Chromium driven by
Playwright (``executable_path``: no browser is ever downloaded).

``mcu web`` runs as its own process on the scanned demo store. The test signs in, searches
«вода» and narrows by a department, opens a risk, takes it, records an answer with a link,
sees the history, watches the list refresh itself when a new risk arrives, looks at the map and
the reports (downloads the period's PDF), checks that a viewer cannot act, and saves screenshots (``WEB_SCREENSHOTS=<folder>`` copies them there: the README's
pictures in docs/ru/img/ are made so).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from testing.configs import demo_config
from tests.pipeline.test_scan import scan

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
OPERATOR, VIEWER = ("oper", "operator-pass-1"), ("viewer", "viewer-pass-1")
SHOTS = ("risks", "search", "risk", "history", "map", "reports", "viewer")

pytestmark = pytest.mark.browser


def chromium() -> Path:
    if not CHROMIUM.exists():
        message = "no /usr/bin/chromium: apt-get install -y chromium (make test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mcu(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``mcu web`` on a freshly scanned demo store, with an operator and a viewer."""
    folder = tmp_path_factory.mktemp("browser")

    def quick_refresh(data: dict) -> None:
        data["web"] = {"refresh_seconds": 5}

    config = demo_config(folder, quick_refresh)
    scan(config)
    mcu("users", "add", OPERATOR[0], "--name", "Оператор Иванова", "--role", "operator", "--password-stdin",
        "-c", str(config), stdin=OPERATOR[1] + "\n")
    mcu("users", "add", VIEWER[0], "--name", "Глава отдела Петрова", "--role", "viewer", "--password-stdin",
        "-c", str(config), stdin=VIEWER[1] + "\n")
    port = free_port()
    log = (folder / "web.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "cli", "web", "-c", str(config), "--port", str(port)],
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("mcu web did not start:\n" + (folder / "web.log").read_text())
        time.sleep(0.3)
    yield base, config, folder
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    executable = chromium()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(executable), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 860}, locale="ru-RU")
        yield context
        context.close()


def sign_in(page, base: str, who: tuple[str, str]) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", who[0])
    page.fill("input[name=password]", who[1])
    page.click("form button[type=submit]")
    page.wait_for_url(base + "/risks")


def test_a_working_day_in_the_browser(server, browser, tmp_path):
    from playwright.sync_api import expect

    base, config, folder = server
    shots = tmp_path / "shots"
    shots.mkdir()
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    # sign in; the list of open risks, the critical one first
    sign_in(page, base, OPERATOR)
    expect(page.locator("header .whoami")).to_contain_text("Оператор Иванова")
    rows = page.locator("table.risks tbody tr")
    expect(rows.first).to_have_class(re.compile(r"^level-critical( overdue)?$"))  # the demo is weeks old: overdue
    shown = rows.count()
    page.screenshot(path=shots / "risks.png")

    # search «вода», then narrow by a department
    page.click("nav >> text=Поиск")
    page.fill("input[name=q]", "вода")
    page.click("form.search button")
    summary = page.locator(".results .summary")
    expect(summary).to_contain_text("Найдено:")
    everything = int(summary.inner_text().split(":")[1].split()[0])
    page.click('.facet[data-field=department] a:has-text("Лаптевский территориальный отдел")')
    expect(page.locator(".chip")).to_contain_text("Территориальный отдел: Лаптевский территориальный отдел")
    narrowed = int(summary.inner_text().split(":")[1].split()[0])
    assert 0 < narrowed < everything
    page.screenshot(path=shots / "search.png")

    # open the risk of the water story, take it, record an answer with a link, see the history
    page.locator(".hits a:has-text('риск №')").first.click()
    expect(page.locator("#risk-status")).to_have_text("новый")
    page.click("button:has-text('Взять в работу')")
    expect(page.locator(".flash")).to_contain_text("взят в работу")
    expect(page.locator("#risk-status")).to_have_text("в работе")
    expect(page.locator("details.answer")).to_have_attribute("open", "")  # open once the risk is taken
    page.fill("details.answer textarea[name=text]", "Водовоз приедет в Лаптево сегодня в 18:00, насос заменят завтра.")
    page.fill("details.answer form textarea[name=links]", "https://vk.com/wall-123456_789")
    page.click("details.answer form button[type=submit]")
    expect(page.locator("#risk-status")).to_have_text("ответ опубликован")
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("взят в работу")
    expect(history.nth(1)).to_contain_text("ответ опубликован")
    expect(history.nth(1)).to_contain_text("Оператор Иванова")
    expect(page.locator("#answers a[href='https://vk.com/wall-123456_789']")).to_be_visible()
    risk_url = page.url
    page.screenshot(path=shots / "risk.png", full_page=False)
    page.locator("#history").screenshot(path=shots / "history.png")

    # the list refreshes itself when a new alert arrives (another process writes the store)
    page.goto(base + "/risks")
    expect(rows).to_have_count(shown)
    add_risk(config)
    expect(rows).to_have_count(shown + 1, timeout=20_000)
    expect(page.locator("table.risks")).to_contain_text("№77")

    # the map draws the gazetteer's points without any tile server
    page.goto(base + "/map")
    expect(page.locator("#map[data-ready]")).to_have_count(1)
    assert int(page.locator("#map").get_attribute("data-ready")) > 5
    expect(page.locator(".leaflet-interactive").first).to_be_visible()
    page.screenshot(path=shots / "map.png")

    # the reports: the digest and the rating of the departments, the report file for the period
    page.click("nav >> text=Отчёты")
    expect(page.locator("#digest")).to_contain_text("Сводка МЦУ")
    expect(page.locator("#rating table.rating")).to_have_count(2)
    expect(page.locator("#rating table.rating").nth(1)).to_contain_text("Лаптевский территориальный отдел")
    with page.expect_download() as download:
        page.click("#rating a:has-text('PDF')")
    assert download.value.suggested_filename.startswith("mcu-report-30d-")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=shots / "reports.png")

    # a viewer sees the card but cannot act
    page.click("header .whoami button")
    page.wait_for_url(base + "/login")
    sign_in(page, base, VIEWER)
    page.goto(risk_url)
    expect(page.locator(".actions")).to_contain_text("действовать могут операторы")
    expect(page.locator("button:has-text('Взять в работу')")).to_have_count(0)
    expect(page.locator("details.answer")).to_have_count(0)
    status = page.evaluate("""async () => {
        const token = document.querySelector("input[name=csrf_token]").value;
        const response = await fetch(location.pathname + "/escalate", {method: "POST",
            headers: {"X-CSRF-Token": token}});
        return response.status;
    }""")
    assert status == 403
    page.screenshot(path=shots / "viewer.png")
    assert [p for p in problems if "403" not in p] == []

    target = os.environ.get("WEB_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for name in SHOTS:
            shutil.copy(shots / f"{name}.png", Path(target) / f"web-{name}.png")
    assert all((shots / f"{name}.png").stat().st_size > 5_000 for name in SHOTS)


def add_risk(config: Path) -> None:
    """A new risk in the store, as a scan writes it, from outside the web process."""
    from core.domain import RiskStatus
    from pipeline.wiring import load_settings, opened_store

    with opened_store(load_settings(config)) as store:
        template = sorted(store.list_risks(), key=lambda r: r.number)[0]
        store.save_risk(template.model_copy(update={"id": "7" * 20, "number": 77, "story_id": "7" * 20,
                                                    "version": 0, "history": [], "answers": [], "assignee": None,
                                                    "status": RiskStatus.new}))
