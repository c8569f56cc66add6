"""The versioned migration path of ``mcu index setup``: reindex every old index into the
new mapping version, then swap the read aliases.

The cluster has no ``_reindex`` (it is a module our test node lacks, and some managed
clusters restrict it), so the copy is client-side. :func:`store.elasticsearch.setup.setup_indices`
runs the whole path when the recorded mapping version is older than the shipped one:

1. put the new version's templates, *without* the read aliases (``mcu-posts-v2-*``
   indices must not join ``mcu-posts`` while they are half full) (setup);
2. for every old index (``mcu-posts-v1-2026.11``, ``mcu-stories-v1`` ...), create its
   new twin and copy every document with ``helpers.scan`` (scroll) and
   ``helpers.streaming_bulk``, re-deriving each document through the domain model
   (``TRANSFORMS``), so derived fields follow the new mapping; then check the two
   counts agree (here);
3. swap the read aliases from all old to all new indices in one atomic ``_aliases``
   request: readers see either all old or all new data, never both (here);
4. re-put the new index templates with their aliases, so indices created later join (setup);
5. record the new version in the meta document (setup);
6. delete the old templates and the old indices (setup).

Every step is idempotent (documents keep their ``_id``), so a run interrupted at any
point is finished by running setup again. Scans should be paused while it runs: a
writer still on the old version would write to the old indices, whose documents are
deleted in step 6. Raw items ride in their post documents and are copied with them.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers

from core.store import StoreError
from store.elasticsearch.connection import translate_errors
from store.elasticsearch.documents import (
    alert_document, alert_from_document, post_document, post_from_document, raw_from_document,
    risk_document, risk_from_document, story_document, story_from_document,
)  # fmt: skip
from store.elasticsearch.appeals import appeal_document, appeal_from_document
from store.elasticsearch.indices import create_index, create_posts_month
from store.elasticsearch.names import IndexNames
from store.elasticsearch.templates import VERSIONED_KINDS

log = logging.getLogger(__name__)
Json = dict[str, Any]
SINGLE_KINDS = ("stories", "risks", "alerts", "appeals")


@dataclass
class Reindexed:
    """What steps 2 and 3 did: the new indices created, and documents copied per kind."""

    created_indices: list[str] = field(default_factory=list)
    copied: dict[str, int] = field(default_factory=dict)


def reindex(client: Elasticsearch, names: IndexNames, old: int, ilm: bool) -> Reindexed:
    """Steps 2 and 3: copy every index of version ``old`` into its twin of ``names.version``,
    then point every read alias at the new indices only."""
    done = Reindexed()
    pairs = _pairs(client, names, IndexNames(names.prefix, old))
    for kind, source, target in pairs:
        if kind == "posts":
            parsed = names.parse(target)
            assert parsed and parsed[2]
            if create_posts_month(client, names, datetime(*parsed[2], 1, tzinfo=timezone.utc), ilm=ilm):
                done.created_indices.append(target)
        elif create_index(client, target):
            done.created_indices.append(target)
        done.copied[kind] = done.copied.get(kind, 0) + _copy(client, source, target, TRANSFORMS[kind])
    _swap_aliases(client, names, [{"add": {"index": target, "alias": names.alias(kind)}}
                                  for kind, _, target in pairs])
    return done


def _pairs(client: Elasticsearch, names: IndexNames, old_names: IndexNames) -> list[tuple[str, str, str]]:
    """``(kind, old index, new index)`` for every index of the old version."""
    pairs: list[tuple[str, str, str]] = []
    with translate_errors("list old indices", names.prefix):
        posts = sorted(client.indices.get(index=old_names.posts_pattern(old_names.version), ignore_unavailable=True))
        for index in posts:
            parsed = old_names.parse(index)
            if parsed and parsed[0] == "posts" and parsed[1] == old_names.version and parsed[2]:
                year, month = parsed[2]
                pairs.append(("posts", index, names.posts_month(datetime(year, month, 1, tzinfo=timezone.utc))))
        for kind in SINGLE_KINDS:
            if client.indices.exists(index=old_names.single(kind)):
                pairs.append((kind, old_names.single(kind), names.single(kind)))
    return pairs


def _swap_aliases(client: Elasticsearch, names: IndexNames, actions: list[Json]) -> None:
    """Add the new indices and remove every other version's from the read aliases, atomically."""
    with translate_errors("swap aliases", names.prefix):
        for kind in VERSIONED_KINDS:
            try:
                current = client.indices.get_alias(name=names.alias(kind))
            except NotFoundError:
                current = {}
            actions += [{"remove": {"index": i, "alias": names.alias(kind)}} for i in current
                        if (names.parse(i) or ("", 0, None))[1] != names.version]
        if actions:
            client.indices.update_aliases(actions=actions)


def _copy(client: Elasticsearch, source: str, target: str, transform: Callable[[Json], Json]) -> int:
    with translate_errors(f"copy {source} → {target}", source):
        hits = helpers.scan(client, index=source, query={"query": {"match_all": {}}}, size=1000)
        actions = ({"_op_type": "index", "_index": target, "_id": h["_id"], "_source": _transformed(transform, h)}
                   for h in hits)
        copied, errors = 0, []
        for ok, item in helpers.streaming_bulk(client, actions, chunk_size=500, raise_on_error=False,
                                               max_retries=3):
            copied += ok
            if not ok:
                errors.append(item)
        if errors:
            raise StoreError(f"elasticsearch {source} → {target}: {len(errors)} documents failed, e.g. {errors[0]}")
        client.indices.refresh(index=f"{source},{target}")
        counts = client.count(index=source)["count"], client.count(index=target)["count"]
    if counts[0] != counts[1]:
        raise StoreError(f"elasticsearch reindex {source} → {target}: {counts[0]} documents became {counts[1]}")
    log.info("reindexed %s → %s: %d documents", source, target, copied)
    return copied


def _transformed(transform: Callable[[Json], Json], hit: Json) -> Json:
    try:
        return transform(hit["_source"])
    except (ValueError, KeyError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
        raise StoreError(
            f"elasticsearch reindex: {hit['_index']}/{hit['_id']} does not fit the domain model: {exc};"
            " fix or delete that document, then run `mcu index setup` again (it resumes)"
        ) from exc


def _keep(source: Json, doc: Json, *fields: str) -> Json:
    doc.update({f: source[f] for f in fields if f in source})
    return doc


def _post(source: Json) -> Json:
    post, analysis = post_from_document(source)
    doc = post_document(post, analysis, datetime.now(timezone.utc), raw_from_document(source))
    return _keep(source, doc, "indexed_at")


TRANSFORMS: dict[str, Callable[[Json], Json]] = {
    "posts": _post,
    "stories": lambda s: story_document(story_from_document(s)),
    "risks": lambda s: risk_document(risk_from_document(s)),
    "appeals": lambda s: appeal_document(appeal_from_document(s)),
    "alerts": lambda s: _keep(s, alert_document(alert_from_document(s), datetime.now(timezone.utc)), "recorded_at"),
}
