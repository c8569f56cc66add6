"""The deployments of ``prefect.yaml`` as Python objects, for ``mcu serve``.

``prefect deploy --all`` reads the same file for a work pool; ``mcu serve`` builds
``RunnerDeployment``s from it (``flow.to_deployment``) and serves them in one
process. One file describes both, so the two ways cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.config import ConfigError

PREFECT_YAML = "prefect.yaml"


@dataclass
class DeploymentSpec:
    name: str
    entrypoint: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    concurrency_limit: int | dict[str, Any] | None = None

    @property
    def flow_name(self) -> str:
        return self.entrypoint.rsplit(":", 1)[-1]


def read_specs(path: str | Path = PREFECT_YAML) -> list[DeploymentSpec]:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    specs = []
    for i, item in enumerate(raw.get("deployments") or []):
        missing = [key for key in ("name", "entrypoint") if not item.get(key)]
        if missing:
            raise ConfigError(f"{path}: deployments.{i}: missing {missing}")
        specs.append(DeploymentSpec(
            name=item["name"], entrypoint=item["entrypoint"], description=item.get("description") or "",
            tags=list(item.get("tags") or []), parameters=dict(item.get("parameters") or {}),
            schedules=list(item.get("schedules") or []), concurrency_limit=item.get("concurrency_limit"),
        ))
    return specs


def build_schedules(spec: DeploymentSpec) -> list:
    from prefect.schedules import Cron

    schedules = []
    for i, item in enumerate(spec.schedules):
        if "cron" not in item:
            raise ConfigError(f"{PREFECT_YAML}: deployment {spec.name}: schedules.{i}: only cron schedules are used")
        schedules.append(Cron(item["cron"], timezone=item.get("timezone"), active=item.get("active", True)))
    return schedules


def build_deployments(specs: list[DeploymentSpec], only: list[str] | None = None, root: Path | None = None) -> list:
    """``RunnerDeployment``s for the named deployments (all when ``only`` is empty)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig
    from prefect.flows import load_flow_from_entrypoint

    known = {spec.name for spec in specs}
    unknown = sorted(set(only or []) - known)
    if unknown:
        raise ConfigError(f"{PREFECT_YAML}: no deployments {unknown}; known: {sorted(known)}")
    deployments = []
    for spec in specs:
        if only and spec.name not in only:
            continue
        entry = spec.entrypoint if root is None else f"{root / spec.entrypoint.split(':')[0]}:{spec.flow_name}"
        flow = load_flow_from_entrypoint(entry)
        limit = spec.concurrency_limit
        if isinstance(limit, dict):
            limit = ConcurrencyLimitConfig(**limit)
        deployments.append(flow.to_deployment(
            name=spec.name, description=spec.description, tags=spec.tags, parameters=spec.parameters,
            schedules=build_schedules(spec), concurrency_limit=limit,
        ))
    return deployments
