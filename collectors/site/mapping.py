"""Pure mapping of an extracted page to a ``Post``, and the raw item kept beside it.

The raw item of a page is what the collector read from it, not the HTML (tens of kilobytes of
menus): ``{"url", "title", "text", "date", "dated_by"}``, ``dated_by`` saying where the date
came from (``page``: htmldate, ``list``: the feed's or the sitemap's date, ``first_seen``:
the scan that found a page without a date). ``remap`` maps it again.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from collectors.base import BadPayload, context_value, raw_item, register_mapping, unknown_kind
from collectors.text import clean_field, clip_text
from core.domain import Platform, Post, RawItem, make_id

MAPPER_VERSION = 1
"""Bump when the same payload maps to a different post; ``mcu remap`` then re-maps stored items."""
AUTHOR_FIELDS: tuple[str, ...] = ()
"""Pages are published by institutions; the payload holds no citizen's id."""


def map_page(page: Any, source: str, reach: int) -> Post:
    if not isinstance(page, dict):
        raise BadPayload(source, "?", "(page)", f"expected an object, got {type(page).__name__}")
    url = page.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise BadPayload(source, "?", "url", f"expected an http(s) address, got {url!r:.60}")
    try:
        published = datetime.fromisoformat(str(page.get("date")))
    except ValueError:
        raise BadPayload(source, url, "date", f"expected an ISO date, got {page.get('date')!r:.40}") from None
    if published.tzinfo is None:
        raise BadPayload(source, url, "date", "date without a time zone")
    return Post(
        platform=Platform.site,
        source=source,
        native_id=url,
        url=url,
        author=None,  # pages are signed by institutions, not citizens
        title=clean_field(page.get("title"), source, url, "title", 1000) or None,
        text=clip_text(str(page.get("text") or ""), source, url, "text"),
        published_at=published,
        reach=reach,
    )


def raw_page(post: Post, page: dict, reach: int) -> RawItem:
    return raw_item(post, "page", MAPPER_VERSION, page, reach=reach)


@register_mapping("site", MAPPER_VERSION, AUTHOR_FIELDS)
def remap(raw: RawItem, source=None) -> Post:
    if raw.kind != "page":
        raise unknown_kind(raw)
    return map_page(raw.payload, raw.source, context_value(raw, "reach"))


def signature(post: Post) -> str:
    """What makes a page worth storing again: its title and text."""
    return make_id(post.title or "", post.text)[:10]
