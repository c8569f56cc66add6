"""``mcu analyze`` and ``mcu eval`` through the real CLI."""
import json
import os
import shlex
import subprocess
import sys

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


def test_eval_prints_the_appeal_models(shared_data, tmp_path, config):
    out = tmp_path / "eval.json"
    result = runner.invoke(app, ["eval", "--data", str(shared_data), "--only", "routing", "--only", "answers",
                                 "--json", str(out), "--config", config])
    assert result.exit_code == 0, result.output
    assert "верный орган среди трёх первых — 0.783" in " ".join(result.output.split())
    figures = {(r["task"], r["variant"]): r for r in json.loads(out.read_text(encoding="utf-8"))["results"]}
    routing = next(r for (task, _), r in figures.items() if task == "routing")
    assert routing["report"]["accuracy"] == pytest.approx(0.4333, abs=0.005)
    assert routing["extra"]["top3"] == pytest.approx(0.7833, abs=0.005)
    answers = figures[("answers", "поставляемый классификатор (model)")]
    assert answers["report"]["accuracy"] == pytest.approx(0.8382, abs=0.005)
    assert answers["report"]["macro_f1"] == pytest.approx(0.8058, abs=0.005)
    assert set(answers["report"]["per_class"]) == {"solved", "explained", "not_confirmed", "redirected", "formal"}


def test_analyze_treats_a_file_with_invalid_utf8_like_stdin(tmp_path, config):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": 1, "text": "\xd0\xb2 \xd0\x9e\xd1\x85\xd0\xbe\xd0\xbd\xd0\xb5 \xff"}\n'
                       + "\n".encode() + '{"id": 3, "text": "в охоне нет света"}\n'.encode())
    result = runner.invoke(app, ["analyze", str(source), "--no-ner", "--config", config])
    assert result.exit_code == 1
    first, second = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert first == {"id": 1, "error": f"{source}:1: not UTF-8 (bad byte at column 34)"}
    assert second["id"] == 3 and second["toponyms"][0]["name"] == "Охона"


def test_analyze_completes_under_a_memory_limit_with_a_multi_megabyte_line(tmp_path, repo_root, config):
    """A 6 MB line once grew the process past 24 GB; under ``ulimit -v`` (2 GB) it is an error line of
    its own, a 0.9 MB line is analysed up to the bound, and the lines around them are analysed."""
    words = "Дорога в Быково разбита, яма на яме. "
    lines = [
        {"id": 1, "text": "в Охоне нет света"},
        {"id": 2, "text": words * 100_000},
        {"id": 3, "text": words * 14_000},
        {"id": 5, "text": "Спасибо за новый сквер"},
    ]
    source = tmp_path / "big.jsonl"
    encoded = [json.dumps(x, ensure_ascii=False).encode() for x in lines]
    source.write_bytes(b"\n".join(encoded[:3] + [b""] + encoded[3:]) + b"\n")
    assert len(encoded[1]) > 6_000_000 and 800_000 < len(encoded[2]) < 1_000_000
    out = tmp_path / "out.jsonl"
    command = (f"ulimit -v 2000000 && exec {shlex.quote(sys.executable)} -m cli analyze {shlex.quote(str(source))} "
               f"--output {shlex.quote(str(out))} --config {shlex.quote(config)}")
    done = subprocess.run(["bash", "-c", command], cwd=repo_root, capture_output=True, text=True, timeout=600,
                          env=os.environ | {"PYTHONPATH": str(repo_root)})
    assert done.returncode == 1, done.stderr  # 1: one line had an error, the rest was analysed
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in results] == [1, 2, 3, 5]
    assert results[1] == {"id": 2, "error": f"{source}:2: line longer than 1000000 bytes, not analysed"}
    assert results[2]["cut"] is True and results[2]["topic"]["code"] == "roads"
    assert results[0]["toponyms"][0]["name"] == "Охона" and results[3]["sentiment"]["label"] == "positive"
    assert "Готово: 3 из 4 строк, ошибок: 1." in " ".join(done.stderr.split())
