"""Cleaning of text fields that arrive from any platform."""
from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime, timezone

from core.text import MAX_TEXT

log = logging.getLogger(__name__)

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_text(value: object, limit: int = MAX_TEXT) -> str:
    """Repair lone surrogates, normalise Unicode, drop zero-width and control characters, cap the length."""
    if value is None:
        return ""
    text = str(value).encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # a lone surrogate (JSON
    # allows "\ud83d") cannot be stored or sent as UTF-8: split pairs are joined, the rest become U+FFFD
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", _INVISIBLE.sub("", text))
    text = _SPACES.sub(" ", text).strip()
    return text[:limit]


def clean_field(value: object, source: str, item: object, field: str, limit: int = MAX_TEXT) -> str:
    """``clean_text`` that logs, with source, item and field, when a huge text is cut."""
    return clip_text(clean_text(value, limit=limit + 1), source, item, field, limit)


def clip_text(text: str, source: str, item: object, field: str, limit: int = MAX_TEXT) -> str:
    """Cap an already clean text; a cut is logged with source, item and field, never fatal."""
    if len(text) > limit:
        log.warning("%s: item %s: field «%s»: text longer than %d characters, cut", source, item, field, limit)
        return text[:limit].rstrip()
    return text


def html_to_text(html: str | None, limit: int = MAX_TEXT) -> str:
    """Plain text of an HTML fragment (feeds put markup in their descriptions)."""
    if not html:
        return ""
    import lxml.html

    try:
        root = lxml.html.fromstring(f"<div>{html}</div>")
    except Exception:  # lxml rejects some fragments: fall back to the raw text
        return clean_text(re.sub(r"<[^>]+>", " ", html), limit)
    for br in root.iter("br", "p", "div", "li"):
        br.tail = "\n" + (br.tail or "")
    return clean_text(root.text_content(), limit)


def from_unix(value: object, per_second: int = 1) -> datetime:
    """Unix time (``per_second`` 1000: milliseconds) as UTC; ValueError for a time the platform
    cannot hold (the year 0, beyond 9999: ``fromtimestamp``'s OverflowError or OSError)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a unix timestamp, got {type(value).__name__}")
    try:
        return datetime.fromtimestamp(value if per_second == 1 else value / per_second, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"not a valid unix time: {value}") from None
