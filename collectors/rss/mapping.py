"""Pure mapping of feedparser entries (RSS 2.0, Atom 1.0) to ``Post``s, and the raw items kept
beside them (the entry as feedparser gives it, JSON-safe): ``remap`` maps one again."""
from __future__ import annotations

import calendar
from datetime import datetime, timezone
from typing import Any

from collectors.base import BadPayload, context_value, raw_item, register_mapping, unknown_kind
from collectors.text import MAX_TEXT, clean_field, clip_text, html_to_text
from core.domain import Attachment, Platform, Post, RawItem

MAPPER_VERSION = 3
"""Bump when the same entry maps to a different post; ``mcu remap`` then re-maps stored items."""
AUTHOR_FIELDS = ("author", "author_detail.name", "author_detail.email", "authors.name", "authors.email",
                 "contributors.name", "contributors.email")
"""Bylines (pseudonymised in stored raw items; the mapping does not read them)."""


def _time(parsed: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc) if parsed else None
    except (TypeError, ValueError, OverflowError):
        return None


def _raw(entry: Any, key: str) -> Any:
    """A key as the feed gave it (plain ``dict.get`` skips feedparser's deprecated key aliases)."""
    return dict.get(entry, key) if isinstance(entry, dict) else None


def entry_time(entry: Any) -> datetime | None:
    """When the entry was published (its ``updated`` date when it has no other)."""
    return _time(_raw(entry, "published_parsed")) or _time(_raw(entry, "updated_parsed"))


def changed_time(entry: Any) -> datetime | None:
    """The latest of published and updated: an edited entry is read again."""
    times = [t for t in (_time(_raw(entry, "published_parsed")), _time(_raw(entry, "updated_parsed"))) if t]
    return max(times) if times else None


def entry_ref(entry: Any) -> str | None:
    native = entry.get("id") or entry.get("link")
    return str(native) if native else None


def enclosures_of(entry: Any) -> list[Attachment]:
    """The entry's enclosures (``<enclosure>``, Atom ``rel="enclosure"``): photos, videos, documents.

    feedparser stores them among the entry's ``links`` (``rel="enclosure"``); its ``enclosures``
    key is computed from those on access and is not in the entry itself (nor in a stored raw item)."""
    found = []
    links = _raw(entry, "links")
    for item in links if isinstance(links, list) else []:
        href = item.get("href") if isinstance(item, dict) and item.get("rel") == "enclosure" else None
        if not isinstance(href, str) or not href.startswith(("http://", "https://")):
            continue
        mime = str(item.get("type") or "")
        kind = ("photo" if mime.startswith("image/") else "video" if mime.startswith("video/")
                else "audio" if mime.startswith("audio/") else "doc")
        found.append(Attachment(type=kind, url=href))
    return found


def map_entry(entry: Any, source: str, reach: int) -> Post:
    native = entry_ref(entry)
    if not native:
        raise BadPayload(source, clean_field(entry.get("title"), source, "?", "title", 80) or "?", "id",
                         "entry has neither id nor link")
    published = entry_time(entry)
    if published is None:
        raise BadPayload(source, native, "published", "entry has no parseable date")
    content = entry.get("content") or []
    first = content[0] if isinstance(content, list) and content else {}
    body = html_to_text(first.get("value") if isinstance(first, dict) else None, limit=MAX_TEXT + 1)
    if not body:
        body = html_to_text(entry.get("summary") if isinstance(entry.get("summary"), str) else None,
                            limit=MAX_TEXT + 1)
    link = entry.get("link")
    return Post(
        platform=Platform.rss,
        source=source,
        native_id=native,
        url=link if isinstance(link, str) and link.startswith(("http://", "https://")) else None,
        author=None,  # news items are signed by outlets, not citizens
        title=clean_field(entry.get("title"), source, native, "title", 1000) or None,
        text=clip_text(body, source, native, "text"),
        published_at=published,
        reach=reach,
        attachments=enclosures_of(entry),
    )


def raw_entry(post: Post, entry: Any, reach: int, article: str | None = None) -> RawItem:
    """The raw item of a feed entry; ``article`` is the page text that replaced a teaser."""
    context: dict[str, Any] = {"reach": reach}
    if article is not None:
        context["article"] = article
    return raw_item(post, "entry", MAPPER_VERSION, entry, **context)


@register_mapping("rss", MAPPER_VERSION, AUTHOR_FIELDS)
def remap(raw: RawItem, source=None) -> Post:
    """A stored entry mapped again by ``map_entry``, with the article text it was given."""
    if raw.kind != "entry":
        raise unknown_kind(raw)
    post = map_entry(raw.payload, raw.source, context_value(raw, "reach"))
    if "article" in raw.context:
        post = post.model_copy(update={"text": context_value(raw, "article", str)})
    return post
