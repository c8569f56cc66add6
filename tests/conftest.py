"""Shared fixtures: repository paths, the shared data, and the alert chat (``testing.alert_chat``)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import collectors  # noqa: F401  (registers every platform's source model, as the application does)

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

pytest_plugins = ["testing.alert_chat"]  # demo, api, bot_env, run_bot_thread: for tests/alerts and tests/cli

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("MCU_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"labelled data not found at {SHARED_DATA} (clone without ../shared; set MCU_SHARED_DATA)")
    return SHARED_DATA
