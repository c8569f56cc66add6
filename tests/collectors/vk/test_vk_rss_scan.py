"""A whole scan against the local VK and news servers: collect, store, deduplicate, resume."""
from __future__ import annotations

import copy
import time

import pytest

from core.config import load_config
from core.domain import Platform, post_id
from store import open_store
from testing.configs import write_config
from testing.fakes.http import LocalServer, static
from testing.fakes.vk import TOKEN, VkServer, load_calls, shift_dates
from tests.collectors.rss.conftest import fixture, site_routes
from tests.collectors.vk.conftest import FIXTURES, T
from testing.scans import scan_sources as scan


@pytest.fixture
def servers(monkeypatch):
    monkeypatch.setenv("MCU_VK_TOKEN", TOKEN)
    delta = int(time.time()) - (T + 7200)  # the recording happened two hours ago
    recorded = load_calls(FIXTURES / "wall_pestovo.json") + load_calls(FIXTURES / "search_pestovo.json")
    calls = shift_dates(recorded, delta)
    with VkServer(calls) as vk, LocalServer() as site:
        site.routes.update(site_routes(site.url))
        yield vk, site


def config(tmp_path, vk, site):
    return write_config(tmp_path, [
        {"key": "pestovo_test", "platform": "vk", "name": "Пестово | Тестовый паблик", "owner": "pestovo_test",
         "search": ["Пестово"], "api_url": vk.url, "requests_per_second": 50, "backoff": 0.01},
        {"key": "vesti", "platform": "rss", "name": "Пестовские вести", "url": site.url + "/rss.xml",
         "full_text": True, "reach": 4000, "backoff": 0.01},
        {"key": "adm", "platform": "rss", "name": "Администрация", "url": site.url + "/atom.xml", "backoff": 0.01},
        {"key": "adm_old", "platform": "rss", "name": "Администрация (старый сайт)", "url": site.url + "/adm.xml"},
        {"key": "overheard", "platform": "rss", "name": "Подслушано", "url": site.url + "/broken.xml"},
    ])


def test_scan_collects_deduplicates_and_resumes(tmp_path, servers):
    vk, site = servers
    path = config(tmp_path, vk, site)

    first, stats = scan(path)
    assert not [s.error for s in first.values() if s.error]
    assert {k: s.new for k, s in first.items()} == {"pestovo_test": 24, "vesti": 6, "adm": 2, "adm_old": 2,
                                                    "overheard": 2}
    assert all(s.new == s.fetched for s in first.values())
    assert stats.posts == 36 and stats.by_source["pestovo_test"] == 24  # the photo-only post 208 included
    assert any("лента с ошибками разметки" in p for p in first["overheard"].problems)

    second, stats = scan(path)  # nothing changed: the watermarks and conditional GETs skip it all
    assert {k: (s.fetched, s.new, s.error) for k, s in second.items()} == {k: (0, 0, None) for k in first}
    assert stats.posts == 36
    assert site.hits("/rss.xml")[-1].headers.get("if-none-match")
    assert not any(s.problems for s in second.values())  # the same bad items are not reported again

    wall = next(c for c in vk.calls if c["method"] == "wall.get")["response"]["items"]
    newest = max(i["date"] for i in wall if isinstance(i, dict) and isinstance(i.get("date"), int))
    fresh = copy.deepcopy(wall[1])
    fresh.update(id=230, date=newest + 60, text="В Устье с утра нет электричества", comments={"count": 0})
    wall.insert(1, fresh)
    edited = next(i for i in wall if isinstance(i, dict) and i.get("id") == 210)
    edited["text"] = "Третий день нет воды в Лаптево. UPD: воду дали"
    site.routes["/atom.xml"] = static(fixture("atom_v2.xml"), "application/atom+xml",
                                      modified="Thu, 19 Nov 2026 13:00:00 GMT")

    third, stats = scan(path)
    assert (third["pestovo_test"].new, third["pestovo_test"].updated) == (1, 1)
    assert (third["adm"].new, third["adm"].updated) == (1, 1)
    assert (third["vesti"].fetched, third["adm_old"].fetched, third["overheard"].fetched) == (0, 0, 0)
    assert stats.posts == 38  # edits replaced their posts instead of adding copies


def test_a_post_deleted_from_the_wall_is_marked_deleted_in_the_store(servers, tmp_path):
    vk, site = servers
    path = write_config(tmp_path, [{"key": "pestovo_test", "platform": "vk", "name": "Пестово | Тестовый паблик",
                                    "owner": "pestovo_test", "api_url": vk.url, "requests_per_second": 50,
                                    "backoff": 0.01}])
    first, _ = scan(path)
    assert first["pestovo_test"].deleted == 0
    wall = next(c for c in vk.calls if c["method"] == "wall.get")["response"]["items"]
    wall.remove(next(i for i in wall if isinstance(i, dict) and i.get("id") == 209))
    before = time.time()
    second, _ = scan(path)
    assert second["pestovo_test"].deleted == 1
    with open_store(load_config(path).store, str.split) as db:
        gone, analysis = db.get_post(post_id(Platform.vk, "pestovo_test", "-217000001_209"))
        kept, _ = db.get_post(post_id(Platform.vk, "pestovo_test", "-217000001_210"))
    assert gone.deleted_at is not None and gone.deleted_at.timestamp() >= before - 1 and analysis is not None
    assert kept.deleted_at is None
