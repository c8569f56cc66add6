"""An example post shown as evidence in a report or a campaign plan: an excerpt, its link, the
source's name and when it was published."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.domain import Analysis, Post
from core.text import excerpt


@dataclass
class Example:
    text: str
    url: str | None
    source: str
    published: datetime
    negative: bool = False


def example_of(post: Post, analysis: Analysis | None, sources: dict[str, str], limit: int = 220) -> Example:
    """``sources``: source key → its name."""
    return Example(excerpt(post.full_text, limit), post.url, sources.get(post.source, post.source), post.published_at,
                   bool(analysis and analysis.sentiment.label == "negative"))
