"""VK errors by meaning: back off and go on, stop with a clear message, skip and report once."""
from __future__ import annotations

import json

import pytest

from collectors.base import CollectorError, SourceUnavailable
from collectors.vk.collector import VkCollector, live_client
from collectors.vk.guard import VkStop
from testing.fakes.vk import TOKEN
from tests.collectors.vk.conftest import NOW, T

OWNER = -217000001


def collector(settings) -> VkCollector:
    source = settings.sources[0]
    return VkCollector(source, live_client(source, settings), clock=lambda: NOW)


def fail(server, method: str, code: int, message: str, times: int = 1, **params) -> None:
    """Put an error answer in front of the recording."""
    server.calls.insert(0, {"method": method, "params": params, "times": times,
                            "error": {"error_code": code, "error_msg": message}})


@pytest.mark.parametrize("code", [6, 9])
def test_rate_limit_errors_back_off_and_go_on(vk_settings, vk_server, code):
    fail(vk_server, "wall.get", code, "Too many requests per second", times=2)
    batch = collector(vk_settings()).collect(None)
    assert len(vk_server.requests_of("wall.get")) == 3
    assert any(p.native_id == f"{OWNER}_210" for p in batch.posts)


def test_rate_limit_that_does_not_pass_gives_up_for_this_scan(vk_settings, vk_server):
    fail(vk_server, "wall.get", 6, "Too many requests per second", times=99)
    with pytest.raises(SourceUnavailable, match="код 6"):
        collector(vk_settings(retries=3)).collect(None)
    assert len(vk_server.requests_of("wall.get")) == 3


def test_bad_token_stops_the_source_and_names_the_variable(vk_settings, vk_server, monkeypatch):
    settings = vk_settings()
    monkeypatch.setenv("MCU_VK_TOKEN", "vk1.a.revoked-token")
    with pytest.raises(VkStop) as stop:
        collector(settings).collect(None)
    message = str(stop.value)
    assert "pestovo_test: токен VK недействителен" in message and "MCU_VK_TOKEN" in message
    assert "revoked-token" not in message and TOKEN not in message
    assert len(vk_server.log) == 1  # no retry can fix a token


def test_captcha_stops_and_reports(vk_settings, vk_server):
    fail(vk_server, "wall.get", 14, "Captcha needed")
    with pytest.raises(VkStop, match="капчу"):
        collector(vk_settings()).collect(None)
    assert len(vk_server.requests_of("wall.get")) == 1


@pytest.mark.parametrize("code", [15, 18, 30])
def test_closed_wall_is_skipped_and_reported_once(vk_settings, vk_server, code):
    fail(vk_server, "wall.get", code, "This profile is private", times=2)
    vk = collector(vk_settings())
    first = vk.collect(None)
    assert first.posts == []
    assert len(first.problems) == 1 and f"код {code}" in first.problems[0] and "стена «pestovo_test»" in first.problems[0]
    assert json.loads(first.watermark)["skipped"] == {"wall": code}
    second = vk.collect(first.watermark)
    assert second.posts == [] and second.problems == []  # reported once
    third = vk.collect(second.watermark)  # the wall opened again
    assert any(p.native_id == f"{OWNER}_210" for p in third.posts)
    assert "skipped" not in json.loads(third.watermark)


def test_limit_inside_execute_is_retried_alone(vk_settings, vk_server):
    fail(vk_server, "wall.getComments", 9, "Flood control", owner_id=OWNER, post_id=210, offset=0)
    batch = collector(vk_settings()).collect(None)
    assert f"{OWNER}_210_c211" in {p.native_id for p in batch.posts}
    assert len(vk_server.requests_of("wall.getComments")) == 1  # the failed slot alone, outside execute


def test_http_errors_and_timeouts_are_retried(vk_settings, vk_server):
    vk_server.calls.insert(0, {"method": "groups.getById", "http_status": 502, "times": 1})
    vk_server.calls.insert(0, {"method": "wall.get", "params": {}, "times": 1, "delay": 1.0, "response": {}})
    batch = collector(vk_settings(timeout=0.3)).collect(None)
    assert len(vk_server.requests_of("groups.getById")) == 2 and len(vk_server.requests_of("wall.get")) == 2
    assert any(p.native_id == f"{OWNER}_210" for p in batch.posts)


def test_unreachable_api_is_transient(vk_settings):
    settings = vk_settings(api_url="http://127.0.0.1:9", retries=2)
    with pytest.raises(SourceUnavailable, match="VK API недоступен после 2 попыток"):
        collector(settings).collect(None)


def test_unknown_group_is_a_permanent_error(vk_settings, vk_server):
    with pytest.raises(CollectorError, match="VK error 100"):
        collector(vk_settings(owner="no_such_public")).collect(None)


def test_rate_limit_reached_blocks_the_method_for_the_day(vk_settings, vk_server, tmp_path):
    fail(vk_server, "newsfeed.search", 29, "Rate limit reached", times=99)
    settings = vk_settings(search=["Пестово"], retries=2)
    batch = collector(settings).collect(None)
    # the wall was read in full: its posts are kept and its watermark moves; the search's does not
    assert any(p.native_id == f"{OWNER}_210" for p in batch.posts)
    assert json.loads(batch.watermark)["date"] == T - 600 and "search" not in json.loads(batch.watermark)
    assert any("суточный лимит метода newsfeed.search исчерпан (код 29)" in p for p in batch.problems)
    budget = json.loads((tmp_path / "vk_budget.json").read_text(encoding="utf-8"))
    assert budget["tokens"] and all("newsfeed.search" in t["blocked"] for t in budget["tokens"].values())
    assert TOKEN not in (tmp_path / "vk_budget.json").read_text(encoding="utf-8")
    searches, executes = len(vk_server.requests_of("newsfeed.search")), len(vk_server.requests_of("execute"))
    again = collector(settings).collect(batch.watermark)
    assert len(vk_server.requests_of("newsfeed.search")) == searches  # not asked again today
    assert again.posts == [] and len(vk_server.requests_of("execute")) == executes  # no comments read again
    assert any("бюджет вызовов newsfeed.search исчерпан" in p for p in again.problems)


def test_exhausted_budget_stops_the_source_with_a_clear_message(vk_settings, vk_server):
    settings = vk_settings(daily_budget={"wall.get": 1})
    collector(settings).collect(None)
    with pytest.raises(VkStop, match=r"дневной бюджет вызовов wall.get исчерпан \(1 в сутки на токен\)"):
        collector(settings).collect(None)
    assert len(vk_server.requests_of("wall.get")) == 1


def test_search_with_a_service_key_skips_the_search_and_reads_the_wall(vk_settings, vk_server):
    fail(vk_server, "newsfeed.search", 28, "Application authorization failed: method is unavailable with service token",
         times=99)
    batch = collector(vk_settings(search=["Пестово"])).collect(None)
    assert any(p.native_id == f"{OWNER}_210" for p in batch.posts)
    assert any("нужен ключ доступа пользователя" in p for p in batch.problems)


def test_stop_in_the_middle_of_the_wall_keeps_what_was_read_and_the_old_watermark(vk_settings, vk_server):
    settings = vk_settings(daily_budget={"wall.getComments": 1})  # the long thread needs a second call
    batch = collector(settings).collect(json.dumps({"date": T - 3000}))
    assert any(p.native_id == f"{OWNER}_210" for p in batch.posts)
    assert json.loads(batch.watermark)["date"] == T - 3000  # read again next time; upserts deduplicate
    assert "дневной бюджет вызовов wall.getComments исчерпан" in batch.problems[-1]
