"""What a new user waits for: ``mcu demo`` after install, and an idle ``mcu scan``.

    .venv/bin/python bench/cli_speed.py [--rounds 5] [--json FILE]

Each round copies the tracked files of the checkout into a fresh folder (a fresh clone, without
``data/``), with an empty ``PREFECT_HOME`` and no ``PREFECT_API_URL``, and times with the
installed ``mcu``:

* ``mcu demo``  — writes the demo sources and scans them: what ``make demo`` runs once installed;
* ``mcu scan``  — the same config again, nothing new (the idle scan the МЦУ runs all day).

Targets (issue «Everyday use»): ``make demo`` after install within 15 s, an idle scan within 3 s,
on this 2-core machine. Reported: the median and the range of the wall seconds, per command.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MCU = Path(sys.executable).with_name("mcu")
TARGETS = {"demo": 15.0, "idle scan": 3.0}


def fresh_copy(folder: Path) -> Path:
    """The files a clone would have: tracked and untracked-but-not-ignored, no data/ or .venv."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return folder


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(MCU), *args], cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"mcu {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    times: dict[str, list[float]] = {"demo": [], "idle scan": []}
    for _ in range(options.rounds):
        with tempfile.TemporaryDirectory(prefix="mcu-cli-speed-") as tmp:
            clone = fresh_copy(Path(tmp) / "clone")
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MCU_"))}
            env |= {"PREFECT_HOME": str(Path(tmp) / "prefect-home"), "COLUMNS": "120"}
            times["demo"].append(timed(["demo"], clone, env))
            times["idle scan"].append(timed(["scan"], clone, env))
    result = {}
    print(f"{'command':<10} {'median s':>9} {'min s':>7} {'max s':>7} {'target s':>9}  rounds={options.rounds}")
    for name, values in times.items():
        result[name] = {"median": statistics.median(values), "min": min(values), "max": max(values),
                        "target": TARGETS[name], "rounds": values}
        print(f"{name:<10} {statistics.median(values):>9.2f} {min(values):>7.2f} {max(values):>7.2f} "
              f"{TARGETS[name]:>9.1f}")
    if options.json:
        options.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
