"""Risk levels at the thresholds' exact boundaries, and the config's lookups (topic, block,
department, source, official page), pinned on the demo config (surviving mutants of core.config)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from core.config import RiskThresholds, load_config
from core.domain import Post

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("score, level", [(0.0, "none"), (0.4499, "none"), (0.45, "medium"), (0.5999, "medium"),
                                          (0.6, "high"), (0.7499, "high"), (0.75, "critical"), (1.0, "critical")])
def test_levels_start_at_each_threshold(score, level):
    assert RiskThresholds().level(score) == level


def test_custom_thresholds_are_used():
    thresholds = RiskThresholds(medium=0.2, high=0.3, critical=0.9)
    assert [thresholds.level(s) for s in (0.19, 0.2, 0.3, 0.89, 0.9)] == ["none", "medium", "high", "high", "critical"]


def test_lookups_of_the_demo_config():
    settings = load_config(ROOT / "config/demo.yaml")
    rubricator = settings.rubricator
    assert rubricator.topic("utilities").code == "utilities"
    assert rubricator.topic("no-such-topic").code == "other"
    assert rubricator.block("rural").code == "rural" and rubricator.block("no-such-block") is None
    assert rubricator.department("laptevsky").code == "laptevsky" and rubricator.department(None) is None
    assert settings.source("pestovo_adm").name == "Администрация Пестовского округа"
    with pytest.raises(KeyError, match="no-such-source"):
        settings.source("no-such-source")
    at = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    news = Post(platform="rss", source="pestovo_adm", native_id="1", text="Ответ", published_at=at)
    assert settings.is_official(news)
    assert not settings.is_official(news.model_copy(update={"parent_id": "p0"}))  # a comment under it
    assert not settings.is_official(news.model_copy(update={"source": "pestovo_vesti"}))
