"""The README's first screen on a fresh machine: ``mcu demo`` in a fresh clone, with an empty
``PREFECT_HOME`` and no Prefect server configured, runs the real scan without Prefect."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def fresh_clone(folder: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    for name in listed:
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    return folder


def test_demo_runs_in_a_fresh_clone_without_prefect(tmp_path):
    clone = fresh_clone(tmp_path / "clone")
    home = tmp_path / "empty-prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MCU_"))}
    env |= {"PREFECT_HOME": str(home), "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-m", "cli", "demo"], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    alerts = int(re.search(r"новых алертов: (\d+)", out).group(1))
    assert alerts >= 5, out[-2000:]
    assert (clone / "data" / "mcu.sqlite").is_file()
    assert not home.exists() or not any(home.iterdir()), "a Prefect server was started"
    assert "ephemeral" not in done.stderr.lower() and "prefect" not in done.stderr.lower()
    again = subprocess.run([sys.executable, "-m", "cli", "scan"], cwd=clone, env=env, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "новых 0" in again.stdout and "новых алертов: 0" in again.stdout
    assert ".venv/bin/datasette data/mcu.sqlite" in out  # every hint has the .venv/bin/ prefix
