"""VK collector tests: a VK API stand-in on 127.0.0.1 and real configs pointing at it."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.config import load_config
from testing.configs import write_config
from testing.fakes.vk import TOKEN, VkServer, load_calls

FIXTURES = Path(__file__).parent / "fixtures"
T = 1795100000  # 2026-11-19 14:53:20 UTC, the recorded fixtures' clock
NOW = T + 7200


@pytest.fixture
def vk_token(monkeypatch):
    monkeypatch.setenv("MCU_VK_TOKEN", TOKEN)
    return TOKEN


@pytest.fixture
def wall_calls():
    return load_calls(FIXTURES / "wall_pestovo.json")


@pytest.fixture
def vk_server(wall_calls):
    with VkServer(wall_calls + load_calls(FIXTURES / "search_pestovo.json")) as server:
        yield server


@pytest.fixture
def vk_settings(tmp_path, vk_server, vk_token):
    """``make(**fields)``: settings with one VK source «pestovo_test» aimed at the local server."""

    def make(**fields):
        source = {"key": "pestovo_test", "platform": "vk", "name": "Пестово | Тестовый паблик",
                  "owner": "pestovo_test", "api_url": vk_server.url, "requests_per_second": 50,
                  "backoff": 0.01, "retries": 3, "timeout": 5}
        source.update(fields)
        source = {k: v for k, v in source.items() if v is not None}
        return load_config(write_config(tmp_path, [source]))

    return make
