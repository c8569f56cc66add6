"""A generated store with two years of seasonal history, for the seasonality tests.

Every week of the two years gets a few posts on background topics (every fifth negative).
The generator draws, from its seed, one topic that rises in the same weeks of both earlier
years (more posts, mostly negative), one place that rises in the same weeks of last year only,
and one topic that rises in other weeks (it must not be reported). The test reads the drawn
:class:`Plan`; nothing about the result is written down in advance.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.domain import Analysis, Post, RiskAssessment, Sentiment, TopicScore, Toponym

MSK = ZoneInfo("Europe/Moscow")
BACKGROUND = ["roads", "transport", "culture", "healthcare", "economy", "education", "sport", "utilities",
              "waste", "animals"]
PLACES = ["Пестово", "Охона", "Богослово", "Лаптево"]
WEEK = timedelta(weeks=1)


@dataclass
class Plan:
    today: date
    seasonal_topic: str
    """rises in the coming weeks of both earlier years"""
    seasonal_week: int
    """0-based week of the 4-week window where it peaks"""
    seasonal_place: str
    """rises in the coming weeks of last year only"""
    off_season_topic: str
    """rises 20 weeks away from the window: not a threat for these weeks"""
    place_topic: str
    """the topic of the place's extra posts (so it rises last year too)"""
    posts: int = 0


def _post(n: int, at: datetime, topic: str, negative: bool, place: str | None) -> tuple[Post, Analysis]:
    text = f"Публикация {n} о теме {topic}" + (f" в {place}" if place else "")
    post = Post(platform="vk", source="pestovo_online", native_id=f"-1_{n}", url=f"https://vk.com/wall-1_{n}",
                text=text, published_at=at)
    toponyms = [Toponym(text=place, start=0, end=len(place), name=place, kind="village")] if place else []
    analysis = Analysis(post_id=post.id, sentiment=Sentiment(label="negative" if negative else "neutral", score=0.9),
                        topic=TopicScore(code=topic, confidence=0.9), block="infrastructure", toponyms=toponyms,
                        risk=RiskAssessment(score=0.1, level="none"))
    return post, analysis


def generate(store, seed: int, today: date, weeks: int = 4) -> Plan:
    rng = random.Random(seed)
    topics = rng.sample(BACKGROUND, len(BACKGROUND))
    plan = Plan(today, seasonal_topic=topics[0], seasonal_week=rng.randrange(weeks),
                seasonal_place=rng.choice(PLACES[1:]), off_season_topic=topics[1], place_topic=topics[2])
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time(0), tzinfo=MSK)
    items, n = [], 0
    for back in range(104, 0, -1):
        week_start = start - back * WEEK
        window_week = {k: 52 * k - back for k in (1, 2)}  # the week's place in year k's window
        in_window = [k for k, j in window_week.items() if 0 <= j < weeks]
        off_season = any(0 <= 52 * k - 20 - back < weeks for k in (1, 2))
        for topic in topics[:6]:
            count = rng.randint(2, 5)
            negative_every = 5
            if topic == plan.seasonal_topic and in_window:
                peak = window_week[in_window[0]] == plan.seasonal_week
                count = rng.randint(12, 18) if peak else rng.randint(6, 10)
                negative_every = 2
            if topic == plan.off_season_topic and off_season:
                count *= 5
            for i in range(count):
                n += 1
                at = week_start + timedelta(days=rng.randrange(7), hours=rng.randint(7, 21), minutes=rng.randrange(60))
                place = PLACES[0] if i % 3 == 0 else None
                items.append(_post(n, at, topic, n % negative_every == 0, place))
        if 1 in in_window:
            for _ in range(rng.randint(8, 12)):
                n += 1
                at = week_start + timedelta(days=rng.randrange(7), hours=rng.randint(7, 21))
                items.append(_post(n, at, plan.place_topic, n % 2 == 0, plan.seasonal_place))
    store.upsert_posts(items)
    plan.posts = len(items)
    return plan
