"""A killed scan frees the store at once; SIGTERM stops a scan within seconds at a safe point;
two scans of one store take turns. Real processes, a real SQLite store, a real slow feed."""
from __future__ import annotations

import http.server
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

from pipeline.lock import lock_path, store_identity, store_lock
from pipeline.wiring import load_settings
from testing.configs import demo_config

ROOT = Path(__file__).resolve().parents[2]
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Медленная лента</title>
<entry><id>urn:slow:1</id><title>Новость</title><updated>2026-12-01T10:00:00Z</updated><link href="https://slow.example/1"/>
<summary>В Пестово открыли новый сквер</summary></entry></feed>"""


def run_mcu(args: list[str], cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "MCU_"))} | {"COLUMNS": "120"}
    return subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=cwd, env=env | {"PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stored_posts(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
    except sqlite3.Error:
        return 0


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_the_lock_is_named_after_the_store_not_its_spelling(tmp_path, monkeypatch):
    config = demo_config(tmp_path)
    monkeypatch.chdir(tmp_path)
    absolute = load_settings(config, f"sqlite:///{tmp_path / 'mcu.sqlite'}")
    relative = load_settings(config, "sqlite:///./sub/../mcu.sqlite")
    other = load_settings(config, f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert store_identity(absolute) == store_identity(relative) != store_identity(other)
    assert lock_path(absolute) == tmp_path / "mcu.sqlite.lock"
    es_a = load_settings(config, "elasticsearch://es1:9200,es2:9200?prefix=mcu")
    es_b = load_settings(config, "elasticsearch://ES2:9200,es1?prefix=mcu")
    assert store_identity(es_a) == store_identity(es_b) == "elasticsearch:es1:9200,es2:9200/mcu"


def test_a_killed_scan_frees_the_store_at_once(tmp_path):
    config = demo_config(tmp_path)
    database = Path(load_settings(config).store.removeprefix("sqlite:///"))
    first = run_mcu(["scan", "-c", str(config)], tmp_path)
    wait_for(lambda: stored_posts(database) > 0 or first.poll() is not None, 120, "the first scan wrote nothing")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    started = time.monotonic()
    second = run_mcu(["scan", "-c", str(config)], tmp_path)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, out + err
    assert "занято другим сканом" not in out + err  # the dead holder's lock was gone at once
    assert time.monotonic() - started < 120
    assert stored_posts(database) >= 200


class SlowFeed(http.server.BaseHTTPRequestHandler):
    delay = 60.0

    def do_GET(self):  # noqa: N802 (http.server's name)
        time.sleep(self.delay)
        body = ATOM.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_sigterm_stops_within_seconds_at_a_safe_point(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowFeed)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def add_slow_feed(data: dict) -> None:
        data["sources"] = data["sources"][:1] + [{"key": "slow", "platform": "rss", "name": "Медленная лента",
                                                  "url": f"http://127.0.0.1:{server.server_port}/feed",
                                                  "timeout": 120, "retries": 1}]

    config = demo_config(tmp_path, add_slow_feed)
    database = Path(load_settings(config).store.removeprefix("sqlite:///"))
    scan = run_mcu(["scan", "-c", str(config)], tmp_path)
    try:
        wait_for(lambda: stored_posts(database) > 0, 120, "the fast source was not written")
        time.sleep(0.5)
        stopped_at = time.monotonic()
        scan.send_signal(signal.SIGTERM)
        out, err = scan.communicate(timeout=30)
        assert time.monotonic() - stopped_at < 10, "SIGTERM took too long"
        assert scan.returncode == 143, out + err
        assert "Скан остановлен" in out
    finally:
        scan.kill()
        server.shutdown()
    with sqlite3.connect(database) as conn:
        sources = {row[0] for row in conn.execute("SELECT DISTINCT source FROM posts")}
        marks = {row[0] for row in conn.execute("SELECT source FROM watermarks")}
    first = yaml.safe_load(config.read_text(encoding="utf-8"))["sources"][0]["key"]
    assert sources == {first} and first in marks and "slow" not in marks


def test_two_writers_take_turns_and_a_waiting_one_says_so(tmp_path):
    config = demo_config(tmp_path)
    settings = load_settings(config)
    seen: list[str] = []
    with store_lock(settings):
        scan = run_mcu(["scan", "-c", str(config)], tmp_path)
        reader = threading.Thread(target=lambda: seen.extend(scan.stdout), daemon=True)
        reader.start()
        wait_for(lambda: any("занято другим сканом" in line for line in seen) or scan.poll() is not None, 180,
                 "the second writer did not say it waits")
        assert scan.poll() is None, seen  # it waits for the lock ...
        assert stored_posts(Path(settings.store.removeprefix("sqlite:///"))) == 0  # ... and writes nothing
    scan.wait(300)
    reader.join(10)
    assert scan.returncode == 0, "".join(seen) + scan.stderr.read()
    assert stored_posts(Path(settings.store.removeprefix("sqlite:///"))) >= 200
