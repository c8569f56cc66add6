"""Config errors name the file, the key and the reason; secrets never come from the file."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from core.config import ConfigError, load_config, secret

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load((ROOT / "config/demo.yaml").read_text(encoding="utf-8"))
    data["gazetteer"] = str(ROOT / "config/gazetteer/pestovo.yaml")
    data["rubricator"] = str(ROOT / "config/rubricator.yaml")
    mutate(data)
    path = tmp_path / "mcu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_demo_config_loads():
    settings = load_config(ROOT / "config/demo.yaml")
    assert {s.platform for s in settings.sources} == {"vk", "telegram", "rss"}
    assert settings.rubricator.topic("utilities").block == "infrastructure"
    assert settings.resolve(settings.gazetteer).is_file()


def test_production_template_loads():
    assert load_config(ROOT / "config/pestovo.yaml").store.startswith("sqlite:///")


@pytest.mark.parametrize(
    "mutate, key, reason",
    [
        (lambda d: d["sources"][1].update(platform="myspace"), "sources.1", "неизвестное значение 'myspace' поля 'platform'"),
        (lambda d: d["sources"][0].pop("owner"), "sources.0.vk.owner", "обязательное поле: стена для чтения"),
        (lambda d: d["sources"][2].update(key=d["sources"][0]["key"]), "sources.2.key", "повторяется"),
        (lambda d: d.update(store="mysql://x"), "store", "ожидается sqlite:///путь"),
        (lambda d: d["risk"].update(high=0.9, critical=0.8), "risk", "пороги должны расти"),
        (lambda d: d["alerts"].update(min_level="none"), "alerts.min_level", "допустимы medium, high или critical"),
        (lambda d: d["alerts"].update(min_level="extreme"), "alerts.min_level", "допустимые значения: 'none', 'medium', 'high' или 'critical'"),
        (lambda d: d.update(colour="red"), "colour", "неизвестный ключ"),
        (lambda d: d["privacy"].update(retention_days=0), "privacy.retention_days", "должно быть не меньше 1 (получено 0)"),
    ],
)
def test_bad_value_names_file_key_and_reason(tmp_path, mutate, key, reason):
    path = write_config(tmp_path, mutate)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert key in message
    assert reason in message


def test_unknown_block_in_rubricator(tmp_path):
    def mutate(d):
        rubricator = yaml.safe_load((ROOT / "config/rubricator.yaml").read_text(encoding="utf-8"))
        rubricator["topics"][0]["block"] = "nowhere"
        d["rubricator"] = rubricator

    with pytest.raises(ConfigError, match=r"rubricator.*неизвестный блок «nowhere»"):
        load_config(write_config(tmp_path, mutate))


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="не удаётся прочитать конфигурацию: нет такого файла или папки"):
        load_config(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="ошибка в YAML"):
        load_config(bad)


def test_secrets_come_from_environment(monkeypatch):
    monkeypatch.setenv("MCU_TEST_TOKEN", "s3cr3t-value")
    value = secret("MCU_TEST_TOKEN")
    assert value.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t" not in repr(value) and "s3cr3t" not in str(value)
    monkeypatch.setenv("MCU_TEST_TOKEN", "changeme")
    with pytest.raises(ConfigError, match="значение-заглушка"):
        secret("MCU_TEST_TOKEN")
    monkeypatch.delenv("MCU_TEST_TOKEN")
    with pytest.raises(ConfigError, match="MCU_TEST_TOKEN: не задано"):
        secret("MCU_TEST_TOKEN")
    assert secret("MCU_TEST_TOKEN", required=False) is None


def test_a_missing_gazetteer_is_a_config_error_not_a_scan_crash(tmp_path):
    path = write_config(tmp_path, lambda d: d.update(gazetteer=str(tmp_path / "absent.yaml")))
    with pytest.raises(ConfigError, match=r"gazetteer: файл газеттира .*absent.yaml не найден"):
        load_config(path)


def test_absurd_nesting_and_bad_bytes_are_config_errors(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("municipality: x\nsources: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="слишком глубокая вложенность"):
        load_config(deep)
    nested = tmp_path / "nested.yaml"
    nested.write_text("municipality: x\nextra: " + "{a: " * 60 + "1" + "}" * 60 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="слишком глубокая вложенность"):
        load_config(nested)
    cp1251 = tmp_path / "cp1251.yaml"
    cp1251.write_bytes("municipality: Пестово\n".encode("cp1251"))
    with pytest.raises(ConfigError, match="не в кодировке UTF-8"):
        load_config(cp1251)


def test_mcu_config_lists_the_files_it_needs(tmp_path):
    from typer.testing import CliRunner

    from cli.app import app

    path = write_config(tmp_path, lambda d: d["sources"][0].update(replay=str(tmp_path / "missing.json")))
    result = CliRunner().invoke(app, ["config", "-c", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    # The console width is fixed when cli.options is first imported, so the
    # table may wrap cells: read the text without borders and line breaks.
    flat = re.sub(r"[\s│┃┏┓┗┛┡┩└┘├┤┼━─╇╈┳┻┬┴]+", " ", result.output)
    assert "Файлы и папки" in flat and "газеттир" in flat
    assert "pestovo_online" in flat and "не найден" in flat
