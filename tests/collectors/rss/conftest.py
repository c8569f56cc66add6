"""Feed collector tests: a news site on 127.0.0.1 with feeds, article pages and failures."""
from __future__ import annotations

from pathlib import Path

import pytest

from collectors.rss.collector import RssCollector
from collectors.rss.config import RssSource
from testing.fakes.http import LocalServer, Reply, static

FIXTURES = Path(__file__).parent / "fixtures"
ETAG = '"vesti-2026-11-19-1200"'
MODIFIED = "Thu, 19 Nov 2026 09:00:00 GMT"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def site_routes(base: str) -> dict:
    vesti = fixture("vesti.xml").replace(b"{{BASE}}", base.encode())
    return {
        "/rss.xml": static(vesti, "application/rss+xml; charset=utf-8", ETAG, MODIFIED),
        "/adm.xml": static(fixture("adm_cp1251.xml"), "text/xml"),
        "/nodecl.xml": static(fixture("nodecl_cp1251.xml"), "application/rss+xml"),
        "/broken.xml": static(fixture("broken.xml"), "application/rss+xml"),
        "/atom.xml": static(fixture("atom_v1.xml"), "application/atom+xml", modified="Thu, 19 Nov 2026 07:00:00 GMT"),
        "/index.html": static(b"<html><body><h1>Site</h1><p>No feed here</p></body></html>", "text/html"),
        "/news/7401.html": static(fixture("article_7401.html"), "text/html"),  # charset only in <meta>
        "/news/7402.html": static(fixture("article_7402.html"), "text/html; charset=utf-8"),
        "/news/7404.html": static(fixture("article_7404.html"), "text/html; charset=utf-8"),
        "/news/7405.html": lambda r: Reply(500, b"should not be fetched"),
        "/news/7406.html": static(fixture("article_7402.html"), "text/html; charset=utf-8"),
    }


@pytest.fixture
def site():
    with LocalServer() as server:
        server.routes.update(site_routes(server.url))
        yield server


@pytest.fixture
def feed(site):
    """``feed(path, **fields)``: a collector for a feed of the local site."""

    def make(path: str, **fields) -> RssCollector:
        options = {"key": "vesti", "platform": "rss", "name": "Пестовские вести", "url": site.url + path,
                   "backoff": 0.01, "timeout": 5, "reach": 4000}
        options.update(fields)
        return RssCollector(RssSource(**options), options["url"])

    return make
