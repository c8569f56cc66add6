"""The ``watch`` flow: the fast sources, every 15 minutes in daytime.

By default it reads every enabled Telegram source (chats move fastest); the
deployment adds the fastest VK publics by key (``sources``). It is the scan's
pipeline on fewer sources, without the retention purge (the daily scan does that),
and it shares the scan's store lock, so a watch and a scan take turns at writing.
"""
from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from flows.common import load_settings
from flows.scan import WORKERS, log_report, scan_with_tasks
from core.config import ConfigError, Settings
from pipeline.report import ScanReport

DEFAULT_PLATFORMS = ("telegram",)


def watch_keys(settings: Settings, sources: list[str] | None = None,
               platforms: list[str] | tuple[str, ...] | None = DEFAULT_PLATFORMS) -> list[str]:
    """Enabled sources of the given platforms plus the named ones, in config order."""
    known = {s.key for s in settings.sources}
    unknown = [key for key in sources or [] if key not in known]
    if unknown:
        raise ConfigError(f"watch: sources: неизвестные ключи источников {unknown}; есть: {sorted(known)}")
    wanted = set(sources or [])
    platforms = set(platforms or ())
    return [s.key for s in settings.sources if s.key in wanted or (s.enabled and s.platform in platforms)]


@flow(name="watch", timeout_seconds=12 * 60, task_runner=ThreadPoolTaskRunner(max_workers=WORKERS))
def watch(config: str | None = None, store: str | None = None, sources: list[str] | None = None,
          platforms: list[str] | None = None) -> ScanReport:
    """Read the fast sources: ``platforms`` (default: telegram) and the ``sources`` named by key."""
    settings = load_settings(config, store)
    keys = watch_keys(settings, sources, DEFAULT_PLATFORMS if platforms is None else platforms)
    if not keys:
        get_run_logger().info("watch: нет источников для наблюдения")
        return ScanReport([], [], [], 0, 0.0)
    report = scan_with_tasks(settings, keys, purge=False)
    log_report("watch", report)
    return report
