"""The demo district scanned once with its alerts raised at a fixed moment (``RAISED``), then
worked on by a small, fixed scenario of the decree's procedure (taken, answered, handled,
re-escalated, «не риск», left alone) at moments relative to each risk's first publication.
Tests get a private copy of that folder when they write to it."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from alerts import workflow
from core.config import Settings, load_config
from core.domain import Answer, ReactionEvidence, Risk, RiskStatus, Verdict
from pipeline.pipeline import Pipeline
from store import open_store
from testing.configs import DEMO_ANCHOR as ANCHOR, demo_config

RAISED = ANCHOR + timedelta(minutes=5)
"""when the scan raised the alerts (risk.created_at)"""
ACTED_BY = ANCHOR + timedelta(hours=1)
"""the scenario's steps all happen before this"""
DIGEST_AT = ANCHOR + timedelta(hours=2)
"""when the digest is looked at"""
EVALUATED = ANCHOR + timedelta(hours=30)
"""when the ratings and the report are looked at"""
ACTOR = "Иванова (cli)"


@dataclass
class Worked:
    folder: Path
    config: Path

    def settings(self) -> Settings:
        return load_config(self.config)

    def store(self):
        return open_store(self.settings().store, str.split)


def scan_at(config: Path, moment: datetime) -> None:
    pipeline = Pipeline.open(load_config(config))
    try:
        for source in pipeline.settings.sources:
            pipeline.scan_source(source.key)
        pipeline.raise_alerts(now=moment)
    finally:
        pipeline.close()


def _answer(at: datetime) -> Answer:
    return Answer(text="Администрация сообщает: работы идут, сроки — до пятницы.", platforms=["VK"],
                  links=["https://vk.com/wall-1_1"], actor=ACTOR, at=at, ref=f"test:{at.isoformat()}")


def _verdict(store, risk_id: str, at: datetime, outcome: str, net_negative: int) -> None:
    def change(risk: Risk):
        evidence = ReactionEvidence(since=at - timedelta(hours=2), negative=max(net_negative, 0),
                                    positive=max(-net_negative, 0), last_activity=at - timedelta(hours=2))
        if risk.status == RiskStatus.answer_published:
            risk.move_to(RiskStatus.watching, workflow.SYSTEM, at, action="watch")
        risk.verdict = Verdict(outcome=outcome, reason="тест", evidence=evidence, at=at)
        if outcome == "reescalated":
            risk.move_to(RiskStatus.in_work, workflow.SYSTEM, at, action="reescalate")
        elif outcome == "handled":
            risk.move_to(RiskStatus.handled, workflow.SYSTEM, at, action="handled")
        return "вердикт"

    workflow.change_risk(store, risk_id, change)


def work_on(store) -> dict[str, str]:
    """The scenario; returns risk id → what was done to it."""
    risks = sorted(store.list_risks(), key=lambda r: (store.get_story(r.story_id).first_seen, r.number))
    start = {r.id: store.get_story(r.story_id).first_seen for r in risks}

    def at(risk: Risk, delta: timedelta) -> datetime:
        return min(start[risk.id] + delta, ACTED_BY)

    done = {}
    late, quick, dismissed, taken, watched, fresh = risks[:6]
    workflow.take(store, late.id, ACTOR, at(late, timedelta(days=5)))
    workflow.record_answer(store, late.id, _answer(at(late, timedelta(days=5, hours=2))))
    _verdict(store, late.id, at(late, timedelta(days=6)), "reescalated", 4)
    done[late.id] = "late, re-escalated"
    workflow.take(store, quick.id, ACTOR, at(quick, timedelta(minutes=20)))
    workflow.record_answer(store, quick.id, _answer(at(quick, timedelta(minutes=50))))
    _verdict(store, quick.id, at(quick, timedelta(days=2)), "handled", -1)
    done[quick.id] = "quick, handled"
    workflow.mark_not_risk(store, dismissed.id, ACTOR, at(dismissed, timedelta(hours=1)), "тест")
    done[dismissed.id] = "not a risk"
    workflow.take(store, taken.id, ACTOR, at(taken, timedelta(hours=1)))
    done[taken.id] = "taken, not answered"
    workflow.take(store, watched.id, ACTOR, at(watched, timedelta(minutes=10)))
    workflow.record_answer(store, watched.id, _answer(at(watched, timedelta(hours=3))))
    _verdict(store, watched.id, at(watched, timedelta(hours=5)), "watching", 1)
    done[watched.id] = "answered, watching"
    workflow.record_answer(store, fresh.id, _answer(ANCHOR + timedelta(minutes=30)))
    done[fresh.id] = "answered this morning"
    return done


@pytest.fixture(scope="session")
def worked_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reports-demo")
    config = demo_config(folder)
    scan_at(config, RAISED)
    settings = load_config(config)
    with open_store(settings.store, str.split) as db:
        work_on(db)
    return folder


@pytest.fixture(scope="session")
def worked(worked_folder: Path) -> Worked:
    """The worked demo, read only."""
    return Worked(worked_folder, worked_folder / "mcu.yaml")


@pytest.fixture
def worked_copy(worked_folder: Path, tmp_path: Path) -> Worked:
    """A private copy of the worked demo, to write to."""
    folder = tmp_path / "demo"
    shutil.copytree(worked_folder, folder)
    config = folder / "mcu.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(str(worked_folder), str(folder)), encoding="utf-8")
    return Worked(folder, config)


def edit_config(config: Path, change) -> None:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    change(data)
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
