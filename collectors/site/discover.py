"""Where a site's articles are: a feed it links to, its sitemap, or its listing pages.

Each finder returns ``Candidate``s (an address, and the date the source gives, when it gives
one), newest first where that is known. Feed links on the start page are found by
trafilatura's ``determine_feed``, the feed is read by feedparser. Sitemaps are read with lxml
(urlset and sitemap index, with ``lastmod``): trafilatura's sitemap reader drops ``lastmod`` and
refuses addresses without a registered domain (an intranet host, a test server). Listing pages
are plain HTML: their links are matched against the configured ``link_pattern``, and the next
pages against ``page_pattern``.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
import lxml.etree
import lxml.html

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MAX_SITEMAPS = 20  # child sitemaps of an index read per scan
MAX_LINKS = 5000


@dataclass(frozen=True)
class Candidate:
    url: str
    dated: datetime | None = None  # the feed's published time or the sitemap's lastmod


def text_of(content: bytes, charset: str | None) -> str:
    if charset:
        try:
            return content.decode(charset, errors="replace")
        except LookupError:
            pass
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("windows-1251", errors="replace")  # an old Russian site without a charset


def feed_addresses(html: str, page_url: str) -> list[str]:
    """Feeds the page announces (``<link rel="alternate" type="application/rss+xml">``, feed-like links)."""
    from trafilatura.feeds import FeedParameters, determine_feed

    return determine_feed(html, FeedParameters(page_url, urlsplit(page_url).hostname or "", page_url))


def feed_candidates(content: bytes, headers: dict[str, str]) -> list[Candidate]:
    """The entries' links of an RSS or Atom document, with their dates."""
    feed = feedparser.parse(content, response_headers=headers)
    found = []
    for entry in feed.entries:
        link = entry.get("link")
        if isinstance(link, str) and link.startswith(("http://", "https://")):
            parsed = entry.get("published_parsed") or entry.get("updated_parsed")
            dated = datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc) if parsed else None
            found.append(Candidate(link, dated))
    return found


def _lastmod(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def read_sitemap(content: bytes) -> tuple[list[Candidate], list[str]]:
    """A sitemap's pages (with ``lastmod``) and, for an index, its child sitemaps."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(content, parser)
    except lxml.etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    pages, children = [], []
    for node in root:
        tag = node.tag if isinstance(node.tag, str) else ""
        loc = node.findtext(f"{SITEMAP_NS}loc") or node.findtext("loc")
        if not loc or not loc.strip().startswith(("http://", "https://")):
            continue
        lastmod = _lastmod(node.findtext(f"{SITEMAP_NS}lastmod") or node.findtext("lastmod"))
        if tag.endswith("sitemap"):
            children.append(loc.strip())
        elif tag.endswith("url"):
            pages.append(Candidate(loc.strip(), lastmod))
    pages.sort(key=lambda c: c.dated or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
    return pages[:MAX_LINKS], children[:MAX_SITEMAPS]


def page_links(html: str, page_url: str) -> list[str]:
    """Every link of an HTML page, absolute, without fragments, in page order, once each."""
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    seen: dict[str, None] = {}
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if href and not href.startswith(("javascript:", "mailto:", "tel:")):
            seen.setdefault(urldefrag(urljoin(page_url, href.strip()))[0], None)
    return list(seen)[:MAX_LINKS]


def same_site(url: str, site: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(site).netloc.lower()


def matching(links: list[str], pattern: str | None, site: str) -> list[str]:
    """Links of ``site`` that match ``pattern`` (searched anywhere in the address)."""
    regex = re.compile(pattern) if pattern else None
    return [link for link in links if same_site(link, site) and (regex is None or regex.search(link))]
