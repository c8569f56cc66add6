"""A local Prefect server as a child process: ``prefect server start`` on 127.0.0.1.

``mcu serve`` starts one when no ``PREFECT_API_URL`` is set; the tests and the
benchmark start one with their own ``PREFECT_HOME`` (and so their own SQLite
database). Nothing calls home: analytics are off in the child's environment.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


class PrefectServer:
    """``with PrefectServer(home) as server: server.api_url`` — started, healthy, stopped on exit."""

    def __init__(self, home: Path | None = None, host: str = "127.0.0.1", port: int | None = None,
                 env: dict[str, str] | None = None, ui: bool = True):
        self.home = Path(home) if home else None
        self.host = host
        self.port = port or free_port(host)
        self.extra_env = dict(env or {})
        self.ui = ui
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    def environment(self) -> dict[str, str]:
        """The environment a client of this server (a worker, a flow run) needs."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
        env.update(QUIET)
        if self.home:
            env["PREFECT_HOME"] = str(self.home)
        env["PREFECT_API_URL"] = self.api_url
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 120.0) -> str:
        if healthy(self.api_url, 0.5):
            raise RuntimeError(f"{self.api_url}: a Prefect server already answers there")
        env = self.environment()
        env.pop("PREFECT_API_URL")
        env["PREFECT_UI_ENABLED"] = "true" if self.ui else "false"
        folder = self.home or Path.cwd()
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "prefect-server.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", self.host, "--port", str(self.port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prefect server exited with {self.process.returncode}; see {self.log_path}")
            if healthy(self.api_url):
                return self.api_url
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"prefect server did not answer in {timeout:.0f} s; see {self.log_path}")

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def __enter__(self) -> "PrefectServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
