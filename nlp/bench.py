"""Timing of the analyser with and without NER on a plain-text corpus.

    .venv/bin/python -m nlp.bench ../shared/data/local_posts/posts.txt --posts 500

The corpus is read in place (blocks separated by blank lines) and never copied.
"""
from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone
from pathlib import Path

import yaml

from mcu.config import Rubricator, Settings
from mcu.domain import Post

REPO = Path(__file__).resolve().parents[1]


def read_blocks(path: Path, limit: int) -> list[str]:
    blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n")]
    return [b for b in blocks if b][:limit]


def demo_settings() -> Settings:
    raw = yaml.safe_load((REPO / "config" / "rubricator.yaml").read_text(encoding="utf-8"))
    return Settings(
        municipality="Пестовский муниципальный округ",
        sources=[],
        gazetteer=Path("config/gazetteer/pestovo.yaml"),
        rubricator=Rubricator.model_validate(raw),
        base_dir=REPO,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--batch", type=int, default=100, help="posts per analyze() call")
    args = parser.parse_args()

    from nlp import Analyzer
    from nlp.ner import load_ner_tagger

    texts = read_blocks(args.corpus, args.posts)
    now = datetime.now(timezone.utc)
    posts = [Post(platform="vk", source="bench", native_id=str(i), text=text, published_at=now)
             for i, text in enumerate(texts)]
    words = sum(len(t.split()) for t in texts)
    print(f"{len(posts)} posts, {words} words ({words / len(posts):.0f} per post)")

    start = time.perf_counter()
    analyzer = Analyzer.from_settings(demo_settings())
    print(f"analyzer built (gazetteer, lexicons): {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    load_ner_tagger()
    print(f"Natasha NER loaded: {time.perf_counter() - start:.2f} s")

    for use_ner in (False, True, False):  # the first pass warms the lemma cache
        analyzer.timings.steps.clear()
        start = time.perf_counter()
        for i in range(0, len(posts), args.batch):
            analyzer.analyze(posts[i : i + args.batch], use_ner=use_ner)
        elapsed = time.perf_counter() - start
        steps = ", ".join(f"{k} {v / len(posts) * 1000:.2f}" for k, v in analyzer.timings.steps.items())
        print(f"use_ner={use_ner}: {elapsed:.2f} s, {elapsed / len(posts) * 1000:.2f} ms/post ({steps} ms/post)")


if __name__ == "__main__":
    main()
