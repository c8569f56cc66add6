"""OK collector tests: an OK API stand-in on 127.0.0.1 and real configs pointing at it."""
from __future__ import annotations

from pathlib import Path

import pytest

from collectors.ok.config import OkSource
from testing.fakes.ok import APP_KEY, SECRET_KEY, TOKEN, OkServer, load_calls

FIXTURES = Path(__file__).parent / "fixtures"
T = 1795100000  # 2026-11-19 14:53:20 UTC, the recorded fixture's clock
NOW = T + 7200
GID = "53961457320015"


@pytest.fixture
def ok_keys(monkeypatch):
    monkeypatch.setenv("MCU_OK_APP_KEY", APP_KEY)
    monkeypatch.setenv("MCU_OK_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("MCU_OK_TOKEN", TOKEN)


@pytest.fixture
def ok_calls():
    return load_calls(FIXTURES / "group_pestovo.json")


@pytest.fixture
def ok_server(ok_calls):
    with OkServer(ok_calls) as server:
        yield server


def ok_source(server: OkServer, **fields) -> OkSource:
    options = {"key": "pestovo_ok", "platform": "ok", "name": "Пестово — наш город (ОК)", "group": "pestovo_gorod",
               "api_url": server.url, "requests_per_second": 50, "backoff": 0.01, "retries": 3, "timeout": 5}
    options.update(fields)
    return OkSource(**{k: v for k, v in options.items() if v is not None})
