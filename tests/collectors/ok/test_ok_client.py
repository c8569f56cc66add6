"""The OK client: the request signature, and OK's errors given their meaning (local OK server)."""
from __future__ import annotations

import pytest

from collectors.base import CollectorError, SourceUnavailable
from collectors.ok.client import LiveOkClient, sign
from collectors.ok.guard import GuardedOkClient, OkSkip, OkStop
from collectors.vk.limits import DailyBudget
from testing.fakes.ok import APP_KEY, SECRET_KEY, TOKEN, OkServer
from tests.collectors.ok.conftest import GID, ok_source


def test_signature_is_md5_of_sorted_pairs_and_the_session_secret():
    params = {"method": "mediatopic.getTopics", "gid": GID, "count": "2", "format": "json",
              "application_key": APP_KEY, "access_token": TOKEN}
    # md5("application_key=…count=2format=jsongid=…method=mediatopic.getTopics" + md5(token + secret)),
    # computed with coreutils md5sum
    assert sign(params, TOKEN, SECRET_KEY) == "97db3bed309a3b692148a337c8326c9e"
    assert sign({**params, "sig": "x", "session_key": "y"}, TOKEN, SECRET_KEY) == "97db3bed309a3b692148a337c8326c9e"
    assert sign({**params, "count": "3"}, TOKEN, SECRET_KEY) != "97db3bed309a3b692148a337c8326c9e"


def guarded(server, tmp_path=None, app_key=APP_KEY, secret_key=SECRET_KEY, token=TOKEN, budget=None, **fields):
    client = LiveOkClient(app_key, secret_key, token, server.url, timeout=5)
    return GuardedOkClient(client, ok_source(server, **fields), budget)


def test_a_signed_call_reaches_the_server_and_returns_its_json(ok_server):
    api = guarded(ok_server)
    assert api.call("group.getInfo", uids=GID, fields="uid,name,members_count")[0]["members_count"] == 6840
    request = ok_server.hits("/fb.do")[-1]
    assert request.method == "POST" and b"sig=" in request.body and b"format=json" in request.body


@pytest.mark.parametrize("keys, env, meaning", [
    ({"secret_key": "wrong-secret"}, "MCU_OK_SECRET_KEY", "подпись запроса неверна"),
    ({"token": "expired-token"}, "MCU_OK_TOKEN", "срок действия токена истёк"),
    ({"app_key": "OTHERAPP"}, "MCU_OK_APP_KEY", "ключ приложения"),
])
def test_bad_keys_stop_the_source_naming_the_variable_to_fix(ok_server, keys, env, meaning):
    with pytest.raises(OkStop) as stop:
        guarded(ok_server, **keys).call("group.getInfo", uids=GID)
    assert env in str(stop.value) and meaning in str(stop.value)
    assert TOKEN not in str(stop.value) and SECRET_KEY not in str(stop.value)
    assert len(ok_server.hits("/fb.do")) == 1  # not retried


def test_service_errors_are_retried_then_answered():
    calls = [{"method": "group.getInfo", "error": {"error_code": 2, "error_msg": "Service temporary unavailable"},
              "times": 2},
             {"method": "group.getInfo", "response": [{"uid": GID, "name": "Группа", "members_count": 5}]}]
    with OkServer(calls) as server:
        assert guarded(server).call("group.getInfo", uids=GID)[0]["members_count"] == 5
        assert len(server.hits("/fb.do")) == 3


def test_a_server_that_keeps_failing_is_unavailable_not_broken():
    with OkServer([{"method": "group.getInfo", "http_status": 502}]) as server:
        with pytest.raises(SourceUnavailable, match="недоступен после 3 попыток"):
            guarded(server).call("group.getInfo", uids=GID)
        assert len(server.hits("/fb.do")) == 3


def test_the_daily_limit_blocks_the_method_for_the_day(tmp_path):
    budget = DailyBudget(tmp_path / "ok_budget.json", TOKEN, {})
    calls = [{"method": "mediatopic.getTopics", "error": {"error_code": 9, "error_msg": "Method invocation limit"}}]
    with OkServer(calls) as server:
        api = guarded(server, budget=budget)
        with pytest.raises(OkStop, match="лимит вызовов mediatopic.getTopics исчерпан"):
            api.call("mediatopic.getTopics", gid=GID)
        with pytest.raises(OkStop, match="дневной бюджет"):  # blocked: not sent again today
            api.call("mediatopic.getTopics", gid=GID)
        assert len(server.hits("/fb.do")) == 1


def test_an_exhausted_budget_stops_before_calling(tmp_path):
    budget = DailyBudget(tmp_path / "ok_budget.json", TOKEN, {"group.getInfo": 1})
    with OkServer([{"method": "group.getInfo", "response": [{"uid": GID}]}]) as server:
        api = guarded(server, budget=budget)
        api.call("group.getInfo", uids=GID)
        with pytest.raises(OkStop, match=r"дневной бюджет вызовов group.getInfo исчерпан \(1 в сутки"):
            api.call("group.getInfo", uids=GID)
        assert len(server.hits("/fb.do")) == 1


def test_inaccessible_objects_are_skipped_and_request_faults_named():
    calls = [{"method": "discussions.getComments", "error": {"error_code": 300, "error_msg": "Topic not found"}},
             {"method": "mediatopic.getTopics", "error": {"error_code": 100, "error_msg": "gid is invalid"}}]
    with OkServer(calls) as server:
        with pytest.raises(OkSkip, match="не найдено"):
            guarded(server).call("discussions.getComments", entityId="1")
        with pytest.raises(CollectorError, match="pestovo_ok: mediatopic.getTopics: OK error 100"):
            guarded(server).call("mediatopic.getTopics", gid="x")
