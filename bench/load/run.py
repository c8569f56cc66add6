"""`make load`: one big scan, then live mode, against local servers; memory, backlog, alert latency.

    .venv/bin/python bench/load/run.py                       # 100,000 posts, then 10 minutes live
    LOAD_MINUTES=2 LOAD_POSTS=20000 .venv/bin/python bench/load/run.py   # a shorter try
    .venv/bin/python bench/load/run.py --json load.json

1. A generated district (``bench/district.py``: VK publics and RSS feeds, texts from the demo
   corpus) of ``LOAD_POSTS`` posts and comments is served from 127.0.0.1 in the VK API and RSS
   wire formats, and read by the real collectors in one scan into a fresh SQLite store.
2. Live mode: for ``LOAD_MINUTES`` minutes a producer publishes ``LOAD_RATE`` (1,000) new VK
   posts a minute on the local server, evenly spread, while a scan runs every minute (at once,
   when the previous one took longer), as ``mcu serve`` schedules it.

Measured: wall and CPU seconds (this process; on a shared machine CPU seconds are the steadier
figure: wall time depends on the neighbours), the resident memory (VmRSS) of this process every 5 s; per live scan its seconds, the
backlog (posts published but not stored) when it starts and when it ends; alert latency: for each
alert raised in live mode whose story holds live posts, the time from the publication of its
newest live post (before the alert) to the alert; and per fresh incident (one live post a
minute, ``INCIDENTS``), the time from its publication to the first alert on its story. Everything runs in this one process (the
server in a thread), so the memory figure includes the server's district.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.district import (VILLAGES, DistrictServer, _texts, _vary, district_tokens, generate_district,  # noqa: E402
                            write_district_config)
from core.domain import Platform, post_id  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Sampler:
    """VmRSS every ``every`` seconds, in a thread."""
    every: float = 5.0
    samples: list[tuple[float, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self, t0: float) -> None:
        def loop() -> None:
            while not self._stop.wait(self.every):
                self.samples.append((round(time.monotonic() - t0, 1), round(rss_mb(), 1)))
        threading.Thread(target=loop, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


INCIDENTS = [
    "В деревне {v} ночью сгорел жилой дом, семья с двумя детьми осталась без крова. Просим помочь вещами.",
    "В деревне {v} обрушился мост через реку, машины не могут проехать, скорая до нас не доедет.",
    "В деревне {v} пропал пожилой мужчина, ушёл утром в лес и не вернулся. Помогите с поисками!",
    "Деревня {v} третий день без света: после урагана упали деревья и оборвали провода.",
    "В деревне {v} закрыли фельдшерский пункт, к врачу теперь ездить за 40 км.",
    "В деревне {v} размыло дорогу после ливня, школьный автобус не ходит вторую неделю, дети сидят дома.",
    "В деревне {v} прорвало водопровод, улицу затопило, воды в домах нет с вечера.",
    "В деревне {v} на крыше клуба обвалилась кровля, внутри были люди, чудом никто не пострадал.",
    "В деревне {v} сильно пахнет газом возле котельной, аварийная служба не приезжает.",
    "В деревне {v} бродячие собаки покусали ребёнка у остановки, мальчик в больнице.",
    "В деревне {v} в многоквартирном доме нет отопления, батареи ледяные, в квартирах плюс двенадцать.",
    "В деревне {v} мусор не вывозят больше месяца, контейнерная площадка завалена, крысы бегают.",
]
"""Fresh events, each in a village the corpus never names and each told differently: a story of its
own that must alert (``mcu analyze`` scores each at least «medium» alone)."""


def fresh_villages() -> list[str]:
    """Villages of the demo gazetteer that neither the corpus nor the district's retellings name."""
    import yaml

    places = yaml.safe_load((ROOT / "config/gazetteer/pestovo.yaml").read_text(encoding="utf-8"))["places"]
    posts, comments = _texts()
    corpus = " ".join(posts + comments)
    names = [p["name"] for p in places if p.get("kind") == "village" and not p.get("ambiguous")]
    once = [n for n in names if names.count(n) == 1 and " " not in n]
    return [n for n in once if n not in corpus and n not in VILLAGES]


class Producer:
    """Publishes new wall posts on the district's publics at ``rate`` a minute; remembers when.
    Every ``incident_every``-th post (one a minute by default) is a fresh incident (``INCIDENTS``)."""

    def __init__(self, server: DistrictServer, rate: int, seed: int = 11, incident_every: int | None = None):
        import random

        self.server, self.rate, self.rng = server, rate, random.Random(seed)
        self.texts = _texts()[0]
        self.villages = fresh_villages()
        self.incident_every = incident_every or rate
        self.published: dict[str, float] = {}  # post id → wall time published
        self.incidents: dict[str, float] = {}  # the incidents among them
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self.serial = 10**9

    def publish_one(self) -> None:
        publics = self.server.district.publics
        public = publics[self.serial % len(publics)]
        self.serial += 1
        now = time.time()
        incident = self.serial % self.incident_every == 0 and len(self.incidents) < len(INCIDENTS)
        if incident:
            n = len(self.incidents)
            text = INCIDENTS[n % len(INCIDENTS)].format(v=self.villages[n])
        else:
            text = _vary(self.rng.choice(self.texts), self.rng)
        post = {"id": self.serial, "owner_id": -public.gid, "from_id": 60_000_000 + self.rng.randint(0, 9_999_999),
                "date": int(now), "post_type": "post", "text": text,
                "comments": {"count": 0, "can_post": 1}, "likes": {"count": self.rng.randint(0, 300)},
                "reposts": {"count": self.rng.randint(0, 40)}, "views": {"count": self.rng.randint(100, 20_000)},
                "attachments": []}
        with self.lock:
            public.posts.insert(0, post)  # newest first, as wall.get answers
            key = post_id(Platform.vk, public.key, f"{-public.gid}_{self.serial}")
            self.published[key] = now
            if incident:
                self.incidents[key] = now

    def run(self, seconds: float) -> threading.Thread:
        def loop() -> None:
            gap, deadline, n = 60.0 / self.rate, time.monotonic() + seconds, 0
            start = time.monotonic()
            while not self._stop.is_set() and time.monotonic() < deadline:
                self.publish_one()
                n += 1
                self._stop.wait(max(0.0, start + n * gap - time.monotonic()))
        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread


def scan(config: Path, workers: int):
    from core.config import load_config
    from pipeline.pipeline import Pipeline
    from pipeline.run import ThreadExecutor, run_scan

    pipeline = Pipeline.open(load_config(config))
    try:
        return run_scan(pipeline, executor=ThreadExecutor(workers))
    finally:
        pipeline.close()


def stored_ids(database: Path, ids: list[str]) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as conn:
        found = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found += conn.execute(f"SELECT COUNT(*) FROM posts WHERE id IN ({','.join('?' * len(chunk))})",
                                  chunk).fetchone()[0]
        return found


def alerted_stories(database: Path) -> list[tuple[float, list[str]]]:
    """Each stored alert's time (unix seconds) and the posts of its story."""
    import sqlite3

    found = []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as conn:
        for (alert_json,) in conn.execute("SELECT json FROM alerts").fetchall():
            alert = json.loads(alert_json)
            row = conn.execute("SELECT json FROM stories WHERE id = ?", (alert["story_id"],)).fetchone()
            found.append((datetime.fromisoformat(alert["created_at"]).timestamp(),
                          json.loads(row[0])["post_ids"] if row else []))
    return found


def alert_latencies(alerted: list[tuple[float, list[str]]], producer: Producer, since: float) -> list[float]:
    """Per alert raised after ``since`` on a story with live posts: seconds from its newest live
    post published before the alert."""
    latencies = []
    for at, ids in alerted:
        live = [producer.published[i] for i in ids if i in producer.published and producer.published[i] <= at]
        if at >= since and live:
            latencies.append(round(at - max(live), 1))
    return latencies


def incident_latencies(alerted: list[tuple[float, list[str]]], producer: Producer) -> list[float | None]:
    """Per incident: seconds from its publication to the first alert on the story it joined
    (None: no alert on its story after it was published)."""
    story_of: dict[str, list[float]] = {}
    for at, ids in alerted:
        for post in ids:
            story_of.setdefault(post, []).append(at)
    latencies: list[float | None] = []
    for post, published in producer.incidents.items():
        after = [at for at in story_of.get(post, []) if at >= published]
        latencies.append(round(min(after) - published, 1) if after else None)
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=int(os.environ.get("LOAD_POSTS", 100_000)))
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("LOAD_MINUTES", 10)))
    parser.add_argument("--rate", type=int, default=int(os.environ.get("LOAD_RATE", 1000)), help="posts a minute")
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    sampler = Sampler()
    sampler.start(t0)
    result: dict = {"posts": args.posts, "minutes": args.minutes, "rate": args.rate, "cpus": os.cpu_count()}
    district = generate_district(items=args.posts, sources=args.sources, now=time.time())
    with tempfile.TemporaryDirectory(prefix="mcu-load-") as folder, DistrictServer(district) as server:
        os.environ.update(district_tokens(district))
        database = Path(folder) / "mcu.sqlite"
        config = write_district_config(Path(folder), district, server.url, f"sqlite:///{database}")
        started, cpu = time.monotonic(), time.process_time()
        report = scan(config, args.workers)
        result["first_scan"] = {"seconds": round(time.monotonic() - started, 1), "items": district.items,
                                "cpu_seconds": round(time.process_time() - cpu, 1),
                                "stored": sum(s.new + s.updated for s in report.sources),
                                "failed": [f"{s.key}: {s.error}" for s in report.failed],
                                "alerts": len(report.alerts), "rss_mb_after": round(rss_mb(), 1)}
        print(json.dumps(result["first_scan"], ensure_ascii=False), flush=True)

        producer = Producer(server, args.rate)
        live_started = time.time()
        producing = producer.run(args.minutes * 60)
        cycles = []
        while producing.is_alive():
            cycle_start, cpu = time.monotonic(), time.process_time()
            with producer.lock:
                published = list(producer.published)
            before = len(published) - stored_ids(database, published)
            report = scan(config, args.workers)
            with producer.lock:
                published = list(producer.published)
            after = len(published) - stored_ids(database, published)
            cycles.append({"at": round(cycle_start - t0, 1), "seconds": round(time.monotonic() - cycle_start, 1),
                           "cpu_seconds": round(time.process_time() - cpu, 1),
                           "backlog_before": before, "backlog_after": after,
                           "new": sum(s.new for s in report.sources), "alerts": len(report.alerts),
                           "failed": len(report.failed), "rss_mb": round(rss_mb(), 1)})
            print(json.dumps(cycles[-1]), flush=True)
            time.sleep(max(0.0, 60 - (time.monotonic() - cycle_start)))
        final = scan(config, args.workers)  # what the last minute published
        published = list(producer.published)
        alerted = alerted_stories(database)
        result["live"] = {"cycles": cycles, "published": len(published),
                          "stored": stored_ids(database, published), "final_new": sum(s.new for s in final.sources),
                          "latencies": alert_latencies(alerted, producer, live_started),
                          "incidents": len(producer.incidents),
                          "incident_latencies": incident_latencies(alerted, producer)}
    sampler.stop()
    result["rss"] = sampler.samples
    lat = result["live"]["latencies"]
    incident = [x for x in result["live"]["incident_latencies"] if x is not None]
    memory = [mb for _, mb in sampler.samples]
    result["summary"] = {
        "first_scan_seconds": result["first_scan"]["seconds"],
        "first_scan_posts_per_s": round(result["first_scan"]["stored"] / result["first_scan"]["seconds"], 1),
        "first_scan_cpu_ms_per_post": round(1000 * result["first_scan"]["cpu_seconds"]
                                            / max(1, result["first_scan"]["stored"]), 1),
        "live_cpu_seconds_per_minute_median": statistics.median(c["cpu_seconds"] for c in cycles) if cycles else None,
        "rss_mb_after_first_scan": result["first_scan"]["rss_mb_after"],
        "rss_mb_live_first_last_max": [cycles[0]["rss_mb"], cycles[-1]["rss_mb"], max(c["rss_mb"] for c in cycles)]
        if cycles else None,
        "rss_mb_max": max(memory) if memory else None,
        "live_scan_seconds_median_max": [statistics.median(c["seconds"] for c in cycles),
                                         max(c["seconds"] for c in cycles)] if cycles else None,
        "backlog_after_scan_max": max(c["backlog_after"] for c in cycles) if cycles else None,
        "backlog_before_scan_max": max(c["backlog_before"] for c in cycles) if cycles else None,
        "live_published_stored": [result["live"]["published"], result["live"]["stored"]],
        "alert_latency_s_n_median_p95_max": [len(lat), statistics.median(lat) if lat else None,
                                             sorted(lat)[int(0.95 * (len(lat) - 1))] if lat else None,
                                             max(lat) if lat else None],
        "incidents_alerted_of": [len(incident), result["live"]["incidents"]],
        "incident_latency_s_median_p95_max": [statistics.median(incident) if incident else None,
                                              sorted(incident)[int(0.95 * (len(incident) - 1))] if incident else None,
                                              max(incident) if incident else None],
    }
    print(json.dumps(result["summary"], ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
