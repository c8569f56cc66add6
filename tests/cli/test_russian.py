"""Russian everywhere staff look: every ``--help`` screen and the common errors carry no English
prose. Names that are code (``--config``, ``sources.1.platform``, ``MCU_CONFIG``) may stay."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
PUNCTUATION = "()[],.:;!?«»\"'`"
CODE_CHARS = set("_/@=\\<>{}[]|~*#$%^&+.:0123456789")


def is_code(token: str) -> bool:
    """``--config``, ``sources.1.platform``, ``sqlite:///путь``, ``MCU_CONFIG``, ``not-risk``: code."""
    core = token.strip(PUNCTUATION)
    return (core.startswith("-") or bool(CODE_CHARS & set(core)) or core.isupper() and len(core) > 1
            or bool(re.search(r"[A-Za-z]-[A-Za-z]", core)))


UI_WORDS = {"usage", "options", "option", "commands", "command", "arguments", "argument", "error", "try",
            "show", "message", "exit", "missing", "invalid", "value", "required", "default", "help", "such",
            "expected", "got", "not", "is", "for", "the", "of", "and", "or", "unknown", "field", "input",
            "should", "be", "problem", "problems", "configuration", "aborted", "set", "cannot", "read"}
"""English words a framework or an untranslated message would show even alone."""


def english_prose(text: str) -> list[str]:
    """Runs of two or more English words, and single English UI words, outside code-like tokens."""
    text = re.sub(r"\bmcu(?: [a-z][\w-]*)*", " ¦ ", text)  # command lines are code
    text = re.sub(r"│ +[a-z][\w-]*", "│ ¦ ", text)  # so are sub-command names in the commands panel
    plain = " ".join(" ¦ " if is_code(token) else token for token in re.split(r"(\s+)", text) if token.strip())
    found = [m.group(0) for m in re.finditer(r"\b[A-Za-z]{2,}(?: [a-z]{2,})+\b", plain)
             if not m.group(0)[0].isupper() or len(m.group(0).split()) > 2]
    found += [w for w in re.findall(r"\b[A-Za-z]{2,}\b", plain) if w.lower() in UI_WORDS]
    return found


def command_paths(command=None, path=()):
    command = command or typer.main.get_command(app)
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from command_paths(sub, (*path, name))


def test_the_detector_sees_english_and_spares_code():
    assert english_prose("Show this message and exit.")
    assert english_prose("Usage: mcu search")
    assert english_prose("Invalid value for '--limit': Input should be a valid integer")
    assert not english_prose("Хранилище: sqlite:///путь или elasticsearch://host:9200 (MCU_CONFIG, --config)")
    assert not english_prose("sources.1.platform: неизвестное значение 'myspace'; допустимые: 'rss', 'vk'")


@pytest.mark.parametrize("path", list(command_paths()), ids=lambda p: " ".join(p) or "mcu")
def test_help_is_russian(path):
    result = runner.invoke(app, [*path, "--help"], env=ENV, prog_name="mcu")
    assert result.exit_code == 0, result.output
    assert "Использование:" in result.output
    assert not english_prose(result.output), (english_prose(result.output), result.output)


def bad_config(tmp_path: Path) -> Path:
    data = yaml.safe_load((ROOT / "config/demo.yaml").read_text(encoding="utf-8"))
    data["gazetteer"] = str(ROOT / "config/gazetteer/pestovo.yaml")
    data["rubricator"] = str(ROOT / "config/rubricator.yaml")
    data["sources"][0].pop("owner")
    data["sources"][1]["platform"] = "myspace"
    data["privacy"]["retention_days"] = 0
    data["colour"] = "red"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


ERRORS = [
    (["search", "--limit", "abc"], "недопустимое значение"),
    (["search", "--limit", "0"], "должно быть не меньше 1"),
    (["search", "--nope"], "нет такого параметра"),
    (["risk", "take"], "не указан аргумент"),
    (["risk", "list", "--status", "bad"], "недопустимое значение"),
    (["nope"], "нет такой команды"),
    (["scan", "--source"], "нужно значение"),
    (["scan", "extra"], "лишние аргументы"),
    (["config", "-c", "/nonexistent/mcu.yaml"], "не удаётся прочитать конфигурацию"),
]


@pytest.mark.parametrize("args, expected", ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_common_errors_are_russian(args, expected):
    result = runner.invoke(app, args, env=ENV, prog_name="mcu")
    assert result.exit_code == 2, result.output
    assert expected in result.output, result.output
    assert not english_prose(result.output), (english_prose(result.output), result.output)


def test_config_errors_are_russian_with_key_names(tmp_path):
    result = runner.invoke(app, ["config", "-c", str(bad_config(tmp_path))], env=ENV, prog_name="mcu")
    assert result.exit_code == 2
    out = result.output
    assert "ошибки в конфигурации (4)" in out
    for key in ("sources.0.vk.owner", "sources.1", "privacy.retention_days", "colour"):
        assert key in out
    assert "должно быть не меньше 1" in out and "неизвестный ключ" in out
    assert not english_prose(out), (english_prose(out), out)


def test_bot_without_a_telegram_sink_and_login_without_credentials(monkeypatch):
    monkeypatch.delenv("MCU_TG_API_ID", raising=False)
    monkeypatch.delenv("MCU_TG_API_HASH", raising=False)
    monkeypatch.setenv("MCU_BOT_TOKEN", "123456:ABCdef-ghijk")
    for args, expected in ((["bot", "-c", str(ROOT / "config/demo.yaml")], "нет приёмника telegram"),
                           (["telegram", "login", "-c", str(ROOT / "config/demo.yaml")], "MCU_TG_API_ID: не задано")):
        result = runner.invoke(app, args, env=ENV, prog_name="mcu")
        assert result.exit_code != 0
        assert expected in result.output, result.output
        assert not english_prose(result.output), (english_prose(result.output), result.output)
