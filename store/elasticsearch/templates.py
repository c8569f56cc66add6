"""The index templates and the ILM policy shipped in ``store/elasticsearch/mappings/`` (package data,
so an installed mcu-monitor has them in any folder), rendered for a prefix.

The JSON files are the single source of truth: operators can read them, and
``mcu index setup`` applies them. Strings in them may hold ``{{prefix}}``,
``{{version}}`` and ``{{retention_days}}``.

``templates/version.json`` holds the mapping version and a fingerprint of every
template. Changing a template without bumping the version would leave existing
indices on the old mapping, so loading refuses a fingerprint that does not match
and says what to write instead. A new version makes ``mcu index setup`` reindex
(see :mod:`store.elasticsearch.setup`).

All template names carry the version (``mcu-posts-mappings-v2``), so two versions can
coexist while a reindex runs.
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.store import StoreError

DEPLOY_DIR = Path(__file__).resolve().parent / "mappings"
KINDS: tuple[str, ...] = ("posts", "stories", "risks", "alerts", "appeals", "meta")
VERSIONED_KINDS: tuple[str, ...] = ("posts", "stories", "risks", "alerts", "appeals")
LIFECYCLE_COMPONENT = "posts-lifecycle"

Json = dict[str, Any]


class TemplateError(StoreError):
    """The shipped templates are missing, malformed, or changed without a version bump."""


@dataclass(frozen=True)
class TemplateSet:
    """Unrendered component templates (by short name), index templates (by kind) and the ILM policy."""

    version: int
    fingerprint: str
    components: dict[str, Json]
    index_templates: dict[str, Json]
    ilm_policy: Json

    @classmethod
    def load(cls, directory: Path = DEPLOY_DIR) -> TemplateSet:
        folder = directory / "templates"
        try:
            components = {p.stem.removeprefix("component-"): _read(p) for p in sorted(folder.glob("component-*.json"))}
            index_templates = {p.stem.removeprefix("index-"): _read(p) for p in sorted(folder.glob("index-*.json"))}
            ilm_policy = _read(directory / "ilm" / "posts-retention.json")
            recorded = _read(folder / "version.json")
        except OSError as exc:
            raise TemplateError(f"elasticsearch templates in {directory}: cannot read: {exc}") from exc
        missing = [k for k in KINDS if k not in index_templates]
        if missing:
            raise TemplateError(f"{folder}: no index template for {missing}")
        computed = fingerprint(components, index_templates)
        if recorded.get("fingerprint") != computed:
            raise TemplateError(
                f"{folder}: the templates changed but version.json was not updated. Bump "
                f"mapping_version (now {recorded.get('mapping_version')}) and set \"fingerprint\": "
                f"\"{computed}\"; `mcu index setup` then reindexes into the new mapping."
            )
        return cls(int(recorded["mapping_version"]), computed, components, index_templates, ilm_policy)

    def with_version(self, version: int) -> TemplateSet:
        """The same templates under another version number (a rehearsal of a reindex)."""
        return replace(self, version=version)

    # names --------------------------------------------------------------
    def component_name(self, prefix: str, short: str) -> str:
        return f"{prefix}-{short}-v{self.version}"

    def index_template_name(self, prefix: str, kind: str) -> str:
        return f"{prefix}-{kind}" if kind == "meta" else f"{prefix}-{kind}-v{self.version}"

    @staticmethod
    def ilm_policy_name(prefix: str) -> str:
        return f"{prefix}-posts-retention"

    # rendering ----------------------------------------------------------
    def render_components(self, prefix: str, *, ilm: bool) -> dict[str, Json]:
        """Component templates by full name; the lifecycle one only when the cluster has ILM."""
        return {
            self.component_name(prefix, short): self._render(body, prefix)
            for short, body in self.components.items()
            if ilm or short != LIFECYCLE_COMPONENT
        }

    def render_index_templates(self, prefix: str, *, ilm: bool, aliases: bool = True) -> dict[str, Json]:
        """Composable index templates by full name. ``aliases=False`` leaves the read aliases
        out, for the new version's indices while a reindex fills them."""
        rendered: dict[str, Json] = {}
        for kind, body in self.index_templates.items():
            template = self._render(body, prefix)
            if kind == "posts" and ilm:
                template["composed_of"].append(self.component_name(prefix, LIFECYCLE_COMPONENT))
            if not aliases:
                template.get("template", {}).pop("aliases", None)
            rendered[self.index_template_name(prefix, kind)] = template
        return rendered

    def render_ilm_policy(self, prefix: str, retention_days: int) -> Json:
        return _substitute(self.ilm_policy, {"prefix": prefix, "retention_days": str(retention_days)})

    def _render(self, body: Json, prefix: str) -> Json:
        return _substitute(body, {"prefix": prefix, "version": str(self.version)})

    # reading ------------------------------------------------------------
    def properties(self, kind: str) -> Json:
        """The merged ``mappings.properties`` of a kind's composed components (unrendered)."""
        merged: Json = {}
        for name in self.index_templates[kind]["composed_of"]:
            short = name.removeprefix("{{prefix}}-").removesuffix("-v{{version}}")
            merged.update(self.components[short].get("template", {}).get("mappings", {}).get("properties", {}))
        return merged


def field_paths(properties: Json, parent: str = "") -> dict[str, str]:
    """Every field path of a mapping (``sentiment.label``, ``title.keyword``,
    ``toponyms.name``) with its type (``object``/``nested`` for containers)."""
    paths: dict[str, str] = {}
    for name, spec in properties.items():
        path = f"{parent}{name}"
        paths[path] = spec.get("type", "object")
        paths.update(field_paths(spec.get("properties", {}), f"{path}."))
        for sub, sub_spec in spec.get("fields", {}).items():
            paths[f"{path}.{sub}"] = sub_spec.get("type", "object")
    return paths


def fingerprint(components: dict[str, Json], index_templates: dict[str, Json]) -> str:
    """sha256 of the templates without their ``_meta`` documentation, in canonical JSON."""
    canonical = json.dumps(
        _strip_meta({"components": components, "index_templates": index_templates}),
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )  # fmt: skip
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _strip_meta(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_meta(v) for k, v in value.items() if k != "_meta"}
    if isinstance(value, list):
        return [_strip_meta(v) for v in value]
    return value


def _substitute(value: Any, variables: dict[str, str]) -> Any:
    """A deep copy with every ``{{name}}`` in keys and string values replaced."""
    if isinstance(value, dict):
        return {_substitute(k, variables): _substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, variables) for v in value]
    if isinstance(value, str):
        for name, replacement in variables.items():
            value = value.replace("{{" + name + "}}", replacement)
        return value
    return copy.deepcopy(value)


def _read(path: Path) -> Json:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TemplateError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: expected a JSON object")
    return data
