"""Fixtures for the store tests: a ``store`` per backend and small model factories.

``BACKENDS`` lists every backend the contract suite runs against. A backend
that cannot run here (no ES_URL, or not built yet) is skipped with the reason.
"""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import pymorphy3
import pytest

from core.domain import (
    Alert,
    Analysis,
    Engagement,
    Platform,
    Post,
    RawItem,
    Risk,
    RiskAssessment,
    RiskLevel,
    Sentiment,
    SentimentLabel,
    Story,
    TopicScore,
    Toponym,
    alert_id,
    risk_id,
)
# Import from the submodules, not ``store`` itself: under pytest's default import
# mode ``tests/`` is on sys.path and ``tests/store`` can shadow the package root.
from core.store import Store
from store.factory import open_store
from store.sqlite import Lemmatizer

T0 = datetime(2025, 3, 10, 12, 0, tzinfo=timezone.utc)


# lemmatiser ---------------------------------------------------------------
@pytest.fixture(scope="session")
def lemmatize() -> Lemmatizer:
    """A small real Russian lemmatiser (not the project's ``nlp`` package)."""
    morph = pymorphy3.MorphAnalyzer()

    @lru_cache(maxsize=None)
    def normal(word: str) -> str:
        try:
            return morph.parse(word)[0].normal_form
        except ValueError:  # pymorphy3 names every letter it shapes; U+17000 (Tangut) has no name
            return word

    def lemmas(text: str) -> list[str]:
        return [normal(w) for w in re.findall(r"\w+", text.lower())]

    return lemmas


# backends -----------------------------------------------------------------
@dataclass(frozen=True)
class Backend:
    name: str
    open: Callable[[Path, Lemmatizer], Store]
    close: Callable[[Store], None] = lambda store: store.close()


def _open_sqlite(tmp_path: Path, lemmatize: Lemmatizer) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'mcu.sqlite'}", lemmatize)


def es_store_url(tmp_path: Path, prefix: str, **options: str) -> str:
    """``ES_URL`` (http://host:port) as a store URL with its own prefix and outbox folder."""
    es_url = os.environ.get("ES_URL")
    if not es_url:
        pytest.skip("ES_URL is not set: no Elasticsearch node (eval \"$(scripts/es-test-node.sh start)\")")
    query = "&".join(f"{k}={v}" for k, v in {"prefix": prefix, "outbox": tmp_path / "outbox", **options}.items())
    return f"elasticsearch://{es_url.split('://', 1)[-1].rstrip('/')}?{query}"


def unique_prefix() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


def _open_elasticsearch(tmp_path: Path, lemmatize: Lemmatizer) -> Store:
    # Every test gets its own indices (a unique prefix); _close_elasticsearch drops them.
    return open_store(es_store_url(tmp_path, unique_prefix()), lemmatize)


def _close_elasticsearch(store: Store) -> None:
    from elasticsearch import Elasticsearch

    from store.elasticsearch import drop_store

    prefix = store.prefix  # type: ignore[attr-defined]
    store.close()
    with Elasticsearch(os.environ["ES_URL"]) as client:
        drop_store(client, prefix)


BACKENDS: list[Backend] = [
    Backend("sqlite", _open_sqlite),
    Backend("elasticsearch", _open_elasticsearch, _close_elasticsearch),
]


@pytest.fixture(
    params=[
        pytest.param(b, id=b.name, marks=[pytest.mark.elasticsearch] if b.name == "elasticsearch" else [])
        for b in BACKENDS
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path, lemmatize: Lemmatizer) -> Iterator[Store]:
    backend: Backend = request.param
    opened = backend.open(tmp_path, lemmatize)
    try:
        yield opened
    finally:
        backend.close(opened)


# model factories ----------------------------------------------------------
class Factory:
    """Builds valid domain models with few arguments; times are hours after ``T0``."""

    t0 = T0

    def __init__(self, lemmatize: Lemmatizer) -> None:
        self.lemmatize = lemmatize

    def at(self, hours: float) -> datetime:
        return T0 + timedelta(hours=hours)

    def post(
        self,
        native_id: str,
        text: str,
        *,
        platform: str = "vk",
        source: str = "city_vk",
        hours: float = 0,
        likes: int = 0,
        title: str | None = None,
    ) -> Post:
        return Post(
            platform=Platform(platform),
            source=source,
            native_id=native_id,
            url=f"https://example.org/{source}/{native_id}",
            title=title,
            text=text,
            published_at=self.at(hours),
            engagement=Engagement(likes=likes, comments=1, reposts=0, views=100),
            reach=1000,
        )

    def analysis(
        self,
        post: Post,
        *,
        topic: str = "roads",
        block: str = "infrastructure",
        department: str | None = None,
        places: tuple[str, ...] = (),
        sentiment: SentimentLabel = "negative",
        risk: float = 0.5,
        story_id: str | None = None,
    ) -> Analysis:
        return Analysis(
            post_id=post.id,
            lemmas=self.lemmatize(post.full_text),
            sentiment=Sentiment(label=sentiment, score=0.9),
            topic=TopicScore(code=topic, confidence=0.8),
            topics=[TopicScore(code=topic, confidence=0.8)],
            block=block,
            department=department,
            toponyms=[Toponym(text=p, start=0, end=len(p), name=p, kind="village") for p in places],
            risk=RiskAssessment(score=risk, level="medium" if risk >= 0.45 else "none"),
            story_id=story_id,
        )

    def item(
        self,
        native_id: str,
        text: str,
        *,
        platform: str = "vk",
        source: str = "city_vk",
        hours: float = 0,
        likes: int = 0,
        topic: str = "roads",
        block: str = "infrastructure",
        department: str | None = None,
        places: tuple[str, ...] = (),
        sentiment: SentimentLabel = "negative",
    ) -> tuple[Post, Analysis]:
        post = self.post(native_id, text, platform=platform, source=source, hours=hours, likes=likes)
        analysis = self.analysis(
            post, topic=topic, block=block, department=department, places=places, sentiment=sentiment
        )
        return post, analysis

    def raw(self, post: Post, *, mapper: int = 1, note: str = "как получено") -> RawItem:
        """A raw item of ``post``: a nested payload with a pseudonymised author and Cyrillic text."""
        return RawItem(
            post_id=post.id, platform=post.platform, source=post.source, kind="post", mapper=mapper,
            context={"reach": post.reach, "owner": -217000001},
            payload={"id": post.native_id, "text": post.text, "from_id": "anon-0123456789abcdef",
                     "likes": {"count": post.engagement.likes}, "note": note, "attachments": [{"type": "photo"}]},
        )

    def story(self, story_id: str, *, hours: float = 0, post_ids: tuple[str, ...] = ("p1",)) -> Story:
        return Story(
            id=story_id,
            title=f"история {story_id}",
            first_post_id=post_ids[0],
            first_seen=self.at(hours - 1),
            last_seen=self.at(hours),
            post_ids=list(post_ids),
            sources=["city_vk"],
            topic="roads",
            places=["Быково"],
            signature=[1, 2, 3],
            terms=["дорога", "яма"],
        )

    def risk(self, story_id: str, *, hours: float = 0, version: int = 0) -> Risk:
        return Risk(
            id=risk_id(story_id),
            story_id=story_id,
            level="high",
            score=0.7,
            topic="roads",
            block="infrastructure",
            places=["Быково"],
            created_at=self.at(hours),
            updated_at=self.at(hours),
            version=version,
        )

    def alert(self, story_id: str, *, level: RiskLevel = "high", hours: float = 0, text: str = "карточка") -> Alert:
        return Alert(
            id=alert_id(story_id, level),
            risk_id=risk_id(story_id),
            story_id=story_id,
            level=level,
            text=text,
            created_at=self.at(hours),
        )


@pytest.fixture(scope="session")
def make(lemmatize: Lemmatizer) -> Factory:
    return Factory(lemmatize)


@pytest.fixture
def corpus(make: Factory) -> dict[str, tuple[Post, Analysis]]:
    """Five posts over three platforms, three topics and two places, by short name."""
    return {
        "roads_vk": make.item(
            "1", "На улице Ленина разбиты дороги, огромные ямы", hours=-1,
            places=("Быково",), department="bykovsky", likes=5,
        ),
        "roads_tg": make.item(
            "2", "Отремонтировали дорогу в Лаптево", platform="telegram", source="city_tg", hours=-30,
            places=("Лаптево",), department="laptevsky", sentiment="positive",
        ),
        "school_rss": make.item(
            "3", "В школе прошёл концерт", platform="rss", source="news", hours=-2,
            topic="education", block="social", places=("Быково",), sentiment="neutral",
        ),
        "waste_vk": make.item(
            "4", "Мусор не вывозят неделю, контейнеры переполнены", hours=-50,
            topic="waste", places=("Лаптево",), department="laptevsky",
        ),
        "works_tg": make.item(
            "5", "Дорожные работы на трассе: ямы засыпали", platform="telegram", source="city_tg",
            hours=-5, sentiment="neutral",
        ),
    }  # fmt: skip
