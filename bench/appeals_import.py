"""Speed of importing a real appeals export: the 59,889 appeals of «Наш Санкт-Петербург»
(../shared/data/appeals/nashspb_appeals.csv, read in place) into a fresh SQLite store in a
temporary folder, with the whole path of ``mcu appeals import``: read, mask, analyse (the
project's NLP, on every CPU), store. Then the same file again (nothing changes: only the read).

    .venv/bin/python bench/appeals_import.py [--data ../shared/data] [--file appeals/nashspb_appeals.csv]
                                             [--preset spb] [--workers N] [--store sqlite|URL]

Prints wall and CPU seconds of each run (CPU of this process and its workers), rows per second,
and the machine's load average, which matters on a shared machine: issue #13's target is an
import under 2 minutes.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--file", default="appeals/nashspb_appeals.csv")
    parser.add_argument("--preset", default="spb", choices=("spb", "kursk"))
    parser.add_argument("--workers", type=int, default=None, help="analysis processes (default: every CPU)")
    parser.add_argument("--store", default="sqlite", help="sqlite (a temporary file) or a store URL")
    args = parser.parse_args()
    path = args.data / args.file
    if not path.is_file():
        sys.exit(f"{path}: not found (the labelled data lives in ../shared/data)")

    from pipeline.appeals import appeal_structure, appeals_source, import_export
    from pipeline.wiring import opened_store
    from testing.configs import write_config
    from core.appeals import AppealQuery
    from core.config import load_config

    with tempfile.TemporaryDirectory() as folder:
        extra = {} if args.store == "sqlite" else {"store": args.store}
        settings = load_config(write_config(Path(folder), [], **extra))
        source = appeals_source(settings, None, args.preset)
        print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB; CPUs {os.cpu_count()}; load average before "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        with opened_store(settings) as store:
            for run in ("first import", "same file again"):
                wall, cpu = time.perf_counter(), cpu_seconds()
                with appeal_structure(settings, args.workers) as structure:  # closed: its workers' CPU is counted
                    report = import_export(store, settings, source, path, structure)
                wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
                stored = report.stored
                print(f"{run}: {report.read.rows} rows, {report.read.rejected} rejected, new {stored.new}, updated "
                      f"{stored.updated}, unchanged {stored.unchanged}, analysed {report.analysed}; wall {wall:.1f} s "
                      f"({report.read.rows / wall:.0f} rows/s), CPU {cpu:.1f} s (this process and its workers); "
                      f"masked {dict(report.read.masked)}")
                kinds = store.aggregate_appeals("answer_kind", AppealQuery())
                print(f"  answer kinds stored: {kinds}")
        print(f"workers {structure.workers}; load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
