"""Recorded site pages, read instead of the network (the demo, and offline checks).

A recording is a JSON file ``{"pages": {url: {"file": "pages/news-1.html", "content_type": …,
"etag"?: …}}}``; files are relative to it. An address without a recording answers like a web
server: 404. The pages go through the same discovery and extraction as live ones.
"""
from __future__ import annotations

import json
from pathlib import Path

from collectors.base import CollectorError
from collectors.rss.fetch import Fetched


class ReplayFetcher:
    def __init__(self, path: Path, source: str):
        self.path, self.source = Path(path), source
        try:
            self.pages = json.loads(self.path.read_text(encoding="utf-8"))["pages"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CollectorError(f"{source}: {path}: not a site recording: {exc}") from None

    def get(self, url: str, etag: str | None = None, modified: str | None = None) -> Fetched:
        page = self.pages.get(url)
        if not isinstance(page, dict):
            raise CollectorError(f"{self.source}: {url} отвечает HTTP 404; проверьте адрес")
        headers = {"content-type": page.get("content_type", "text/html; charset=utf-8")}
        if page.get("etag"):
            headers["etag"] = page["etag"]
            if etag == page["etag"]:
                return Fetched(304, headers=headers, url=url)
        try:
            content = (self.path.parent / page["file"]).read_bytes()
        except (OSError, KeyError, TypeError) as exc:
            raise CollectorError(f"{self.source}: {url}: recorded page unreadable: {exc}") from None
        return Fetched(200, content, headers, url)

    def close(self) -> None:
        pass
