"""Render the demo corpus (``demo/corpus.yaml``) into the platforms' own wire formats.

    python -m demo.render OUT_DIR [--anchor 2026-11-20T18:00:00+00:00]

writes ``vk/<key>.json`` (recorded VK API calls), ``telegram/<key>.json`` (Telethon-like
dumps), ``rss/<key>.xml`` (RSS 2.0 or Atom 1.0) and ``MANIFEST.json``.

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
import re
import sys
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
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
    "vk": {"by", "signer", "likes", "reposts", "views", "pinned"},
    "chat": {"by", "reactions"},
    "channel": {"views", "forwards", "reactions"},
    "rss": {"title", "slug", "category", "teaser", "full"},
}
COMMENT_KEYS = {"vk": {"likes"}, "chat": {"reactions"}, "channel": {"reactions"}}
# Id gaps: other posts, deleted comments and service messages also take ids.
ID_GAP = {"vk": 3, "chat": 4, "channel": 2, "discussion": 3, "rss": 4}


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
        if kind == "rss" and raw.get("comments"):
            raise CorpusError(f"{where}: news items have no comments")
        day = raw.get("day")
        if not isinstance(day, int) or not 0 <= day <= 13:
            raise CorpusError(f"{where}: day={day!r}, expected 0..13")
        base = -day * DAY + parse_time(raw.get("time"), where)
        ref = f"{raw['src']}#{n}"
        jitter = 0 if kind == "rss" else _crc(ref) % 60
        author = raw.get("by") or raw.get("signer") or ("group" if kind in ("vk", "channel", "rss") else f"anon:{ref}")
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

    RANGES = {"vk": (50_000_000, 10_000_000), "telegram": (600_000_000, 400_000_000)}

    def __init__(self) -> None:
        self.seen: dict[tuple[str, int], str] = {}

    def id(self, platform: str, alias: str) -> int:
        start, size = self.RANGES[platform]
        uid = start + _crc(f"{platform}:{alias}") % size
        if self.seen.setdefault((platform, uid), alias) != alias:
            raise CorpusError(f"user id collision for {alias!r}; rename the alias")
        return uid


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


# ---------------------------------------------------------------- VK

def _vk_from(item: Item, source: dict, users: Users) -> int:
    return -source["group_id"] if item.author == "group" else users.id("vk", item.author)


def _vk_likes(count: int) -> dict:
    return {"count": count, "user_likes": 0, "can_like": 1}


def vk_post(post: Item, source: dict, when: datetime, users: Users) -> dict:
    owner = -source["group_id"]
    f = post.fields
    obj: dict[str, Any] = {"id": post.id, "owner_id": owner,
                           "from_id": owner if "signer" in f else _vk_from(post, source, users)}
    if f.get("pinned"):
        obj["is_pinned"] = 1
    obj.update({
        "date": int(when.timestamp()), "post_type": "post", "text": post.text,
        "comments": {"count": len(post.thread), "can_post": 1},
        "likes": _vk_likes(f.get("likes", 0)),
        "reposts": {"count": f.get("reposts", 0), "user_reposted": 0},
        "views": {"count": f.get("views", 0)}, "attachments": [],
    })
    if "signer" in f:
        obj["signer_id"] = users.id("vk", f["signer"])
    return obj


def vk_comment(c: Item, post: Item, source: dict, at, users: Users) -> dict:
    obj = {"id": c.id, "from_id": _vk_from(c, source, users), "post_id": post.id,
           "owner_id": -source["group_id"], "date": int(at(c).timestamp()), "text": c.text,
           "likes": _vk_likes(c.fields.get("likes", 0))}
    if c.parent is post:
        replies = c.thread
        obj["parents_stack"] = []
        obj["thread"] = {"count": len(replies), "can_post": True,
                         "items": [vk_comment(r, post, source, at, users) for r in replies[:10]]}
    else:
        obj["reply_to_user"] = _vk_from(c.parent, source, users)
        obj["reply_to_comment"] = c.parent.id
        obj["parents_stack"] = [c.root_comment(post).id]
    return obj


def render_vk(key: str, corpus: Corpus, at, users: Users) -> dict:
    source = corpus.sources[key]
    gid = source["group_id"]
    posts = sorted(corpus.posts_of(key), key=lambda p: (not p.fields.get("pinned"), -p.offset))
    group = {"id": gid, "name": source["name"], "screen_name": source["screen_name"], "is_closed": 0,
             "type": source["type"], "members_count": source["members"]}
    calls: list[dict] = [{"method": "groups.getById",
                          "params": {"group_id": source["screen_name"], "fields": "members_count"},
                          "response": {"groups": [group], "profiles": []}}]
    items = [vk_post(p, source, at(p), users) for p in posts]
    for start in range(0, max(len(items), 1), VK_PAGE):
        calls.append({"method": "wall.get", "params": {"owner_id": -gid, "count": VK_PAGE, "offset": start},
                      "response": {"count": len(items), "items": items[start:start + VK_PAGE]}})
    for post in posts:
        if post.children:
            top = sorted(post.children, key=lambda c: c.offset)
            calls.append({"method": "wall.getComments",
                          "params": {"owner_id": -gid, "post_id": post.id, "count": 100, "offset": 0,
                                     "thread_items_count": 10, "extended": 0},
                          "response": {"count": len(post.thread), "current_level_count": len(top),
                                       "can_post": True,
                                       "items": [vk_comment(c, post, source, at, users) for c in top]}})
    return {"calls": calls}


# ---------------------------------------------------------------- Telegram

def _peer(channel_id: int) -> dict:
    return {"_": "PeerChannel", "channel_id": channel_id}


def _reactions(spec: dict | None) -> dict | None:
    if not spec:
        return None
    ordered = sorted(spec.items(), key=lambda kv: -kv[1])  # Telegram lists the biggest first
    return {"_": "MessageReactions", "results": [
        {"_": "ReactionCount", "reaction": {"_": "ReactionEmoji", "emoticon": emoji}, "count": count}
        for emoji, count in ordered]}


def _replies(count: int, max_id: int | None, comments: bool, channel_id: int | None) -> dict:
    return {"_": "MessageReplies", "replies": count, "replies_pts": 10000 + (max_id or 0) % 90000,
            "comments": comments, "recent_repliers": [], "channel_id": channel_id,
            "max_id": max_id, "read_max_id": None}


def tg_message(msg_id: int, chat_id: int, when: datetime, text: str, from_id: dict | None, *,
               reply_to: dict | None = None, views: int | None = None, forwards: int | None = None,
               replies: dict | None = None, reactions: dict | None = None, post: bool = False) -> dict:
    """A dict shaped like telethon's ``Message.to_dict()`` (datetimes as ISO strings)."""
    return {"_": "Message", "id": msg_id, "peer_id": _peer(chat_id),
            "date": when.astimezone(timezone.utc).isoformat(), "message": text, "out": False,
            "mentioned": False, "silent": False, "post": post, "pinned": False,
            "from_id": from_id, "fwd_from": None, "via_bot_id": None, "reply_to": reply_to,
            "media": None, "entities": [], "views": views, "forwards": forwards, "replies": replies,
            "edit_date": None, "post_author": None, "grouped_id": None, "reactions": reactions}


def _reply_header(msg_id: int, top_id: int | None) -> dict:
    return {"_": "MessageReplyHeader", "reply_to_msg_id": msg_id, "reply_to_top_id": top_id,
            "forum_topic": False}


def _tg_chat(chat_id: int, title: str, username: str | None, broadcast: bool, members: int | None) -> dict:
    return {"_": "Channel", "id": chat_id, "title": title, "username": username,
            "megagroup": not broadcast, "broadcast": broadcast, "participants_count": members}


def render_telegram(key: str, corpus: Corpus, at, users: Users) -> dict:
    source = corpus.sources[key]
    chat_id = source["chat_id"]
    posts = corpus.posts_of(key)

    def sender(item: Item) -> dict:
        if item.author == "group":
            return _peer(chat_id)
        return {"_": "PeerUser", "user_id": users.id("telegram", item.author)}

    if kind_of(source) == "chat":
        messages = []
        for post in posts:
            thread = post.thread
            replies = _replies(len(thread), thread[-1].id, False, None) if thread else None
            messages.append(tg_message(post.id, chat_id, at(post), post.text, sender(post),
                                       replies=replies, reactions=_reactions(post.fields.get("reactions"))))
            for c in thread:
                header = _reply_header(c.parent.id, None if c.parent is post else post.id)
                messages.append(tg_message(c.id, chat_id, at(c), c.text, sender(c), reply_to=header,
                                           reactions=_reactions(c.fields.get("reactions"))))
        messages.sort(key=lambda m: -m["id"])  # newest first, like iter_messages
        return {"chat": _tg_chat(chat_id, source["name"], source["username"], False, source["members"]),
                "messages": messages}

    disc = source["discussion"]
    messages, comments = [], {}
    for post in sorted(posts, key=lambda p: -p.id):
        thread = post.thread
        f = post.fields
        messages.append(tg_message(
            post.id, chat_id, at(post), post.text, None, post=True, views=f.get("views", 0),
            forwards=f.get("forwards", 0), reactions=_reactions(f.get("reactions")),
            replies=_replies(len(thread), thread[-1].id if thread else None, True, disc["chat_id"])))
        if thread:
            comments[str(post.id)] = [
                tg_message(c.id, disc["chat_id"], at(c), c.text, sender(c),
                           reply_to=_reply_header(post.fwd_id if c.parent is post else c.parent.id, post.fwd_id),
                           reactions=_reactions(c.fields.get("reactions")))
                for c in reversed(thread)]
    return {"chat": _tg_chat(chat_id, source["name"], source["username"], True, source["members"]),
            "discussion": _tg_chat(disc["chat_id"], disc["name"], None, False, None),
            "messages": messages, "comments": comments}


# ---------------------------------------------------------------- news feeds

def _teaser(post: Item) -> str:
    if post.fields.get("teaser"):
        return str(post.fields["teaser"]).strip()
    first = post.text.split("\n\n")[0].strip()
    if len(first) <= 240:
        return first
    return first[:240].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _html(text: str) -> str:
    return "".join(f"<p>{escape(p.strip(), quote=False)}</p>" for p in text.split("\n\n") if p.strip())


def _item_meta(post: Item, source: dict) -> tuple[str, str]:
    slug = post.fields.get("slug") or str(post.id)
    return (source["item_url"].format(id=post.id, slug=slug), source["guid"].format(id=post.id, slug=slug))


def render_rss2(key: str, corpus: Corpus, at) -> str:
    source = corpus.sources[key]
    posts = sorted(corpus.posts_of(key), key=lambda p: -p.offset)
    e = lambda s: escape(str(s), quote=False)  # noqa: E731
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
           ' xmlns:atom="http://www.w3.org/2005/Atom">',
           "<channel>",
           f"<title>{e(source['name'])}</title>",
           f"<link>{e(source['site'])}</link>",
           f"<description>{e(source['description'])}</description>",
           "<language>ru</language>",
           f"<lastBuildDate>{format_datetime(at(posts[0]))}</lastBuildDate>",
           f'<atom:link href="{escape(source["feed_url"])}" rel="self" type="application/rss+xml"/>']
    for post in posts:
        link, guid = _item_meta(post, source)
        out += ["<item>", f"<title>{e(post.fields['title'])}</title>", f"<link>{e(link)}</link>",
                f'<guid isPermaLink="false">{e(guid)}</guid>',
                f"<pubDate>{format_datetime(at(post))}</pubDate>"]
        if post.fields.get("category"):
            out.append(f"<category>{e(post.fields['category'])}</category>")
        out.append(f"<description>{e(_teaser(post))}</description>")
        if post.fields.get("full"):
            html = _html(post.text)
            if "]]>" in html:
                raise CorpusError(f"{post.ref}: text contains ]]>")
            out.append(f"<content:encoded><![CDATA[{html}]]></content:encoded>")
        out.append("</item>")
    out += ["</channel>", "</rss>"]
    return "\n".join(out) + "\n"


def render_atom(key: str, corpus: Corpus, at) -> str:
    source = corpus.sources[key]
    posts = sorted(corpus.posts_of(key), key=lambda p: -p.offset)
    e = lambda s: escape(str(s), quote=False)  # noqa: E731
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">',
           f"<id>{e(source['feed_url'])}</id>",
           f"<title>{e(source['name'])}</title>",
           f"<subtitle>{e(source['description'])}</subtitle>",
           f'<link rel="self" type="application/atom+xml" href="{escape(source["feed_url"])}"/>',
           f'<link rel="alternate" type="text/html" href="{escape(source["site"])}"/>',
           f"<updated>{at(posts[0]).isoformat()}</updated>",
           f"<author><name>{e(source['author'])}</name></author>"]
    for post in posts:
        link, guid = _item_meta(post, source)
        stamp = at(post).isoformat()
        out += ["<entry>", f"<id>{e(guid)}</id>", f"<title>{e(post.fields['title'])}</title>",
                f'<link rel="alternate" type="text/html" href="{escape(link)}"/>',
                f"<published>{stamp}</published>", f"<updated>{stamp}</updated>"]
        if post.fields.get("category"):
            out.append(f'<category term="{escape(post.fields["category"])}"/>')
        out += [f"<summary>{e(_teaser(post))}</summary>",
                f'<content type="html">{e(_html(post.text))}</content>', "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- entry points

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
            rel, body = f"vk/{key}.json", _dump(render_vk(key, corpus, at, users))
        elif platform == "telegram":
            rel, body = f"telegram/{key}.json", _dump(render_telegram(key, corpus, at, users))
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
    path.write_text(_dump(manifest), encoding="utf-8", newline="\n")
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
