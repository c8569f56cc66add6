"""HTTP for feeds and article pages: httpx with timeouts, conditional GET and retries (tenacity).

A bad server cannot stall or sink a scan: a hung answer hits the read timeout, a body that trickles
in past ``deadline`` seconds or grows past ``max_bytes`` is cut off, and a redirect loop ends after
``MAX_REDIRECTS``; each is reported for its source while the other sources go on.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import httpx

from collectors.base import CollectorError, SourceUnavailable, retrying

USER_AGENT = "mcu-monitor/0.1 (municipal news monitoring; +https://github.com/)"
MAX_BYTES = 10 * 1024 * 1024
"""No feed or article page is this large; a bigger answer is not what we asked for."""
MAX_REDIRECTS = 10
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@dataclass
class Fetched:
    status: int  # 200, or 304 when the feed has not changed since the last read
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    url: str = ""

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def charset(self) -> str | None:
        match = re.search(r"charset=([\w.-]+)", self.headers.get("content-type", ""), re.I)
        return match.group(1) if match else None


class _Retryable(Exception):
    """A 5xx or 429 answer, or a body that came too slowly: worth another try."""

    def __init__(self, status: int, reason: str = ""):
        super().__init__(reason or f"HTTP {status}")
        self.status = status


class _TooLarge(Exception):
    """The answer grew past the size limit."""


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, (httpx.TransportError, _Retryable))


class Fetcher:
    """GETs for one source; transient failures are retried, then reported as ``SourceUnavailable``."""

    def __init__(self, source: str, timeout: float = 20.0, attempts: int = 3, backoff: float = 1.0,
                 max_bytes: int = MAX_BYTES):
        self.source = source
        self.timeout, self.attempts, self.backoff = timeout, attempts, backoff
        self.max_bytes = max_bytes
        self.deadline = 3 * timeout
        """Seconds one answer may take in all, however steadily it trickles in."""
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        """One connection pool per scan of the source (feed and article pages); ``close`` ends it."""
        if self._client is None:
            self._client = httpx.Client(timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                                        follow_redirects=True, max_redirects=MAX_REDIRECTS,
                                        headers={"User-Agent": USER_AGENT})
        return self._client

    def get(self, url: str, etag: str | None = None, modified: str | None = None) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        try:
            for attempt in retrying(self.attempts, self.backoff, _transient):
                with attempt:
                    response, content = self._read(url, headers)
        except (httpx.TransportError, _Retryable) as exc:
            raise SourceUnavailable(f"{self.source}: {url} недоступен после {self.attempts} попыток: "
                                    f"{_reason(exc)}") from None
        except _TooLarge:
            raise CollectorError(f"{self.source}: {url}: ответ больше {self.max_bytes // (1024 * 1024)} МБ — "
                                 "это не лента новостей; проверьте адрес") from None
        except httpx.TooManyRedirects:
            raise CollectorError(f"{self.source}: {url}: больше {MAX_REDIRECTS} перенаправлений подряд "
                                 "(петля перенаправлений); проверьте адрес") from None
        except httpx.HTTPError as exc:  # a malformed URL and the like: no retry helps
            raise CollectorError(f"{self.source}: {url}: {exc}") from None
        if response.status_code == 304:
            return Fetched(304, headers={k.lower(): v for k, v in response.headers.items()}, url=str(response.url))
        if response.status_code >= 400:
            raise CollectorError(f"{self.source}: {url} отвечает HTTP {response.status_code}; проверьте адрес")
        return Fetched(response.status_code, content,
                       {k.lower(): v for k, v in response.headers.items()}, str(response.url))

    def _read(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """The answer and its body, read in chunks against the size limit and the deadline."""
        started = time.monotonic()
        with self.client.stream("GET", url, headers=headers) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise _Retryable(response.status_code)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise _TooLarge()
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise _TooLarge()
                if time.monotonic() - started > self.deadline:
                    raise _Retryable(response.status_code, f"ответ идёт дольше {self.deadline:.0f} с")
                chunks.append(chunk)
        return response, b"".join(chunks)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "сервер не отвечает (время ожидания истекло)"
    if isinstance(exc, httpx.ConnectError):
        return "нет соединения с сервером"
    return str(exc) if isinstance(exc, _Retryable) else f"{type(exc).__name__}: {exc}"


def declared_encoding(content: bytes) -> str | None:
    match = _DECLARED.match(content[:200])
    return match.group(1).decode("ascii") if match else None


def recode(content: bytes, encoding: str) -> bytes:
    """Feed bytes in ``encoding`` as UTF-8, with the XML declaration saying so."""
    text = content.decode(encoding, errors="replace").lstrip("\ufeff")
    text = re.sub(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']+["']""", r'\1"utf-8"', text, count=1)
    return text.encode("utf-8")
