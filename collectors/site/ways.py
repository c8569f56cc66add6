"""The three ways to a site's articles, tried in order on the first scan: a feed the start page
announces, the sitemap, the listing page. Each way gives ``Candidate``s; the one that worked is
kept in the watermark (``SiteState.way``) and used again until it stops working."""
from __future__ import annotations

import logging
import re
from datetime import datetime
from urllib.parse import urlsplit

from collectors.base import CollectorError
from collectors.rss.fetch import Fetched
from collectors.site.discover import (Candidate, feed_addresses, feed_candidates, matching, page_links,
                                      read_sitemap, text_of)
from collectors.site.polite import Disallowed, PoliteFetcher, host_of
from collectors.site.state import SiteState

log = logging.getLogger(__name__)


class Ways:
    """Candidates for one scan of one source; validators of what it read go into ``new``."""

    def __init__(self, source, fetcher: PoliteFetcher, state: SiteState, new: SiteState):
        self.source, self.fetcher, self.state, self.new = source, fetcher, state, new

    def _get(self, url: str, conditional: bool = True) -> Fetched | None:
        """The page, or None when it has not changed since the last scan."""
        etag, modified = self.state.validators.get(url, (None, None)) if conditional else (None, None)
        fetched = self.fetcher.get(url, etag, modified)
        if fetched.etag or fetched.modified:
            self.new.validators[url] = (fetched.etag or etag, fetched.modified or modified)
        return None if fetched.status == 304 else fetched

    # discovery ------------------------------------------------------------
    def discover(self) -> tuple[tuple[str, str], list[Candidate]]:
        """The first way that yields articles, and its candidates."""
        start = self.source.url
        if self.source.discover_feeds:
            page = self._get(start, conditional=False)
            for feed in feed_addresses(text_of(page.content, page.charset), start)[:3]:
                found = self._read("feed", feed, conditional=False)
                if found:
                    return ("feed", feed), found
        if self.source.use_sitemap:
            maps = self.fetcher.sitemaps(start) or [host_of(start) + "/sitemap.xml"]
            for sitemap in maps[:3]:
                try:
                    found = self._read("sitemap", sitemap, conditional=False)
                except CollectorError as exc:  # no sitemap at the usual address
                    log.info("%s: %s", self.source.key, exc)
                    continue
                if found:
                    return ("sitemap", sitemap), found
        if self.source.link_pattern:
            listing = self.source.listing or start
            return ("listing", listing), self._read("listing", listing, conditional=False)
        raise CollectorError(f"{self.source.key}: на сайте {start} не найдено ни ленты новостей, ни карты сайта "
                             f"со статьями; задайте link_pattern (шаблон адреса статьи) и listing (страницу списка)")

    def _read(self, way: str, url: str, conditional: bool = True) -> list[Candidate]:
        if way == "feed":
            fetched = self._get(url, conditional)
            return feed_candidates(fetched.content, fetched.headers) if fetched else []
        if way == "sitemap":
            return self._sitemap(url, conditional)
        return self._listing(url, conditional)

    def read(self, way: tuple[str, str]) -> list[Candidate]:
        return self._read(*way)

    # sitemap ---------------------------------------------------------------
    def _sitemap(self, url: str, conditional: bool) -> list[Candidate]:
        fetched = self._get(url, conditional)
        pages, children = read_sitemap(fetched.content) if fetched is not None else ([], self.state.children)
        self.new.children = children
        for child in children:
            try:
                more = self._get(child, conditional)
            except (CollectorError, Disallowed) as exc:
                log.info("%s: sitemap %s: %s", self.source.key, child, exc)
                continue
            if more is not None:
                pages += read_sitemap(more.content)[0]
        return self._articles(pages)

    def _articles(self, pages: list[Candidate]) -> list[Candidate]:
        """Sitemap pages that are articles: matching ``link_pattern``, else under the news section."""
        if self.source.link_pattern:
            keep = set(matching([p.url for p in pages], self.source.link_pattern, self.source.url))
        else:
            section = urlsplit(self.source.url).path.rstrip("/") + "/"
            keep = {p.url for p in pages if urlsplit(p.url).path.startswith(section)
                    and urlsplit(p.url).path.rstrip("/") + "/" != section}
        stamp = lambda c: c.dated.timestamp() if c.dated else 0.0  # noqa: E731
        return sorted((p for p in pages if p.url in keep), key=stamp, reverse=True)

    # listing ---------------------------------------------------------------
    def _listing(self, url: str, conditional: bool) -> list[Candidate]:
        """Article links of the listing and its next pages, while a page brings unknown ones."""
        found: dict[str, None] = {}
        next_pages, read = [url], set()
        pattern = re.compile(self.source.page_pattern)
        while next_pages and len(read) < self.source.listing_pages:
            page_url = next_pages.pop(0)
            read.add(page_url)
            fetched = self._get(page_url, conditional=conditional and page_url == url)
            if fetched is None:
                break
            links = page_links(text_of(fetched.content, fetched.charset), fetched.url or page_url)
            articles = matching(links, self.source.link_pattern, self.source.url)
            fresh = [a for a in articles if a not in found and not self.state.is_seen(a)]
            found.update(dict.fromkeys(articles))
            if not fresh:
                break
            for link in matching(links, None, self.source.url):
                number = pattern.search(link)
                if number and not number.group(0).rstrip("/").endswith(("=1", "/1")) and link not in read \
                        and link not in next_pages and link not in found:
                    next_pages.append(link)
        return [Candidate(link) for link in found]


def is_newer(candidate: Candidate, than: int) -> bool:
    return candidate.dated is not None and candidate.dated > datetime.fromtimestamp(than, tz=candidate.dated.tzinfo)
