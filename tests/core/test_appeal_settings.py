"""The ``appeals:`` section of the config: deadlines per channel."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.appeals import AppealSettings, ChannelDeadline
from core.config import ConfigError, load_config
from testing.configs import write_config


def test_defaults_follow_59_fz_and_the_feedback_systems() -> None:
    settings = AppealSettings()
    assert settings.deadline_of("письменное обращение") == ChannelDeadline(days=30)
    assert settings.deadline_of("платформа обратной связи ") == ChannelDeadline(working_days=10)
    assert settings.deadline_of("Инцидент Менеджмент") == ChannelDeadline(working_hours=8)


def test_a_config_sets_its_own_deadlines_and_is_checked(tmp_path: Path) -> None:
    config = write_config(tmp_path, [], appeals={"deadlines": {"default": {"days": 15},
                                                               "Наш Санкт-Петербург": {"working_days": 8}}})
    settings = load_config(config)
    assert settings.appeals.deadline_of("Наш Санкт-Петербург") == ChannelDeadline(working_days=8)
    assert settings.appeals.deadline_of("ПОС") == ChannelDeadline(days=15)
    with pytest.raises(ConfigError, match="ровно одно"):
        load_config(write_config(tmp_path, [], appeals={"deadlines": {"default": {"days": 30, "working_days": 2}}}))
    with pytest.raises(ConfigError, match="default"):
        load_config(write_config(tmp_path, [], appeals={"deadlines": {"ПОС": {"days": 30}}}))


def test_an_appeals_source_in_the_config_is_not_scanned(tmp_path: Path) -> None:
    source = {"key": "pos", "name": "ПОС", "platform": "appeals", "preset": "kursk"}
    settings = load_config(write_config(tmp_path, [source]))
    assert settings.source("pos").scanned is False
    with pytest.raises(ConfigError, match="columns"):
        load_config(write_config(tmp_path, [{**source, "preset": None, "columns": {"number": 1}}]))
