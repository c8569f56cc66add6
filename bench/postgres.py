"""A throwaway PostgreSQL cluster on 127.0.0.1 for the Prefect server's database (as in production).

    with LocalPostgres() as pg:
        pg.prefect_url    # postgresql+asyncpg://prefect@127.0.0.1:PORT/postgres

The cluster lives in its own temporary folder (readable by the ``nobody`` user), removed on stop.

Needs the PostgreSQL server binaries (``initdb``, ``pg_ctl``) on PATH or in
/usr/lib/postgresql/*/bin. As root, the cluster runs as ``nobody`` (PostgreSQL refuses root).
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from flows.server import free_port


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def available() -> bool:
    return bool(find_binary("initdb") and find_binary("pg_ctl"))


class LocalPostgres:
    def __init__(self, port: int | None = None):
        self.folder = Path(tempfile.mkdtemp(prefix="mcu-postgres-"))
        self.port = port or free_port()
        self.data = self.folder / "data"
        self.as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []

    @property
    def prefect_url(self) -> str:
        return f"postgresql+asyncpg://prefect@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                       cwd=self.folder)

    def start(self) -> str:
        if self.as_user:
            shutil.chown(self.folder, "nobody")
        self._run(find_binary("initdb"), "-D", str(self.data), "-U", "prefect", "--auth=trust", "-E", "UTF8")
        self._run(find_binary("pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "postgres.log"), "-w",
                  "-o", f"-p {self.port} -k {self.folder} -h 127.0.0.1 -c max_connections=200", "start")
        return self.prefect_url

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self.as_user, find_binary("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "LocalPostgres":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
