"""The demo corpus (``demo/corpus.yaml``): loading, validation, ids and time placement.

The corpus speaks of calendar days before the anchor (``day``) and Moscow clock
times (``time``); :func:`day_zero` decides where day 0 starts. It keeps the clock times
exact when it can (day 0 is the anchor's own Moscow date, or the day before it) and
otherwise shifts the corpus so that its last item falls on the anchor. Either way every
item lies in the 14 days up to the anchor, never after it.
"""
from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).with_name("corpus.yaml")
MSK = timezone(timedelta(hours=3))
WINDOW = timedelta(days=14)
DAY = 86400
VK_PAGE = 100

COMMON_POST_KEYS = {"src", "day", "time", "text", "story", "comments"}
POST_KEYS = {
    "vk": {"by", "signer", "likes", "reposts", "views", "pinned", "poll"},
    "chat": {"by", "reactions"},
    "channel": {"views", "forwards", "reactions"},
    "rss": {"title", "slug", "category", "teaser", "full"},
    "ok": {"by", "likes", "reshares", "views"},
    "site": {"title"},
}
COMMENT_KEYS = {"vk": {"likes"}, "chat": {"reactions"}, "channel": {"reactions"}, "ok": {"likes"}}
# Id gaps: other posts, deleted comments and service messages also take ids.
ID_GAP = {"vk": 3, "chat": 4, "channel": 2, "discussion": 3, "rss": 4, "ok": 7, "site": 3}
NO_COMMENTS = ("rss", "site")  # news items and site pages carry no comments


class CorpusError(ValueError):
    """corpus.yaml cannot be rendered; the message says where and why."""


@dataclass
class Item:
    """One post or comment of the corpus, placed on the corpus timeline."""

    source: str
    ref: str  # stable label ("pestovo_online#12/0.1"), seeds ids, jitter and anonymous authors
    offset: int  # seconds from day 0's midnight (negative: earlier days)
    text: str
    author: str  # person alias, or "group" for the public/channel itself
    fields: dict[str, Any]
    parent: Item | None = None
    children: list[Item] = field(default_factory=list)
    story: str | None = None
    id: int = 0
    fwd_id: int = 0  # channel posts: id of the automatic copy in the discussion group

    @property
    def thread(self) -> list[Item]:
        """Every comment under this item, oldest first."""
        out = [c for child in self.children for c in [child, *child.thread]]
        return sorted(out, key=lambda c: c.offset)

    def root_comment(self, post: Item) -> Item:
        """The top-level comment of the thread this reply sits in."""
        return self if self.parent is post else self.parent.root_comment(post)


@dataclass
class Corpus:
    sources: dict[str, dict[str, Any]]
    posts: list[Item]

    def posts_of(self, key: str) -> list[Item]:
        return [p for p in self.posts if p.source == key]

    @property
    def span(self) -> tuple[int, int]:
        offsets = [i.offset for p in self.posts for i in [p, *p.thread]]
        return min(offsets), max(offsets)


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def kind_of(source: dict[str, Any]) -> str:
    """vk, chat, channel or rss: which post and comment fields apply."""
    return source.get("kind", "chat") if source["platform"] == "telegram" else source["platform"]


def parse_after(value: Any, where: str) -> int:
    match = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?", str(value).strip())
    if not match or not any(match.groups()):
        raise CorpusError(f"{where}: after={value!r}, expected like 15m, 2h, 1h20m, 1d3h")
    d, h, m = (int(g or 0) for g in match.groups())
    return d * DAY + h * 3600 + m * 60


def parse_time(value: Any, where: str) -> int:
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", value) if isinstance(value, str) else None
    if not match:
        raise CorpusError(f'{where}: time={value!r}, expected a quoted "HH:MM"')
    return int(match[1]) * 3600 + int(match[2]) * 60


def _check_keys(raw: dict, allowed: set[str], where: str) -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise CorpusError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    if not str(raw.get("text") or "").strip():
        raise CorpusError(f"{where}: empty text")


def _comments(raw_list: list, post: Item, parent: Item, base: int, kind: str, path: str) -> None:
    for n, raw in enumerate(raw_list or []):
        ref = f"{path}.{n}" if path else f"{post.ref}/{n}"
        where = f"{post.source} {ref}"
        _check_keys(raw, {"after", "text", "by", "replies"} | COMMENT_KEYS.get(kind, set()), where)
        offset = base + parse_after(raw.get("after"), where) + _crc(ref) % 60
        if offset <= parent.offset:
            raise CorpusError(f"{where}: comes before what it answers (after counts from the post)")
        by = raw.get("by") or f"anon:{ref}"
        item = Item(post.source, ref, offset, str(raw["text"]).strip(),
                    post.author if by == "op" else by,
                    {k: raw[k] for k in COMMENT_KEYS.get(kind, ()) if k in raw}, parent)
        parent.children.append(item)
        _comments(raw.get("replies"), post, item, base, kind, ref)


def load_corpus(path: Path = CORPUS) -> Corpus:
    """Read and check corpus.yaml, place every item on the timeline and give it its id."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    sources: dict[str, dict[str, Any]] = data["sources"]
    posts: list[Item] = []
    for n, raw in enumerate(data["posts"]):
        where = f"posts[{n}]"
        source = sources.get(raw.get("src"))
        if source is None:
            raise CorpusError(f"{where}: unknown src {raw.get('src')!r}")
        kind = kind_of(source)
        _check_keys(raw, COMMON_POST_KEYS | POST_KEYS[kind], where)
        if kind in NO_COMMENTS and raw.get("comments"):
            raise CorpusError(f"{where}: news items have no comments")
        day = raw.get("day")
        if not isinstance(day, int) or not 0 <= day <= 13:
            raise CorpusError(f"{where}: day={day!r}, expected 0..13")
        base = -day * DAY + parse_time(raw.get("time"), where)
        ref = f"{raw['src']}#{n}"
        jitter = 0 if kind in NO_COMMENTS else _crc(ref) % 60
        author = raw.get("by") or raw.get("signer") or ("group" if kind in ("vk", "channel", "rss", "ok", "site")
                                                        else f"anon:{ref}")
        fields = {k: raw[k] for k in POST_KEYS[kind] if k in raw}
        post = Item(raw["src"], ref, base + jitter, str(raw["text"]).strip(), author, fields, story=raw.get("story"))
        _comments(raw.get("comments"), post, post, base, kind, "")
        posts.append(post)
    corpus = Corpus(sources, posts)
    lo, hi = corpus.span
    if hi - lo > WINDOW.total_seconds():
        raise CorpusError("the corpus spans more than 14 days")
    _assign_ids(corpus)
    return corpus


def _number(items: list[Item], first: int, gap: int, attr: str = "id") -> None:
    next_id = first
    for item in sorted(items, key=lambda i: i.offset):
        setattr(item, attr, next_id)
        next_id += 1 + _crc(item.ref + attr) % gap


def _assign_ids(corpus: Corpus) -> None:
    """Ids in time order per source: VK posts and comments share the wall's counter."""
    for key, source in corpus.sources.items():
        kind, posts = kind_of(source), corpus.posts_of(key)
        if kind in ("vk", "chat"):
            _number([i for p in posts for i in [p, *p.thread]], source["first_id"], ID_GAP[kind])
        else:
            _number(posts, source["first_id"], ID_GAP[kind])
        if kind == "channel":
            first = source["discussion"]["first_id"]
            # Every channel post gets an automatic copy in the discussion group; comments answer it.
            events = [(p, "fwd_id") for p in posts] + [(c, "id") for p in posts for c in p.thread]
            next_id = first
            for item, attr in sorted(events, key=lambda e: (e[0].offset, e[1] == "id")):
                setattr(item, attr, next_id)
                next_id += 1 + _crc(item.ref + attr) % ID_GAP["discussion"]


def day_zero(anchor: datetime, corpus: Corpus) -> datetime:
    """Where day 0 starts: the anchor's Moscow midnight, the one before, or a plain shift."""
    lo, hi = corpus.span
    midnight = anchor.astimezone(MSK).replace(hour=0, minute=0, second=0, microsecond=0)
    for back in (0, 1):
        start = midnight - timedelta(days=back)
        if start + timedelta(seconds=hi) <= anchor and start + timedelta(seconds=lo) >= anchor - WINDOW:
            return start
    return anchor.astimezone(MSK) - timedelta(seconds=hi)


# ---------------------------------------------------------------- users and helpers

class Users:
    """Fake numeric user ids from person aliases: same alias, same id, per platform."""

    RANGES = {"vk": (50_000_000, 10_000_000), "telegram": (600_000_000, 400_000_000),
              "ok": (575_000_000_000, 900_000_000)}

    def __init__(self) -> None:
        self.seen: dict[tuple[str, int], str] = {}

    def id(self, platform: str, alias: str) -> int:
        start, size = self.RANGES[platform]
        uid = start + _crc(f"{platform}:{alias}") % size
        if self.seen.setdefault((platform, uid), alias) != alias:
            raise CorpusError(f"user id collision for {alias!r}; rename the alias")
        return uid


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
