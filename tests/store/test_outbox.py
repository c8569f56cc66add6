"""Outage spooling against a real node seen through a TCP proxy that the tests cut.

The proxy forwards 127.0.0.1:<port> to the node. ``stop()`` drops every connection and
refuses new ones (the cluster "goes away"); ``cut_at_bulk=n`` does that just before the
n-th ``_bulk`` request, i.e. in the middle of a write; ``blackhole`` accepts connections
and never answers (a firewall dropping packets).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch

from core.domain import Analysis, Post
from core.store import SearchQuery, StoreError
from store.elasticsearch import (
    ElasticsearchStore, Outbox, SpooledResult, SpoolingStore, StoreUnavailable, build_client, drop_store,
    parse_store_url,
)  # fmt: skip
from store.factory import open_store

pytestmark = pytest.mark.elasticsearch
ROOT = Path(__file__).resolve().parents[2]
Factory = Any  # the `make` fixture of conftest.py


class TcpProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.cut_at_bulk: int | None = None
        self.blackhole = False
        self.bulks = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        for sock in ([listener] if listener else []) + list(sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._sockets.add(client)
            if self.blackhole:
                continue  # hold it open, never answer
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets.add(upstream)
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, requests: bool) -> None:
        try:
            while data := source.recv(65536):
                if requests and b"/_bulk" in data and data.split(b" ", 1)[0] in (b"POST", b"PUT"):
                    self.bulks += 1
                    if self.cut_at_bulk is not None and self.bulks >= self.cut_at_bulk:
                        self.stop()
                        return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


# fixtures -----------------------------------------------------------------
@pytest.fixture(scope="module")
def node() -> tuple[str, int]:
    url = os.environ.get("ES_URL")
    if not url:
        pytest.skip("ES_URL is not set: no Elasticsearch node (eval \"$(scripts/es-test-node.sh start)\")")
    host, _, port = url.split("://", 1)[1].rstrip("/").rpartition(":")
    return host, int(port)


@pytest.fixture
def proxy(node) -> Iterator[TcpProxy]:
    forwarder = TcpProxy(node)
    forwarder.start()
    yield forwarder
    forwarder.stop()


@pytest.fixture
def client() -> Iterator[Elasticsearch]:
    with Elasticsearch(os.environ["ES_URL"]) as es:
        yield es


@pytest.fixture
def prefix(client) -> Iterator[str]:
    name = f"t{uuid.uuid4().hex[:12]}"
    yield name
    drop_store(client, name)


def proxied_url(proxy: TcpProxy, prefix: str, tmp_path: Path) -> str:
    return f"elasticsearch://127.0.0.1:{proxy.port}?prefix={prefix}&outbox={tmp_path / 'outbox'}&timeout=2"


def batch(make: Factory, source: str, number: int, size: int = 50) -> list[tuple[Post, Analysis]]:
    return [make.item(f"{number}-{i}", f"Публикация {i} из пачки {number}: нет воды", source=source,
                      hours=-number) for i in range(size)]


def scan_like_the_pipeline(store, make: Factory, number: int, sources: list[str], before=None) -> None:
    """What Pipeline does per source: watermark, posts, stories, then the new watermark."""
    for source in sources:
        if before is not None:
            before(source)
        store.get_watermark(source)
        items = batch(make, source, number)
        store.upsert_posts(items)
        story = make.story(f"{source}-{number}", post_ids=tuple(p.id for p, _ in items))
        store.upsert_story(story)
        store.set_watermark(source, json.dumps({"batch": number}))


def exact_state(client: Elasticsearch, prefix: str) -> dict:
    client.indices.refresh(index=f"{prefix}-*")
    posts = client.search(index=f"{prefix}-posts", size=10_000, query={"match_all": {}})["hits"]["hits"]
    return {
        "post_ids": sorted(h["_id"] for h in posts),
        "stories": client.count(index=f"{prefix}-stories")["count"],
        "watermarks": sorted((h["_source"]["source"], h["_source"]["value"]) for h in client.search(
            index=f"{prefix}-meta", query={"term": {"kind": "watermark"}}, size=100)["hits"]["hits"]),
    }


# tests --------------------------------------------------------------------
SOURCES = ["a_vk", "b_tg", "c_news"]


def test_an_outage_mid_scan_loses_and_duplicates_nothing(proxy, client, prefix, tmp_path, lemmatize, make) -> None:
    url = proxied_url(proxy, prefix, tmp_path)
    with open_store(url, lemmatize) as store:  # first scan: all is well
        scan_like_the_pipeline(store, make, 1, SOURCES)
    with open_store(url, lemmatize) as store:  # second scan: the cluster goes away after a_vk
        scan_like_the_pipeline(store, make, 2, SOURCES, before=lambda s: s == "b_tg" and proxy.stop())
        assert isinstance(store, SpoolingStore) and store.pending == 2 * 3  # posts, story, watermark
        ops = store.outbox.pending()
        assert [(op.kind, op.key) for op in ops] == [
            ("posts", None), ("story", None), ("watermark", "b_tg"),
            ("posts", None), ("story", None), ("watermark", "c_news")]
        with pytest.raises(StoreUnavailable):
            store.search(SearchQuery())
        assert store.get_watermark("c_news") == json.dumps({"batch": 2})  # answered from the outbox
    half = exact_state(client, prefix)
    assert len(half["post_ids"]) == 3 * 50 + 50  # batch 1 everywhere, batch 2 of a_vk only
    assert dict(half["watermarks"])["b_tg"] == json.dumps({"batch": 1})  # it never ran ahead of its posts

    saved = tmp_path / "outbox-before-replay"
    shutil.copytree(tmp_path / "outbox", saved)
    proxy.start()
    with open_store(url, lemmatize) as store:  # next run: replayed on open
        assert store.pending == 0
        assert store.stats().posts == 6 * 50
    after = exact_state(client, prefix)
    assert after["post_ids"] == sorted({p.id for n in (1, 2) for s in SOURCES for p, _ in batch(make, s, n)})
    assert after["stories"] == 6
    assert after["watermarks"] == [(s, json.dumps({"batch": 2})) for s in SOURCES]

    # a crash after Elasticsearch took the writes but before the outbox forgot them: replay again
    shutil.rmtree(tmp_path / "outbox")
    shutil.copytree(saved, tmp_path / "outbox")
    with open_store(url, lemmatize) as store:
        assert store.pending == 0
        again = store.upsert_posts(p for s in SOURCES for p in batch(make, s, 2))
        assert (again.new, again.updated, again.unchanged) == (0, 0, 150)
    assert exact_state(client, prefix) == after


def test_a_write_cut_in_the_middle_of_a_bulk_is_spooled_whole(proxy, client, prefix, tmp_path, lemmatize, make):
    url = proxied_url(proxy, prefix, tmp_path)
    items = batch(make, "a_vk", 1, size=2000)  # four bulk requests of 500
    with open_store(url, lemmatize) as store:
        store.count(SearchQuery())  # set up the indices first
        proxy.bulks, proxy.cut_at_bulk = 0, 3
        result = store.upsert_posts(items)
        assert isinstance(result, SpooledResult) and result.spooled == 2000
        store.set_watermark("a_vk", "after-2000")
    client.indices.refresh(index=f"{prefix}-posts")
    assert client.count(index=f"{prefix}-posts")["count"] == 1000  # two chunks got through
    proxy.cut_at_bulk = None
    proxy.start()
    with open_store(url, lemmatize) as store:
        assert store.count(SearchQuery()) == 2000
        assert store.get_watermark("a_vk") == "after-2000"
    assert exact_state(client, prefix)["post_ids"] == sorted(p.id for p, _ in items)


def test_raw_items_spooled_in_an_outage_are_replayed_with_their_posts(proxy, prefix, tmp_path, lemmatize,
                                                                      make) -> None:
    url = proxied_url(proxy, prefix, tmp_path)
    items = batch(make, "a_vk", 1, size=4)
    raw = {post.id: make.raw(post) for post, _ in items[:3]}  # the fourth post comes without one
    with open_store(url, lemmatize) as store:
        store.count(SearchQuery())
        proxy.stop()
        assert isinstance(store.upsert_posts(items, raw), SpooledResult)
        with pytest.raises(StoreUnavailable):
            list(store.raw_items())
    proxy.start()
    with open_store(url, lemmatize) as store:
        assert store.pending == 0
        assert list(store.raw_items()) == [raw[pid] for pid in sorted(raw)]
        assert store.posts_by_ids(p.id for p, _ in items) == items


def test_risks_and_alerts_are_not_spooled(proxy, prefix, tmp_path, lemmatize, make) -> None:
    url = proxied_url(proxy, prefix, tmp_path)
    with open_store(url, lemmatize) as store:
        store.count(SearchQuery())
        proxy.stop()
        for call in (lambda: store.save_risk(make.risk("s1")), lambda: store.add_alert(make.alert("s1")),
                     store.list_alerts, lambda: store.get_watermark("never_seen")):
            with pytest.raises(StoreUnavailable):
                call()
        assert store.pending == 0


def test_a_silent_cluster_costs_one_timeout_not_one_per_write(proxy, prefix, tmp_path, lemmatize, make) -> None:
    proxy.stop()
    proxy.blackhole = True
    proxy.start()
    started = time.perf_counter()
    with open_store(proxied_url(proxy, prefix, tmp_path), lemmatize) as store:
        for number in range(20):
            store.upsert_posts(batch(make, "a_vk", number, size=5))
            store.set_watermark("a_vk", str(number))
        assert store.pending == 40
    assert time.perf_counter() - started < 20  # 2s timeout x 3 tries once, then disk speed


def test_an_entry_that_cannot_be_replayed_is_parked(proxy, client, prefix, tmp_path, lemmatize, make) -> None:
    location = parse_store_url(proxied_url(proxy, prefix, tmp_path))
    assert location.outbox_path is not None
    outbox = Outbox(location.outbox_path)
    outbox.append("posts", json.dumps([{"post": {"text": "без полей"}, "analysis": {}}]))
    outbox.append("watermark", "42", key="a_vk")
    outbox.close()
    inner = ElasticsearchStore(build_client(location), prefix, lemmatize=lemmatize, owns_client=True)
    with SpoolingStore(inner, Outbox(location.outbox_path)) as store:
        assert store.pending == 0
        assert store.get_watermark("a_vk") == "42"
        (parked, error), = store.outbox.failed()
        assert parked.kind == "posts" and "validation error" in error


# the whole scan -----------------------------------------------------------
def demo_config(tmp_path: Path, store_url: str) -> Path:
    from demo.render import render

    render(tmp_path / "demo", datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc))
    data = yaml.safe_load((ROOT / "config/demo.yaml").read_text(encoding="utf-8"))
    data["gazetteer"] = str(ROOT / "config/gazetteer/pestovo.yaml")
    data["rubricator"] = str(ROOT / "config/rubricator.yaml")
    data["store"] = store_url
    data["alerts"]["sinks"] = [{"type": "file", "path": str(tmp_path / "alerts.txt")}]
    for source in data["sources"]:
        source["replay"] = str(tmp_path / "demo" / source["replay"].removeprefix("../data/demo/"))
    path = tmp_path / "mcu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_demo_scan_survives_an_outage(proxy, client, prefix, tmp_path, monkeypatch) -> None:
    """The real pipeline on the demo corpus; the cluster dies at the third source's posts.
    The reference is SQLite scanning the same sources in the same two runs (a split scan
    groups stories differently from one run: the tracker reloads only recent stories)."""
    from core.config import load_config
    from pipeline.pipeline import Pipeline
    from pipeline.run import run_scan

    monkeypatch.chdir(tmp_path)  # the pipeline keeps its key file under ./data for non-SQLite stores
    reference = demo_config(tmp_path / "sqlite", f"sqlite:///{tmp_path / 'sqlite' / 'mcu.sqlite'}")
    config = demo_config(tmp_path / "es", proxied_url(proxy, prefix, tmp_path))
    keys = [s.key for s in load_config(config).sources]

    def scan(path: Path, only: list[str] | None = None):
        pipeline = Pipeline.open(load_config(path))
        try:
            return run_scan(pipeline, keys=only)
        finally:
            pipeline.close()

    def state(path: Path) -> tuple:
        pipeline = Pipeline.open(load_config(path))
        with pipeline.store as db:
            stats = db.stats()
            stories = db.recent_stories(datetime(2000, 1, 1, tzinfo=timezone.utc))
            return (stats.posts, stats.by_source, {k: db.get_watermark(k) for k in keys},
                    sorted(sorted(s.post_ids) for s in stories))

    scan(reference, keys[:3])
    scan(reference, keys[3:])
    proxy.cut_at_bulk = 3  # the third source's posts meet a dead cluster
    with pytest.raises(StoreError):  # its writes are spooled, later sources fail, the alert stage raises
        scan(config)
    outbox_path = parse_store_url(load_config(config).store).outbox_path
    assert outbox_path is not None
    spooled = Outbox(outbox_path)
    assert spooled.pending()[0].kind == "posts" and ("watermark", keys[2]) in {
        (op.kind, op.key) for op in spooled.pending(1000)}
    spooled.close()
    client.indices.refresh(index=f"{prefix}-posts")
    in_es = client.search(index=f"{prefix}-posts", size=0, aggs={"s": {"terms": {"field": "source"}}})
    assert {b["key"] for b in in_es["aggregations"]["s"]["buckets"]} == set(keys[:2])
    proxy.cut_at_bulk = None
    proxy.start()
    second = scan(config)  # replays the outbox, then scans what is left
    assert not second.failed
    assert sum(s.fetched for s in second.sources if s.key in keys[:3]) == 0  # their watermarks were spooled
    assert state(config) == state(reference)
