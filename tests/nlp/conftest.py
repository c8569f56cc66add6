"""Shared fixtures of the NLP tests: real config, real models, built once per session."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from core.config import Rubricator, Settings
from core.domain import Engagement, Post

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 1, 15, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def settings() -> Settings:
    raw = yaml.safe_load((REPO / "config" / "rubricator.yaml").read_text(encoding="utf-8"))
    return Settings(
        municipality="Пестовский муниципальный округ",
        sources=[],
        gazetteer=Path("config/gazetteer/pestovo.yaml"),
        rubricator=Rubricator.model_validate(raw),
        base_dir=REPO,
    )


@pytest.fixture(scope="session")
def analyzer(settings):
    from nlp import Analyzer

    return Analyzer.from_settings(settings)


@pytest.fixture(scope="session")
def lemmatizer(analyzer):
    return analyzer.lemmatizer


@pytest.fixture(scope="session")
def make_post():
    """Build a :class:`Post` with only what a test cares about; times are hours after T0."""

    def build(
        text: str,
        native_id: str,
        *,
        source: str = "vk_podslushano_pestovo",
        hours: float = 0,
        likes: int = 0,
        comments: int = 0,
        reposts: int = 0,
        reach: int = 0,
        parent_id: str | None = None,
    ) -> Post:
        return Post(
            platform="vk",
            source=source,
            native_id=native_id,
            text=text,
            published_at=T0 + timedelta(hours=hours),
            engagement=Engagement(likes=likes, comments=comments, reposts=reposts),
            reach=reach,
            parent_id=parent_id,
        )

    return build


@pytest.fixture(scope="session")
def small_trigger_file(tmp_path_factory) -> Path:
    """A trigger lexicon with known weights (not the shipped one, which is tuned), for the risk
    tests that pin the trigger component by hand."""
    path = tmp_path_factory.mktemp("triggers") / "triggers.yaml"
    path.write_text("lemmas:\n  нет воды: 0.6\n  прокуратура: 0.8\n  митинг: 0.5\n  петиция: 0.4\n  суд: 0.3\n",
                    encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_triggers(small_trigger_file):
    from nlp.triggers import TriggerLexicon, default_triggers

    return TriggerLexicon(default_triggers().lemmatizer, small_trigger_file)
