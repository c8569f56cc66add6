"""A full disk under the SQLite store: the scan stops with a Russian error naming the store, and
once space returns the store is intact, no watermark moved past a post that was not written, and
the next scan stores everything. A real small file system (tmpfs, else a loop-mounted ext2 file)."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.configs import demo_config, manifest_total
from tests.pipeline.test_stop_and_lock import run_mcu

FREE_FOR_THE_SCAN = 1_000_000
"""Bytes left free for the first scan: the schema and the first sources fit, the rest do not."""


def _mount(target: Path, image: Path) -> str | None:
    """Mount a 24 MB file system at ``target``; None when it worked, else why it did not."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return "needs root and mount(8) to make a small file system"
    tmpfs = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(target)], capture_output=True)
    if tmpfs.returncode == 0:
        return None
    if shutil.which("mkfs.ext2") is None:
        return f"tmpfs mount refused ({tmpfs.stderr.decode().strip()}) and mkfs.ext2 is missing for a loop file"
    subprocess.run(["truncate", "-s", "24M", str(image)], check=True)
    subprocess.run(["mkfs.ext2", "-q", "-F", str(image)], check=True, capture_output=True)
    loop = subprocess.run(["mount", "-o", "loop", str(image), str(target)], capture_output=True)
    if loop.returncode != 0:
        return f"neither tmpfs nor a loop mount works here: {loop.stderr.decode().strip()}"
    return None


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    reason = _mount(disk, tmp_path / "disk.img")
    if reason:
        pytest.skip(reason)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave: int) -> Path:
    stat = os.statvfs(disk)
    filler = disk / "filler"
    filler.write_bytes(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))
    return filler


def per_source(database: Path) -> tuple[dict[str, int], dict[str, str]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        counts = dict(conn.execute("SELECT source, COUNT(*) FROM posts GROUP BY source").fetchall())
        # source keys only: the scan journal keeps «scan-status:<source>» rows in the same table
        marks = dict(conn.execute("SELECT source, value FROM watermarks WHERE instr(source, ':') = 0").fetchall())
    return counts, marks


def test_a_full_disk_stops_the_scan_clearly_and_loses_nothing(tmp_path, small_disk):
    def on_disk(data: dict) -> None:
        data["store"] = f"sqlite:///{small_disk / 'mcu.sqlite'}"

    config = demo_config(tmp_path, on_disk)
    expected = json.loads((tmp_path / "demo" / "MANIFEST.json").read_text(encoding="utf-8"))["counts"]
    filler = fill(small_disk, FREE_FOR_THE_SCAN)

    first = run_mcu(["scan", "--config", str(config)], tmp_path)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 1, out + err
    line = " ".join((out + err).split())
    assert f"хранилище SQLite {small_disk / 'mcu.sqlite'}: нет места на диске" in line, line
    assert "Traceback" not in out + err

    filler.unlink()  # space returns
    counts, marks = per_source(small_disk / "mcu.sqlite")
    assert sum(counts.values()) < manifest_total(tmp_path), "the disk was not full enough to stop the scan"
    for source in marks:  # a watermark moved only for a source whose every post was written
        assert counts.get(source) == expected[source]["posts"] + expected[source]["comments"], source
    assert set(marks) < set(expected)

    second = run_mcu(["scan", "--config", str(config)], tmp_path)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, out + err
    counts, marks = per_source(small_disk / "mcu.sqlite")
    assert counts == {key: c["posts"] + c["comments"] for key, c in expected.items()}
    assert set(marks) == set(expected)
