"""Search filters take what the tables show (Russian labels, any case, a unique beginning) as well
as the codes, and refuse an unknown value with the allowed ones; the table gives the text the width."""
from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from cli import filters
from cli.app import app
from pipeline.wiring import load_settings
from testing.configs import demo_config

runner = CliRunner()


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    config = demo_config(tmp_path_factory.mktemp("filters"))
    assert runner.invoke(app, ["scan", "-c", str(config)]).exit_code == 0
    return config


@pytest.mark.parametrize("value, choices, code", [
    ("Дороги", "topics", "roads"),
    ("дороги", "topics", "roads"),
    ("ЖКХ", "topics", "utilities"),
    ("utilities", "topics", "utilities"),
    ("негатив", "sentiment", "negative"),
    ("Негативные", "sentiment", "negative"),
    ("позитив", "sentiment", "positive"),
    ("ВК", "platform", "vk"),
    ("телеграм", "platform", "telegram"),
    ("быковский", "departments", "bykovsky"),
    ("Лаптевский территориальный отдел", "departments", "laptevsky"),
    ("Сельские территории", "blocks", "rural"),
    ("Пестово Онлайн", "sources", "pestovo_online"),
])
def test_russian_labels_and_codes_are_accepted(value, choices, code):
    settings = load_settings(None)
    table = {"topics": filters.topics(settings), "departments": filters.departments(settings),
             "blocks": filters.blocks(settings), "sources": filters.sources(settings),
             "sentiment": filters.SENTIMENT_RU, "platform": filters.PLATFORM_RU}[choices]
    assert filters.choose(value, table, "--x") == code


def test_unknown_and_ambiguous_values_are_refused_with_the_allowed_ones():
    with pytest.raises(typer.BadParameter, match=r"«ok» — нет такого значения.*vk \(ВКонтакте\)"):
        filters.choose("ok", filters.PLATFORM_RU, "--platform")
    settings = load_settings(None)
    with pytest.raises(typer.BadParameter, match="подходит к нескольким"):
        filters.choose("пестово", filters.sources(settings), "--source")


def test_search_with_russian_filters_finds_what_the_codes_find(scanned):
    env = {"COLUMNS": "200"}
    by_code = runner.invoke(app, ["search", "--sentiment", "negative", "--platform", "vk", "--json", "-c",
                                  str(scanned)], env=env)
    by_label = runner.invoke(app, ["search", "--sentiment", "негатив", "--platform", "ВКонтакте", "--json", "-c",
                                   str(scanned)], env=env)
    assert by_code.exit_code == by_label.exit_code == 0
    assert by_code.output == by_label.output and by_code.output.count('"post"') > 3
    refused = runner.invoke(app, ["search", "--platform", "ok", "-c", str(scanned)], env=env)
    assert refused.exit_code == 2 and "нет такого значения" in refused.output


def test_at_80_columns_the_text_gets_the_width(scanned):
    result = runner.invoke(app, ["search", "вода", "-n", "5", "-c", str(scanned)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    rows = result.output.split("├")
    assert len(rows) == 5
    for row in rows:
        cells = [line for line in row.splitlines() if line.startswith("│")]
        assert len(cells) <= 6, row  # a hit takes a few lines, not fifteen
        assert max(len(line.split("│")[-2]) for line in cells) >= 38  # the text column is wide
    assert "Пестово" in result.output  # sources by name, not by key
    assert "pestovo_online" not in result.output


def test_markup_and_control_characters_in_a_query_do_not_break_the_table(scanned):
    for query in ("вода [/]", "[bold]вода", "\x1b[31mвода\x07"):
        result = runner.invoke(app, ["search", query, "-c", str(scanned)], env={"COLUMNS": "100"})
        assert result.exit_code == 0, result.output
        assert re.search(r"Найдено|Ничего не найдено", result.output)


def test_block_and_department_filters_and_newest_first(scanned):
    import json as json_lib

    env = {"COLUMNS": "200"}
    out = runner.invoke(app, ["search", "--department", "Лаптевский", "--json", "-n", "100", "-c", str(scanned)],
                        env=env).output
    records = [json_lib.loads(line) for line in out.splitlines() if line.strip()]
    assert records and all(r["analysis"]["department"] == "laptevsky" for r in records)
    rural = runner.invoke(app, ["search", "--block", "сельские", "--json", "-n", "100", "-c", str(scanned)],
                          env=env).output
    assert all(json_lib.loads(line)["analysis"]["block"] == "rural" for line in rural.splitlines() if line.strip())
    hits = [json_lib.loads(line) for line in runner.invoke(
        app, ["search", "вода", "--json", "-n", "50", "-c", str(scanned)], env=env).output.splitlines() if line.strip()]
    dates = [h["post"]["published_at"] for h in hits]
    assert len(dates) > 3 and dates == sorted(dates, reverse=True)  # newest first unless --by-relevance
    ranked = [json_lib.loads(line) for line in runner.invoke(
        app, ["search", "вода", "--json", "-n", "50", "--by-relevance", "-c", str(scanned)],
        env=env).output.splitlines() if line.strip()]
    assert [h["score"] for h in ranked] == sorted((h["score"] for h in ranked), reverse=True)
    assert {h["post"]["id"] for h in ranked} == {h["post"]["id"] for h in hits}
