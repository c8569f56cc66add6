"""The daily appeals flow imports the configured exports (a folder of them), a second run changes nothing."""
from __future__ import annotations

from pathlib import Path

from core.appeals import AppealQuery
from core.config import load_config
from demo.appeals import DEMO_SOURCE, render_appeals
from flows.appeals import appeals
from pipeline.wiring import opened_store
from testing.configs import DEMO_ANCHOR, write_config


def test_the_flow_imports_a_folder_of_exports_once(tmp_path: Path) -> None:
    render_appeals(tmp_path / "inbox", DEMO_ANCHOR)
    config = write_config(tmp_path, [{**DEMO_SOURCE, "path": str(tmp_path / "inbox" / "appeals")}])
    first = appeals.fn(config=str(config), now=DEMO_ANCHOR)
    assert first == {"files": 1, "rows": 14, "rejected": 0, "new": 14, "updated": 0}
    second = appeals.fn(config=str(config), now=DEMO_ANCHOR)
    assert second == {"files": 1, "rows": 14, "rejected": 0, "new": 0, "updated": 0}
    with opened_store(load_config(config)) as db:
        assert db.count_appeals(AppealQuery(state="open")) == 7
