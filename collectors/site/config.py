"""The config of a site without a feed (``platform: site``); it registers itself with the kernel's settings."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from core.config import SourceBase, register_source

URL = r"^https?://[^\s/]+(/[^\s]*)?$"


@register_source
class SiteSource(SourceBase):
    """A news or institution site that publishes no RSS, or a fixed list of pages.

    Articles are found in this order: a feed the start page links to (``discover_feeds``), the
    sitemap (``robots.txt`` «Sitemap:» lines, else ``/sitemap.xml``), and the listing page with its
    pagination, where links matching ``link_pattern`` are articles. ``pages`` instead names the
    pages to read as they are (a public discussion, an announcement): each is one item, read
    again on every scan with a conditional GET and stored again when its text changes.
    """

    platform: Literal["site"]
    url: str = Field(pattern=URL, description="the site's news section (or home page)")
    listing: str | None = Field(None, pattern=URL, description="the news list page; default: url")
    link_pattern: str | None = Field(None, description="regular expression an article address matches "
                                     "(e.g. /news/\\d+/); filters sitemap addresses too")
    page_pattern: str = Field(r"[?&]PAGEN_\d+=\d+|[?&]page=\d+|/page/\d+/?$",
                              description="regular expression of the listing's next pages (Bitrix: PAGEN_1=2)")
    pages: list[str] = Field(default_factory=list, description="fixed pages read as items (public discussions)")
    discover_feeds: bool = Field(True, description="use a feed the start page links to")
    use_sitemap: bool = Field(True, description="use the site's sitemap")
    include_comments: bool = Field(False, description="keep the comments section of a page in its text "
                                   "(residents' proposals on a discussion page)")
    listing_pages: int = Field(5, ge=1, le=100, description="listing pages followed per scan at most")
    max_articles: int = Field(30, ge=1, le=1000, description="article pages fetched per scan at most")
    backfill_days: float | None = Field(30.0, gt=0, description="articles older than this are skipped; "
                                       "empty: none is too old")
    recheck_days: float = Field(3.0, ge=0, le=60, description="articles this recent are fetched again (conditional "
                                "GET) for edits")
    delay: float = Field(1.0, ge=0, le=120, description="seconds between requests to one host (robots.txt "
                         "Crawl-delay wins when longer)")
    timeout: float = Field(20.0, gt=0, le=300, description="seconds per HTTP request")
    retries: int = Field(3, ge=1, le=10, description="attempts for network errors and 5xx answers")
    backoff: float = Field(1.0, ge=0, le=60, description="first back-off in seconds, doubled each retry")

    @field_validator("link_pattern", "page_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"неверное регулярное выражение: {exc}") from None
        return value

    @field_validator("pages")
    @classmethod
    def _page_urls(cls, value: list[str]) -> list[str]:
        for i, page in enumerate(value):
            if not re.match(URL, page):
                raise ValueError(f"pages.{i}: ожидается http(s)-адрес страницы, получено «{page}»")
        return value

    @model_validator(mode="after")
    def _some_way_to_articles(self) -> "SiteSource":
        if not self.pages and not (self.discover_feeds or self.use_sitemap or self.link_pattern):
            raise ValueError("нечем найти статьи: включите discover_feeds или use_sitemap, задайте link_pattern "
                             "или перечислите страницы в pages")
        return self
