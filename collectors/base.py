"""The one narrow interface every collector implements, and the registry that builds them.

A collector turns one configured source into ``Post``s newer than the source's
watermark. It never analyses, stores or alerts: the pipeline does that, and
moves the watermark only after the posts are stored.

A collector module may also register a *check* (``register_check``): a cheap
probe that ``mcu sources check`` runs to tell staff whether the source can be
read (token valid, chat resolvable, feed parses) before the first scan.

Every post comes with the platform item it was mapped from (``Batch.raw``, 4CAT's habit).
Each platform's mapping module registers its *mapping* (``register_mapping``): its version,
the payload keys that hold citizens' ids, and a pure ``remap(raw, source) -> Post`` that calls
the same map functions as the collector, so ``mcu remap`` can map stored items again.
"""
from __future__ import annotations

import base64
import importlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, ClassVar, Literal, Protocol

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from core.domain import Post, RawItem


class CollectorError(Exception):
    """The source cannot be read at all (bad token, unreachable, unparseable)."""


class SourceUnavailable(Exception):
    """A transient failure that outlived the collector's own retries (network down, server busy).

    Deliberately not a ``CollectorError``: the scan flow treats it as transient and may retry
    the whole source later, while a ``CollectorError`` is permanent until someone fixes it.
    """


class BadPayload(ValueError):
    """One item of a payload is unusable; the message names the source, the item and the field."""

    def __init__(self, source: str, item: object, field: str, reason: str):
        super().__init__(f"{source}: item {item}: field «{field}»: {reason}")
        self.source, self.item, self.field, self.reason = source, item, field, reason


@dataclass
class Batch:
    """What one collect call returns: posts, the watermark to save once they are stored, problems."""

    posts: list[Post] = field(default_factory=list)
    watermark: str | None = None
    problems: list[str] = field(default_factory=list)
    skipped: int = 0
    """Items read but not turned into posts (bad payload, no text), counted on every scan even
    when ``report_once`` keeps their problem lines quiet."""
    raw: dict[str, RawItem] = field(default_factory=dict)
    """Post id → the platform item the post was mapped from, for every post of the batch."""


class Collector(Protocol):
    platform: ClassVar[str]

    def collect(self, watermark: str | None) -> Batch: ...


CollectorFactory = Callable[..., Collector]
REGISTRY: dict[str, CollectorFactory] = {}

CheckStatus = Literal["ok", "warning", "error", "unchecked"]


@dataclass
class SourceCheck:
    """The answer of a source check, in Russian for staff."""

    status: CheckStatus
    detail: str


SourceChecker = Callable[..., SourceCheck]
CHECKS: dict[str, SourceChecker] = {}
PLATFORMS = ("rss", "telegram", "vk")


def register(platform: str) -> Callable[[CollectorFactory], CollectorFactory]:
    def wrap(factory: CollectorFactory) -> CollectorFactory:
        REGISTRY[platform] = factory
        return factory

    return wrap


def register_check(platform: str) -> Callable[[SourceChecker], SourceChecker]:
    """Register ``check(source, settings) -> SourceCheck`` for a platform."""

    def wrap(checker: SourceChecker) -> SourceChecker:
        CHECKS[platform] = checker
        return checker

    return wrap


Remap = Callable[[RawItem, Any], Post]


@dataclass(frozen=True)
class PlatformMapping:
    """What a platform's mapping module declares: its version (bumped when the mapping of a
    payload changes), the payload keys holding citizens' ids (dotted paths, looked for at any
    depth; ``core.privacy.Pseudonymizer.raw`` pseudonymises them), and ``remap``."""

    platform: str
    version: int
    author_fields: tuple[str, ...]
    remap: Remap


MAPPINGS: dict[str, PlatformMapping] = {}


def register_mapping(platform: str, version: int, author_fields: tuple[str, ...]) -> Callable[[Remap], Remap]:
    """Register ``remap(raw, source) -> Post`` for a platform (``source`` is the current source
    config, or None when the source has left the configuration)."""

    def wrap(remap: Remap) -> Remap:
        MAPPINGS[platform] = PlatformMapping(platform, version, tuple(author_fields), remap)
        return remap

    return wrap


def mapping_for(platform: str) -> PlatformMapping:
    """The registered mapping of a platform (its module is imported on first use)."""
    if platform in PLATFORMS:
        importlib.import_module(f"collectors.{platform}.mapping")
    try:
        return MAPPINGS[platform]
    except KeyError:
        raise CollectorError(f"no mapping for platform «{platform}»") from None


def remap(raw: RawItem, source=None) -> Post:
    """Map a stored raw item again with its platform's current mapping; pure (no network).
    A bad item raises ``BadPayload`` naming the source, the item and the field."""
    if source is not None and source.key != raw.source:
        raise ValueError(f"raw item of source {raw.source} given with the config of source {source.key}")
    return mapping_for(str(raw.platform)).remap(raw, source)


def raw_item(post: Post, kind: str, mapper: int, payload: Any, /, **context: Any) -> RawItem:
    """The raw item of ``post``: ``payload`` as received (made JSON-safe) and the mapper's
    other inputs as ``context``."""
    return RawItem(post_id=post.id, platform=post.platform, source=post.source, kind=kind, mapper=mapper,
                   context=json_safe(context), payload=json_safe(payload))


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON: dict subclasses (feedparser's) as dicts, tuples (``struct_time``)
    as lists, datetimes as ISO text, bytes as base64; anything else as its text."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def context_value(raw: RawItem, key: str, kind: type = int) -> Any:
    """A value the mapper needs from the raw item's context; ``BadPayload`` when it is missing."""
    value = raw.context.get(key)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        got = "missing" if value is None else f"{type(value).__name__} {value!r:.40}"
        raise BadPayload(raw.source, raw.post_id, f"context.{key}", f"expected {kind.__name__}, got {got}")
    return value


def unknown_kind(raw: RawItem) -> BadPayload:
    return BadPayload(raw.source, raw.post_id, "kind", f"no {raw.platform} mapping for items of kind «{raw.kind}»")


def _load_platform(platform: str) -> None:
    """Import a platform's collector and check (they register themselves); unknown names are left
    for the caller to report."""
    if platform in PLATFORMS:
        importlib.import_module(f"collectors.{platform}.collector")
        importlib.import_module(f"collectors.{platform}.check")


def build_collector(source, settings) -> Collector:
    """Build the collector for a configured source (a ``core.config.SourceBase`` of a registered platform)."""
    _load_platform(source.platform)
    try:
        factory = REGISTRY[source.platform]
    except KeyError:
        raise CollectorError(f"{source.key}: нет сборщика для платформы «{source.platform}»") from None
    return factory(source, settings)


def check_source(source, settings) -> SourceCheck:
    """Probe one configured source; never raises. A platform without a check says so."""
    _load_platform(source.platform)
    checker = CHECKS.get(source.platform)
    if checker is None:
        return SourceCheck("unchecked", "не проверено: для этой платформы проверка пока не реализована")
    try:
        return as_check(checker(source, settings))
    except Exception as exc:  # a check reports, it does not crash the command
        return SourceCheck("error", f"{type(exc).__name__}: {exc}")


def as_check(value: object) -> SourceCheck:
    """A check's answer as a ``SourceCheck``; ``(ok, detail)`` pairs are accepted too."""
    if isinstance(value, SourceCheck):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        ok, detail = value
        return SourceCheck("ok" if ok is True else "error" if ok is False else "unchecked", str(detail))
    return SourceCheck("error", f"unexpected check result {value!r:.80}")


def retrying(attempts: int, backoff: float, transient: Callable[[BaseException], bool],
             max_wait: float = 60.0) -> Retrying:
    """Tenacity retries with exponential backoff (``backoff``, 2×, 4×… seconds, capped) for transient errors.

    The last error is re-raised as is, so the caller decides what an exhausted retry means.
    """
    return Retrying(stop=stop_after_attempt(max(1, attempts)),
                    wait=wait_exponential(multiplier=backoff, min=backoff, max=max_wait),
                    retry=retry_if_exception(transient), reraise=True)


def report_once(problems: list[str], reported: list[str]) -> tuple[list[str], list[str]]:
    """Problems not reported by the previous scan, and the fingerprints to remember for the next.

    A bad item that stays in a feed or in a re-read window would otherwise be reported on
    every scan; it is reported once, then only logged while it persists.
    """
    import hashlib
    import logging

    fresh, seen = [], []
    for problem in problems:
        mark = hashlib.sha1(problem.encode("utf-8")).hexdigest()[:8]
        if mark in seen:
            continue
        seen.append(mark)
        if mark in reported:
            logging.getLogger(__name__).info("%s (reported before)", problem)
        else:
            fresh.append(problem)
    return fresh, seen
