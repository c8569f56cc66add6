"""Render the demo corpus (``demo/corpus.yaml``) into the platforms' own wire formats.

    python -m demo.render OUT_DIR [--anchor 2026-11-20T18:00:00+00:00]

writes ``vk/<key>.json`` (recorded VK API calls), ``telegram/<key>.json`` (Telethon-like
dumps), ``rss/<key>.xml`` (RSS 2.0 or Atom 1.0), ``ok/<key>.json`` (recorded OK API calls),
``site/<key>.json`` with ``site/<key>/`` (recorded pages of a site without a feed) and ``MANIFEST.json``.

Time: the corpus speaks of calendar days before the anchor (``day``) and Moscow clock
times (``time``); :func:`day_zero` decides where day 0 starts. It keeps the clock times
exact when it can (day 0 is the anchor's own Moscow date, or the day before it) and
otherwise shifts the corpus so that its last item falls on the anchor. Either way every
item lies in the 14 days up to the anchor, never after it. The output depends only on
the corpus and the anchor: no randomness, no clock, no network.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from demo.corpus import CORPUS, MSK, CorpusError, Item, Users, day_zero, dump_json, load_corpus
from demo.feeds import render_atom, render_rss2
from demo.ok import render_ok
from demo.site import render_site
from demo.telegram import render_telegram
from demo.vk import render_vk


def render(out_dir: Path, anchor: datetime, corpus_path: Path = CORPUS) -> list[Path]:
    """Write the demo data for ``anchor`` into ``out_dir``; return the files written."""
    if anchor.tzinfo is None:
        anchor = anchor.replace(tzinfo=timezone.utc)
    corpus = load_corpus(corpus_path)
    start = day_zero(anchor, corpus)

    def at(item: Item) -> datetime:
        return (start + timedelta(seconds=item.offset)).astimezone(MSK)

    out_dir = Path(out_dir)
    users = Users()
    files: dict[str, str] = {}
    written: list[Path] = []
    for key, source in corpus.sources.items():
        platform = source["platform"]
        if platform == "vk":
            rel, body = f"vk/{key}.json", dump_json(render_vk(key, corpus, at, users))
        elif platform == "telegram":
            rel, body = f"telegram/{key}.json", dump_json(render_telegram(key, corpus, at, users))
        elif platform == "ok":
            rel, body = f"ok/{key}.json", dump_json(render_ok(key, corpus, at, users))
        elif platform == "site":
            pages = render_site(key, corpus, at)
            rel, body = f"site/{key}.json", pages.pop(f"site/{key}.json")
            for page, text in pages.items():  # the recorded pages beside their index
                (out_dir / page).parent.mkdir(parents=True, exist_ok=True)
                (out_dir / page).write_text(text, encoding="utf-8", newline="\n")
        elif source.get("format") == "atom":
            rel, body = f"rss/{key}.xml", render_atom(key, corpus, at)
        else:
            rel, body = f"rss/{key}.xml", render_rss2(key, corpus, at)
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8", newline="\n")
        files[key] = rel
        written.append(path)
    manifest = {"anchor": anchor.astimezone(timezone.utc).isoformat(), "files": files,
                "counts": {key: {"posts": len(corpus.posts_of(key)),
                                 "comments": sum(len(p.thread) for p in corpus.posts_of(key))}
                           for key in corpus.sources}}
    path = out_dir / "MANIFEST.json"
    path.write_text(dump_json(manifest), encoding="utf-8", newline="\n")
    written.append(path)
    return written


def parse_anchor(text: str | None) -> datetime:
    """An ISO moment (naive = UTC); without one, now in UTC rounded down to the hour."""
    if not text:
        return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.render", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--anchor", help="ISO moment the demo ends at (default: now, UTC, to the hour)")
    args = parser.parse_args(argv)
    try:
        anchor = parse_anchor(args.anchor)
        paths = render(args.out_dir, anchor)
    except (CorpusError, ValueError) as exc:
        print(f"demo.render: {exc}", file=sys.stderr)
        return 2
    manifest = json.loads(paths[-1].read_text(encoding="utf-8"))
    for key, rel in manifest["files"].items():
        n = manifest["counts"][key]
        print(f"{rel:32} {n['posts']:4} posts {n['comments']:4} comments")
    print(f"anchor {manifest['anchor']} -> {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
