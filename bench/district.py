"""A generated district for the scan benchmark, served from 127.0.0.1 in the platforms' wire formats.

    district = generate_district(items=10_000, sources=50, now=time.time())
    with DistrictServer(district) as server:        # http://127.0.0.1:PORT
        server.url                                  # VK API at /method/…, feeds at /feeds/<key>.xml

Publics speak the VK API (``groups.getById``, ``wall.get``, and ``execute`` with the
``wall.getComments`` batches vk_api's request pool sends) through ``testing.fakes.vk``; feeds
are RSS 2.0 from ``testing.fakes.feeds``. Texts
are the demo corpus's Russian posts and comments (``demo/corpus.yaml``), recombined
with the district's villages, so the NLP and the story tracker do real work. The
output depends only on the seed and ``now``.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from demo.render import load_corpus
from testing.configs import write_config
from testing.fakes.feeds import RSS_TYPE, FeedItem, rss_feed
from testing.fakes.http import static
from testing.fakes.vk import VkApi

DAY = 86400
WINDOW_DAYS = 14
VK_SHARE = 0.7  # of the sources; the rest are news feeds
COMMENTED = 0.25  # share of VK posts with comments
FEED_ITEMS = 40  # entries per feed
VILLAGES = ["Лаптево", "Быково", "Охона", "Вятка", "Богослово", "Устюцкое", "Русское Пестово", "Кирва",
            "Сидорово", "Медведево", "Малышево", "Новочистка"]
ANGLES = ["", "Снова пишут: ", "Жители сообщают: ", "Обновление: ", "Подтверждаем: ", "Вопрос к администрации: "]
TAILS = ["", " Когда это закончится?", " Фото в комментариях.", " Просим разобраться.", " Спасибо всем, кто помог."]


@dataclass
class Public:
    key: str
    gid: int
    members: int
    posts: list[dict] = field(default_factory=list)  # newest first, VK wall items
    comments: dict[int, list[dict]] = field(default_factory=dict)  # post id → comments, oldest first


@dataclass
class Feed:
    key: str
    entries: list[dict] = field(default_factory=list)  # newest first


@dataclass
class District:
    publics: list[Public]
    feeds: list[Feed]
    now: int

    @property
    def items(self) -> int:
        return sum(len(p.posts) + sum(len(c) for c in p.comments.values()) for p in self.publics) + \
            sum(len(f.entries) for f in self.feeds)


def _texts() -> tuple[list[str], list[str]]:
    corpus = load_corpus()
    posts = [p.text for p in corpus.posts if corpus.sources[p.source]["platform"] != "rss"]
    comments = [c.text for p in corpus.posts for c in p.thread]
    return posts, comments


def _vary(text: str, rng: random.Random) -> str:
    """A corpus text retold: another village, another opening, another ending."""
    village = rng.choice(VILLAGES)
    if rng.random() < 0.5:
        text = re.sub(r"\b(Лаптево|Быково|Охона|Охоне|Вятка|Богослово|Кирва)\b", village, text)
    return f"{rng.choice(ANGLES)}{text}{rng.choice(TAILS)}"


def generate_district(items: int = 10_000, sources: int = 50, now: float | None = None, seed: int = 7) -> District:
    """``items`` posts, comments and news entries across ``sources`` sources, over two weeks before ``now``."""
    rng = random.Random(seed)
    now = int(now if now is not None else datetime.now(timezone.utc).timestamp())
    newest = now - 3600  # an hour old: nothing lies in the future
    post_texts, comment_texts = _texts()
    n_vk = max(1, round(sources * VK_SHARE))
    feeds = [Feed(f"feed{i:02d}") for i in range(sources - n_vk)]
    publics = [Public(f"public{i:02d}", 210_000_000 + i, rng.randint(800, 15_000)) for i in range(n_vk)]
    feed_items = min(FEED_ITEMS * len(feeds), items // 10)
    for i in range(feed_items):
        feed = feeds[i % len(feeds)]
        body = _vary(rng.choice(post_texts), rng)
        feed.entries.append({"id": i, "title": body.split(".")[0][:90], "text": body,
                             "date": newest - rng.randint(0, WINDOW_DAYS * DAY)})
    remaining = items - feed_items
    serial = 0
    while remaining > 0:
        public = publics[serial % len(publics)]
        serial += 1
        date = newest - rng.randint(0, WINDOW_DAYS * DAY)
        post_id = 1000 + len(public.posts) * 7 + rng.randint(0, 5)
        n_comments = min(rng.randint(2, 8), remaining - 1) if rng.random() < COMMENTED else 0
        post = {"id": post_id, "owner_id": -public.gid, "from_id": 50_000_000 + rng.randint(0, 9_999_999),
                "date": date, "post_type": "post", "text": _vary(rng.choice(post_texts), rng),
                "comments": {"count": n_comments, "can_post": 1}, "likes": {"count": rng.randint(0, 300)},
                "reposts": {"count": rng.randint(0, 40)}, "views": {"count": rng.randint(100, 20_000)},
                "attachments": []}
        public.posts.append(post)
        if n_comments:
            public.comments[post_id] = [
                {"id": post_id * 100 + k, "from_id": 50_000_000 + rng.randint(0, 9_999_999), "post_id": post_id,
                 "owner_id": -public.gid, "date": min(newest, date + 300 * (k + 1)),
                 "text": rng.choice(comment_texts), "likes": {"count": rng.randint(0, 30)},
                 "parents_stack": [], "thread": {"count": 0, "items": [], "can_post": True}}
                for k in range(n_comments)]
        remaining -= 1 + n_comments
    for public in publics:
        public.posts.sort(key=lambda p: -p["date"])
    for feed in feeds:
        feed.entries.sort(key=lambda e: -e["date"])
    return District(publics, feeds, now)


def token_env(public: Public) -> str:
    return f"MCU_BENCH_VK_TOKEN_{public.key.upper()}"


def district_tokens(district: District) -> dict[str, str]:
    """One made-up token per public: each has its own pacing bucket, so VK's 3 requests/s per token
    (which the bench cannot measure against a local server) does not set the pace."""
    return {token_env(p): f"bench-token-{p.key}" for p in district.publics}


def district_sources(district: District, url: str) -> list[dict]:
    """Config entries for every source of the district, aimed at the server at ``url``."""
    vk = [{"key": p.key, "platform": "vk", "name": f"Паблик {p.key}", "owner": p.key, "api_url": url,
           "token_env": token_env(p), "requests_per_second": 20, "recheck_hours": 0, "timeout": 30}
          for p in district.publics]
    rss = [{"key": f.key, "platform": "rss", "name": f"Новости {f.key}", "url": f"{url}/feeds/{f.key}.xml",
            "reach": 3000} for f in district.feeds]
    return vk + rss


# ---------------------------------------------------------------- the server

def _rss(feed: Feed) -> bytes:
    items = [FeedItem(guid=f"{feed.key}-{entry['id']}", title=entry["title"],
                      link=f"http://127.0.0.1/{feed.key}/{entry['id']}",
                      published=datetime.fromtimestamp(entry["date"], timezone.utc), description=entry["text"])
             for entry in feed.entries]
    return rss_feed(feed.key, f"http://127.0.0.1/{feed.key}", items, "bench")


class DistrictServer(VkApi):
    """The district over HTTP on 127.0.0.1 (``testing.fakes``): the VK API answered from the
    district's publics, and one RSS feed per news source; ``requests`` counts what the collectors
    asked for."""

    def __init__(self, district: District):
        super().__init__()
        self.district = district
        self.by_name = {p.key: p for p in district.publics}
        self.by_owner = {-p.gid: p for p in district.publics}
        for feed in district.feeds:
            self.routes[f"/feeds/{feed.key}.xml"] = static(_rss(feed), RSS_TYPE)

    @property
    def requests(self) -> int:
        return len(self.log)

    def authorized(self, token: str | None) -> bool:
        return bool(token)  # every public has its own made-up token

    def answer(self, method: str, params: dict[str, str]) -> dict:
        if method == "groups.getById":
            public = self.by_name[params["group_id"]]
            return {"response": {"groups": [{"id": public.gid, "name": public.key, "screen_name": public.key,
                                             "is_closed": 0, "type": "page", "members_count": public.members}],
                                 "profiles": []}}
        public = self.by_owner[int(params["owner_id"])]
        offset, count = int(params.get("offset", 0)), int(params.get("count", 100))
        if method == "wall.get":
            return {"response": {"count": len(public.posts), "items": public.posts[offset:offset + count]}}
        if method == "wall.getComments":
            comments = public.comments.get(int(params["post_id"]), [])
            return {"response": {"count": len(comments), "current_level_count": len(comments), "can_post": True,
                                 "items": comments[offset:offset + count]}}
        raise ValueError(f"unsupported VK method {method}")


def write_district_config(folder: Path, district: District, url: str, store: str) -> Path:
    """``folder/mcu.yaml`` for the district (the gazetteer and rubricator of the demo)."""
    return write_config(folder, district_sources(district, url), store=store,
                        municipality="Пестовский муниципальный округ (генерированный)")
