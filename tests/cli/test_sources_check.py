"""``mcu sources check`` against the local VK and news servers: a row per source, Russian, exit code."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import collectors.base as base
from cli.commands.sources import check_sources
from core.config import load_config
from testing.configs import write_config
from testing.fakes.http import LocalServer
from testing.fakes.vk import TOKEN, VkServer, load_calls
from tests.collectors.rss.conftest import site_routes
from tests.collectors.vk.conftest import FIXTURES as VK_FIXTURES

FIXTURES = Path(__file__).resolve().parents[1] / "collectors" / "fixtures"  # the recorded Telegram chat
runner = CliRunner()
WIDE = {"COLUMNS": "250"}  # the console reads it on every print; setting console.width would pin it for later tests


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("MCU_VK_TOKEN", TOKEN)
    calls = load_calls(VK_FIXTURES / "wall_pestovo.json") + load_calls(VK_FIXTURES / "search_pestovo.json")
    calls.insert(0, {"method": "wall.get", "params": {"owner_id": -217000099},
                     "error": {"error_code": 30, "error_msg": "This profile is private"}})
    calls.insert(0, {"method": "groups.getById", "params": {"group_id": "closed_club"},
                     "response": {"groups": [{"id": 217000099, "name": "Закрытый клуб", "is_closed": 1}]}})
    shutil.copy(FIXTURES / "tg_chat.json", tmp_path / "tg_chat.json")
    with VkServer(calls) as vk, LocalServer() as site:
        site.routes.update(site_routes(site.url))
        vk_common = {"platform": "vk", "api_url": vk.url, "requests_per_second": 50, "backoff": 0.01, "retries": 2}
        yield write_config(tmp_path, [
            {"key": "pestovo_test", "name": "Пестово | Тестовый паблик", "owner": "pestovo_test",
             "search": ["Пестово"], **vk_common},
            {"key": "closed", "name": "Закрытый клуб", "owner": "closed_club", **vk_common},
            {"key": "other_token", "name": "Другой токен", "owner": "pestovo_test", "token_env": "MCU_VK_TOKEN_2",
             **vk_common},
            {"key": "vesti", "platform": "rss", "name": "Пестовские вести", "url": site.url + "/rss.xml"},
            {"key": "adm", "platform": "rss", "name": "Администрация", "url": site.url + "/adm.xml"},
            {"key": "overheard", "platform": "rss", "name": "Подслушано", "url": site.url + "/broken.xml"},
            {"key": "gone", "platform": "rss", "name": "Старый сайт", "url": site.url + "/gone.xml", "retries": 1},
            {"key": "chat", "platform": "telegram", "name": "Чат", "chat": "@test_chat", "replay": "tg_chat.json"},
        ]), vk


def test_every_source_is_checked(config, monkeypatch):
    path, vk = config
    import collectors.telegram.check  # registered first, then taken away: a platform without a check

    monkeypatch.delitem(base.CHECKS, "telegram", raising=False)
    results = {source.key: check for source, check in check_sources(load_config(path))}
    assert results["pestovo_test"].status == "ok"
    assert "«Пестово | Тестовый паблик»: участников 5400" in results["pestovo_test"].detail
    assert "поиск по VK работает" in results["pestovo_test"].detail
    assert results["closed"].status == "error" and "код 30" in results["closed"].detail
    assert results["other_token"].status == "error" and "MCU_VK_TOKEN_2" in results["other_token"].detail
    assert results["vesti"].status == "ok" and "«Пестовские вести»: rss20, записей 7" in results["vesti"].detail
    assert results["adm"].status == "ok" and "Администрация Пестовского муниципального округа" in results["adm"].detail
    assert results["overheard"].status == "warning" and "ошибками разметки" in results["overheard"].detail
    assert results["gone"].status == "error" and "HTTP 404" in results["gone"].detail
    assert results["chat"].status == "unchecked" and "не проверено" in results["chat"].detail
    assert TOKEN not in "".join(r.detail for r in results.values())


def test_a_registered_check_is_used_and_its_answer_shown(config, monkeypatch):
    path, _ = config
    monkeypatch.setitem(base.CHECKS, "telegram", lambda source, settings: (False, f"{source.chat}: чат не найден"))
    results = {source.key: check for source, check in check_sources(load_config(path), ["chat"])}
    assert list(results) == ["chat"] and results["chat"].status == "error"
    assert results["chat"].detail == "@test_chat: чат не найден"


def test_command_prints_a_table_and_fails_on_errors(config, monkeypatch):
    from cli.app import app

    path, _ = config
    monkeypatch.setitem(base.CHECKS, "telegram", lambda source, settings: (True, "«Тестовый чат»"))
    result = runner.invoke(app, ["sources", "check", "-c", str(path)], env=WIDE)
    assert result.exit_code == 1, result.output
    assert "Пестовский муниципальный округ: проверка источников" in result.output
    assert "работает" in result.output and "ошибка" in result.output and "предупреждение" in result.output
    assert "Работают: 4, с предупреждением: 1, с ошибкой: 3, не проверено: 0." in result.output
    only = runner.invoke(app, ["sources", "check", "-c", str(path), "-s", "vesti"], env=WIDE)
    assert only.exit_code == 0, only.output
    assert "Работают: 1, с предупреждением: 0, с ошибкой: 0, не проверено: 0." in only.output
    unknown = runner.invoke(app, ["sources", "check", "-c", str(path), "-s", "nope"], env=WIDE)
    assert unknown.exit_code == 2 and "нет источников ['nope']" in unknown.output
