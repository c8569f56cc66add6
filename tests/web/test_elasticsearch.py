"""The web workplace on the Elasticsearch store: the demo copied from SQLite, then search with
facets, a department filter and an action, through the same pages."""
from __future__ import annotations

import os
import re

import pytest
from elasticsearch import Elasticsearch

from core.store import SearchQuery
from pipeline.wiring import LazyLemmatizer, load_settings
from store.factory import open_store
from tests.store.conftest import es_store_url, unique_prefix
from tests.web.conftest import Clock, Web, make_web

pytestmark = pytest.mark.elasticsearch


@pytest.fixture
def es_web(scanned_demo, tmp_path):
    from web import create_app

    folder = tmp_path / "sqlite"
    folder.mkdir()
    # the demo store and the accounts, copied; the web's own file stays in that folder for both stores
    sqlite_web = make_web(scanned_demo, folder, lambda data: data.update(data_dir=str(folder)))
    source = sqlite_web.store
    prefix = unique_prefix()
    settings = load_settings(sqlite_web.config, store=es_store_url(tmp_path, prefix))
    store = open_store(settings.store, LazyLemmatizer(settings), data_dir=settings.data_dir)
    stories = {}
    for story_id in {r.story_id for r in source.list_risks()}:
        stories[story_id] = source.get_story(story_id)
    everything = source.search(SearchQuery(limit=100_000))
    store.upsert_posts((hit.post, hit.analysis) for hit in everything)
    for story in stories.values():
        store.upsert_story(story)
    for risk in source.list_risks():
        store.save_risk(risk.model_copy(update={"version": 0}))
    client = Elasticsearch(os.environ["ES_URL"])
    client.indices.refresh(index=f"{prefix}*")
    app = create_app(settings, store, now=sqlite_web.clock, warm=False)
    web = Web(sqlite_web.client.__class__(app), app, sqlite_web.config, Clock(sqlite_web.clock()))
    try:
        with web.client:
            yield web, source
    finally:
        store.close()
        from store.elasticsearch import drop_store

        drop_store(client, prefix)
        client.close()


def test_search_facets_and_an_action_on_elasticsearch(es_web):
    web, sqlite = es_web
    assert web.login("oper").status_code == 303
    page = web.client.get("/search", params={"q": "воды", "department": "laptevsky"}).text
    expected = sqlite.count(SearchQuery(text="вода", department="laptevsky"))
    assert expected > 0 and f"Найдено: {expected}" in page
    assert web.store.aggregate("topic", SearchQuery(text="вода")) == sqlite.aggregate("topic", SearchQuery(text="вода"))
    risk = next(r for r in web.store.list_risks() if r.level == "critical")
    web.post(f"/risks/{risk.id}/take")
    assert web.store.get_risk(risk.id).assignee == "Оператор Иванова (web:oper)"
    card = web.client.get(f"/risks/{risk.id}").text
    assert len(re.findall(r"<time>", card)) == len(web.store.get_story(risk.story_id).post_ids)
