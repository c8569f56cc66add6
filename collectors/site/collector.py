"""The site collector: new and changed articles of a site without a feed, or the configured pages.

One scan of a source:
1. Candidates: the configured ``pages``; else the way found on the first scan (feed, sitemap
   or listing, ``collectors.site.ways``), read with conditional GETs.
2. Known pages younger than ``recheck_days`` join them: fetched again with their validators,
   a 304 costs the site nothing.
3. Up to ``max_articles`` pages are fetched (robots.txt respected, the host paced), their text
   and date extracted (trafilatura, htmldate), and stored when new or changed. A page older
   than ``backfill_days`` is remembered and not stored.
A page that cannot be read is reported once and tried again on the next scan; the watermark
moves only with what was read.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, ClassVar

from collectors.base import Batch, BadPayload, CollectorError, SourceUnavailable, register, report_once
from collectors.site.discover import Candidate, text_of
from collectors.site.extract import read_article
from collectors.site.mapping import map_page, raw_page, signature
from collectors.site.polite import Disallowed, PoliteFetcher
from collectors.site.replay import ReplayFetcher
from collectors.site.state import KnownPage, SiteState
from collectors.site.ways import Ways, is_newer

log = logging.getLogger(__name__)
MIN_TEXT = 40  # characters: less than this from a page is navigation, not an article


@dataclass
class _Read:
    batch: Batch = field(default_factory=Batch)
    fetched: int = 0  # pages asked for in this scan
    stopped: bool = False  # the site stopped answering: the rest waits for the next scan

    @property
    def problems(self) -> list[str]:
        return self.batch.problems


class SiteCollector:
    platform: ClassVar[str] = "site"

    def __init__(self, source, fetcher: PoliteFetcher, timezone_name: str = "Europe/Moscow",
                 clock: Callable[[], float] = time.time):
        self.source, self.fetcher, self.tz, self.clock = source, fetcher, timezone_name, clock

    def collect(self, watermark: str | None) -> Batch:
        try:
            return self._collect(SiteState.parse(watermark, self.source.key))
        finally:
            self.fetcher.close()

    def _collect(self, state: SiteState) -> Batch:
        now = self.clock()
        recheck = now - self.source.recheck_days * 86400
        new = SiteState(way=state.way, seen=list(state.seen), pending=dict(state.pending),
                        validators=dict(state.validators), children=list(state.children))
        new.known = {url: page for url, page in state.known.items() if page.date > recheck or url in self.source.pages}
        for url in set(state.known) - set(new.known):
            new.forget_later(url)
        read = _Read()
        candidates = self._candidates(state, new, read)
        listed = {c.url for c in candidates}
        candidates += [Candidate(url, None if d is None else datetime.fromtimestamp(d, tz=timezone.utc))
                       for url, d in state.pending.items() if url not in listed]
        queue = list({c.url: c for c in reversed(candidates) if self._wants(c, state, recheck)}.values())[::-1]
        queue += [Candidate(url) for url in new.known if url not in {c.url for c in queue}]
        for n, candidate in enumerate(queue):
            if read.fetched >= self.source.max_articles or (n and read.stopped):
                self._defer(queue[n:], new)
                if not read.stopped:
                    read.problems.append(f"{self.source.key}: прочитано {read.fetched} страниц (лимит max_articles), "
                                         f"остальные ({len(queue) - n}) — при следующем сканировании")
                break
            try:
                self._page(candidate, state, new, read, now)
            except SourceUnavailable as exc:
                if not read.batch.posts:
                    raise
                read.problems.append(f"{exc}; прочитанное сохранено")
                read.stopped = True
        read.batch.problems, new.reported = report_once(read.problems, state.reported)
        read.batch.watermark = new.dump()
        return read.batch

    @staticmethod
    def _defer(rest: list[Candidate], new: SiteState) -> None:
        for candidate in rest:
            if candidate.url not in new.known:
                new.pending[candidate.url] = int(candidate.dated.timestamp()) if candidate.dated else None

    def _candidates(self, state: SiteState, new: SiteState, read: _Read) -> list[Candidate]:
        if self.source.pages:
            return [Candidate(url) for url in self.source.pages]
        ways = Ways(self.source, self.fetcher, state, new)
        if state.way is not None:
            try:
                return ways.read(state.way)
            except (CollectorError, Disallowed) as exc:  # the way stopped working: find another next time
                new.way = None
                read.problems.append(f"{self.source.key}: {state.way[0]} {state.way[1]} больше не читается ({exc}); "
                                     "способ найти статьи будет определён заново")
                return []
        try:
            new.way, found = ways.discover()
        except Disallowed as exc:
            raise CollectorError(f"{self.source.key}: robots.txt запрещает читать {exc}") from None
        log.info("%s: articles found by %s %s", self.source.key, *new.way)
        return found

    def _wants(self, candidate: Candidate, state: SiteState, recheck: float) -> bool:
        known = state.known.get(candidate.url)
        if known is not None:  # fetched again anyway while recent; older ones when the site says they changed
            return known.date > recheck or is_newer(candidate, known.date)
        if state.is_seen(candidate.url):
            return False
        return candidate.dated is None or candidate.dated.timestamp() >= self._floor(self.clock())

    def _floor(self, now: float) -> float:
        """Articles dated before this are not stored (``backfill_days``)."""
        return now - self.source.backfill_days * 86400 if self.source.backfill_days else float("-inf")

    def _page(self, candidate: Candidate, state: SiteState, new: SiteState, read: _Read, now: float) -> None:
        url, key = candidate.url, self.source.key
        known = state.known.get(url)
        read.fetched += 1
        try:
            fetched = self.fetcher.get(url, known.etag if known else None, known.modified if known else None)
        except Disallowed:
            read.problems.append(f"{key}: robots.txt запрещает читать {url}; страница пропущена")
            new.forget_later(url)
            return
        except CollectorError as exc:
            read.problems.append(f"{exc}")
            self._defer([candidate], new)
            return
        if fetched.status == 304:
            return
        article = read_article(text_of(fetched.content, fetched.charset), fetched.url or url, self.tz,
                               self.source.include_comments)
        if len(article.text) < MIN_TEXT:
            read.problems.append(f"{key}: item {url}: field «text»: текст статьи не выделен, страница пропущена")
            read.batch.skipped += 1
            new.forget_later(url)
            return
        date, dated_by = self._date(article.date, candidate, known, now)
        if url not in self.source.pages and date.timestamp() < self._floor(now):
            new.forget_later(url)  # older than the backfill: remembered, not stored
            return
        page = {"url": url, "title": article.title, "text": article.text, "date": date.isoformat(),
                "dated_by": dated_by}
        try:
            post = map_page(page, key, self.source.reach or 0)
        except BadPayload as exc:
            read.problems.append(str(exc))
            read.batch.skipped += 1
            return
        new.pending.pop(url, None)
        sig = signature(post)
        if known is None or known.signature != sig:
            read.batch.posts.append(post)
            read.batch.raw[post.id] = raw_page(post, page, self.source.reach or 0)
        stamp = int(date.timestamp())
        if stamp > now - self.source.recheck_days * 86400 or url in self.source.pages:
            new.known[url] = KnownPage(stamp, sig, fetched.etag, fetched.modified)
        else:
            new.forget_later(url)

    @staticmethod
    def _date(found: datetime | None, candidate: Candidate, known: KnownPage | None,
              now: float) -> tuple[datetime, str]:
        if found is not None:
            return found, "page"
        if candidate.dated is not None:
            return candidate.dated, "list"
        if known is not None:
            return datetime.fromtimestamp(known.date, tz=timezone.utc), "first_seen"
        return datetime.fromtimestamp(int(now), tz=timezone.utc), "first_seen"


@register("site")
def build(source, settings) -> SiteCollector:
    if source.replay:
        fetcher = PoliteFetcher(source, ReplayFetcher(settings.resolve(source.replay), source.key), paced=False)
    else:
        fetcher = PoliteFetcher(source)
    return SiteCollector(source, fetcher, settings.timezone)
