"""An article page's title, text and date: trafilatura for the text, htmldate for the date.

htmldate reads the date from the page's metadata, its markup and its visible text; where it
finds only a day (a visible «19.11.2026 14:30» often yields just the day), the time is taken
from the first ``DD.MM.YYYY HH:MM`` of that day on the page. A date without a zone is the
district's local time.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import htmldate
import trafilatura

from collectors.text import MAX_TEXT, clean_text

log = logging.getLogger(__name__)
_DATE_LINE = re.compile(r"^\d{1,2}\.\d{2}\.\d{4}(?:\s*г\.?)?(?:[\s,]+(?:в\s+)?\d{1,2}:\d{2})?$")
_VISIBLE_TIME = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})(?:\s*г\.?)?[\s,]+(?:в\s+)?(\d{1,2}):(\d{2})\b")


@dataclass
class Article:
    title: str
    text: str
    date: datetime | None


def extract_article(html: str, url: str, include_comments: bool = False) -> tuple[str, str]:
    """Title and main text of a page ("" for each that trafilatura does not find)."""
    try:
        found = trafilatura.extract(html, url=url, output_format="json", with_metadata=True, include_tables=True,
                                    include_comments=include_comments, favor_precision=True, deduplicate=False)
    except Exception as exc:  # trafilatura raises on odd markup; the page is reported as unreadable
        log.info("trafilatura failed on %s: %s", url, exc)
        return "", ""
    if not found:
        return "", ""
    data = json.loads(found)
    title = clean_text(data.get("title") or "", 1000)
    parts = [_body(data.get("text") or "", title)]
    if include_comments and data.get("comments"):
        parts.append(data["comments"])
    return title, clean_text("\n\n".join(parts), MAX_TEXT + 1)


def _body(text: str, title: str) -> str:
    """The text without the headline and the date line it often starts with (the post has a title)."""
    lines = text.split("\n")
    while lines and (lines[0].strip() == title or _DATE_LINE.match(lines[0].strip()) or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)


def page_date(html: str, timezone: str) -> datetime | None:
    """When the page says it was published (aware), or None."""
    try:
        found = htmldate.find_date(html, outputformat="%Y-%m-%dT%H:%M:%S%z", original_date=True)
    except Exception as exc:  # htmldate is defensive, but a page may still surprise it
        log.info("htmldate failed: %s", exc)
        return None
    if not found:
        return None
    value = datetime.strptime(found, "%Y-%m-%dT%H:%M:%S%z") if found[19:] else datetime.fromisoformat(found)
    if value.tzinfo is None:
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            value = _visible_time(html, value) or value
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value


def _visible_time(html: str, day: datetime) -> datetime | None:
    for match in _VISIBLE_TIME.finditer(html):
        d, m, y, hh, mm = (int(g) for g in match.groups())
        if (y, m, d) == (day.year, day.month, day.day) and hh < 24 and mm < 60:
            return day.replace(hour=hh, minute=mm)
    return None


def read_article(html: str, url: str, timezone: str, include_comments: bool = False) -> Article:
    title, text = extract_article(html, url, include_comments)
    return Article(title, text, page_date(html, timezone))
