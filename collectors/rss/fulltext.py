"""The text of a news article from its page (trafilatura), for feeds that carry only a teaser."""
from __future__ import annotations

import logging

import trafilatura

from collectors.base import CollectorError
from collectors.rss.fetch import Fetcher
from collectors.text import MAX_TEXT, clean_text, clip_text

log = logging.getLogger(__name__)


def extract_article(html: bytes | str, url: str | None = None) -> str:
    """Main text of an article page, or "" when trafilatura finds none."""
    try:
        text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False,
                                   favor_precision=True, deduplicate=False)
    except Exception as exc:  # trafilatura raises on odd markup; a teaser is still there
        log.info("trafilatura failed on %s: %s", url, exc)
        return ""
    return clean_text(text, limit=MAX_TEXT + 1) if text else ""


def fetch_article(fetcher: Fetcher, url: str, source: str, ref: str) -> str:
    """Fetch and extract one article; raises ``CollectorError`` or ``SourceUnavailable`` when it cannot."""
    page = fetcher.get(url)
    if page.status != 200 or not page.content:
        raise CollectorError(f"{url}: no page (HTTP {page.status})")
    # A charset in the HTTP header is decisive; without it trafilatura reads <meta charset> itself.
    html: bytes | str = page.content
    if page.charset:
        try:
            html = page.content.decode(page.charset, errors="replace")
        except LookupError:
            pass
    return clip_text(extract_article(html, page.url or url), source, ref, "text")


