"""Flow tests: the demo config in tmp, snapshots of a store, and a real local Prefect server.

Tests marked ``prefect_server`` start ``prefect server start`` on 127.0.0.1 with its own
PREFECT_HOME and SQLite database (once per session, about 10 s); the others run the
flows with no server configured, as ``mcu scan`` does (Prefect's temporary server).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # before Prefect is imported: no INFO noise at exit
# Prefect's temporary server migrates a fresh PREFECT_HOME's database on its first start; on a
# busy machine that passes Prefect's default 20 s and every in-process flow test errors.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


def pytest_configure(config):
    config.addinivalue_line("markers", "prefect_server: starts a real local Prefect server (prefect server start)")


@dataclass(frozen=True)
class Snapshot:
    """What a scan leaves in a store, independent of timing: posts, stories, risks, alerts."""

    story_of_post: dict[str, str]
    stories: dict[str, tuple[str, ...]]
    risks: dict[str, tuple[str, float]]
    alerts: frozenset[tuple[str, str, str]]
    watermarks: dict[str, str | None]


def snapshot(config: Path) -> Snapshot:
    from core.config import load_config
    from nlp import Analyzer
    from store import SearchQuery, open_store

    settings = load_config(config)
    with open_store(settings.store, Analyzer.from_settings(settings).lemmatize) as db:
        hits = db.search(SearchQuery(limit=100_000))
        stories = db.recent_stories(datetime(2000, 1, 1, tzinfo=timezone.utc))
        return Snapshot(
            story_of_post={h.post.id: h.analysis.story_id for h in hits},
            stories={s.id: tuple(s.post_ids) for s in stories},
            risks={r.id: (r.level, r.score) for r in db.list_risks()},
            alerts=frozenset((a.id, a.story_id, a.level) for a in db.list_alerts()),
            watermarks={s.key: db.get_watermark(s.key) for s in settings.sources},
        )


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """A real Prefect server (SQLite) with the scheduler off, so that cron schedules create no runs."""
    from flows.server import PrefectServer

    home = tmp_path_factory.mktemp("prefect-home")
    server = PrefectServer(home, ui=False, env={
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    })
    server.start()
    yield server
    server.stop()


@pytest.fixture
def on_server(prefect_server):
    """Flows called in this test talk to the real server instead of a temporary one."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server.api_url}):
        yield prefect_server


@pytest.fixture(autouse=True)
def _quiet_prefect():
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
