"""Three whole scans against the local OK server and the municipal site, on both stores: everything
stored, then nothing new (watermarks and conditional GETs), then one new item and one update each."""
from __future__ import annotations

import copy
import os
import time
from datetime import datetime, timedelta

import pytest

from core.config import load_config
from testing.configs import write_config
from testing.fakes.ok import APP_KEY, SECRET_KEY, TOKEN, OkServer, load_calls, shift_times
from testing.fakes.site import MSK, MunicipalSite, SiteArticle, pestovo_articles, pestovo_discussion
from tests.collectors.ok.conftest import FIXTURES, NOW
from tests.pipeline.test_remap import elasticsearch_url
from testing.scans import scan_sources as scan


@pytest.fixture
def servers(monkeypatch):
    for name, value in (("MCU_OK_APP_KEY", APP_KEY), ("MCU_OK_SECRET_KEY", SECRET_KEY), ("MCU_OK_TOKEN", TOKEN)):
        monkeypatch.setenv(name, value)
    calls = shift_times(load_calls(FIXTURES / "group_pestovo.json"), int(time.time()) - NOW)  # recorded 2 h ago
    now = datetime.now(MSK).replace(second=0, microsecond=0)
    with OkServer(calls) as ok, MunicipalSite(pestovo_articles(now), [pestovo_discussion(now)]) as site:
        yield ok, site, now


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_three_scans_store_all_then_nothing_then_the_changes(tmp_path, servers, backend):
    ok, site, now = servers
    store = {"store": elasticsearch_url(tmp_path)} if backend == "elasticsearch" else {}
    path = write_config(tmp_path, [
        {"key": "pestovo_ok", "platform": "ok", "name": "Пестово — наш город (ОК)", "group": "pestovo_gorod",
         "api_url": ok.url, "requests_per_second": 50, "backoff": 0.01},
        {"key": "adm_site", "platform": "site", "name": "Администрация (сайт)", "url": site.url + "/news/",
         "link_pattern": r"/news/\d+/$", "delay": 0, "backoff": 0.01, "official": True},
        {"key": "skver", "platform": "site", "name": "Обсуждение: сквер на Курганской", "url": site.url + "/",
         "pages": [site.url + "/obshchestvennye-obsuzhdeniya/blagoustroystvo-2027/"], "delay": 0,
         "include_comments": True},
    ], **store)
    try:
        first, stats = scan(path)
        assert {k: (s.new, s.error) for k, s in first.items()} == {"pestovo_ok": (13, None), "adm_site": (7, None),
                                                                  "skver": (1, None)}
        assert stats.posts == 21 and stats.by_source["pestovo_ok"] == 13

        start = len(site.log)
        second, stats = scan(path)
        assert {k: (s.fetched, s.new, s.updated, s.error) for k, s in second.items()} == \
            {k: (0, 0, 0, None) for k in first}
        assert stats.posts == 21
        again = [r for r in site.log[start:] if r.path != "/robots.txt"]
        assert again and all(r.headers.get("if-none-match") for r in again)

        page = next(c for c in ok.calls if c["method"] == "mediatopic.getTopics" and "anchor" not in c["params"])
        topics = page["response"]["media_topics"]
        fresh = copy.deepcopy(topics[2])
        fresh.update(id="155700000000930", created_ms=int(time.time() - 60) * 1000,
                     media=[{"type": "text", "text": "В Устье с утра нет электричества, кто знает причину?"}],
                     discussion_summary={"comments_count": 0})
        topics.insert(1, fresh)
        next(t for t in topics if t.get("id") == "155700000000898")["media"][0]["text"] += " Голосуем до пятницы!"
        site.articles.append(SiteArticle(1874, "Снегоуборочная техника вышла на улицы", now - timedelta(hours=1), [
            "С утра на улицах Пестово работают три трактора и грейдер: расчищают Советскую и Курганскую."]))
        site.articles[4].paragraphs.append("Дополнено: промывка продлится до понедельника.")
        site.discussions[0].proposals.append("Поставить скамейки и урны у детской площадки.")

        third, stats = scan(path)
        assert {k: (s.new, s.updated) for k, s in third.items()} == {"pestovo_ok": (1, 1), "adm_site": (1, 1),
                                                                    "skver": (0, 1)}
        assert stats.posts == 23  # edits replaced their posts instead of adding copies
    finally:
        if backend == "elasticsearch":
            from elasticsearch import Elasticsearch

            from store.elasticsearch import drop_store

            with Elasticsearch(os.environ["ES_URL"]) as client:
                drop_store(client, load_config(path).store.split("prefix=")[1].split("&")[0])
