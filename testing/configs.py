"""Config files in a temporary folder, for tests and benchmarks.

Every config uses the Pestovo gazetteer and rubricator of this checkout and keeps its store
and alert file inside the folder, so runs never touch ``data/`` or each other.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import yaml

from demo.render import render

ROOT = Path(__file__).resolve().parents[1]
DEMO_ANCHOR = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)  # "now" of the rendered demo
RETENTION_DAYS = 3650  # recorded fixtures carry fixed dates: not purged for ten years (a cutoff before 1970
# breaks Elasticsearch's date queries)


def write_config(folder: Path, sources: list[dict], **extra) -> Path:
    """``folder/mcu.yaml`` for these sources: the SQLite store and the alert file in ``folder``;
    ``extra`` replaces or adds top-level sections (``store=…``, ``telegram=…``)."""
    data = {
        "municipality": "Пестовский муниципальный округ",
        "timezone": "Europe/Moscow",
        "store": f"sqlite:///{folder / 'mcu.sqlite'}",
        "gazetteer": str(ROOT / "config/gazetteer/pestovo.yaml"),
        "rubricator": str(ROOT / "config/rubricator.yaml"),
        "sources": sources,
        "alerts": {"min_level": "medium", "sinks": [{"type": "file", "path": str(folder / "alerts.txt")}]},
        "privacy": {"pseudonymize_authors": True, "retention_days": RETENTION_DAYS},
    }
    data.update(extra)
    path = folder / "mcu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def demo_config(folder: Path, mutate: Callable[[dict], None] | None = None) -> Path:
    """The demo config (``config/demo.yaml``) with its replay files rendered into ``folder/demo``
    at the demo's anchor time, and the store and alert file in ``folder``; ``mutate(data)`` may
    change the config before it is written."""
    render(folder / "demo", DEMO_ANCHOR)
    data = yaml.safe_load((ROOT / "config/demo.yaml").read_text(encoding="utf-8"))
    data["gazetteer"] = str(ROOT / "config/gazetteer/pestovo.yaml")
    data["rubricator"] = str(ROOT / "config/rubricator.yaml")
    data["store"] = f"sqlite:///{folder / 'mcu.sqlite'}"
    data["alerts"]["sinks"] = [{"type": "file", "path": str(folder / "alerts.txt")}]
    for source in data["sources"]:
        source["replay"] = str(folder / "demo" / source["replay"].removeprefix("../data/demo/"))
    if mutate:
        mutate(data)
    path = folder / "mcu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def manifest_total(folder: Path) -> int:
    """How many posts and comments the demo rendered into ``folder/demo`` holds (its MANIFEST)."""
    counts = json.loads((folder / "demo" / "MANIFEST.json").read_text(encoding="utf-8"))["counts"]
    return sum(c["posts"] + c["comments"] for c in counts.values())
