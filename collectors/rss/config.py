"""The config of an RSS/Atom source (``platform: rss``); it registers itself with the kernel's settings."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from core.config import SourceBase, register_source


@register_source
class RssSource(SourceBase):
    """An RSS 2.0 or Atom feed of a local news site."""

    platform: Literal["rss"]
    url: str = Field(min_length=1)
    full_text: bool = Field(False, description="fetch the article page when the feed gives only a teaser")
    teaser_chars: int = Field(600, ge=0, description="a feed text shorter than this counts as a teaser")
    max_articles: int = Field(30, ge=0, description="article pages fetched per scan at most")
    encoding: str | None = Field(None, description="override a charset the server declares wrongly")
    timeout: float = Field(20.0, gt=0, le=300, description="seconds per HTTP request")
    retries: int = Field(3, ge=1, le=10, description="attempts for network errors and 5xx answers")
    backoff: float = Field(1.0, ge=0, le=60, description="first back-off in seconds, doubled each retry")

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            import codecs

            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"неизвестная кодировка «{value}»") from None
        return value
