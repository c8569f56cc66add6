"""Elasticsearch-only behaviour, against a real node (``ES_URL``; see scripts/es-test-node.sh).

The shared contract lives in test_contract.py; here: Russian analysis, parity of
aggregations with SQLite, index setup, the reindex path, optimistic concurrency
under threads, monthly routing, ILM detection and the store URL.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import os
import random
import shutil
import threading
import typing
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from pydantic import BaseModel

from core.domain import Alert, Analysis, Post, Risk, RiskStatus, Story
from core.store import ConflictError, SearchQuery, StoreError
from store.elasticsearch import (
    ElasticsearchStore, build_client, detect_ilm, drop_store, parse_store_url, setup_indices,
)  # fmt: skip
from store.elasticsearch.names import IndexNames
from store.elasticsearch.templates import DEPLOY_DIR, TemplateError, TemplateSet, field_paths
from store.factory import open_store

pytestmark = pytest.mark.elasticsearch
VERSION = TemplateSet.load().version
Factory = Any  # the `make` fixture of conftest.py


def unique_prefix() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


# fixtures -----------------------------------------------------------------
@pytest.fixture(scope="module")
def client() -> Iterator[Elasticsearch]:
    url = os.environ.get("ES_URL")
    if not url:
        pytest.skip("ES_URL is not set: no Elasticsearch node (eval \"$(scripts/es-test-node.sh start)\")")
    with Elasticsearch(url, request_timeout=60) as es:
        yield es


@pytest.fixture
def prefix(client: Elasticsearch) -> Iterator[str]:
    name = unique_prefix()
    yield name
    drop_store(client, name)


@pytest.fixture
def es(client: Elasticsearch, prefix: str, lemmatize) -> Iterator[ElasticsearchStore]:
    with ElasticsearchStore(client, prefix, lemmatize=lemmatize) as store:
        yield store


def raw_search(client: Elasticsearch, index: str, query: dict) -> list[str]:
    client.indices.refresh(index=index)
    return sorted(h["_id"] for h in client.search(index=index, query=query, size=100)["hits"]["hits"])


# the mapping keeps up with the domain model --------------------------------
DERIVED = {
    "posts": {"lemmas_exact", "places", "location", "engagement_total", "is_comment", "has_poll", "indexed_at", "raw",
              "raw_mapper"},
    "stories": {"size"},
    "risks": {"status_ru", "level_ru"},
    "alerts": {"recorded_at"},
}
MODELS = {"posts": (Post, Analysis), "stories": (Story,), "risks": (Risk,), "alerts": (Alert,)}


def model_paths(model: type[BaseModel], parent: str = "") -> set[str]:
    """Every field path of a model, nested models included (``verdict.evidence.since``)."""
    paths = set()
    for name, info in model.model_fields.items():
        paths.add(parent + name)
        stack = [info.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                paths |= model_paths(annotation, f"{parent}{name}.")
            stack.extend(typing.get_args(annotation))
    return paths


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_every_model_field_is_mapped(kind: str) -> None:
    """The indices are ``dynamic: false``: an unmapped field is stored but not searchable.
    When the domain model grows, map the field (and bump the mapping version)."""
    properties = TemplateSet.load().properties(kind)
    mapped = field_paths(properties)
    disabled = {name for name, spec in properties.items() if spec.get("enabled") is False}  # raw JSON kept
    wanted = set().union(*(model_paths(m) for m in MODELS[kind]))
    missing = sorted(p for p in wanted if p not in mapped and not any(p.startswith(d + ".") for d in disabled))
    assert not missing, f"model fields without a mapping in component-{kind}-mappings.json: {missing}"
    unused = sorted(p for p in mapped if "." not in p and p not in wanted and p not in DERIVED[kind])
    assert not unused, f"mapped {kind} fields that no model field or derived field fills: {unused}"


# Russian analysis ---------------------------------------------------------
def test_russian_forms_match_through_the_analyzer_and_through_lemmas(es, client, make: Factory) -> None:
    roads = make.item("1", "На трассе разбиты дороги, ямы по колено")
    other = make.item("2", "Дорожный знак упал", topic="other")
    es.upsert_posts([roads, other])
    alias = es.ready().alias("posts")
    # the `russian` analyzer on `text` stems «дорогу» and «дороги» to the same term ...
    assert raw_search(client, alias, {"match": {"text": "дорогу"}}) == [roads[0].id]
    # ... and our lemmas (whitespace analyzer) hold «дорога» for both
    assert raw_search(client, alias, {"match": {"lemmas": "дорога"}}) == [roads[0].id]
    assert [h.post.id for h in es.search(SearchQuery(text="дорогу"))] == [roads[0].id]
    assert [h.post.id for h in es.search(SearchQuery(text="ямы дорогу"))] == [roads[0].id]


def test_yo_is_folded_and_lemmas_round_trip_exactly(es, make: Factory) -> None:
    post, analysis = make.item("1", "Ёлку на площади так и не поставили")
    assert any("ё" in lemma for lemma in analysis.lemmas)  # pymorphy keeps ё in its normal forms
    es.upsert_posts([(post, analysis)])
    assert [h.post.id for h in es.search(SearchQuery(text="елка"))] == [post.id]
    assert [h.post.id for h in es.search(SearchQuery(text="ёлки"))] == [post.id]
    assert es.get_post(post.id) == (post, analysis)


def test_time_bounds_keep_microseconds(es, make: Factory) -> None:
    post, analysis = make.item("1", "Нет воды")
    post = post.model_copy(update={"published_at": make.at(0) + timedelta(microseconds=500)})
    es.upsert_posts([(post, analysis)])
    after = make.at(0) + timedelta(microseconds=800)
    assert es.count(SearchQuery(since=after)) == 0  # a millisecond date would say 1
    assert es.count(SearchQuery(until=after)) == 1
    assert es.count(SearchQuery(since=post.published_at)) == 1
    assert es.count(SearchQuery(until=post.published_at)) == 0


# parity with SQLite -------------------------------------------------------
WORDS = ["дорога", "дороги", "яма", "ямы", "вода", "воды", "свет", "мусор", "школа", "концерт", "ёлка", "мост"]
PLACES = ["Быково", "Лаптево", "Сёмково", "Охона", "Пестово"]
TOPICS = [("roads", "infrastructure"), ("utilities", "housing"), ("waste", "housing"), ("education", "social")]


def random_corpus(make: Factory, n: int = 400, seed: int = 7) -> list[tuple[Post, Analysis]]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        topic, block = rng.choice(TOPICS)
        platform, source = rng.choice([("vk", "city_vk"), ("vk", "village_vk"), ("telegram", "city_tg"), ("rss", "news")])
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))
        items.append(make.item(
            str(i), text, platform=platform, source=source, hours=-rng.uniform(0, 24 * 90), topic=topic, block=block,
            places=tuple(rng.sample(PLACES, rng.randint(0, 3))), department=rng.choice([None, "bykovsky", "laptevsky"]),
            sentiment=rng.choice(["negative", "neutral", "positive"]),
        ))  # fmt: skip
    return items


def test_aggregations_and_searches_match_sqlite_on_the_same_data(es, tmp_path, lemmatize, make: Factory) -> None:
    corpus = random_corpus(make)
    with open_store(f"sqlite:///{tmp_path / 'mcu.sqlite'}", lemmatize) as sqlite:
        assert sqlite.upsert_posts(corpus) == es.upsert_posts(corpus)
        queries = [
            SearchQuery(), SearchQuery(text="дорогу"), SearchQuery(text="ямы на дороге"), SearchQuery(text="елки"),
            SearchQuery(since=make.at(-24 * 30)), SearchQuery(until=make.at(-24 * 45), topic="roads"),
            SearchQuery(place="Сёмково"), SearchQuery(text="вода", place="Лаптево", sentiment="negative"),
            SearchQuery(platform="telegram", source="city_tg"), SearchQuery(text="мусор мост школа"),
        ]  # fmt: skip
        for query in queries:
            for field in ("topic", "place", "sentiment", "source", "platform", "block", "department"):
                assert es.aggregate(field, query) == sqlite.aggregate(field, query), (field, query)
            assert es.count(query) == sqlite.count(query), query
            big = SearchQuery(**{**query.__dict__, "limit": 1000})
            es_hits, sqlite_hits = es.search(big), sqlite.search(big)
            if query.text:  # BM25 variants differ: the same posts, each side best first
                assert sorted(h.post.id for h in es_hits) == sorted(h.post.id for h in sqlite_hits), query
            else:  # newest first, then id: the same order
                assert [h.post.id for h in es_hits] == [h.post.id for h in sqlite_hits], query
        assert es.stats() == sqlite.stats()
        cutoff = make.at(-24 * 60)
        assert es.purge_before(cutoff) == sqlite.purge_before(cutoff)
        assert es.aggregate("place", SearchQuery()) == sqlite.aggregate("place", SearchQuery())


# monthly routing ----------------------------------------------------------
def test_posts_go_to_the_index_of_their_month(es, client, make: Factory) -> None:
    names = es.ready()
    january = make.item("1", "Январский пост")
    january[0].published_at = datetime(2025, 1, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
    february = make.item("2", "Февральский пост")
    february[0].published_at = datetime(2025, 2, 1, tzinfo=timezone.utc)
    assert es.upsert_posts([january, february]).new == 2
    client.indices.refresh(index=names.alias("posts"))

    def where(post_id: str) -> list[str]:
        hits = client.search(index=names.alias("posts"), query={"ids": {"values": [post_id]}})["hits"]["hits"]
        return [h["_index"] for h in hits]

    assert where(january[0].id) == [f"{names.prefix}-posts-v{VERSION}-2025.01"]
    assert where(february[0].id) == [f"{names.prefix}-posts-v{VERSION}-2025.02"]
    assert set(client.indices.get_alias(name=names.alias("posts"))) >= {
        f"{names.prefix}-posts-v{VERSION}-2025.01", f"{names.prefix}-posts-v{VERSION}-2025.02"}

    edited = january[0].model_copy(update={"text": "Январский пост (правка)"})
    assert es.upsert_posts([(edited, january[1])]).updated == 1  # same month: overwritten in place
    moved = january[0].model_copy(update={"published_at": datetime(2025, 3, 2, tzinfo=timezone.utc)})
    assert es.upsert_posts([(moved, january[1])]).updated == 1  # the date changed: the post moves
    client.indices.refresh(index=names.alias("posts"))
    assert where(january[0].id) == [f"{names.prefix}-posts-v{VERSION}-2025.03"]
    assert es.count(SearchQuery()) == 2
    assert es.get_post(january[0].id) == (moved, january[1])

    # a month wholly before the cutoff goes as one index
    assert es.purge_before(datetime(2025, 3, 1, tzinfo=timezone.utc)) == 1
    assert f"{names.prefix}-posts-v{VERSION}-2025.02" not in client.indices.get_alias(name=names.alias("posts"))
    assert es.count(SearchQuery()) == 1


# setup --------------------------------------------------------------------
def test_setup_is_idempotent(client, prefix) -> None:
    first = setup_indices(client, prefix, retention_days=30)
    assert first.action == "created" and first.previous_version is None
    names = IndexNames(prefix, VERSION)
    assert {names.meta, names.single("stories"), names.single("risks"), names.single("alerts")} <= set(
        first.created_indices)
    before = client.indices.get(index=f"{prefix}-*")
    second = setup_indices(client, prefix, retention_days=30)
    assert (second.action, second.previous_version, second.created_indices, second.removed, second.warnings) == (
        "updated", VERSION, [], [], [])
    assert sorted(second.templates) == sorted(first.templates)
    assert client.indices.get(index=f"{prefix}-*").keys() == before.keys()
    mapping = client.indices.get_mapping(index=names.single("risks"))[names.single("risks")]["mappings"]
    assert mapping["dynamic"] == "false" and mapping["properties"]["updated_at"]["type"] == "date_nanos"
    state = client.get(index=names.meta, id="mapping")["_source"]
    assert state["mapping_version"] == VERSION and state["ilm"] is False
    assert "ILM" in first.ilm.detail and first.ilm.available is False


def test_the_index_setup_command(client, prefix) -> None:
    from typer.testing import CliRunner

    from cli.commands.index import index_app

    url = f"elasticsearch://{os.environ['ES_URL'].split('://', 1)[1]}?prefix={prefix}"
    first = CliRunner().invoke(index_app, ["setup", "--store", url, "--retention-days", "30"])
    assert first.exit_code == 0, first.output
    assert "созданы" in first.output and "ILM: нет" in first.output
    again = CliRunner().invoke(index_app, ["setup", "--store", url, "--retention-days", "30", "--json"])
    assert again.exit_code == 0 and json.loads(again.output)["action"] == "updated"
    down = CliRunner().invoke(index_app, ["setup", "--store", "elasticsearch://127.0.0.1:1?timeout=1"])
    assert down.exit_code == 2 and "нет соединения с кластером" in down.output


def test_a_newer_cluster_is_refused(client, prefix, lemmatize) -> None:
    setup_indices(client, prefix, templates=TemplateSet.load().with_version(VERSION + 1))
    with pytest.raises(StoreError, match="upgrade mcu-monitor"):
        setup_indices(client, prefix)
    with pytest.raises(StoreError, match="upgrade mcu-monitor"):
        ElasticsearchStore(client, prefix, lemmatize=lemmatize).count(SearchQuery())


def test_templates_changed_without_a_version_bump_are_refused(tmp_path) -> None:
    copy = tmp_path / "elasticsearch"
    shutil.copytree(DEPLOY_DIR / "templates", copy / "templates")
    shutil.copytree(DEPLOY_DIR / "ilm", copy / "ilm")
    path = copy / "templates" / "component-alerts-mappings.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    body["template"]["mappings"]["properties"]["channel"] = {"type": "keyword"}
    path.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(TemplateError, match="Bump mapping_version") as error:
        TemplateSet.load(copy)
    assert "sha256:" in str(error.value)


def test_reindex_path_moves_everything_to_the_new_mapping(client, prefix, lemmatize, make: Factory) -> None:
    old, new = TemplateSet.load().with_version(VERSION), TemplateSet.load().with_version(VERSION + 1)
    setup_indices(client, prefix, templates=old)
    corpus = random_corpus(make, n=120)
    with ElasticsearchStore(client, prefix, lemmatize=lemmatize, templates=old) as store:
        store.upsert_posts(corpus, {p.id: make.raw(p) for p, _ in corpus[::3]})
        store.upsert_story(make.story("s1"))
        risk = store.save_risk(make.risk("s1"))
        risk.move_to(RiskStatus.in_work, actor="дежурный", at=make.at(1))
        risk = store.save_risk(risk)
        for alert in (make.alert("s1", hours=2), make.alert("s2", hours=1)):
            store.add_alert(alert)
        store.set_watermark("city_vk", '{"date": 100}')
        before = (store.stats(), store.aggregate("place", SearchQuery()), store.list_alerts(),
                  store.posts_by_ids(p.id for p, _ in corpus), list(store.raw_items()))
        assert len(before[-1]) == 40
    # a document the domain model rejects stops the copy part-way (posts already copied) ...
    client.index(index=f"{prefix}-stories-v{VERSION}", id="broken", refresh=True,
                 document={"id": "broken", "title": "без полей"})
    with pytest.raises(StoreError, match="broken"):
        setup_indices(client, prefix, templates=new)
    # ... until someone removes it; running setup again finishes the job, without duplicates
    client.delete(index=f"{prefix}-stories-v{VERSION}", id="broken", refresh=True)
    report = setup_indices(client, prefix, templates=new)
    assert (report.action, report.previous_version, report.mapping_version) == ("migrated", VERSION, VERSION + 1)
    assert report.copied == {"posts": 120, "stories": 1, "risks": 1, "alerts": 2, "appeals": 0}
    assert any(name.endswith(f"-v{VERSION}") for name in report.removed)

    for kind in ("posts", "stories", "risks", "alerts"):
        behind = set(client.indices.get_alias(name=f"{prefix}-{kind}"))
        assert behind and all(f"-v{VERSION + 1}" in index for index in behind), (kind, behind)
    assert not client.indices.get(index=f"{prefix}-*-v{VERSION}*", ignore_unavailable=True)
    templates = [t["name"] for t in client.indices.get_index_template(name=f"{prefix}-*")["index_templates"]]
    assert not [t for t in templates if t.endswith(f"-v{VERSION}")]

    with pytest.raises(StoreError, match="upgrade mcu-monitor"):  # the old software now stops
        ElasticsearchStore(client, prefix, lemmatize=lemmatize, templates=old).count(SearchQuery())
    with ElasticsearchStore(client, prefix, lemmatize=lemmatize, templates=new) as store:
        after = (store.stats(), store.aggregate("place", SearchQuery()), store.list_alerts(),
                 store.posts_by_ids(p.id for p, _ in corpus), list(store.raw_items()))
        assert after == before
        assert store.get_risk(risk.id) == risk and risk.version == 2
        assert store.get_watermark("city_vk") == '{"date": 100}'
        assert store.search(SearchQuery(text="дорогу", limit=200))
        late = make.item("late", "Новый пост после переиндексации")
        assert store.upsert_posts([late]).new == 1  # a new month index joins the alias by template
        assert store.count(SearchQuery()) == 121
    again = setup_indices(client, prefix, templates=new)
    assert (again.action, again.copied, again.removed) == ("updated", {}, [])


def without_raw_fields(templates: TemplateSet, version: int) -> TemplateSet:
    """The shipped templates as mapping version 1 had them: posts without ``raw``/``raw_mapper``."""
    components = copy.deepcopy(templates.components)
    properties = components["posts-mappings"]["template"]["mappings"]["properties"]
    del properties["raw"], properties["raw_mapper"]
    return dataclasses.replace(templates, version=version, components=components)


def test_mapping_v1_stores_migrate_to_raw_items(client, prefix, lemmatize, make: Factory) -> None:
    """Version 2 added the raw items: a store set up and written by version 1 is reindexed by
    setup and then keeps raw items, stored but not indexed."""
    assert VERSION >= 2
    v1 = without_raw_fields(TemplateSet.load(), 1)
    setup_indices(client, prefix, templates=v1)
    corpus = random_corpus(make, n=30)
    with ElasticsearchStore(client, prefix, lemmatize=lemmatize, templates=v1) as store:
        store.upsert_posts(corpus)
        before = store.posts_by_ids(p.id for p, _ in corpus)
    report = setup_indices(client, prefix)
    assert (report.action, report.previous_version, report.copied["posts"]) == ("migrated", 1, 30)
    with ElasticsearchStore(client, prefix, lemmatize=lemmatize) as store:
        assert store.posts_by_ids(p.id for p, _ in corpus) == before and list(store.raw_items()) == []
        post, analysis = corpus[0]
        raw = make.raw(post, note="словоизсырья")
        assert store.upsert_posts([(post, analysis)], {post.id: raw}).unchanged == 1
        assert list(store.raw_items()) == [raw]
        index = IndexNames(prefix, VERSION).posts_month(post.published_at)
        properties = client.indices.get_mapping(index=index)[index]["mappings"]["properties"]
        assert properties["raw"] == {"type": "object", "enabled": False}
        assert raw_search(client, index, {"query_string": {"query": "словоизсырья"}}) == []  # not indexed
        assert raw_search(client, index, {"term": {"raw_mapper": 1}}) == [post.id]


# optimistic concurrency ---------------------------------------------------
def test_concurrent_risk_writers_never_lose_an_update(client, prefix, lemmatize, make: Factory) -> None:
    workers = 8
    stores = [ElasticsearchStore(client, prefix, lemmatize=lemmatize) for _ in range(workers)]
    first = stores[0].save_risk(make.risk("s1"))
    start = threading.Barrier(workers)
    first_round: list[str] = []
    conflicts = [0] * workers

    def worker(i: int) -> None:
        store, place = stores[i], f"Село-{i}"
        for attempt in range(100):
            risk = store.get_risk(first.id)
            assert risk is not None
            risk.places.append(place)
            if attempt == 0:
                start.wait()  # everyone holds the same version before anyone writes
            try:
                store.save_risk(risk)
            except ConflictError:
                conflicts[i] += 1
                if attempt == 0:
                    first_round.append("conflict")
                continue
            if attempt == 0:
                first_round.append("saved")
            return
        raise AssertionError(f"worker {i} never saved")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = stores[0].get_risk(first.id)
    assert final is not None
    assert sorted(first_round) == ["conflict"] * (workers - 1) + ["saved"]  # one winner per version
    assert sorted(final.places) == sorted(["Быково"] + [f"Село-{i}" for i in range(workers)])
    assert final.version == 1 + workers
    assert sum(conflicts) >= workers - 1


def test_concurrent_story_writers_keep_every_post(client, prefix, lemmatize, make: Factory) -> None:
    workers = 8
    base = make.story("s1", post_ids=("p0",))
    stores = [ElasticsearchStore(client, prefix, lemmatize=lemmatize) for _ in range(workers)]
    stores[0].upsert_story(base)
    start = threading.Barrier(workers)

    def worker(i: int) -> None:
        grown = base.model_copy(deep=True)  # each worker read the story before the others wrote
        grown.post_ids.append(f"p{i + 1}")
        grown.sources.append(f"source_{i}")
        grown.last_seen = make.at(i + 1)
        start.wait()
        stores[i].upsert_story(grown)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = stores[0].get_story("s1")
    assert final is not None
    assert sorted(final.post_ids) == sorted(f"p{i}" for i in range(workers + 1))
    assert sorted(final.sources) == sorted(["city_vk"] + [f"source_{i}" for i in range(workers)])
    assert final.last_seen == make.at(workers) and final.first_seen == base.first_seen


# ILM detection ------------------------------------------------------------
class IlmStatusHandler(BaseHTTPRequestHandler):
    """Answers GET /_ilm/status as a cluster with ILM does (our node has no ILM)."""

    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps({"operation_mode": "RUNNING"}).encode()
        self.send_response(200 if self.path.startswith("/_ilm/status") else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_ilm_is_detected_only_where_it_exists(client) -> None:
    status = detect_ilm(client)
    assert status.available is False and "405" in status.detail
    server = ThreadingHTTPServer(("127.0.0.1", 0), IlmStatusHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Elasticsearch(f"http://127.0.0.1:{server.server_address[1]}") as ilm_cluster:
            assert detect_ilm(ilm_cluster).available is True
    finally:
        server.shutdown()
    policy = TemplateSet.load().render_ilm_policy("mcu", 400)
    assert policy["policy"]["phases"]["delete"]["min_age"] == "400d"
    rendered = TemplateSet.load().render_index_templates("mcu", ilm=True)[f"mcu-posts-v{VERSION}"]
    assert f"mcu-posts-lifecycle-v{VERSION}" in rendered["composed_of"]


# the store URL ------------------------------------------------------------
def test_store_url_options_and_credentials(monkeypatch, tmp_path) -> None:
    location = parse_store_url(
        "elasticsearch+https://es1:9243,es2?prefix=pestovo&ca_certs=/etc/mcu/ca.pem&verify_certs=false&timeout=5")
    assert location.node_urls == ["https://es1:9243", "https://es2:9200"]
    assert (location.prefix, str(location.ca_certs), location.verify_certs, location.timeout) == (
        "pestovo", "/etc/mcu/ca.pem", False, 5.0)
    assert location.outbox_path is not None and location.outbox_path.parent == Path("data/outbox")
    assert parse_store_url("elasticsearch://h:9200?outbox=off").outbox_path is None
    for bad, reason in (("elasticsearch://u:secret@h:9200", "credentials"), ("elasticsearch://h:9200?pefix=x", "pefix"),
                        ("elasticsearch://h:9200?prefix=Bad*", "prefix"), ("elasticsearch://h:9200/mcu", "path")):
        with pytest.raises(StoreError, match=reason) as error:
            parse_store_url(bad)
        assert "secret" not in str(error.value)
    monkeypatch.setenv("MCU_ES_USERNAME", "mcu")
    monkeypatch.delenv("MCU_ES_PASSWORD", raising=False)
    with pytest.raises(StoreError, match="MCU_ES_PASSWORD"):
        build_client(location)
    monkeypatch.setenv("MCU_ES_PASSWORD", "s3cr3t-pass")
    es_url = os.environ.get("ES_URL", "http://127.0.0.1:9200")
    plain = parse_store_url("elasticsearch://" + es_url.split("://", 1)[1])
    with build_client(plain) as client:  # security is off on the test node: the header is ignored
        assert client.info()["version"]["number"].startswith("8.")
    assert "s3cr3t" not in repr(plain) + plain.display


def test_a_refused_post_becomes_a_dead_letter_and_the_rest_of_the_bulk_stands(es: ElasticsearchStore, make,
                                                                                tmp_path) -> None:
    """A native id longer than Lucene's 32 766-byte term limit (a feed whose entry id is a huge URL)
    makes Elasticsearch refuse that one document (HTTP 400): it is kept as a dead letter with the
    reason, the other posts are indexed."""
    good = [make.item(str(n), f"Яма на дороге номер {n}", hours=-n) for n in range(1, 4)]
    bad_post = make.post("https://news.example/?id=" + "x" * 40_000, "Пост с огромной ссылкой")
    bad = (bad_post, make.analysis(bad_post))
    result = es.upsert_posts([good[0], bad, *good[1:]])
    assert result.new == 4  # counted as written: its copy is kept, the watermark may move
    assert sorted(ids(es.search(SearchQuery(limit=10)))) == sorted(p.id for p, _ in good)
    letters = es.dead_letters()
    assert [letter.post_id for letter in letters] == [bad_post.id]
    assert letters[0].reason.startswith("HTTP 400: document_parsing_exception") and "native_id" in letters[0].reason
    assert len(letters[0].reason) <= 300
    assert letters[0].document["text"] == "Пост с огромной ссылкой" and letters[0].source == bad_post.source
    url = f"elasticsearch://{os.environ['ES_URL'].split('://', 1)[-1]}?prefix={es.prefix}&outbox=off"
    from typer.testing import CliRunner

    from cli.app import app
    from testing.configs import demo_config

    shown = CliRunner().invoke(app, ["index", "dead-letters", "--store", url, "-c", str(demo_config(tmp_path))],
                               env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert bad_post.id in shown.output and "native_id" in shown.output and "Отклонённых публикаций: 1" in shown.output


def ids(hits) -> list[str]:
    return [h.post.id for h in hits]
