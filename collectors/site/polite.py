"""Politeness toward the sites we read: robots.txt, a per-host pace, conditional GETs.

- ``robots.txt`` is read once per host per scan (stdlib ``urllib.robotparser``). As RFC 9309
  says, a missing one (4xx) allows everything; one that cannot be had (5xx, no connection) means
  nothing may be fetched this time (``SourceUnavailable``, the scan tries again later). Its
  ``Crawl-delay`` slows us further when longer than the configured ``delay``.
- ``HostPacer`` keeps one gap between requests to the same host for the whole process, so
  several sources on one site (a news section and a discussion page) share it.
- ``get`` sends ``If-None-Match``/``If-Modified-Since`` when the caller has validators; a 304
  comes back as ``Fetched(304)``.
"""
from __future__ import annotations

import threading
import time
import urllib.robotparser
from typing import Callable
from urllib.parse import urlsplit

from collectors.base import CollectorError
from collectors.rss.fetch import USER_AGENT, Fetched, Fetcher

ROBOTS_AGENT = "mcu-monitor"


class Disallowed(Exception):
    """robots.txt forbids the address."""


class HostPacer:
    """At least ``gap`` seconds between the starts of two requests to one host, across threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def wait(self, host: str, gap: float) -> float:
        """Wait for the host's turn; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + gap
        if start > now:
            self._sleep(start - now)
        return max(0.0, start - now)


PACER = HostPacer()


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class PoliteFetcher:
    """GETs for one source: robots.txt checked, the host paced, validators sent."""

    def __init__(self, source, fetcher: Fetcher | None = None, pacer: HostPacer = PACER, paced: bool = True):
        self.source, self.paced = source, paced
        self.fetcher = fetcher or Fetcher(source.key, source.timeout, source.retries, source.backoff)
        self.pacer = pacer
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self.requests = 0

    def robots(self, url: str) -> urllib.robotparser.RobotFileParser:
        host = host_of(url)
        if host not in self._robots:
            parser = urllib.robotparser.RobotFileParser(host + "/robots.txt")
            try:
                fetched = self._get(host + "/robots.txt", None, None, self.source.delay)
                parser.parse(fetched.content.decode("utf-8", errors="replace").splitlines())
            except CollectorError:  # 4xx: no robots.txt, everything is allowed
                parser.parse([])
            self._robots[host] = parser
        return self._robots[host]

    def allowed(self, url: str) -> bool:
        return self.robots(url).can_fetch(ROBOTS_AGENT, url)

    def get(self, url: str, etag: str | None = None, modified: str | None = None) -> Fetched:
        """The page, or ``Fetched(304)``; ``Disallowed`` when robots.txt forbids it."""
        robots = self.robots(url)
        if not robots.can_fetch(ROBOTS_AGENT, url):
            raise Disallowed(url)
        delay = robots.crawl_delay(ROBOTS_AGENT)
        return self._get(url, etag, modified, max(self.source.delay, float(delay or 0)))

    def sitemaps(self, url: str) -> list[str]:
        """The sitemaps robots.txt names for the host of ``url``."""
        return list(self.robots(url).site_maps() or [])

    def _get(self, url: str, etag: str | None, modified: str | None, gap: float) -> Fetched:
        if self.paced:
            self.pacer.wait(host_of(url), gap)
        self.requests += 1
        return self.fetcher.get(url, etag, modified)

    def close(self) -> None:
        self.fetcher.close()
