"""The `mcu` command: the scan summary, search output and readable errors."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.app import app
from cli.options import parse_since
from testing.configs import demo_config

runner = CliRunner()


@pytest.fixture(scope="module")
def cli_scanned(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("cli")
    config = demo_config(tmp_path)
    result = runner.invoke(app, ["scan", "-c", str(config)])
    return config, result


def test_scan_prints_a_summary(cli_scanned):
    _, result = cli_scanned
    assert result.exit_code == 0, result.output
    assert "Итоги сканирования" in result.output
    assert "Пестово Онлайн" in result.output and "новых алертов" in result.output


def test_second_scan_reports_nothing_new(cli_scanned):
    config, _ = cli_scanned
    result = runner.invoke(app, ["scan", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "Публикаций: новых 0" in result.output and "новых алертов: 0" in result.output


def test_search_table_and_json(cli_scanned):
    config, _ = cli_scanned
    table = runner.invoke(app, ["search", "вода Лаптево", "--topic", "utilities", "-c", str(config)])
    assert table.exit_code == 0, table.output
    assert "Найдено" in table.output
    lines = runner.invoke(app, ["search", "вода", "--place", "лаптево", "--json", "-c", str(config)]).output
    records = [json.loads(line) for line in lines.splitlines() if line.strip()]
    assert records and all("Лаптево" in [t["name"] for t in r["analysis"]["toponyms"]] for r in records)


def test_unknown_topic_is_a_clear_error(cli_scanned):
    config, _ = cli_scanned
    result = runner.invoke(app, ["search", "вода", "--topic", "plumbing", "-c", str(config)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "«plumbing» — нет такого значения" in result.output
    assert "utilities (ЖКХ: вода, тепло, свет)" in result.output and "roads (Дороги)" in result.output


def test_config_error_names_file_and_key(tmp_path):
    bad = demo_config(tmp_path, lambda d: d["sources"][0].update(platform="myspace"))
    result = runner.invoke(app, ["scan", "-c", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.output and "sources.0" in result.output


def test_parse_since():
    from datetime import datetime, timezone

    now = datetime(2026, 11, 29, 12, tzinfo=timezone.utc)
    assert parse_since("7d", now) == datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    assert parse_since("12h", now) == datetime(2026, 11, 29, 0, tzinfo=timezone.utc)
    assert parse_since("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=timezone.utc)
    with pytest.raises(Exception, match="ожидается"):
        parse_since("last week", now)
