"""Local news from RSS and Atom feeds: conditional GET, charsets, malformed feeds, full text.

The watermark is ``{"published": iso, "ids": [...], "etag": …, "modified": …, "reported": [...]}``:
the newest entry time read, the entries at exactly that time (so that a second entry of
the same minute is not lost), the validators for the next conditional GET, and the
fingerprints of problems already reported (a bad entry is reported once). The first
versions stored only ``published``, which is still accepted.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import feedparser

from collectors.base import Batch, BadPayload, CollectorError, SourceUnavailable, register, report_once
from collectors.rss.fetch import Fetched, Fetcher, declared_encoding, recode
from collectors.rss.fulltext import fetch_article
from collectors.rss.mapping import changed_time, map_entry, raw_entry
from core.domain import Post, RawItem

log = logging.getLogger(__name__)
FALLBACK_ENCODING = "windows-1251"  # what an undeclared non-UTF-8 Russian feed almost always is
MIN_ARTICLE = 150  # characters: less than this from a page is navigation, not the article


@dataclass
class FeedState:
    published: datetime | None = None
    ids: list[str] | None = None  # None: an old watermark, compare by time only
    etag: str | None = None
    modified: str | None = None
    reported: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, watermark: str | None, source: str) -> "FeedState":
        if not watermark:
            return cls()
        try:
            raw = json.loads(watermark)
            published = datetime.fromisoformat(raw["published"]) if raw.get("published") else None
            ids = [str(i) for i in raw["ids"]] if isinstance(raw.get("ids"), list) else None
            reported = [str(m) for m in raw.get("reported") or []]
            return cls(published, ids, raw.get("etag"), raw.get("modified"), reported)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise CollectorError(f"{source}: stored watermark is not a feed watermark ({exc}); "
                                 f"run the scan with --full to start over") from None

    def dump(self) -> str | None:
        raw = {"published": self.published.isoformat() if self.published else None, "ids": self.ids or [],
               "etag": self.etag, "modified": self.modified, "reported": self.reported}
        raw = {k: v for k, v in raw.items() if v not in (None, [])}
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":")) if raw else None

    def is_read(self, ref: str, changed: datetime) -> bool:
        if self.published is None:
            return False
        if self.ids is None:
            return changed <= self.published
        return changed < self.published or (changed == self.published and ref in self.ids)


@dataclass
class _Read:
    posts: list[Post] = field(default_factory=list)
    raw: dict[str, RawItem] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    teasers: list[str] = field(default_factory=list)  # articles whose full text could not be had
    skipped: int = 0


class RssCollector:
    platform: ClassVar[str] = "rss"

    def __init__(self, source, location: str, fetcher: Fetcher | None = None):
        self.source = source
        self.location = location
        self.remote = location.startswith(("http://", "https://"))
        self.fetcher = fetcher or (Fetcher(source.key, source.timeout, source.retries, source.backoff)
                                   if self.remote else None)

    def collect(self, watermark: str | None) -> Batch:
        try:
            return self._collect(watermark)
        finally:
            if self.fetcher is not None:
                self.fetcher.close()

    def _collect(self, watermark: str | None) -> Batch:
        state = FeedState.parse(watermark, self.source.key)
        if self.remote:
            fetched = self.fetcher.get(self.location, state.etag, state.modified)
            if fetched.status == 304:
                log.info("%s: feed not modified since the last read", self.source.key)
                return Batch([], watermark, [])
        else:
            try:
                fetched = Fetched(200, Path(self.location).read_bytes(), {}, self.location)
            except OSError as exc:
                raise CollectorError(f"{self.source.key}: cannot read {self.location}: {exc.strerror}") from None
        feed, notes = parse_feed(fetched, self.source.encoding, self.source.key)
        read = _Read(problems=notes)
        new_state = FeedState(state.published, state.ids, fetched.etag or state.etag,
                              fetched.modified or state.modified)
        mapped = self._entries(feed.entries, state, new_state, read)
        if notes and not mapped:  # malformed, and not one entry could be read from it
            raise CollectorError(f"{notes[0]}; ни одной записи прочитать не удалось")
        if read.teasers:
            shown = "; ".join(read.teasers[:3]) + (" …" if len(read.teasers) > 3 else "")
            read.problems.append(f"{self.source.key}: полный текст не получен для {len(read.teasers)} статей, "
                                 f"оставлен анонс из ленты: {shown}")
        problems, new_state.reported = report_once(read.problems, state.reported)
        return Batch(read.posts, new_state.dump() or watermark, problems, read.skipped, read.raw)

    def _entries(self, entries: list[Any], state: FeedState, new: FeedState, read: _Read) -> int:
        """Map the entries not read before into ``read``; returns how many entries could be mapped at all."""
        articles = mapped = 0
        seen: set[str] = set()
        for entry in entries:
            try:
                post = map_entry(entry, self.source.key, self.source.reach or 0)
            except BadPayload as exc:
                read.problems.append(str(exc))
                read.skipped += 1
                continue
            mapped += 1
            changed = changed_time(entry) or post.published_at
            if state.is_read(post.native_id, changed) or post.id in seen:
                continue
            seen.add(post.id)
            article = None
            if self._wants_article(post):
                if articles < self.source.max_articles:
                    articles += 1
                    article = self._article(post, read)
                    post = post if article is None else post.model_copy(update={"text": article})
                else:
                    read.teasers.append(f"{post.url} (лимит max_articles)")
            if not post.text and not post.title:
                read.problems.append(f"{self.source.key}: item {post.native_id}: field «text»: empty entry, skipped")
                read.skipped += 1
                continue
            read.posts.append(post)
            read.raw[post.id] = raw_entry(post, entry, self.source.reach or 0, article)
            if new.published is None or changed > new.published:
                new.published, new.ids = changed, [post.native_id]
            elif changed == new.published:
                new.ids = sorted(set(new.ids or []) | {post.native_id})
        return mapped

    def _wants_article(self, post: Post) -> bool:
        return bool(self.source.full_text and self.remote and post.url and len(post.text) < self.source.teaser_chars)

    def _article(self, post: Post, read: _Read) -> str | None:
        """The article text of the page, or None (the teaser stays) when it cannot be had."""
        try:
            text = fetch_article(self.fetcher, post.url, self.source.key, post.native_id)
        except (CollectorError, SourceUnavailable) as exc:
            read.teasers.append(f"{post.url} ({exc})")
            return None
        if len(text) < MIN_ARTICLE or len(text) <= len(post.text):  # menus and captions are not an article
            read.teasers.append(f"{post.url} (текст статьи не выделен)")
            return None
        return text


def parse_feed(fetched: Fetched, encoding: str | None, source: str) -> tuple[Any, list[str]]:
    """feedparser over the bytes with the response headers; charset fixes; malformed feeds reported."""
    content, headers = fetched.content, dict(fetched.headers)
    if encoding is None and not fetched.charset and not declared_encoding(content) and not _is_utf8(content):
        encoding = FALLBACK_ENCODING
        log.info("%s: feed declares no charset and is not UTF-8: read as %s", source, encoding)
    if encoding:
        content = recode(content, encoding)
        headers["content-type"] = "application/xml; charset=utf-8"
    feed = feedparser.parse(content, response_headers=headers)
    problems: list[str] = []
    error = feed.get("bozo_exception")
    why = f": {type(error).__name__}: {error}" if feed.get("bozo") else ""
    if not feed.entries and not feed.get("version"):
        raise CollectorError(f"{source}: это не RSS и не Atom ({fetched.headers.get('content-type', '?')}){why}")
    if feed.get("bozo") and not isinstance(error, feedparser.CharacterEncodingOverride):
        if not feed.entries:
            raise CollectorError(f"{source}: лента не разбирается{why}")
        problems.append(f"{source}: лента с ошибками разметки, прочитано что удалось "
                        f"({len(feed.entries)} записей){why}")
    return feed, problems


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@register("rss")
def build(source, settings) -> RssCollector:
    location = str(settings.resolve(source.replay)) if source.replay else source.url
    return RssCollector(source, location)
