"""Server time of the web workplace's pages on a large store.

    .venv/bin/python bench/web_pages.py [--posts 100000] [--folder DIR] [--requests 20] [--json FILE]
    ES_URL=http://127.0.0.1:9250 .venv/bin/python bench/web_pages.py --store elasticsearch

A district of ``--posts`` posts, comments and news entries (``bench/district.py``: the demo
corpus retold across 50 sources and two weeks) is analysed by the real NLP (without NER, for
speed) and written by the real pipeline (``Pipeline.store_posts``: stories, then the store),
then ``Pipeline.raise_alerts`` raises the risks. The store is kept in ``--folder`` and reused by
the next run. ``mcu web`` is then started on it as its own process, and every page is requested
over HTTP ``--requests`` times after two warm-up requests. Reported per page: the server time
the app measures itself (the ``Server-Timing`` header: from the request's arrival in the app to
its response), median, 95th percentile and maximum, in milliseconds; and the wall time the
client saw, median.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.district import generate_district, write_district_config  # noqa: E402

PAGES = {
    "risks": "/risks",
    "risks (table refresh)": "/risks/table",
    "risks by department": "/risks?department=laptevsky&status=all",
    "search «вода»": "/search?q=вода",
    "search «вода» + department": "/search?q=вода&department=laptevsky",
    "search «дорога» + week": "/search?q=дорога&period=7d",
    "search, no words, month": "/search?period=30d",
    "search, no words, negative + place": "/search?sentiment=negative&place=Пестово&period=all",
    "risk card": None,  # the first critical risk, found at run time
    "map": "/map/data.json",
    "reports (30-day rating; the digest loads apart)": "/reports",
    "sources": "/sources",
}
BATCH = 2000


def posts_of(district) -> list:
    """The district's items as posts, as the collectors would map them."""
    from core.domain import Engagement, Platform, Post

    posts = []
    for public in district.publics:
        for item in public.posts:
            top = Post(platform=Platform.vk, source=public.key, native_id=f"{-public.gid}_{item['id']}",
                       url=f"https://vk.com/wall{-public.gid}_{item['id']}", author=str(item["from_id"]),
                       text=item["text"], published_at=datetime.fromtimestamp(item["date"], timezone.utc),
                       engagement=Engagement(likes=item["likes"]["count"], comments=item["comments"]["count"],
                                             reposts=item["reposts"]["count"], views=item["views"]["count"]),
                       reach=public.members)
            posts.append(top)
            for comment in public.comments.get(item["id"], []):
                posts.append(Post(platform=Platform.vk, source=public.key,
                                  native_id=f"{-public.gid}_{item['id']}_c{comment['id']}", author=str(comment["from_id"]),
                                  text=comment["text"], published_at=datetime.fromtimestamp(comment["date"], timezone.utc),
                                  engagement=Engagement(likes=comment["likes"]["count"]), parent_id=top.id,
                                  thread_id=top.id, reach=public.members))
    for feed in district.feeds:
        for entry in feed.entries:
            posts.append(Post(platform=Platform.rss, source=feed.key, native_id=f"https://news.example/{entry['id']}",
                              url=f"https://news.example/{entry['id']}", title=entry["title"], text=entry["text"],
                              published_at=datetime.fromtimestamp(entry["date"], timezone.utc), reach=3000))
    return sorted(posts, key=lambda p: p.published_at)


def build_store(config: Path, count: int) -> None:
    from core.config import load_config
    from pipeline.pipeline import Pipeline

    pipeline = Pipeline.open(load_config(config))
    try:
        if pipeline.store.stats().posts >= count:
            print(f"store already holds {pipeline.store.stats().posts} posts")
            return
        district = generate_district(items=count, sources=50, now=time.time())
        posts = posts_of(district)
        started = time.perf_counter()
        for start in range(0, len(posts), BATCH):
            batch = [pipeline.pseudonymizer.apply(p) for p in posts[start:start + BATCH]]
            analyses = pipeline.analyzer.analyze(batch, use_ner=False)
            pipeline.store_posts(batch, analyses)
            done = start + len(batch)
            rate = done / (time.perf_counter() - started)
            print(f"\r  stored {done}/{len(posts)} posts ({rate:.0f}/s)", end="", flush=True)
        risks, alerts = pipeline.raise_alerts()
        print(f"\n  {len(risks)} risks, {len(alerts)} alerts raised")
    finally:
        pipeline.close()


def copy_store(config: Path, source: Path) -> None:
    """Fill the configured store (Elasticsearch) from a SQLite store built by this benchmark: the
    same posts, analyses, stories and risks, without running the NLP again."""
    import sqlite3

    from core.config import load_config
    from core.domain import Analysis, Post, Risk, Story
    from pipeline.wiring import opened_store

    with opened_store(load_config(config)) as store:
        if store.stats().posts >= sqlite3.connect(source).execute("SELECT COUNT(*) FROM posts").fetchone()[0]:
            print(f"store already holds {store.stats().posts} posts")
            return
        db = sqlite3.connect(source)
        last, copied = 0, 0
        while True:
            rows = db.execute("SELECT p.seq, p.json, a.json FROM posts p JOIN analyses a ON a.post_id = p.id"
                              " WHERE p.seq > ? ORDER BY p.seq LIMIT ?", (last, BATCH)).fetchall()
            if not rows:
                break
            store.upsert_posts((Post.model_validate_json(p), Analysis.model_validate_json(a)) for _, p, a in rows)
            last, copied = rows[-1][0], copied + len(rows)
            print(f"\r  copied {copied} posts", end="", flush=True)
        for (story,) in db.execute("SELECT json FROM stories"):
            store.upsert_story(Story.model_validate_json(story))
        for (risk,) in db.execute("SELECT json FROM risks"):
            store.save_risk(Risk.model_validate_json(risk).model_copy(update={"version": 0}))
        print()


def signed_in_client(base: str, config: Path) -> httpx.Client:
    from core.config import load_config
    from web.accounts import Accounts
    from web.localdb import LocalDb, web_db_path

    settings = load_config(config)
    db = LocalDb(web_db_path(settings.data_dir))
    accounts = Accounts(db)
    if accounts.get("bench") is None:
        accounts.add("bench", "Бенчмарк", "operator", "bench-password-1")
    db.close()
    client = httpx.Client(base_url=base, timeout=60)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"username": "bench", "password": "bench-password-1", "csrf_token": token})
    assert response.status_code in (200, 303) and "mcu_session" in client.cookies, response.text[:500]
    return client


def measure(client: httpx.Client, path: str, requests: int) -> dict:
    for _ in range(2):
        client.get(path).raise_for_status()
    server, wall = [], []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        server.append(float(response.headers["server-timing"].split("dur=")[1]))
    server.sort()
    return {"path": path, "median_ms": round(statistics.median(server), 1),
            "p95_ms": round(server[max(0, round(0.95 * len(server)) - 1)], 1), "max_ms": round(server[-1], 1),
            "wall_median_ms": round(statistics.median(wall), 1), "bytes": len(response.content)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=None, help="where the store is kept (reused)")
    parser.add_argument("--store", choices=("sqlite", "elasticsearch"), default="sqlite")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--copy-from", type=Path, default=None,
                        help="fill the store from this benchmark's SQLite store instead of analysing anew")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="mcu-web-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.store == "sqlite":
        store = f"sqlite:///{folder / 'mcu.sqlite'}"
    else:
        import os

        es = os.environ["ES_URL"].split("://", 1)[-1].rstrip("/")
        store = f"elasticsearch://{es}?prefix=webbench{args.posts}&outbox={folder / 'outbox'}"
    district = generate_district(items=50, sources=50, now=time.time())  # the 50 source keys only
    config = write_district_config(folder, district, "http://127.0.0.1:9", store)
    print(f"store: {store}")
    if args.copy_from:
        copy_store(config, args.copy_from)
    else:
        build_store(config, args.posts)
    server = subprocess.Popen([sys.executable, "-m", "cli", "web", "-c", str(config), "--port", str(args.port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        client = signed_in_client(base, config)
        card = re.search(r'href="(/risks/[0-9a-f]{20})"', client.get("/risks").text)
        results = {}
        for name, path in PAGES.items():
            path = path or (card.group(1) if card else None)
            if path is None:
                continue
            results[name] = measure(client, path, args.requests)
            r = results[name]
            print(f"{name:38s} median {r['median_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  max {r['max_ms']:7.1f} ms"
                  f"  (client wall median {r['wall_median_ms']:.1f} ms)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.json:
        args.json.write_text(json.dumps({"store": args.store, "posts": args.posts, "requests": args.requests,
                                         "pages": results}, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
