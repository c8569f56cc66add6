"""``mcu remap`` end to end: scan, change the mapping, re-map the stored raw items without
collecting again; and no citizen's id in the raw items either store keeps."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import collectors.vk.mapping as vk_mapping
from collectors.base import MAPPINGS, mapping_for
from core.config import load_config
from core.domain import Platform, RawItem
from demo.render import render
from pipeline.pipeline import Pipeline
from pipeline.remap import remap_store
from pipeline.run import run_scan
from pipeline.wiring import pseudonymizer
from testing.configs import write_config as write_test_config

ROOT = Path(__file__).resolve().parents[2]
VK_WALL = ROOT / "tests/collectors/fixtures/vk_wall.json"
ANCHOR = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def write_config(tmp_path: Path, sources: list[dict], store: str | None = None) -> Path:
    """These sources, the store (default SQLite in tmp_path) and the local state in tmp_path."""
    return write_test_config(tmp_path, sources, data_dir=str(tmp_path / "data"), **({"store": store} if store else {}))


def scan(config: Path) -> None:
    pipeline = Pipeline.open(load_config(config))
    try:
        report = run_scan(pipeline)
        assert not report.failed, [s.error for s in report.failed]
    finally:
        pipeline.close()


@pytest.fixture
def vk_scanned(tmp_path: Path):
    """A VK replay source scanned into a SQLite store with pseudonymised authors."""
    config = write_config(tmp_path, [{"key": "test_public", "platform": "vk", "name": "Тест", "owner": "test_public",
                                      "replay": str(VK_WALL)}])
    scan(config)
    return load_config(config)


def stored(settings):
    pipeline = Pipeline.open(settings)
    with pipeline.store as store:
        posts = {p.native_id: (p, a) for p, a in store.posts_by_ids(r.post_id for r in store.raw_items())}
        return posts, {r.post_id: r for r in store.raw_items()}, store.pending_stories()


def run_remap(settings, **options):
    pipeline = Pipeline.open(settings)
    try:
        return remap_store(pipeline.store, settings, pipeline.analyzer.analyze, pseudonymizer(settings), **options)
    finally:
        pipeline.close()


def fixed_mapping(monkeypatch) -> None:
    """A mapping fix as after a VK change: the wall text now also gives the views, and the version goes up."""
    original = vk_mapping._post_text

    def post_text(item: dict, source: str, ref: str) -> str:
        return f"{original(item, source, ref)} (просмотров: {item['views']['count']})" if "views" in item else \
            original(item, source, ref)

    monkeypatch.setattr(vk_mapping, "_post_text", post_text)
    monkeypatch.setitem(MAPPINGS, "vk", dataclasses.replace(MAPPINGS["vk"], version=vk_mapping.MAPPER_VERSION + 1))

    def no_collecting(*args, **kwargs):
        raise AssertionError("remap must not collect")

    monkeypatch.setattr("collectors.base.build_collector", no_collecting)
    monkeypatch.setattr("pipeline.pipeline.build_collector", no_collecting)


def test_remap_rewrites_changed_posts_without_collecting(vk_scanned, monkeypatch):
    before, raw_before, _ = stored(vk_scanned)
    assert set(before) == {"-555_30", "-555_28", "-555_27", "-555_30_c31", "-555_30_c32"}
    assert {r.mapper for r in raw_before.values()} == {vk_mapping.MAPPER_VERSION}
    fixed_mapping(monkeypatch)

    dry = run_remap(vk_scanned, dry_run=True)
    assert (dry.total.remapped, dry.total.changed, dry.total.unchanged, dry.total.errors) == (5, 2, 3, 0)
    assert stored(vk_scanned)[:2] == (before, raw_before)  # a dry run writes nothing

    report = run_remap(vk_scanned)
    assert (report.total.remapped, report.total.changed, report.total.unchanged, report.total.errors) == (5, 2, 3, 0)
    after, raw_after, pending = stored(vk_scanned)
    (post, analysis), (old_post, old_analysis) = after["-555_30"], before["-555_30"]
    assert post.text == "На улице Советской опять яма на дороге!!! (просмотров: 900)"
    assert after["-555_28"][0].text == "😀😀😀 (просмотров: 100)"
    assert after["-555_27"] == before["-555_27"]  # no views in its payload: the same post
    assert "просмотр" in analysis.lemmas and "просмотр" not in old_analysis.lemmas  # analysed again
    assert analysis.story_id == old_analysis.story_id is not None and analysis.story_id in pending
    assert post.author == old_post.author and post.author.startswith("anon-")  # the same pseudonym
    assert after["-555_30_c32"] == before["-555_30_c32"]
    assert {r.mapper for r in raw_after.values()} == {vk_mapping.MAPPER_VERSION + 1}  # all from the current mapping
    assert {pid: r.payload for pid, r in raw_after.items()} == {pid: r.payload for pid, r in raw_before.items()}

    again = run_remap(vk_scanned)
    assert (again.total.changed, again.total.unchanged) == (0, 5)


def test_a_bad_raw_item_is_reported_and_the_others_go_on(vk_scanned, monkeypatch):
    pipeline = Pipeline.open(vk_scanned)
    with pipeline.store as store:
        raw = next(r for r in store.raw_items() if r.payload["id"] == 28)
        post, analysis = store.get_post(raw.post_id)
        broken = raw.model_copy(update={"payload": {**raw.payload, "date": "вчера"}})
        store.upsert_posts([(post, analysis)], {post.id: broken})
    fixed_mapping(monkeypatch)
    report = run_remap(vk_scanned, sources=["test_public"], platform="vk")
    assert (report.total.remapped, report.total.changed, report.total.errors) == (4, 1, 1)
    [problem] = report.problems
    assert (problem.source, problem.item, problem.field) == ("test_public", "28", "date")
    assert str(problem) == (f"test_public: item 28 (post {raw.post_id}, post): field «date»: "
                            "expected int, got str 'вчера'")
    assert stored(vk_scanned)[0]["-555_28"][0] == post  # left as it was
    assert run_remap(vk_scanned, platform="telegram").by_source == {}


def test_the_remap_command(vk_scanned, monkeypatch):
    from cli.app import app

    fixed_mapping(monkeypatch)
    config = str(vk_scanned.config_file)
    result = CliRunner().invoke(app, ["remap", "-c", config, "--source", "test_public", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Перемаплено: 5; изменилось: 2; без изменений: 3; ошибок: 0" in result.output
    assert "пробный прогон" in result.output
    unknown = CliRunner().invoke(app, ["remap", "-c", config, "--source", "nope"])
    assert unknown.exit_code == 2 and "nope" in unknown.output
    result = CliRunner().invoke(app, ["remap", "-c", config, "--platform", "rss"])
    assert result.exit_code == 0 and "перемапить нечего" in result.output


# 152-ФЗ: no citizen's id in the raw items of either store ---------------------------------
def citizen_ids(demo: Path) -> set[str]:
    """Author ids in the demo's wire data (VK from_id/signer_id/…, Telegram user_id)."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in demo.rglob("*.json"))
    ids = re.findall(r'"(?:from_id|signer_id|user_id|reply_to_user)": ?(\d{6,})', text)
    return set(ids)


def demo_sources(demo: Path) -> list[dict]:
    sources = yaml.safe_load((ROOT / "config/demo.yaml").read_text(encoding="utf-8"))["sources"]
    for source in sources:
        source["replay"] = str(demo / source["replay"].removeprefix("../data/demo/"))
    return sources


def elasticsearch_url(tmp_path: Path) -> str:
    es_url = os.environ.get("ES_URL")
    if not es_url:
        pytest.skip("ES_URL is not set: no Elasticsearch node")
    prefix = f"t{uuid.uuid4().hex[:12]}"
    return f"elasticsearch://{es_url.split('://', 1)[-1].rstrip('/')}?prefix={prefix}&outbox={tmp_path / 'outbox'}"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_no_raw_author_id_reaches_the_store(tmp_path: Path, backend: str):
    render(tmp_path / "demo", ANCHOR)
    ids = citizen_ids(tmp_path / "demo")
    assert len(ids) > 20
    store_url = elasticsearch_url(tmp_path) if backend == "elasticsearch" else None
    settings = load_config(write_config(tmp_path, demo_sources(tmp_path / "demo"), store_url))
    scan(settings.config_file)
    pipeline = Pipeline.open(settings)
    try:
        raws = list(pipeline.store.raw_items())
        posts = {p.id: p for p, _ in pipeline.store.posts_by_ids(r.post_id for r in raws)}
        assert len(raws) == len(posts) == pipeline.store.stats().posts
        dumped = json.dumps([r.model_dump(mode="json") for r in raws], ensure_ascii=False)
        leaked = sorted(i for i in ids if re.search(rf"(?<!\d){i}(?!\d)", dumped))
        assert leaked == []
        for raw in raws:  # the author in the payload is the post's own pseudonym
            assert_author_fields_pseudonymised(raw)
            sender = (raw.payload.get("from_id") or {}).get("user_id") if raw.platform == Platform.telegram \
                else raw.payload.get("signer_id") or raw.payload.get("from_id")
            if sender and raw.platform != Platform.rss:
                assert posts[raw.post_id].author == sender
        report = remap_store(pipeline.store, settings, pipeline.analyzer.analyze, pipeline.pseudonymizer)
        assert (report.total.remapped, report.total.changed, report.total.errors) == (len(raws), 0, 0)
    finally:
        if backend == "elasticsearch":
            from elasticsearch import Elasticsearch

            from store.elasticsearch import drop_store

            with Elasticsearch(os.environ["ES_URL"]) as client:
                drop_store(client, pipeline.store.prefix)
        pipeline.close()


def assert_author_fields_pseudonymised(raw: RawItem) -> None:
    fields = mapping_for(raw.platform).author_fields

    def walk(node) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            for path in fields:
                value = node
                for key in path.split("."):
                    value = value.get(key) if isinstance(value, dict) else None
                if isinstance(value, (int, str)) and not isinstance(value, bool) and value:
                    assert str(value).startswith("anon-"), (raw.post_id, path, value)
            for child in node.values():
                walk(child)

    walk(raw.payload)
