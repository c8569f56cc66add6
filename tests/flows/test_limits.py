"""Tag concurrency limits hold on a real Prefect server: with more VK sources than the ``vk`` limit,
no more than the limit are read at once.

Six VK publics are served by a VK API stand-in on 127.0.0.1 that answers slowly (like a
real API at 3 requests/s); the real collector and the real scan flow read them, and the
scan observer timestamps each source's collection inside its task.
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest
import yaml

from flows.limits import DEFAULT_LIMITS, apply_limits, parse_limits, wanted_limits
from core.config import ConfigError
from testing.fakes.vk import TOKEN, VkServer
from tests.flows.conftest import ROOT

PUBLICS = 6
DELAY = 0.4


def vk_calls(now: int) -> list[dict]:
    calls = []
    for i in range(PUBLICS):
        gid = 300_000 + i
        post = {"id": 10, "owner_id": -gid, "from_id": -gid, "date": now - 3600 - i, "post_type": "post",
                "text": f"Отключение воды в Лаптево, сообщение {i}", "comments": {"count": 0},
                "likes": {"count": 1}, "reposts": {"count": 0}, "views": {"count": 50}}
        calls += [
            {"method": "groups.getById", "params": {"group_id": f"public{i}"}, "delay": DELAY,
             "response": {"groups": [{"id": gid, "name": f"Паблик {i}", "screen_name": f"public{i}",
                                      "members_count": 1000}]}},
            {"method": "wall.get", "params": {"owner_id": -gid, "offset": 0}, "delay": DELAY,
             "response": {"count": 1, "items": [post]}},
        ]
    return calls


def vk_config(tmp_path, url: str):
    data = {
        "municipality": "Пестовский муниципальный округ",
        "store": f"sqlite:///{tmp_path / 'mcu.sqlite'}",
        "gazetteer": str(ROOT / "config/gazetteer/pestovo.yaml"),
        "rubricator": str(ROOT / "config/rubricator.yaml"),
        "sources": [{"key": f"public{i}", "platform": "vk", "name": f"Паблик {i}", "owner": f"public{i}",
                     "api_url": url, "requests_per_second": 20, "timeout": 10, "comments": False}
                    for i in range(PUBLICS)],
        "alerts": {"sinks": [{"type": "file", "path": str(tmp_path / "alerts.txt")}]},
    }
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "mcu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class Clock:
    """A scan observer: when each source started and stopped reading (inside its task run)."""

    def __init__(self):
        self.spans: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    def source_started(self, key):
        with self.lock:
            self.spans[key] = [time.monotonic()]

    def stage(self, key, stage):
        if stage == "анализ":  # reading is over
            with self.lock:
                self.spans[key].append(time.monotonic())

    def source_finished(self, report):
        pass

    def peak(self) -> int:
        events = sorted([(s[0], 1) for s in self.spans.values()] + [(s[1], -1) for s in self.spans.values()])
        running = peak = 0
        for _, step in events:
            running += step
            peak = max(peak, running)
        return peak


# The scan runs in a fresh process that knows only the real server: Prefect keeps per-process
# clients for slot requests, and earlier tests in this process talk to a temporary server.
CHILD = """
import json, sys
from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner
import flows.scan
from flows.common import load_settings
from tests.flows.test_limits import Clock
clock = Clock()

@flow(name="scan", task_runner=ThreadPoolTaskRunner(max_workers=flows.scan.WORKERS))
def observed_scan(config):
    return flows.scan.scan_with_tasks(load_settings(config), observer=clock)

report = observed_scan(sys.argv[1])
print(json.dumps({"spans": clock.spans, "new": sum(s.new for s in report.sources),
                  "failed": [f"{s.key}: {s.error}" for s in report.failed]}))
"""


def scan_publics(tmp_path, server) -> Clock:
    env = server.environment() | {"MCU_VK_TOKEN": TOKEN, "PREFECT_LOGGING_LEVEL": "WARNING"}
    with VkServer(vk_calls(int(time.time()))) as vk:
        result = subprocess.run([sys.executable, "-c", CHILD, str(vk_config(tmp_path, vk.url))], env=env, cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert not found["failed"], found["failed"]
    assert found["new"] == PUBLICS
    clock = Clock()
    clock.spans = found["spans"]
    assert len(clock.spans) == PUBLICS and all(len(span) == 2 for span in clock.spans.values())
    return clock


@pytest.mark.prefect_server
def test_vk_limit_caps_parallel_vk_tasks(on_server, tmp_path):
    from prefect.client.orchestration import get_client

    assert apply_limits({"vk": 2}) == {"vk": 2}
    try:
        limited = scan_publics(tmp_path / "limited", on_server)
        assert limited.peak() <= 2, limited.spans  # never more than the limit
    finally:
        with get_client(sync_client=True) as client:
            client.delete_concurrency_limit_by_tag("vk")
    # The control: the same scan with no limit reads more than two publics at once, so the cap
    # above is the limit's doing. (Raising the limit instead is no control on a SQLite-backed
    # server: concurrent slot requests there meet «database is locked» and retry after ~2 s.)
    free = scan_publics(tmp_path / "free", on_server)
    assert free.peak() > 2, free.spans


def test_limits_parse_and_override(monkeypatch):
    assert parse_limits("vk=2, es=8") == {"vk": 2, "es": 8}
    assert parse_limits(["telegram=1"]) == {"telegram": 1}
    with pytest.raises(ConfigError, match="«vk:2»: ожидается тег=N"):
        parse_limits(["vk:2"])
    monkeypatch.setenv("MCU_LIMITS", "es=8")
    from core.config import Environment

    assert wanted_limits(["vk=3"], Environment.read().limits) == {**DEFAULT_LIMITS, "es": 8, "vk": 3}
