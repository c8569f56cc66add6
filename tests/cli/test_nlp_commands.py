"""``mcu analyze`` and ``mcu eval`` through the real CLI."""
import json

import pytest
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()


@pytest.fixture
def config(repo_root):
    return str(repo_root / "config" / "demo.yaml")


def test_analyze_reads_a_file_and_writes_one_line_each(tmp_path, config):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": 7, "text": "В Лаптеве третий день нет воды, сколько можно!"},
        {"id": "x", "text": "Спасибо за новый сквер, очень красиво"},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["analyze", str(source), "--output", str(out), "--config", config])
    assert result.exit_code == 0, result.output
    water, park = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert water["id"] == 7 and water["topic"]["code"] == "utilities" and water["block"] == "rural"
    assert water["toponyms"][0]["name"] == "Лаптево" and water["toponyms"][0]["start"] == 2
    assert water["risk"]["level"] != "none" and water["risk"]["reasons"]
    assert park["id"] == "x" and park["sentiment"]["label"] == "positive"


def test_analyze_reads_stdin_and_reports_bad_lines(config):
    result = runner.invoke(app, ["analyze", "--no-ner", "--config", config],
                           input='{"id": 1, "text": "в охоне нет света"}\n{"id": 2}\n')
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines[0]["toponyms"][0]["name"] == "Охона"
    assert lines[1] == {"id": 2, "error": "stdin:2: field `text` must be a string (id 2)"}


def test_analyze_missing_file_is_a_clear_error(tmp_path, config):
    result = runner.invoke(app, ["analyze", str(tmp_path / "nope.jsonl"), "--config", config])
    assert result.exit_code == 2
    assert "nope.jsonl: файл не найден" in " ".join(result.output.split()).replace("/ ", "/")


def test_eval_without_data_names_the_folder(tmp_path, config):
    result = runner.invoke(app, ["eval", "--data", str(tmp_path / "absent"), "--config", config])
    assert result.exit_code == 2
    text = "".join(result.output.split())
    assert "absent" in text and "MCU_SHARED_DATA" in text


def test_eval_prints_tables_and_json(shared_data, tmp_path, config):
    out = tmp_path / "eval.json"
    result = runner.invoke(app, ["eval", "--data", str(shared_data), "--only", "stories", "--only", "speed",
                                 "--speed-posts", "100", "--json", str(out), "--config", config])
    assert result.exit_code == 0, result.output
    assert "Сюжеты" in result.output and "Скорость на одном ядре" in result.output
    figures = json.loads(out.read_text(encoding="utf-8"))
    stories = figures["results"][0]["extra"]
    assert stories["A"]["recall"] >= 0.8 and stories["B"]["recall"] >= 0.8
    assert stories["A"]["purity"] >= 0.8 and stories["B"]["purity"] >= 0.8
    assert figures["speed"]["ner"] > 0 and figures["speed"]["full"] > 0
