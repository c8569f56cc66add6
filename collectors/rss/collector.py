"""Local news from RSS and Atom feeds (feedparser)."""
from __future__ import annotations

import calendar
import json
from datetime import datetime, timezone
from typing import Any, ClassVar

import feedparser
import httpx

from collectors.base import Batch, BadPayload, CollectorError, register
from collectors.text import clean_text, html_to_text
from mcu.domain import Platform, Post

TIMEOUT = httpx.Timeout(20.0, connect=10.0)


def _entry_time(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc) if parsed else None


def map_entry(entry: Any, source: str, reach: int) -> Post:
    native = entry.get("id") or entry.get("link")
    if not native:
        raise BadPayload(source, entry.get("title", "?"), "id", "entry has neither id nor link")
    published = _entry_time(entry)
    if published is None:
        raise BadPayload(source, native, "published", "entry has no parseable date")
    content = entry.get("content") or []
    body = html_to_text(content[0].get("value")) if content else ""
    if not body:
        body = html_to_text(entry.get("summary"))
    return Post(
        platform=Platform.rss,
        source=source,
        native_id=str(native),
        url=entry.get("link"),
        author=None,  # news items are signed by outlets, not citizens
        title=clean_text(entry.get("title")) or None,
        text=body,
        published_at=published,
        reach=reach,
    )


class RssCollector:
    platform: ClassVar[str] = "rss"

    def __init__(self, source, location: str):
        self.source = source
        self.location = location

    def _parse(self):
        if self.location.startswith(("http://", "https://")):
            try:
                response = httpx.get(self.location, timeout=TIMEOUT, follow_redirects=True)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise CollectorError(f"{self.source.key}: cannot fetch {self.location}: {exc}") from exc
            return feedparser.parse(response.content, response_headers=dict(response.headers))
        return feedparser.parse(self.location)

    def collect(self, watermark: str | None) -> Batch:
        since = datetime.fromisoformat(json.loads(watermark)["published"]) if watermark else None
        feed = self._parse()
        if feed.get("bozo") and not feed.entries:
            raise CollectorError(f"{self.source.key}: feed does not parse: {feed.get('bozo_exception')}")
        batch = Batch()
        if feed.get("bozo"):
            batch.problems.append(f"{self.source.key}: malformed feed, read what parsed: {feed.get('bozo_exception')}")
        newest = since
        for entry in feed.entries:
            try:
                post = map_entry(entry, self.source.key, self.source.reach or 0)
            except BadPayload as exc:
                batch.problems.append(str(exc))
                continue
            if since and post.published_at <= since:
                continue
            batch.posts.append(post)
            newest = max(newest, post.published_at) if newest else post.published_at
        batch.watermark = json.dumps({"published": newest.isoformat()}) if newest else watermark
        return batch


@register("rss")
def build(source, settings) -> RssCollector:
    location = str(settings.resolve(source.replay)) if source.replay else source.url
    return RssCollector(source, location)
