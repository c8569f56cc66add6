"""The one narrow interface every collector implements, and the registry that builds them.

A collector turns one configured source into ``Post``s newer than the source's
watermark. It never analyses, stores or alerts: the pipeline does that, and
moves the watermark only after the posts are stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, ClassVar, Protocol

from mcu.domain import Post


class CollectorError(Exception):
    """The source cannot be read at all (bad token, unreachable, unparseable)."""


class BadPayload(ValueError):
    """One item of a payload is unusable; the message names the source, the item and the field."""

    def __init__(self, source: str, item: object, field: str, reason: str):
        super().__init__(f"{source}: item {item}: field «{field}»: {reason}")
        self.source, self.item, self.field = source, item, field


@dataclass
class Batch:
    """What one collect call returns: posts, the watermark to save once they are stored, problems."""

    posts: list[Post] = field(default_factory=list)
    watermark: str | None = None
    problems: list[str] = field(default_factory=list)


class Collector(Protocol):
    platform: ClassVar[str]

    def collect(self, watermark: str | None) -> Batch: ...


CollectorFactory = Callable[..., Collector]
REGISTRY: dict[str, CollectorFactory] = {}


def register(platform: str) -> Callable[[CollectorFactory], CollectorFactory]:
    def wrap(factory: CollectorFactory) -> CollectorFactory:
        REGISTRY[platform] = factory
        return factory

    return wrap


def build_collector(source, settings) -> Collector:
    """Build the collector for a configured source (``mcu.config.SourceConfig``)."""
    import collectors.rss  # noqa: F401  (registration side effects)
    import collectors.telegram  # noqa: F401
    import collectors.vk  # noqa: F401

    try:
        factory = REGISTRY[source.platform]
    except KeyError:
        raise CollectorError(f"{source.key}: no collector for platform «{source.platform}»") from None
    return factory(source, settings)
