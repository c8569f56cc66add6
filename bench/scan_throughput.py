"""End-to-end scan throughput, with and without Prefect, in one run.

    .venv/bin/python bench/scan_throughput.py [--items 10000] [--sources 50] [--rounds 1] [--json FILE]
    ES_URL=http://127.0.0.1:9200 .venv/bin/python bench/scan_throughput.py      # SQLite and Elasticsearch

A district of ``--items`` posts, comments and news entries across ``--sources`` sources
(70 % VK publics, 30 % RSS feeds) is generated (``bench/district.py``) and served from
127.0.0.1 in VK API and RSS wire formats; the real collectors read it over HTTP. Per store:

* plain   — ``pipeline.run.run_scan`` with a thread pool (``ThreadExecutor``), no Prefect;
* prefect — the ``scan`` flow (mapped tasks, ordered store tasks, the store lock) on a local
            Prefect server started here (``prefect server start``): on its SQLite database
            (what ``mcu serve`` uses), and on PostgreSQL (production; when the PostgreSQL
            server binaries are installed, see ``bench/postgres.py``);

each a first scan (everything new) then a repeated scan (nothing new) into a fresh store,
in a fresh process that first loads the NLP models and runs a small warm-up scan the same
way. Reported: wall seconds, items/s, seconds per stage (summed over sources: work, not
wall time, since sources overlap), the scanning process's CPU seconds and the Prefect
server's, and an empty flow run (Prefect's fixed start-up). On a shared machine wall time
varies with the neighbours; CPU seconds are the steadier measure of Prefect's own cost.
"""
from __future__ import annotations

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.district import DistrictServer, district_tokens, generate_district, write_district_config  # noqa: E402

STAGES = ("collect", "analyse", "store", "alert")


# ---------------------------------------------------------------- one measured process

def scan_once(config: Path, mode: str, workers: int) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    if mode == "plain":
        from core.config import load_config
        from pipeline.pipeline import Pipeline
        from pipeline.run import ThreadExecutor, run_scan

        pipeline = Pipeline.open(load_config(config))
        try:
            report = run_scan(pipeline, executor=ThreadExecutor(workers))
        finally:
            pipeline.close()
    else:
        from flows.scan import scan

        report = scan(config=str(config))
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
            "items": sum(s.new + s.updated for s in report.sources),
            "fetched": sum(s.fetched for s in report.sources),
            "failed": [f"{s.key}: {s.error}" for s in report.failed],
            "stages": {k: report.stages.get(k, 0.0) for k in STAGES}}


def empty_flow_seconds(rounds: int = 3) -> float:
    """Prefect's fixed cost of one flow run on the server (create, run, finish), best of ``rounds``."""
    from prefect import flow

    @flow(name="bench-empty")
    def empty() -> None:
        return None

    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        empty()
        best = min(best, time.perf_counter() - started)
    return best


def child(args) -> int:
    """Warm up, then a first and a repeated scan; one JSON line on stdout."""
    logging.basicConfig(level=logging.ERROR)
    scan_once(args.warm, args.mode, args.workers)  # imports, NLP models, Prefect client, server caches
    result = {"first": scan_once(args.config, args.mode, args.workers),
              "again": scan_once(args.config, args.mode, args.workers)}
    if args.mode != "plain":
        result["empty"] = empty_flow_seconds()
    print(json.dumps(result))
    return 0


# ---------------------------------------------------------------- the orchestration

def server_cpu(pid: int) -> float:
    """CPU seconds of a process and its children so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def es_store(es_url: str, prefix: str, outbox: Path) -> str:
    from store.elasticsearch import build_client, parse_store_url, setup_indices

    url = es_url.replace("http://", "elasticsearch://").rstrip("/") + f"?prefix={prefix}&outbox={outbox}"
    location = parse_store_url(url)
    with build_client(location) as client:
        setup_indices(client, location.prefix, 365)
    return url


def drop_es(es_url: str, prefixes: list[str]) -> None:
    """Best effort: delete the benchmark's indices and templates."""
    import httpx

    for prefix in prefixes:
        try:
            for row in httpx.get(f"{es_url}/_cat/indices/{prefix}-*?format=json", timeout=30).json():
                httpx.delete(f"{es_url}/{row['index']}", timeout=60)
            for kind, key in (("_index_template", "index_templates"), ("_component_template", "component_templates")):
                found = httpx.get(f"{es_url}/{kind}/{prefix}-*", timeout=30)
                for item in found.json().get(key, []) if found.status_code == 200 else []:
                    httpx.delete(f"{es_url}/{kind}/{item['name']}", timeout=30)
            httpx.delete(f"{es_url}/_ilm/policy/{prefix}-posts-retention", timeout=30)
        except (httpx.HTTPError, ValueError) as exc:
            print(f"  (cleanup of {prefix}: {exc})", file=sys.stderr)


def run_child(mode: str, config: Path, warm: Path, workers: int, server=None) -> dict:
    env = dict(os.environ)
    if server is not None:
        env["PREFECT_API_URL"] = server.api_url
    before = server_cpu(server.process.pid) if server else 0.0
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--config", str(config), "--warm", str(warm),
                          "--workers", str(workers)], env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{mode} run failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if server is not None:
        result["server_cpu"] = server_cpu(server.process.pid) - before
    return result


def median_run(results: list[dict], when: str) -> dict:
    runs = [r[when] for r in results]
    pick = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return pick | {"seconds_all": [round(r["seconds"], 2) for r in runs]}


def print_table(label: str, items: int, modes: dict[str, list[dict]]) -> dict:
    print(f"\n### {label}: {items} items\n")
    print("| run | wall s | items written | items/s | collect s | analyse s | store s | alert s | CPU s (scan) "
          "| CPU s (Prefect server) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    summary = {}
    for mode, results in modes.items():
        server_cpu_s = statistics.median(r.get("server_cpu", 0.0) for r in results)
        for when in ("first", "again"):
            run = median_run(results, when)
            summary[f"{mode} {when}"] = run
            rate = run["items"] / run["seconds"] if run["seconds"] else 0
            stages = " | ".join(f"{run['stages'].get(s, 0.0):.2f}" for s in STAGES)
            server = f"{server_cpu_s:.1f} (both scans)" if mode != "plain" and when == "first" else ""
            print(f"| {mode} {when} | {run['seconds']:.2f} | {run['items']} | {rate:.0f} | {stages} "
                  f"| {run['cpu']:.1f} | {server} |")
        failed = sorted({f for r in results for w in ("first", "again") for f in r[w]["failed"]})
        if failed:
            print(f"\nfailed sources in {mode}: {failed}")
    plain = summary["plain first"]
    print()
    for mode, results in modes.items():
        if mode == "plain":
            continue
        first, again = summary[f"{mode} first"], summary[f"{mode} again"]
        empty = statistics.median(r["empty"] for r in results)
        wall = first["seconds"] - plain["seconds"]
        cpu = first["cpu"] - plain["cpu"]
        print(f"- {mode}: first scan overhead {wall:+.2f} s wall = {100 * wall / first['seconds']:+.1f} % of the "
              f"Prefect run; {cpu:+.1f} CPU s in the scanning process = {100 * cpu / first['cpu']:+.1f} % of its CPU. "
              f"Repeated scan {again['seconds']:.2f} s (plain {summary['plain again']['seconds']:.2f} s); "
              f"an empty flow run {empty:.2f} s.")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--workers", type=int, default=16, help="threads of the plain run (the flow uses 16)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every mode; the median is reported")
    parser.add_argument("--no-postgres", action="store_true", help="only the SQLite-backed Prefect server")
    parser.add_argument("--stores", default="sqlite,es", help="stores to measure: sqlite, es (es needs ES_URL)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--child", choices=["plain", "prefect"], help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warm", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.mode = args.child
        return child(args)

    from bench import postgres
    from flows.server import PrefectServer

    work = Path(tempfile.mkdtemp(prefix="mcu-bench-"))
    es_url = os.environ.get("ES_URL", "").rstrip("/")
    prefixes: list[str] = []
    district = generate_district(args.items, args.sources)
    small = generate_district(items=300, sources=4, seed=1)
    os.environ.update(district_tokens(district) | district_tokens(small))
    print(f"district: {district.items} items ({len(district.publics)} VK publics, {len(district.feeds)} feeds); "
          f"{os.cpu_count()} CPUs; work folder {work}", file=sys.stderr)
    quiet = {"PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    servers = {"prefect/SQLite": PrefectServer(work / "prefect-sqlite", ui=False, env=quiet)}
    pg = postgres.LocalPostgres() if postgres.available() and not args.no_postgres else None
    if pg:
        on_postgres = quiet | {"PREFECT_API_DATABASE_CONNECTION_URL": pg.prefect_url}
        servers["prefect/PostgreSQL"] = PrefectServer(work / "prefect-postgres", ui=False, env=on_postgres)
    results: dict = {"items": district.items, "sources": args.sources, "workers": args.workers, "cpus": os.cpu_count()}
    try:
        if pg:
            pg.start()
        for name, server in servers.items():
            started = time.perf_counter()
            server.start()
            print(f"{name} server up in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        wanted = {name.strip() for name in args.stores.split(",")}
        stores = {}
        if "sqlite" in wanted:
            stores["SQLite store"] = lambda folder, mode: f"sqlite:///{folder / 'mcu.sqlite'}"
        if es_url and "es" in wanted:
            def make_es(folder, mode):
                prefix = f"bench-{uuid.uuid4().hex[:8]}"  # 40 characters at most
                prefixes.append(prefix)
                return es_store(es_url, prefix, folder / "outbox")

            stores["Elasticsearch store"] = make_es
        with DistrictServer(district) as http, DistrictServer(small) as small_http:
            for label, make_store in stores.items():
                modes: dict[str, list[dict]] = {"plain": [], **{name: [] for name in servers}}
                for round_ in range(args.rounds):
                    order = list(modes) if round_ % 2 == 0 else list(modes)[::-1]
                    for mode in order:
                        tag = f"{label.split()[0].lower()}-{mode.replace('/', '-').lower()}-{round_}"
                        folder, warm_folder = work / tag, work / f"{tag}-warm"
                        folder.mkdir(parents=True)
                        warm_folder.mkdir(parents=True)
                        config = write_district_config(folder, district, http.url, make_store(folder, tag))
                        warm = write_district_config(warm_folder, small, small_http.url,
                                                     f"sqlite:///{warm_folder / 'w.sqlite'}")
                        kind = "plain" if mode == "plain" else "prefect"
                        result = run_child(kind, config, warm, args.workers, servers.get(mode))
                        modes[mode].append(result)
                        print(f"  {label} {mode} round {round_ + 1}: first {result['first']['seconds']:.2f} s, "
                              f"again {result['again']['seconds']:.2f} s", file=sys.stderr)
                results[label] = print_table(label, district.items, modes)
            print(f"\nVK API and feed requests served: {http.requests}")
    finally:
        for server in servers.values():
            server.stop()
        if pg:
            pg.stop()
        if prefixes:
            drop_es(es_url, prefixes)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
