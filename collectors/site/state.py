"""The site watermark: what the collector remembers between scans, as compact JSON.

``{"way": ["sitemap", url], "known": {url: [date, signature, etag, modified]}, "seen": [hash…],
"validators": {url: [etag, modified]}, "reported": [...]}``:

- ``way``: how articles were found (``feed``, ``sitemap`` or ``listing``, and its address), so the
  next scan does not discover again; it is dropped when that way stops working;
- ``known``: pages young enough to be fetched again (conditional GET with their validators) and
  the configured ``pages``; a changed signature stores the page again;
- ``seen``: short hashes of older pages (and pages skipped for good), never fetched again;
- ``pending``: articles found but not read yet (past ``max_articles``, or the page failed), with the
  date the list gave (or null): read on the next scans even when the list has not changed;
- ``validators``: ETag and Last-Modified of the feed, sitemaps and listing page, and ``children``:
  the child sitemaps of a sitemap index (checked even when the index has not changed);
- ``reported``: fingerprints of the last scan's problems (``collectors.base.report_once``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from collectors.base import CollectorError

MAX_SEEN = 20_000


def url_hash(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]


@dataclass
class KnownPage:
    date: int  # unix seconds of the page's date
    signature: str
    etag: str | None = None
    modified: str | None = None

    def dump(self) -> list:
        return [self.date, self.signature, self.etag, self.modified]


@dataclass
class SiteState:
    way: tuple[str, str] | None = None
    known: dict[str, KnownPage] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    pending: dict[str, int | None] = field(default_factory=dict)
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    reported: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, watermark: str | None, source: str) -> "SiteState":
        if not watermark:
            return cls()
        try:
            raw = json.loads(watermark)
            way = raw.get("way")
            state = cls(way=(str(way[0]), str(way[1])) if way else None)
            for url, (date, sig, etag, modified) in (raw.get("known") or {}).items():
                state.known[str(url)] = KnownPage(int(date), str(sig), etag, modified)
            state.seen = [str(h) for h in raw.get("seen") or []]
            state.pending = {str(u): None if d is None else int(d) for u, d in (raw.get("pending") or {}).items()}
            state.validators = {str(u): (e, m) for u, (e, m) in (raw.get("validators") or {}).items()}
            state.children = [str(u) for u in raw.get("children") or []]
            state.reported = [str(m) for m in raw.get("reported") or []]
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            raise CollectorError(f"{source}: stored watermark is not a site watermark ({exc}); "
                                 f"run the scan with --full to start over") from None
        return state

    def is_seen(self, url: str) -> bool:
        return url in self.known or url_hash(url) in self.seen

    def forget_later(self, url: str) -> None:
        """Remember ``url`` as read for good (not fetched again)."""
        self.known.pop(url, None)
        self.pending.pop(url, None)
        mark = url_hash(url)
        if mark not in self.seen:
            self.seen.append(mark)
            del self.seen[:-MAX_SEEN]

    def dump(self) -> str:
        raw: dict = {}
        if self.way:
            raw["way"] = list(self.way)
        if self.known:
            raw["known"] = {url: page.dump() for url, page in sorted(self.known.items())}
        if self.seen:
            raw["seen"] = self.seen
        if self.pending:
            raw["pending"] = dict(sorted(self.pending.items()))
        if self.validators:
            raw["validators"] = {url: list(v) for url, v in sorted(self.validators.items())}
        if self.children:
            raw["children"] = self.children
        if self.reported:
            raw["reported"] = self.reported
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
