"""Speed of the NLP per core: Natasha NER alone and the full analysis on the same real posts,
in the same run; story tracking; then the memory of ``mcu analyze`` over a long stream.

    OMP_NUM_THREADS=1 .venv/bin/python bench/nlp_speed.py [--data ../shared/data] [--posts 0]
                                                           [--batch 256] [--long 100000]

Posts are the blocks of ``local_posts/posts_comments.txt`` (read in place, never copied).
``--long N`` streams N generated JSON lines (the posts repeated, each with a new id)
through :func:`nlp.stream.analyze_stream` with NER on and prints the resident memory
every tenth of the way: it must stay flat.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # per core: no BLAS threads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--file", default="posts_comments.txt", help="file in local_posts/")
    parser.add_argument("--posts", type=int, default=0, help="0: all")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--long", type=int, default=0, help="lines for the memory run (0: skip)")
    args = parser.parse_args()

    import collectors  # noqa: F401  (registers the source platforms the config names)
    from core.config import load_config
    from core.domain import Post
    from nlp import Analyzer
    from nlp.datasets import iter_local_posts, shared_data_dir
    from nlp.ner import find_locations, load_ner_tagger

    root = shared_data_dir(args.data)
    texts = list(iter_local_posts(root, args.file))
    if args.posts:
        texts = texts[: args.posts]
    chars = sum(map(len, texts))
    print(f"{len(texts)} posts from local_posts/{args.file}, {chars / len(texts):.0f} characters per post")
    started = time.perf_counter()
    analyzer = Analyzer.from_settings(load_config(REPO / "config" / "demo.yaml"))
    load_ner_tagger()
    now = datetime.now(timezone.utc)
    posts = [Post(platform="vk", source="bench", native_id=str(i), text=t, published_at=now) for i, t in enumerate(texts)]
    analyzer.analyze(posts[:100])  # load the models
    print(f"analyzer and models loaded in {time.perf_counter() - started:.1f} s, RSS {rss_mb():.0f} MB")

    def run(name, fn):
        started = time.perf_counter()
        for i in range(0, len(texts), args.batch):
            fn(i)
        elapsed = time.perf_counter() - started
        print(f"  {name:<28} {len(texts) / elapsed:8.0f} posts/s   {elapsed / len(texts) * 1000:6.2f} ms/post")
        return len(texts) / elapsed

    # rounds interleave the three measures, so a busy machine slows them alike; the best
    # round of each counts (the first round also warms the lemma cache)
    best = {"ner": 0.0, "full": 0.0, "bare": 0.0}
    for rnd in range(1, args.rounds + 1):
        print(f"round {rnd}:")
        best["ner"] = max(best["ner"], run("Natasha NER alone", lambda i: find_locations(texts[i : i + args.batch])))
        analyzer.timings.steps.clear()
        best["full"] = max(best["full"], run("full analysis (with NER)",
                                             lambda i: analyzer.analyze(posts[i : i + args.batch])))
        steps = dict(analyzer.timings.steps)
        best["bare"] = max(best["bare"], run("analysis without NER",
                                             lambda i: analyzer.analyze(posts[i : i + args.batch], use_ner=False)))
    ner, full, bare = best["ner"], best["full"], best["bare"]
    print(f"best rounds: NER alone {ner:.0f} posts/s, full analysis {full:.0f} posts/s, without NER {bare:.0f} posts/s")
    print(f"full / NER alone = {full / ner:.2f} (target ≥ 0.33); without NER / NER alone = {bare / ner:.2f}")
    print("per step, full analysis, ms/post: " + ", ".join(f"{k} {v / len(texts) * 1000:.3f}" for k, v in steps.items()))

    # stories: every post assigned in time order (10 minutes apart, all inside one 14-day window)
    from datetime import timedelta

    spaced = [p.model_copy(update={"published_at": now + timedelta(minutes=10 * i), "source": f"s{i % 7}"})
              for i, p in enumerate(posts[:3000])]
    analyses = analyzer.analyze(spaced, use_ner=False)
    tracker = analyzer.story_tracker(window_hours=24 * 14)
    started = time.perf_counter()
    stories = {tracker.assign(p, a).id for p, a in zip(spaced, analyses)}
    elapsed = time.perf_counter() - started
    print(f"story tracking: {len(spaced) / elapsed:.0f} posts/s over {len(spaced)} posts ({len(stories)} stories)")

    if args.long:
        from nlp.stream import analyze_stream

        def lines():
            for n in range(args.long):
                yield json.dumps({"id": n, "text": texts[n % len(texts)]}, ensure_ascii=False)

        marks = max(1, args.long // 10)
        written = 0

        def sink(chunk: str) -> None:
            nonlocal written
            written += chunk.count("\n")

        done = 0

        def report(n: int) -> None:
            nonlocal done
            before, done = done, done + n
            if before // marks != done // marks:
                print(f"  {done:>7} lines  RSS {rss_mb():7.1f} MB  {done / (time.perf_counter() - started):6.0f} lines/s")

        print(f"streaming {args.long} lines through analyze_stream (NER on):")
        started = time.perf_counter()
        analyze_stream(analyzer, lines(), sink, batch_size=args.batch, on_batch=report)
        print(f"  {written} output lines in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
