"""Create or upgrade a store's templates and indices: ``mcu index setup``.

``setup_indices`` is idempotent. It compares the shipped mapping version
(``store/elasticsearch/mappings/templates/version.json``) with the one recorded in the meta
document ``{prefix}-meta/_doc/mapping``, then does one of three things:

* **fresh**: put the component and index templates, create the stories, risks and
  alerts indices and this month's posts index (so every alias exists), record the version;
* **same version**: re-put the templates, create anything missing, remove what an
  interrupted reindex left behind, and warn when the templates' fingerprint differs
  from the recorded one;
* **older version**: the reindex path of :mod:`store.elasticsearch.migration`, between
  putting the new templates without their read aliases (step 1) and putting them again
  with the aliases (step 4); then this module records the new version (step 5) and
  deletes the old templates and indices (step 6).

On clusters with ILM (``GET _ilm/status`` answers) the retention policy
``{prefix}-posts-retention`` is put and composed into the posts template; without ILM
(our test node, OpenSearch, serverless) retention is ``Store.purge_before`` alone, and
the report says so.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError

from core.store import StoreError
from store.elasticsearch.connection import translate_errors
from store.elasticsearch.documents import timestamp
from store.elasticsearch.indices import create_index, create_posts_month
from store.elasticsearch.migration import SINGLE_KINDS, reindex
from store.elasticsearch.names import IndexNames, check_prefix
from store.elasticsearch.templates import KINDS, VERSIONED_KINDS, TemplateSet

log = logging.getLogger(__name__)
Json = dict[str, Any]
MAPPING_DOC = "mapping"


@dataclass(frozen=True)
class IlmStatus:
    available: bool
    detail: str
    policy: str | None = None


@dataclass(frozen=True)
class MappingState:
    """What the meta document says was applied."""

    version: int
    fingerprint: str
    ilm: bool


@dataclass
class SetupReport:
    prefix: str
    mapping_version: int
    previous_version: int | None
    action: str  # "created", "updated" or "migrated"
    ilm: IlmStatus
    templates: list[str] = field(default_factory=list)
    created_indices: list[str] = field(default_factory=list)
    copied: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def detect_ilm(client: Elasticsearch) -> IlmStatus:
    """Whether the cluster has index lifecycle management (``GET _ilm/status``).

    A cluster without ILM answers 405 (our test node) or 410 (serverless); the client's
    node pool then benches the node ("has failed") until its next good answer ("marked
    alive"). Both would only alarm whoever runs setup: that logger is quiet during the
    probe, and a ``GET /`` right after it brings the node back."""
    pool_log = logging.getLogger("elastic_transport.node_pool")
    level = pool_log.level
    pool_log.setLevel(logging.ERROR)
    try:
        with translate_errors("detect ILM", "cluster"):
            try:
                status = client.ilm.get_status()
            except ApiError as exc:
                if exc.meta.status in (400, 404, 405, 410):
                    client.info()
                    return IlmStatus(False, f"no ILM here (GET _ilm/status: HTTP {exc.meta.status})")
                raise
    finally:
        pool_log.setLevel(level)
    mode = status.get("operation_mode")
    if mode is None:
        return IlmStatus(False, "GET _ilm/status answered without operation_mode")
    return IlmStatus(True, f"ILM {mode}")


def read_state(client: Elasticsearch, prefix: str) -> MappingState | None:
    with translate_errors("read the mapping version", prefix):
        try:
            doc = client.get(index=f"{prefix}-meta", id=MAPPING_DOC)
        except NotFoundError:
            return None
    source = doc["_source"]
    return MappingState(int(source["mapping_version"]), str(source.get("fingerprint", "")), bool(source.get("ilm")))


def setup_indices(
    client: Elasticsearch,
    prefix: str = "mcu",
    retention_days: int | None = 365,
    *,
    templates: TemplateSet | None = None,
) -> SetupReport:
    """Create or upgrade everything of ``prefix`` (see the module docstring).
    ``retention_days=None`` skips ILM altogether (the store's automatic first setup)."""
    started = time.perf_counter()
    check_prefix(prefix)
    templates = templates or TemplateSet.load()
    names = IndexNames(prefix, templates.version)
    ilm = detect_ilm(client) if retention_days is not None else IlmStatus(False, "not configured by this setup")
    report = SetupReport(prefix, templates.version, None, "created", ilm)

    with translate_errors("put templates", prefix):
        for name, body in templates.render_components(prefix, ilm=ilm.available).items():
            client.cluster.put_component_template(name=name, **body)
            report.templates.append(name)
        if ilm.available and retention_days is not None:
            policy = templates.ilm_policy_name(prefix)
            client.ilm.put_lifecycle(name=policy, **templates.render_ilm_policy(prefix, retention_days))
            report.ilm = IlmStatus(True, f"{ilm.detail}; posts deleted {retention_days} days after their month", policy)
        meta_template = templates.index_template_name(prefix, "meta")
        rendered = templates.render_index_templates(prefix, ilm=ilm.available)
        client.indices.put_index_template(name=meta_template, **rendered[meta_template])
    if create_index(client, names.meta):
        report.created_indices.append(names.meta)

    state = read_state(client, prefix)
    if state is not None and state.version > templates.version:
        raise StoreError(
            f"elasticsearch {prefix}: the cluster has mapping version {state.version}, newer than this"
            f" software's {templates.version}; upgrade mcu-monitor"
        )
    report.previous_version = state.version if state else None
    migrating = state is not None and state.version < templates.version
    _put_index_templates(client, templates, prefix, ilm.available, aliases=not migrating, report=report)

    if migrating:
        assert state is not None
        report.action = "migrated"
        done = reindex(client, names, state.version, ilm.available)
        report.created_indices += done.created_indices
        report.copied = done.copied
        _put_index_templates(client, templates, prefix, ilm.available, aliases=True, report=None)
    else:
        report.action = "created" if state is None else "updated"
        if state is not None and state.fingerprint != templates.fingerprint:
            report.warnings.append(
                f"mapping version {state.version} was recorded with another fingerprint ({state.fingerprint});"
                " the templates changed without a version bump, existing indices keep the old mapping"
            )
    for kind in SINGLE_KINDS:
        if create_index(client, names.single(kind)):
            report.created_indices.append(names.single(kind))
    month = names.posts_month(datetime.now(timezone.utc))
    if create_posts_month(client, names, datetime.now(timezone.utc), ilm=ilm.available):
        report.created_indices.append(month)
    _write_state(client, names, templates, ilm.available)
    report.removed += _remove_other_versions(client, names, templates)
    with translate_errors("refresh", prefix):
        client.indices.refresh(index=f"{names.meta},{month}", ignore_unavailable=True)
    report.seconds = time.perf_counter() - started
    log.info("elasticsearch %s: setup %s (mapping v%s) in %.2fs", prefix, report.action, templates.version,
             report.seconds)
    return report


def drop_store(client: Elasticsearch, prefix: str) -> list[str]:
    """Delete every index, template and ILM policy of ``prefix`` (tests, decommissioning)."""
    check_prefix(prefix)
    removed: list[str] = []
    with translate_errors("drop", prefix):
        indices = [i for i in client.indices.get(index=f"{prefix}-*", expand_wildcards="all") if _ours(prefix, i)]
        for index in indices:
            client.indices.delete(index=index, ignore_unavailable=True)
        removed += indices
        for name in _our_templates(client, prefix, index_templates=True):
            client.indices.delete_index_template(name=name)
            removed.append(name)
        for name in _our_templates(client, prefix, index_templates=False):
            client.cluster.delete_component_template(name=name)
            removed.append(name)
        if detect_ilm(client).available:
            try:
                client.ilm.delete_lifecycle(name=TemplateSet.ilm_policy_name(prefix))
                removed.append(TemplateSet.ilm_policy_name(prefix))
            except NotFoundError:
                pass
    return removed


# internals ----------------------------------------------------------------
def _put_index_templates(client: Elasticsearch, templates: TemplateSet, prefix: str, ilm: bool, *,
                         aliases: bool, report: SetupReport | None) -> None:
    rendered = templates.render_index_templates(prefix, ilm=ilm, aliases=aliases)
    with translate_errors("put index templates", prefix):
        for name, body in rendered.items():
            client.indices.put_index_template(name=name, **body)
            if report is not None and name not in report.templates:
                report.templates.append(name)


def _write_state(client: Elasticsearch, names: IndexNames, templates: TemplateSet, ilm: bool) -> None:
    with translate_errors("record the mapping version", names.prefix):
        client.index(index=names.meta, id=MAPPING_DOC, refresh=True, document={
            "kind": "mapping", "mapping_version": templates.version, "fingerprint": templates.fingerprint,
            "ilm": ilm, "updated_at": timestamp(datetime.now(timezone.utc)),
        })  # fmt: skip


def _remove_other_versions(client: Elasticsearch, names: IndexNames, templates: TemplateSet) -> list[str]:
    """Step 6: old templates and old indices (never one that a read alias still points to)."""
    removed: list[str] = []
    with translate_errors("remove old versions", names.prefix):
        for name in _our_templates(client, names.prefix, index_templates=True):
            if name != templates.index_template_name(names.prefix, "meta") and not name.endswith(f"-v{names.version}"):
                client.indices.delete_index_template(name=name)
                removed.append(name)
        for name in _our_templates(client, names.prefix, index_templates=False):
            if not name.endswith(f"-v{names.version}"):
                client.cluster.delete_component_template(name=name)
                removed.append(name)
        found = client.indices.get(index=f"{names.prefix}-*", expand_wildcards="all", features="aliases")
        for index, info in found.items():
            parsed = names.parse(index)
            if parsed and parsed[0] in VERSIONED_KINDS and parsed[1] != names.version and not info.get("aliases"):
                client.indices.delete(index=index)
                removed.append(index)
    return removed


def _ours(prefix: str, index: str) -> bool:
    if index == f"{prefix}-meta":
        return True
    parsed = IndexNames(prefix, 0).parse(index)
    return parsed is not None and parsed[0] in VERSIONED_KINDS


def _our_templates(client: Elasticsearch, prefix: str, *, index_templates: bool) -> list[str]:
    """Template names ``{prefix}-<known>-v<n>`` (and ``{prefix}-meta``) managed by mcu-monitor."""
    try:
        if index_templates:
            items = client.indices.get_index_template(name=f"{prefix}-*")["index_templates"]
            bodies = {i["name"]: i["index_template"] for i in items}
        else:
            items = client.cluster.get_component_template(name=f"{prefix}-*")["component_templates"]
            bodies = {i["name"]: i["component_template"] for i in items}
    except NotFoundError:
        return []
    known = set(KINDS) | set(TemplateSet.load().components)
    result = []
    for name, body in bodies.items():
        stem = name[len(prefix) + 1 :]
        short = stem.rsplit("-v", 1)[0] if "-v" in stem else stem
        if (body.get("_meta") or {}).get("managed_by") == "mcu-monitor" and short in known:
            result.append(name)
    return sorted(result)
