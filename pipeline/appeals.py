"""Importing appeal exports (decree 2.2.1): read and mask (collectors.appeals), structure (nlp,
the same Analyzer as posts), classify the answer and the routing (the classifiers of
``nlp.appeals`` when present, injected), store (``Store.upsert_appeals``).

An appeal already stored with the same exported values keeps its analysis (no NLP again), so
re-importing a file changes nothing and costs only the read; a later export that changed the
status, the answer or the rating is analysed and written again. The first import time of an
appeal is kept across imports. The source's watermark records the last file imported, set only
after every batch is written.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from collectors.appeals.collector import ExportRead, ExportReader, export_files
from collectors.appeals.config import AppealsSource
from core.appeals import Appeal, AppealAnalysis
from core.config import Settings
from core.store import Store, UpsertResult
from pipeline.appeal_workers import AppealStructure, Classifiers
from pipeline.wiring import opened_store

BATCH = 4000
Structure = Callable[[Sequence[Appeal]], list[AppealAnalysis]]
Progress = Callable[[str, int, int | None], None]
"""(phase, rows done in this call, total rows or None) — the CLI's progress bar."""


@dataclass
class ImportReport:
    read: ExportRead
    stored: UpsertResult = field(default_factory=UpsertResult)
    analysed: int = 0
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return self.read.rows - self.read.rejected


def appeals_source(settings: Settings, key: str | None, preset: str | None) -> AppealsSource:
    """The configured appeals source ``key``, or an ad-hoc one for a preset (its key is the preset's
    name, so appeals imported by ``--preset spb`` keep their ids across imports)."""
    if key is not None:
        try:
            source = settings.source(key)
        except KeyError as exc:
            raise ValueError(str(exc.args[0])) from None
        if source.platform != "appeals":
            raise ValueError(f"источник «{key}» — не выгрузка обращений (platform: {source.platform})")
        return source
    if preset is None:
        configured = [s for s in settings.sources if s.platform == "appeals"]
        if len(configured) != 1:
            raise ValueError("укажите --source (источник обращений из конфигурации) или --preset spb|kursk")
        return configured[0]
    names = {"spb": "«Наш Санкт-Петербург»", "kursk": "Портал обратной связи Курской области"}
    return AppealsSource(platform="appeals", key=preset, name=names.get(preset, preset), preset=preset)


def import_export(store: Store, settings: Settings, source: AppealsSource, path: Path, structure: Structure, *,
                  now: datetime | None = None, progress: Progress | None = None) -> ImportReport:
    """Read, mask, analyse and store one export file; bad rows are reported, the rest stored."""
    started = datetime.now(timezone.utc)
    now = now or started
    reader = ExportReader(source, path, settings.timezone, now)
    appeals = []
    for appeal in reader.appeals():
        appeals.append(appeal)
        if progress and len(appeals) % 500 == 0:
            progress("read", 500, None)
    if progress:
        progress("read", len(appeals) % 500, len(appeals))
    report = ImportReport(reader.result)
    appeals = _latest_per_id(appeals)  # a number twice in the file: its last row, once
    new = updated = unchanged = 0
    for start in range(0, len(appeals), BATCH):
        batch = appeals[start:start + BATCH]
        ready, todo = _against_stored(store, batch)
        if todo:
            analyses = structure(todo)
            ready += [a.model_copy(update={"analysis": x}) for a, x in zip(todo, analyses)]
            report.analysed += len(todo)
        result = store.upsert_appeals(ready)
        new, updated, unchanged = new + result.new, updated + result.updated, unchanged + result.unchanged
        if progress:
            progress("store", len(batch), len(appeals))
    report.stored = UpsertResult(new=new, updated=updated, unchanged=unchanged)
    store.set_watermark(f"appeals:{source.key}", json.dumps(
        {"file": path.name, "rows": report.read.rows, "rejected": report.read.rejected},
        ensure_ascii=False))
    report.seconds = (datetime.now(timezone.utc) - started).total_seconds()
    return report


def _latest_per_id(batch: list[Appeal]) -> list[Appeal]:
    return list({a.id: a for a in batch}.values())


def _against_stored(store: Store, batch: list[Appeal]) -> tuple[list[Appeal], list[Appeal]]:
    """(appeals ready to store: unchanged ones with their stored analysis, first import kept;
    appeals to analyse)."""
    stored = {a.id: a for a in store.appeals_by_ids([a.id for a in batch])}
    ready, todo = [], []
    for appeal in batch:
        before = stored.get(appeal.id)
        if before is None:
            todo.append(appeal)
            continue
        appeal = appeal.model_copy(update={"first_seen": before.first_seen})
        if before.same_import(appeal):
            ready.append(before)
        else:
            todo.append(appeal)
    return ready, todo


def appeal_structure(settings: Settings, workers: int | None = None, route: bool = True) -> AppealStructure:
    """Appeals → their analyses through the NLP and the classifiers, on ``workers`` processes
    (default: every CPU); ``route``: suggest the responsible body too (``AppealsSource.routes``)."""
    return AppealStructure(settings, appeal_classifiers(route), workers)


def appeal_classifiers(route: bool = True) -> Classifiers:
    """The answer-quality model and, when ``route``, the routing model of ``nlp.appeals``."""
    from nlp.appeals import AnswerClassifier, RoutingModel

    return Classifiers(answers=AnswerClassifier.load(), routing=RoutingModel.load() if route else None)


def import_file(settings: Settings, source: AppealsSource, path: Path, *, now: datetime | None = None,
                progress: Progress | None = None) -> ImportReport:
    """Import one file into the configured store with the project's NLP and the classifiers
    (the CLI, the daily flow and the demo)."""
    with opened_store(settings) as store, appeal_structure(settings, route=source.routes) as structure:
        return import_export(store, settings, source, path, structure, now=now, progress=progress)


def import_demo(settings: Settings, out_dir: Path, anchor: datetime) -> tuple[Path, ImportReport]:
    """Render the demo's appeals export (``demo/appeals.py``) and import it like a real one."""
    from demo.appeals import DEMO_SOURCE, render_appeals

    path = render_appeals(out_dir, anchor)
    return path, import_file(settings, AppealsSource(**DEMO_SOURCE), path, now=anchor)


def import_configured(settings: Settings, now: datetime | None = None) -> list[ImportReport]:
    """The daily import: for every enabled appeals source with a ``path``, that file, or every
    export file of that folder (oldest first, so a later export updates an earlier one).
    Re-importing a file already imported changes nothing."""
    reports = []
    for source in (s for s in settings.sources if s.platform == "appeals" and s.enabled and s.path is not None):
        where = settings.resolve(source.path)
        for path in export_files(where) if where.is_dir() else [where]:
            reports.append(import_file(settings, source, path, now=now))
    return reports
