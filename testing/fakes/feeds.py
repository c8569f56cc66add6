"""RSS 2.0 documents for a fake news site: a channel and its items, escaped as feeds escape them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Iterable

RSS_TYPE = "application/rss+xml; charset=utf-8"


@dataclass
class FeedItem:
    guid: str
    title: str
    link: str
    published: datetime
    description: str


def rss_feed(title: str, link: str, items: Iterable[FeedItem], description: str = "") -> bytes:
    """An RSS 2.0 document in UTF-8, items in the given order (feeds put the newest first)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0"><channel>',
           f"<title>{escape(title)}</title><link>{escape(link)}</link><description>{escape(description)}</description>"]
    for item in items:
        out.append(f"<item><title>{escape(item.title)}</title><link>{escape(item.link)}</link>"
                   f"<guid>{escape(item.guid)}</guid><pubDate>{format_datetime(item.published)}</pubDate>"
                   f"<description>{escape(item.description)}</description></item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")
