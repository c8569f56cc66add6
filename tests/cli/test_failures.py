"""Expected failures are one Russian line and a non-zero exit; the traceback only under ``-v``.
Each external service is tried unreachable, through the real ``mcu`` entry point."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mcu(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "MCU_"))}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=cwd, env=base | {"COLUMNS": "200"} | (env or {}),
                          capture_output=True, text=True, timeout=180)


def one_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode != 0, done.stdout + done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in lines if line.startswith("Ошибка:")]
    assert len(errors) == 1 and len(lines) <= 3, lines
    return errors[0]


@pytest.mark.parametrize("service, args, env, expected", [
    ("elasticsearch", ["index", "setup", "--store", "elasticsearch://127.0.0.1:{port}"], {}, "нет соединения с кластером"),
    ("elasticsearch search", ["search", "вода", "-c", str(ROOT / "config/demo.yaml"),
                              "--store", "elasticsearch://127.0.0.1:{port}?outbox=off"], {},
     "нет соединения с кластером"),
    ("kibana", ["kibana", "install", "--url", "http://127.0.0.1:{port}"], {}, "Kibana"),
    ("prefect", ["serve", "--no-server"], {"PREFECT_API_URL": "http://127.0.0.1:{port}/api"}, "недоступен"),
    ("a missing file", ["analyze", "/nonexistent/posts.jsonl"], {}, "не найден"),
    ("a missing config", ["scan", "-c", "/nonexistent/mcu.yaml"], {}, "не удаётся прочитать конфигурацию"),
])
def test_unreachable_services_and_missing_files_are_one_line(service, args, env, expected, tmp_path):
    port = str(free_port())
    args = [a.replace("{port}", port) for a in args]
    env = {k: v.replace("{port}", port) for k, v in env.items()} | {"PREFECT_HOME": str(tmp_path / "prefect")}
    line = one_line(mcu(*args, env=env, cwd=tmp_path if service == "elasticsearch search" else ROOT))
    assert expected in line, line


def test_verbose_shows_the_traceback():
    port = str(free_port())
    done = mcu("-v", "index", "setup", "--store", f"elasticsearch://127.0.0.1:{port}")
    assert done.returncode != 0
    assert "нет соединения с кластером" in done.stderr
    assert "Connection refused" in done.stderr or "ConnectionError" in done.stderr  # the details are there
