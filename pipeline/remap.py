"""Map the stored raw items again with the current mappings, without collecting again
(``mcu remap``): what an operator runs after a mapping fix, e.g. when VK changes a field.

For each stored raw item (of the chosen sources, or platform): the platform's ``remap``
makes the post again, it is pseudonymised as at collection, and compared with the stored
post. A changed post is analysed again and written with its raw item, keeping its story
(which is queued for the next alert step, so its risk is scored again); an unchanged one
only has its raw item's mapper version brought up to date. A bad item is reported by
source, item and field, and the others go on. Items are read and written a page at a time.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from pydantic import ValidationError

from collectors.base import BadPayload, CollectorError, mapping_for, remap
from core.config import Settings
from core.domain import Analysis, Post, RawItem
from core.privacy import Pseudonymizer
from core.store import Store

PAGE = 200  # raw items mapped, compared and written together

Analyse = Callable[[list[Post]], list[Analysis]]


@dataclass(frozen=True)
class RemapProblem:
    """A raw item that could not be mapped again."""

    source: str
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class RemapCounts:
    """Raw items of one source mapped again, as changed or unchanged posts, and bad ones."""

    changed: int = 0
    unchanged: int = 0
    errors: int = 0

    @property
    def remapped(self) -> int:
        return self.changed + self.unchanged


@dataclass
class RemapReport:
    by_source: dict[str, RemapCounts] = field(default_factory=dict)
    problems: list[RemapProblem] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0

    @property
    def total(self) -> RemapCounts:
        counts = self.by_source.values()
        return RemapCounts(*(sum(getattr(c, name) for c in counts) for name in ("changed", "unchanged", "errors")))

    def counts(self, source: str) -> RemapCounts:
        return self.by_source.setdefault(source, RemapCounts())


class Remapper:
    """One remap run over a store: ``run`` reads, maps, compares and writes page by page."""

    def __init__(self, store: Store, settings: Settings, analyse: Analyse, pseudonymizer: Pseudonymizer,
                 *, dry_run: bool = False, progress: Callable[[int], None] | None = None) -> None:
        self.store = store
        self.analyse = analyse
        self.pseudonymizer = pseudonymizer
        self.sources = {s.key: s for s in settings.sources}
        self.progress = progress or (lambda done: None)
        self.report = RemapReport(dry_run=dry_run)

    def run(self, sources: Iterable[str] = (), platform: str | None = None) -> RemapReport:
        started = time.perf_counter()
        for page in _pages(self._items(list(sources), platform)):
            self._page(page)
            self.progress(len(page))
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _items(self, sources: list[str], platform: str | None) -> Iterator[RawItem]:
        if not sources:
            yield from self.store.raw_items(platform=platform)
        for key in sources:
            yield from self.store.raw_items(source=key, platform=platform)

    def _page(self, page: list[RawItem]) -> None:
        mapped: list[tuple[RawItem, Post]] = []
        for raw in page:
            post = self._remap(raw)
            if post is not None:
                mapped.append((raw, post))
        stored = {pair[0].id: pair for pair in self.store.posts_by_ids(post.id for _, post in mapped)}
        writes: list[tuple[Post, Analysis | None, RawItem]] = []
        for raw, post in mapped:
            counts = self.report.counts(raw.source)
            if post.id not in stored:
                self._problem(raw, "id", "the post of this raw item is no longer stored")
                continue
            before, analysis = stored[post.id]
            current = self._current(raw)
            if before.model_dump_json() == post.model_dump_json() and analysis is not None:
                counts.unchanged += 1
                if current != raw:  # the same post, now from the current mapper version
                    writes.append((before, analysis, current))
            else:
                counts.changed += 1
                writes.append((post, None, current))
        if writes and not self.report.dry_run:
            self._write(writes, stored)

    def _remap(self, raw: RawItem) -> Post | None:
        """The post mapped again and pseudonymised, or None with the problem recorded."""
        try:
            post = self.pseudonymizer.apply(remap(raw, self.sources.get(raw.source)))
        except BadPayload as exc:
            self._problem(raw, exc.field, exc.reason, item=str(exc.item))
            return None
        except ValidationError as exc:
            error = exc.errors()[0]
            self._problem(raw, ".".join(str(p) for p in error["loc"]) or "(item)", error["msg"])
            return None
        except (CollectorError, ValueError, TypeError, KeyError) as exc:
            self._problem(raw, "(item)", f"{type(exc).__name__}: {exc}")
            return None
        if post.id != raw.post_id:
            self._problem(raw, "native_id", f"now maps to «{post.native_id}», another post id; not written"
                          " (the post would be stored twice)")
            return None
        return post

    def _current(self, raw: RawItem) -> RawItem:
        """The raw item as the current mapping keeps it: its version, its author fields."""
        mapping = mapping_for(raw.platform)
        return self.pseudonymizer.raw(raw.model_copy(update={"mapper": mapping.version}), mapping.author_fields)

    def _write(self, writes: list[tuple[Post, Analysis | None, RawItem]], stored: dict) -> None:
        fresh = [post for post, analysis, _ in writes if analysis is None]
        analyses = iter(self.analyse(fresh) if fresh else [])
        items: list[tuple[Post, Analysis]] = []
        stories: set[str] = set()
        for post, analysis, _ in writes:
            if analysis is None:
                kept = stored[post.id][1]
                analysis = next(analyses)
                analysis.story_id = kept.story_id if kept is not None else None
                stories.update([analysis.story_id] if analysis.story_id else [])
            items.append((post, analysis))
        self.store.upsert_posts(items, {raw.post_id: raw for _, _, raw in writes})
        if stories:
            self.store.add_pending_stories(stories)  # the next alert step scores them again

    def _problem(self, raw: RawItem, field_name: str, reason: str, item: str | None = None) -> None:
        """Record a bad raw item: ``item`` is the platform's id of it when the mapping named one."""
        self.report.counts(raw.source).errors += 1
        shown = f"{item} (post {raw.post_id}, {raw.kind})" if item and item != raw.post_id else \
            f"{raw.post_id} ({raw.kind})"
        message = f"{raw.source}: item {shown}: field «{field_name}»: {reason}"
        self.report.problems.append(RemapProblem(raw.source, item or raw.post_id, field_name, message))


def remap_store(store: Store, settings: Settings, analyse: Analyse, pseudonymizer: Pseudonymizer, *,
                sources: Iterable[str] = (), platform: str | None = None, dry_run: bool = False,
                progress: Callable[[int], None] | None = None) -> RemapReport:
    """Map the stored raw items of ``sources`` (all when empty) and ``platform`` again; see the
    module docstring. ``dry_run`` counts without writing; ``progress`` gets each page's size."""
    remapper = Remapper(store, settings, analyse, pseudonymizer, dry_run=dry_run, progress=progress)
    return remapper.run(sources, platform)


class LazyAnalyser:
    """The NLP, loaded only when a remapped post changed (a remap that changes nothing needs none)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._analyzer = None

    def __call__(self, posts: list[Post]) -> list[Analysis]:
        if self._analyzer is None:
            from nlp import Analyzer

            self._analyzer = Analyzer.from_settings(self.settings)
        return self._analyzer.analyze(posts)


def _pages(items: Iterator[RawItem]) -> Iterator[list[RawItem]]:
    page: list[RawItem] = []
    for item in items:
        page.append(item)
        if len(page) >= PAGE:
            yield page
            page = []
    if page:
        yield page
