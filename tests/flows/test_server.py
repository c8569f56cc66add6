"""prefect.yaml on a real local Prefect server: deploy, a process worker, a scan run through the API,
and ``mcu serve`` serving a deployment from one process."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from flows.deployments import read_specs
from tests.flows.conftest import ROOT, snapshot
from testing.configs import demo_config, manifest_total

pytestmark = pytest.mark.prefect_server
RUN_TIMEOUT = 240


def prefect(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "prefect", *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="module")
def worker_env(prefect_server, tmp_path_factory):
    """`prefect deploy --all` from prefect.yaml, and one process worker polling every second."""
    env = prefect_server.environment() | {"MCU_HOME": str(ROOT), "PREFECT_WORKER_QUERY_SECONDS": "1",
                                          "PREFECT_LOGGING_LEVEL": "WARNING"}
    prefect(["work-pool", "create", "mcu-process", "--type", "process", "--overwrite"], env)
    prefect(["--no-prompt", "deploy", "--all"], env)
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", "mcu-process",
                                   "--limit", "4"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    yield env
    worker.terminate()
    worker.wait(30)


def wait_for(run_id, timeout: float = RUN_TIMEOUT):
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            run = client.read_flow_run(run_id)
            if run.state is not None and run.state.is_final():
                return run
            time.sleep(1)
    raise AssertionError(f"flow run {run_id} did not finish in {timeout} s (last state {run.state})")


def wait_for_deployment(name: str, seconds: float = 60) -> None:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + seconds
    with get_client(sync_client=True) as client:
        while True:
            try:
                client.read_deployment_by_name(name)
                return
            except ObjectNotFound:
                assert time.monotonic() < deadline, f"deployment {name} was not registered"
                time.sleep(0.5)


def test_mcu_serve_serves_a_deployment_from_one_process(prefect_server, on_server, tmp_path):
    # First in the module: a deployment is either served (`mcu serve`) or deployed to the work
    # pool (`prefect deploy`), not both; the pool deployments below are created after this.
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    config = demo_config(tmp_path)
    env = prefect_server.environment() | {"PREFECT_RUNNER_POLL_FREQUENCY": "1", "COLUMNS": "200"}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        # from a folder outside the checkout: the deployments are modules of the installed package
        serve = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--no-server", "--only", "digest",
                                  "--limit", "es=3"],
                                 env=env | {"PYTHONPATH": str(ROOT)}, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while "Веб-интерфейс" not in log.read_text(encoding="utf-8", errors="replace"):
            assert serve.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            assert time.monotonic() < deadline, "mcu serve did not start"
            time.sleep(0.5)
        with get_client(sync_client=True) as client:
            assert client.read_concurrency_limit_by_tag("es").concurrency_limit == 3
            assert client.read_concurrency_limit_by_tag("telegram").concurrency_limit == 1
        out_dir = tmp_path / "digests"
        wait_for_deployment("digest/digest")  # serve registers it just after printing the address
        run = run_deployment("digest/digest", parameters={"config": str(config), "out_dir": str(out_dir)},
                             timeout=0)
        finished = wait_for(run.id)
        assert finished.state.is_completed(), (finished.state, log.read_text(encoding="utf-8", errors="replace"))
        printed = log.read_text(encoding="utf-8", errors="replace")
        assert "flows.digest:digest" in printed and "30 8 * * *" in printed  # the plan lists the deployment
        written = list(out_dir.glob("*.txt"))
        assert len(written) == 1 and written[0].read_text(encoding="utf-8").startswith("Сводка МЦУ")
    finally:
        serve.terminate()
        serve.wait(30)


def test_every_deployment_of_prefect_yaml_is_on_the_server(worker_env, on_server):
    from prefect.client.orchestration import get_client
    from prefect.flows import load_flow_from_entrypoint

    specs = read_specs(ROOT / "prefect.yaml")
    assert {s.name for s in specs} >= {"scan", "watch", "track_reactions", "digest", "campaigns"}
    with get_client(sync_client=True) as client:
        for spec in specs:
            flow = load_flow_from_entrypoint(spec.entrypoint)
            deployment = client.read_deployment_by_name(f"{flow.name}/{spec.name}")
            assert deployment.entrypoint == spec.entrypoint
            assert deployment.work_pool_name == "mcu-process"
            assert deployment.pull_steps == [{"prefect.deployments.steps.set_working_directory":
                                              {"directory": str(ROOT)}}]
            crons = {(s.schedule.cron, s.schedule.timezone, s.active) for s in deployment.schedules}
            assert crons == {(s["cron"], "Europe/Moscow", s.get("active", True)) for s in spec.schedules}
            assert deployment.global_concurrency_limit.limit == 1
            wanted = spec.concurrency_limit if isinstance(spec.concurrency_limit, dict) else {}
            strategy = deployment.concurrency_options.collision_strategy if deployment.concurrency_options else None
            assert (strategy.value if strategy else "ENQUEUE") == wanted.get("collision_strategy", "ENQUEUE")
    expected = {"scan": "0 7 * * *", "watch": "*/15 7-22 * * *", "track_reactions": "*/30 * * * *",
                "digest": "30 8 * * *", "campaigns": "0 9 * * 1"}
    assert {s.name: s.schedules[0]["cron"] for s in specs if s.name in expected} == expected


def test_scan_runs_on_a_worker_through_the_api(worker_env, on_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.deployments import run_deployment

    config = demo_config(tmp_path)
    run = run_deployment("scan/scan", parameters={"config": str(config)}, timeout=0)
    finished = wait_for(run.id)
    assert finished.state.is_completed(), finished.state
    got = snapshot(config)
    assert len(got.story_of_post) == manifest_total(tmp_path)
    assert got.alerts and all(got.watermarks.values())
    assert (tmp_path / "alerts.txt").read_text(encoding="utf-8").count("=== ") == len(got.alerts)
    with get_client(sync_client=True) as client:
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
    names = sorted(t.name.split("-")[0] for t in tasks)
    assert names.count("collect") == names.count("store") == len(got.watermarks)
    assert all(t.state.is_completed() for t in tasks)
