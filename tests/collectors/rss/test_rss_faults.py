"""A feed server that hangs, sends 50 MB, or redirects in a loop: the scan goes on, the source is
reported in Russian, nothing else is held up. A real HTTP server on 127.0.0.1."""
from __future__ import annotations

import http.server
import threading
import time

import pytest

from collectors.rss.fetch import Fetcher
from core.store import SearchQuery
from pipeline.pipeline import Pipeline
from pipeline.run import ThreadExecutor, run_scan
from pipeline.wiring import load_settings
from testing.configs import demo_config

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Добрая лента</title>
<item><guid>urn:good:1</guid><title>В Пестово открыли сквер</title><link>https://good.example/1</link>
<pubDate>Mon, 30 Nov 2026 10:00:00 +0000</pubDate><description>Сквер на Советской открыт для всех</description></item>
</channel></rss>""".encode("utf-8")


class Misbehaving(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/hang":
            time.sleep(30)
            return
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            block = b"<!-- " + b"x" * (1024 * 1024 - 9) + b" -->"
            try:
                for _ in range(50):
                    self.wfile.write(block)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path.startswith("/loop"):
            self.send_response(302)
            self.send_header("Location", "/loop-again" if self.path == "/loop" else "/loop")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_each_fault_is_reported_for_its_source_and_the_scan_goes_on(tmp_path, server):
    def sources(data: dict) -> None:
        data["sources"] = [{"key": k, "platform": "rss", "name": n, "url": f"{server}{p}", "timeout": 1, "retries": 1}
                           for k, n, p in (("hung", "Зависший сайт", "/hang"), ("huge", "Огромный ответ", "/huge"),
                                           ("loop", "Петля", "/loop"), ("good", "Добрая лента", "/feed.xml"))]

    settings = load_settings(demo_config(tmp_path, sources))
    pipeline = Pipeline.open(settings)
    started = time.monotonic()
    try:
        report = run_scan(pipeline, executor=ThreadExecutor(4))
        hits = pipeline.store.search(SearchQuery(text="сквер"))
    finally:
        pipeline.close()
    assert time.monotonic() - started < 30  # nothing waited for the hung server's 30 s
    errors = {s.key: s.error for s in report.sources}
    assert errors["good"] is None and [h.post.source for h in hits] == ["good"]
    assert "сервер не отвечает" in errors["hung"]
    assert "ответ больше 10 МБ" in errors["huge"]
    assert "петля перенаправлений" in errors["loop"]


def test_a_trickling_body_is_cut_at_the_deadline(server):
    fetcher = Fetcher("test", timeout=0.5, attempts=1, max_bytes=60 * 1024 * 1024)
    fetcher.deadline = 0.01
    with pytest.raises(Exception, match="ответ идёт дольше"):
        fetcher.get(f"{server}/huge")
