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
from core.text import os_error

PREFECT_YAML = "prefect.yaml"
PROJECT_PREFECT_YAML = Path(__file__).resolve().parent.parent / PREFECT_YAML
"""The project's own file, next to the ``flows`` package (a checkout or an editable install)."""


def default_prefect_file() -> Path:
    """``prefect.yaml`` in the working folder if there is one, else the project's."""
    here = Path(PREFECT_YAML)
    return here if here.is_file() else PROJECT_PREFECT_YAML


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

    @property
    def is_module(self) -> bool:
        """``flows.scan:scan`` (a module, found wherever mcu-monitor is installed), not ``flows/scan.py:scan``."""
        return ".py:" not in self.entrypoint


def read_specs(path: str | Path = PREFECT_YAML) -> list[DeploymentSpec]:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: не удаётся прочитать: {os_error(exc)}") from exc
    specs = []
    for i, item in enumerate(raw.get("deployments") or []):
        missing = [key for key in ("name", "entrypoint") if not item.get(key)]
        if missing:
            raise ConfigError(f"{path}: deployments.{i}: не хватает {missing}")
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
            raise ConfigError(f"{PREFECT_YAML}: развёртывание {spec.name}: schedules.{i}: поддерживаются только расписания cron")
        schedules.append(Cron(item["cron"], timezone=item.get("timezone"), active=item.get("active", True)))
    return schedules


def build_deployments(specs: list[DeploymentSpec], only: list[str] | None = None, root: Path | None = None) -> list:
    """``RunnerDeployment``s for the named deployments (all when ``only`` is empty). Module entry
    points are served as modules, so the runner finds them from any working folder; file entry
    points are resolved against ``root``."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig
    from prefect.deployments.runner import EntrypointType
    from prefect.flows import load_flow_from_entrypoint

    known = {spec.name for spec in specs}
    unknown = sorted(set(only or []) - known)
    if unknown:
        raise ConfigError(f"{PREFECT_YAML}: нет развёртываний {unknown}; есть: {sorted(known)}")
    deployments = []
    for spec in specs:
        if only and spec.name not in only:
            continue
        entry = spec.entrypoint if spec.is_module or root is None else \
            f"{root / spec.entrypoint.split(':')[0]}:{spec.flow_name}"
        flow = load_flow_from_entrypoint(entry)
        limit = spec.concurrency_limit
        if isinstance(limit, dict):
            limit = ConcurrencyLimitConfig(**limit)
        deployments.append(flow.to_deployment(
            name=spec.name, description=spec.description, tags=spec.tags, parameters=spec.parameters,
            schedules=build_schedules(spec), concurrency_limit=limit,
            entrypoint_type=EntrypointType.MODULE_PATH if spec.is_module else EntrypointType.FILE_PATH,
        ))
    return deployments
