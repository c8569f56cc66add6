"""Importing appeal exports end to end: read, mask, analyse with the project's NLP, store; a
re-import changes nothing; a later export updates status, answer and rating without duplicates.
The real exports of ../shared/data import in full."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from core.appeals import AppealQuery, appeal_id
from core.config import load_config
from pipeline.appeals import appeal_structure, appeals_source, import_export
from pipeline.wiring import opened_store
from testing.configs import write_config

SOURCE = {"key": "pos", "name": "Платформа обратной связи", "platform": "appeals",
          "columns": {"number": "Номер", "created_at": "Дата", "text": "Текст", "address": "Адрес",
                      "status": "Статус", "answer": "Ответ", "answered_at": "Дата ответа", "rating": "Оценка"},
          "constants": {"channel": "Платформа обратной связи"}, "answered_statuses": ["Ответ дан"]}
HEADER = "Номер;Дата;Текст;Адрес;Статус;Ответ;Дата ответа;Оценка\n"
FIRST = HEADER + (
    "11;02.11.2026 09:00;Третью неделю не вывозят мусор, контейнеры переполнены;д. Лаптево, кв. 4;В работе;;;\n"
    "12;03.11.2026 10:00;Не горит уличное освещение, звоните 8-921-000-11-22;д. Лаптево;В работе;;;\n"
    "13;31.11.2026;Сломана скамейка;;В работе;;;\n")
LATER = HEADER + (
    "11;02.11.2026 09:00;Третью неделю не вывозят мусор, контейнеры переполнены;д. Лаптево, кв. 4;Ответ дан;"
    "Мусор вывезен 10.11.2026;10.11.2026 15:00;5\n"
    "12;03.11.2026 10:00;Не горит уличное освещение, звоните 8-921-000-11-22;д. Лаптево;В работе;;;\n")
NOW = datetime(2026, 11, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def settings(tmp_path: Path):
    return load_config(write_config(tmp_path, [SOURCE]))


def _import(settings, path: Path, now: datetime = NOW):
    with opened_store(settings) as db, appeal_structure(settings, route=False) as structure:
        report = import_export(db, settings, appeals_source(settings, "pos", None), path, structure, now=now)
        return report, db.search_appeals(AppealQuery(limit=None))


def test_import_reimport_and_a_later_export(settings, tmp_path: Path) -> None:
    first, later = tmp_path / "first.csv", tmp_path / "later.csv"
    first.write_text(FIRST, encoding="utf-8")
    later.write_text(LATER, encoding="utf-8")

    report, stored = _import(settings, first)
    assert (report.read.rows, report.read.rejected, report.analysed) == (3, 1, 2)
    assert (report.stored.new, report.stored.updated, report.stored.unchanged) == (2, 0, 0)
    assert [str(p) for p in report.read.problems] == [
        "pos, строка 4, колонка «Дата»: не дата: «31.11.2026» (ожидается ДД.ММ.ГГГГ [ЧЧ:ММ] или ГГГГ-ММ-ДД)"
        " — строка не загружена"]
    waste, light = sorted(stored, key=lambda a: a.number)
    assert waste.id == appeal_id("pos", "11")
    assert (waste.address, light.text) == ("д. Лаптево, кв. [№]", "Не горит уличное освещение, звоните [телефон]")
    assert (waste.analysis.topic, waste.analysis.places, waste.analysis.department) == ("waste", ["Лаптево"],
                                                                                        "laptevsky")
    assert light.analysis.topic == "improvement" and "освещение" in light.analysis.lemmas
    assert waste.first_seen == NOW and waste.state == "open"

    again, unchanged = _import(settings, first, now=datetime(2026, 11, 6, tzinfo=timezone.utc))
    assert (again.stored.new, again.stored.updated, again.stored.unchanged, again.analysed) == (0, 0, 2, 0)
    assert unchanged == stored

    update, after = _import(settings, later, now=datetime(2026, 11, 11, tzinfo=timezone.utc))
    assert (update.stored.new, update.stored.updated, update.stored.unchanged) == (0, 1, 1)
    waste = next(a for a in after if a.number == "11")
    assert (waste.state, waste.status, waste.answer, waste.rating) == ("answered", "Ответ дан",
                                                                       "Мусор вывезен 10.11.2026", 5.0)
    assert waste.answered_at == datetime(2026, 11, 10, 12, 0, tzinfo=timezone.utc)
    assert waste.first_seen == NOW  # the first import is kept
    assert waste.analysis.answer_kind == "solved"  # the answer classifier of nlp.appeals, plugged in
    assert waste.analysis.routed_body is None  # the routing model knows Kursk's bodies: off for this source
    assert len(after) == 2
    with opened_store(settings) as db:
        assert json.loads(db.get_watermark("appeals:pos")) == {"file": "later.csv", "rows": 2, "rejected": 0}


def test_the_scans_retention_deletes_appeals_received_before_the_cutoff(settings, tmp_path: Path) -> None:
    from datetime import timedelta

    from pipeline.pipeline import Pipeline

    path = tmp_path / "first.csv"
    path.write_text(FIRST, encoding="utf-8")
    _import(settings, path)
    pipeline = Pipeline.open(settings)
    try:  # appeal 11 was received on 02.11 09:00 Moscow, appeal 12 on 03.11
        pipeline.purge(now=datetime(2026, 11, 3, 0, 0, tzinfo=timezone.utc) + timedelta(days=3650))
        assert [a.number for a in pipeline.store.search_appeals(AppealQuery(limit=None))] == ["12"]
    finally:
        pipeline.close()


def test_the_cli_imports_and_shows_stats_and_overdue(tmp_path: Path) -> None:
    config = write_config(tmp_path, [SOURCE])
    path = tmp_path / "first.csv"
    path.write_text(FIRST, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["appeals", "import", str(path), "--source", "pos", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "Строк: 3, загружено: 2, отклонено: 1. Новых: 2, обновлено: 0, без изменений: 0." in " ".join(
        result.output.split())
    assert "строка 4, колонка «Дата»" in result.output
    stats = json.loads(runner.invoke(app, ["appeals", "stats", "--json", "-c", str(config)]).output)
    assert (stats["total"], stats["by_topic"], stats["by_department"]) == (
        2, {"Благоустройство": 1, "Вывоз ТКО": 1}, {"Лаптевский территориальный отдел": 2})
    overdue = json.loads(runner.invoke(app, ["appeals", "overdue", "--json", "-c", str(config)]).output)
    # written in 2026-11 under the 10-working-day rule of the ПОС: both are overdue by now
    assert overdue == [{"unit": "Лаптевский территориальный отдел", "overdue": 2, "due_soon": 0, "open": 0,
                        "overdue_numbers": ["11", "12"]}]
    bad = runner.invoke(app, ["appeals", "import", str(path), "--preset", "msk", "-c", str(config)])
    assert bad.exit_code == 2 and "есть spb и kursk" in bad.output


@pytest.mark.timeout(1800)  # 60,000 appeals through the NLP; bench/appeals_import.py measures the speed
@pytest.mark.parametrize("preset, relative, rows", [
    ("kursk", "appeals/kursk/train_dataset_train.csv", 2000),
    ("spb", "appeals/nashspb_appeals_with_answers.csv.gz", 59889),
])  # fmt: skip
def test_the_real_exports_import_in_full_and_reimport_unchanged(shared_data: Path, tmp_path: Path, preset: str,
                                                                relative: str, rows: int) -> None:
    settings = load_config(write_config(tmp_path, []))
    source = appeals_source(settings, None, preset)
    with opened_store(settings) as db, appeal_structure(settings, route=source.routes) as structure:
        first = import_export(db, settings, source, shared_data / relative, structure)
        assert (first.read.rows, first.read.rejected, first.stored.new) == (rows, 0, rows)
        assert db.count_appeals(AppealQuery()) == rows
        routed = sum(a.analysis.routed_body is not None for a in db.search_appeals(AppealQuery(limit=200)))
        assert (routed > 150) if preset == "kursk" else routed == 0  # Kursk's bodies suggested for Kursk only
        again = import_export(db, settings, source, shared_data / relative, structure)
        assert (again.stored.new, again.stored.updated, again.stored.unchanged, again.analysed) == (0, 0, rows, 0)
        assert db.count_appeals(AppealQuery()) == rows


def test_the_cli_searches_appeals_by_lemmas(tmp_path: Path) -> None:
    config = write_config(tmp_path, [SOURCE])
    path = tmp_path / "first.csv"
    path.write_text(FIRST, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["appeals", "import", str(path), "-s", "pos", "-c", str(config)]).exit_code == 0
    found = json.loads(runner.invoke(app, ["appeals", "search", "контейнер", "--json", "-c", str(config)]).output)
    assert [a["number"] for a in found] == ["11"] and "lemmas" not in found[0]["analysis"]
    assert [a["number"] for a in json.loads(runner.invoke(
        app, ["appeals", "search", "--place", "Лаптево", "--json", "-c", str(config)]).output)] == ["12", "11"]
    bad = runner.invoke(app, ["appeals", "search", "--state", "closed", "-c", str(config)])
    assert bad.exit_code == 2 and "есть open, answered" in bad.output


def test_a_number_twice_in_a_file_is_stored_once_and_a_reimport_changes_nothing(settings, tmp_path: Path,
                                                                               monkeypatch) -> None:
    import pipeline.appeals

    monkeypatch.setattr(pipeline.appeals, "BATCH", 1)  # the two rows in different batches
    path = tmp_path / "twice.csv"
    path.write_text(HEADER + "21;02.11.2026;Яма на дороге;;В работе;;;\n22;02.11.2026;Нет света;;В работе;;;\n"
                             "21;02.11.2026;Яма на дороге засыпана;;Ответ дан;Засыпали;03.11.2026;4\n", encoding="utf-8")
    first, stored = _import(settings, path)
    assert (first.read.rows, first.read.duplicates, first.stored.new, first.stored.updated) == (3, 1, 2, 0)
    assert next(a for a in stored if a.number == "21").answer == "Засыпали"
    again, _ = _import(settings, path)
    assert (again.stored.new, again.stored.updated, again.stored.unchanged) == (0, 0, 2)


def test_a_scan_leaves_appeals_sources_to_the_import(settings) -> None:
    from pipeline.pipeline import Pipeline
    from pipeline.run import run_scan

    pipeline = Pipeline.open(settings)
    try:
        report = run_scan(pipeline)
    finally:
        pipeline.close()
    assert report.sources == [] and report.failed == []
