"""The transport: vk_api against the local server (address, token, execute), the replay file, mapping."""
from __future__ import annotations

import json
import logging

import pytest

from collectors.base import BadPayload, CollectorError
from collectors.text import MAX_TEXT
from collectors.vk.client import LiveVkClient, ReplayVkClient, VkApiError
from collectors.vk.collector import VkCollector, live_client
from collectors.vk.mapping import map_comment, map_post
from testing.fakes.vk import TOKEN, parse_vkscript
from tests.collectors.vk.conftest import NOW

OWNER = -217000001


def test_vk_api_posts_to_the_configured_address(vk_server):
    client = LiveVkClient(TOKEN, api_version="5.199", base_url=vk_server.url)
    group = client.call("groups.getById", group_id="pestovo_test", fields="members_count")
    assert group["groups"][0]["members_count"] == 5400
    (request,) = vk_server.log
    assert request.method == "POST" and request.path == "/method/groups.getById"
    assert b"v=5.199" in request.body and b"access_token=" in request.body
    assert request.headers["user-agent"].startswith("mcu-monitor")


def test_execute_batches_one_method_and_many_methods(vk_server):
    client = LiveVkClient(TOKEN, base_url=vk_server.url)
    same = client.call_many([("wall.getComments", {"owner_id": OWNER, "post_id": 210, "count": 100, "offset": 0}),
                             ("wall.getComments", {"owner_id": OWNER, "post_id": 204, "count": 100, "offset": 0})])
    assert same[0]["current_level_count"] == 2
    assert isinstance(same[1], VkApiError) and same[1].code == 15
    mixed = client.call_many([("groups.getById", {"group_id": "pestovo_test"}),
                              ("wall.get", {"owner_id": OWNER, "count": 100, "offset": 0})])
    assert mixed[0]["groups"][0]["id"] == 217000001 and len(mixed[1]["items"]) == 9
    assert [r.path for r in vk_server.log] == ["/method/execute", "/method/execute"]
    codes = [r.body for r in vk_server.log]
    assert b"while" in codes[0] and b"while" not in codes[1]  # vk_api's loop form, then the list form


def test_vkscript_forms_parse():
    assert parse_vkscript('return [API.wall.get({"owner_id":-1,"count":100}),API.groups.getById({"group_id":"x"})];') == [
        ("wall.get", {"owner_id": -1, "count": 100}), ("groups.getById", {"group_id": "x"})]
    loop = ('var values = [{"post_id":1},{"post_id":2}],i = 0,result = [];while(i < values.length) '
            '{result.push(API.wall.getComments(values[i]));i = i + 1;}return result;')
    assert parse_vkscript(loop) == [("wall.getComments", {"post_id": 1}), ("wall.getComments", {"post_id": 2})]


def test_wrong_api_address_is_a_clear_permanent_error(vk_settings, vk_server):
    settings = vk_settings(api_url=vk_server.url + "/not-vk")
    source = settings.sources[0]
    with pytest.raises(CollectorError, match="проверьте api_url"):
        VkCollector(source, live_client(source, settings), clock=lambda: NOW).collect(None)


def test_replay_client_answers_batches_and_recorded_errors(tmp_path):
    path = tmp_path / "rec.json"
    path.write_text(json.dumps({"calls": [
        {"method": "wall.getComments", "params": {"owner_id": -1, "post_id": 5}, "response": {"count": 0, "items": []}},
        {"method": "wall.getComments", "params": {"owner_id": -1, "post_id": 6},
         "error": {"error_code": 15, "error_msg": "Access denied"}}]}), encoding="utf-8")
    client = ReplayVkClient(path)
    ok, denied, past = client.call_many([("wall.getComments", {"owner_id": -1, "post_id": p}) for p in (5, 6, 7)])
    assert ok == {"count": 0, "items": []} and denied.code == 15 and past == {"count": 0, "items": []}
    with pytest.raises(VkApiError, match="no recording"):
        client.call("users.get")


def test_huge_text_is_cut_and_logged_with_source_and_id(caplog):
    item = {"id": 7, "owner_id": OWNER, "date": NOW, "text": "вода " * 10_000}
    with caplog.at_level(logging.WARNING):
        post = map_post(item, "pestovo_test", 10)
    assert len(post.text) <= MAX_TEXT
    assert "pestovo_test: item -217000001_7: field «text»: text longer than 20000 characters" in caplog.text


@pytest.mark.parametrize("item, field", [
    ({"owner_id": OWNER, "date": NOW, "text": "x"}, "id"),
    ({"id": "7", "owner_id": OWNER, "date": NOW, "text": "x"}, "id"),
    ({"id": 7, "owner_id": OWNER, "date": True, "text": "x"}, "date"),
    ({"id": 7, "date": NOW, "text": "x"}, "owner_id"),
])
def test_missing_and_wrong_typed_fields_name_the_field(item, field):
    with pytest.raises(BadPayload) as bad:
        map_post(item, "pestovo_test", 0)
    assert bad.value.field == field and str(bad.value).startswith("pestovo_test: item ")


def test_zero_width_and_control_characters_are_removed():
    item = {"id": 8, "from_id": 5, "date": NOW, "text": "\u200b\ufeffЯма\u200d на\x00 Советской\u2060"}
    comment = map_comment(item, "pestovo_test", OWNER, 210, 0)
    assert comment.text == "Яма на Советской"
    invisible = map_post({"id": 9, "owner_id": OWNER, "date": NOW, "text": "\u200b\u200c\u200d"}, "pestovo_test", 0)
    assert invisible.text == ""  # the collector then skips it as a post without text
