"""The ``scan_region`` flow: a regional centre scans many municipalities at once.

A region is partitioned by municipality: one config file per municipality, each with
its own sources and its own store (a SQLite file, or an Elasticsearch index prefix
``?prefix=…``). The flow starts one run of the ``scan`` deployment per config; the
work pool hands them to whichever workers are free, so adding workers adds machines.
Inside each run the sources fan out as tasks (``flows/scan.py``). Municipalities do
not share stories, so the runs are independent and each is the same as a serial scan.
"""
from __future__ import annotations

import time
from collections import Counter

from prefect import flow, get_run_logger

from flows.common import load_settings

FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def check_partitions(configs: list[str]) -> list[str]:
    """Validate every config up front; return warnings (two municipalities on one store)."""
    if not configs:
        from core.config import ConfigError

        raise ConfigError("scan_region: configs: укажите хотя бы одну конфигурацию муниципалитета")
    stores = Counter(load_settings(config).store for config in configs)
    return [f"{count} конфигураций пишут в одно хранилище {store}: их запуски будут ждать друг друга"
            for store, count in stores.items() if count > 1]


def run_deployments(deployment: str, configs: list[str], full: bool, poll_seconds: float) -> dict[str, str]:
    """Start one deployment run per config and wait for all; returns config → final state."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    runs = {config: run_deployment(deployment, parameters={"config": config, "full": full}, timeout=0).id
            for config in configs}
    states: dict[str, str] = {}
    with get_client(sync_client=True) as client:
        while len(states) < len(runs):
            for config, run_id in runs.items():
                if config not in states:
                    state = client.read_flow_run(run_id).state
                    if state is not None and state.type.value in FINAL:
                        states[config] = state.type.value
            if len(states) < len(runs):
                time.sleep(poll_seconds)
    return {config: states[config] for config in configs}


@flow(name="scan_region", timeout_seconds=4 * 3600)
def scan_region(configs: list[str], deployment: str | None = "scan/scan", full: bool = False,
                poll_seconds: float = 10.0) -> dict[str, str]:
    """Scan every municipality config: as runs of ``deployment`` on the workers, or (with
    ``deployment=None``) one after another in this process."""
    logger = get_run_logger()
    for warning in check_partitions(configs):
        logger.warning("scan_region: %s", warning)
    if deployment:
        states = run_deployments(deployment, configs, full, poll_seconds)
    else:
        from flows.scan import scan

        states = {}
        for config in configs:
            state = scan(config=config, full=full, return_state=True)
            states[config] = state.type.value
    failed = [config for config, state in states.items() if state != "COMPLETED"]
    logger.info("scan_region: муниципалитетов %d, с ошибкой %d", len(states), len(failed))
    if failed:
        raise RuntimeError(f"scan_region: не завершились: {failed}")
    return states
