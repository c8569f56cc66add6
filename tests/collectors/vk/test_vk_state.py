"""The VK watermark (``collectors/vk/state.py``): the compact JSON a scan leaves for the next one,
read back field by field, the first versions' ``{"date": …}`` still accepted, and a clear error
for anything else."""
from __future__ import annotations

import pytest

from collectors.base import CollectorError
from collectors.vk.state import RecentPost, VkState


def test_a_full_state_round_trips_in_its_compact_form():
    state = VkState(date=1764400000,
                    recent={"-555_30": RecentPost(1764400000, "a1b2", 12, 31), "-555_28": RecentPost(1764300000, "ff",
                                                                                                     0, None)},
                    search={"Лаптево вода": 1764390000, "Пестово": 1764000000}, skipped={"wall": 30, "photos": 2},
                    reported=["9f1c", "0a2b"])
    text = state.dump()
    assert text == ('{"date":1764400000,"recent":{"-555_28":[1764300000,"ff",0,null],'
                    '"-555_30":[1764400000,"a1b2",12,31]},"search":{"Лаптево вода":1764390000,"Пестово":1764000000},'
                    '"skipped":{"photos":2,"wall":30},"reported":["9f1c","0a2b"]}')
    assert VkState.parse(text, "public") == state


def test_the_first_versions_watermark_and_an_empty_one():
    assert VkState.parse('{"date": 1764400000}', "public") == VkState(date=1764400000)
    assert VkState.parse('{"date": "1764400000"}', "public").date == 1764400000
    assert VkState.parse(None, "public") == VkState() == VkState.parse("", "public")
    assert VkState.parse("{}", "public") == VkState()
    assert VkState(date=5).dump() == '{"date":5}'
    assert VkState.parse('{"date": 1, "recent": {"-1_2": [5, 7, "3", null]}}', "public").recent == \
        {"-1_2": RecentPost(5, "7", 3, None)}
    assert VkState.parse('{"date": 1, "recent": null, "search": null, "skipped": null, "reported": null}',
                         "public") == VkState(date=1)


@pytest.mark.parametrize("text", ["не json", "[1]", '{"date": "вчера"}', '{"recent": {"-1_2": [1, 2]}}',
                                  '{"recent": [1]}', '{"search": {"q": "x"}}', '{"skipped": {"wall": null}}',
                                  '{"recent": {"-1_2": [1, "s", 2, "x"]}}'])
def test_a_foreign_watermark_is_a_clear_error(text):
    with pytest.raises(CollectorError, match=r"^laptevo: stored watermark is not a VK watermark \(.+\); "
                                             r"run the scan with --full to start over$"):
        VkState.parse(text, "laptevo")
