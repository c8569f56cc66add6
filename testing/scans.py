"""One whole scan of a config, as tests of the collectors run it: the per-source reports and
the store's counts afterwards."""
from __future__ import annotations

from pathlib import Path

from core.config import load_config
from pipeline.pipeline import Pipeline
from pipeline.run import run_scan


def scan_sources(path: Path) -> tuple[dict, object]:
    """``({source key: SourceReport}, store stats)`` after one scan of the config at ``path``."""
    pipeline = Pipeline.open(load_config(path))
    try:
        report = run_scan(pipeline)
        with pipeline.store as db:
            stats = db.stats()
        return {s.key: s for s in report.sources}, stats
    finally:
        pipeline.close()
