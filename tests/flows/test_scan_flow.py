"""The scan flow fans out per source as Prefect tasks and still gives exactly the serial result.

These run with no Prefect server configured, as ``mcu scan`` does (a temporary server).
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import pipeline.pipeline as pipeline_module
from flows.scan import interleave, scan
from core.config import load_config
from pipeline.pipeline import Pipeline
from pipeline.run import ThreadExecutor, run_scan
from testing.configs import demo_config, manifest_total
from tests.flows.conftest import snapshot


def serial_scan(config: Path, keys: list[str] | None = None):
    pipeline = Pipeline.open(load_config(config))
    try:
        return run_scan(pipeline, keys)
    finally:
        pipeline.close()


class Staggered:
    """Collectors that finish in reverse config order: the first source waits longest.

    Wraps the real collectors (replay files); only the delay is added, and the moment each
    source finished reading is recorded, so the test can see that sources overlapped."""

    def __init__(self, keys: list[str], step: float = 0.25):
        self.delay = {key: (len(keys) - i) * step for i, key in enumerate(keys)}
        self.started: dict[str, float] = {}
        self.finished: dict[str, float] = {}
        self.threads: set[str] = set()
        self._real = pipeline_module.build_collector

    def build(self, source, settings):
        real = self._real(source, settings)
        recorder = self

        class Delayed:
            platform = real.platform

            def collect(self, watermark):
                recorder.started[source.key] = time.monotonic()
                recorder.threads.add(threading.current_thread().name)
                time.sleep(recorder.delay.get(source.key, 0))
                batch = real.collect(watermark)
                recorder.finished[source.key] = time.monotonic()
                return batch

        return Delayed()


def max_overlap(recorder: Staggered) -> int:
    """Most sources reading at the same moment."""
    events = sorted([(t, 1) for t in recorder.started.values()] + [(t, -1) for t in recorder.finished.values()])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


@pytest.fixture(scope="module")
def serial_result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serial")
    config = demo_config(tmp)
    report = serial_scan(config)
    return tmp, config, report, snapshot(config)


def test_parallel_flow_equals_serial_scan(tmp_path, monkeypatch, serial_result):
    serial_tmp, _, serial_report, expected = serial_result
    config = demo_config(tmp_path)
    keys = [s.key for s in load_config(config).sources]
    staggered = Staggered(keys)
    monkeypatch.setattr(pipeline_module, "build_collector", staggered.build)

    report = scan(config=str(config))

    finish_order = sorted(staggered.finished, key=staggered.finished.get)
    assert finish_order != keys, "sources finished in config order: nothing ran in parallel"
    assert max_overlap(staggered) > 1 and len(staggered.threads) > 1
    assert [s.key for s in report.sources] == keys  # reports (and commits) in config order
    assert not report.failed
    assert sum(s.new for s in report.sources) == manifest_total(tmp_path) == sum(s.new for s in serial_report.sources)
    got = snapshot(config)
    assert got.story_of_post == expected.story_of_post
    assert got.stories == expected.stories
    assert got.risks == expected.risks
    assert got.alerts == expected.alerts and got.alerts
    assert got.watermarks == expected.watermarks
    assert {a.id for a in report.alerts} == {a.id for a in serial_report.alerts}
    assert set(report.stages) >= {"collect", "analyse", "store", "alert"}


def test_commit_order_matters_so_the_equality_above_means_something(tmp_path, serial_result):
    _, _, _, expected = serial_result
    config = demo_config(tmp_path)
    keys = [s.key for s in load_config(config).sources]
    serial_scan(config, keys[::-1])  # stories assigned in another order
    assert snapshot(config).stories != expected.stories


def test_plain_thread_pool_equals_serial_scan(tmp_path, serial_result):
    _, _, _, expected = serial_result
    config = demo_config(tmp_path)
    pipeline = Pipeline.open(load_config(config))
    try:
        report = run_scan(pipeline, executor=ThreadExecutor(workers=4))
    finally:
        pipeline.close()
    assert not report.failed
    got = snapshot(config)
    assert (got.stories, got.alerts, got.story_of_post) == (expected.stories, expected.alerts, expected.story_of_post)


def test_a_failing_source_is_reported_and_the_others_are_stored(tmp_path):
    def break_one(data):
        data["sources"][1]["replay"] = str(tmp_path / "missing.json")

    config = demo_config(tmp_path, break_one)
    state = scan(config=str(config), return_state=True)
    assert state.is_completed()
    report = state.result()
    failed = {s.key: s.error for s in report.failed}
    assert list(failed) == ["pestovo_overheard"] and "not a VK recording" in failed["pestovo_overheard"]
    assert sum(s.new for s in report.sources) > 100
    assert snapshot(config).watermarks["pestovo_overheard"] is None


def test_tasks_of_a_limited_api_carry_its_tag(tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.limits import apply_limits

    config = demo_config(tmp_path)
    apply_limits({"telegram": 50})  # on the temporary server; removed below
    try:
        state = scan(config=str(config), return_state=True)
    finally:
        with get_client(sync_client=True) as client:
            client.delete_concurrency_limit_by_tag("telegram")
    with get_client(sync_client=True) as client:
        this_run = FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
        runs = client.read_task_runs(flow_run_filter=this_run)
    settings = load_config(config)
    collected = {r.name.removeprefix("collect-"): set(r.tags) for r in runs if r.name.startswith("collect-")}
    stored = {r.name.removeprefix("store-"): set(r.tags) for r in runs if r.name.startswith("store-")}
    assert set(collected) == set(stored) == {s.key for s in settings.sources}
    for source in settings.sources:
        # only a limited API's tasks ask the server for slots; SQLite stores have no limit («es» has)
        assert collected[source.key] == ({"telegram"} if source.platform == "telegram" else set())
        assert stored[source.key] == set()


def test_interleave_round_robins_platforms_in_config_order():
    platforms = {"v1": "vk", "v2": "vk", "v3": "vk", "t1": "telegram", "r1": "rss", "r2": "rss"}
    assert interleave(list(platforms), platforms) == ["v1", "t1", "r1", "v2", "r2", "v3"]


def test_store_tasks_are_tagged_es_only_on_elasticsearch_with_a_limit(tmp_path):
    from flows.common import store_tags

    config = demo_config(tmp_path)
    es = load_config(config, "elasticsearch://127.0.0.1:9200?prefix=mcu")
    sqlite = load_config(config)
    assert store_tags(es, {"es", "vk"}) == ["es"]
    assert store_tags(es, None) == ["es"]  # limits unknown: tag, the limit may exist
    assert store_tags(es, {"vk"}) == []
    assert store_tags(sqlite, {"es"}) == []
