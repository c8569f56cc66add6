"""Seasonal campaigns from the calendar: every Monday, the seasonal topics of the week for the МЦУ
(``reports.campaign_plan`` merges them with the threats the store's history shows).

The calendar is ``config/campaigns.yaml``: a campaign is due when its window
(``start``..``end``, MM-DD, across the new year if need be) covers the day. The
reminder lists the due campaigns with how much the district wrote on their topics in
the past week, and goes to every alert sink. The send is cached per config and ISO
week, so a re-run in the same week does not post again.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core import validation
from core.config import KEY_PATTERN, ConfigError, Settings
from core.store import SearchQuery, Store
from core.text import os_error

DEFAULT_CAMPAIGNS = "config/campaigns.yaml"


class Campaign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=KEY_PATTERN)
    title: str = Field(min_length=1)
    season: str = ""
    start: str = Field(description="MM-DD, first day of the window")
    end: str = Field(description="MM-DD, last day of the window")
    topics: list[str] = Field(default_factory=list, description="rubricator topic codes")
    reminder: str = Field(min_length=1)

    @field_validator("start", "end")
    @classmethod
    def _month_day(cls, value: str) -> str:
        try:
            datetime.strptime(f"2024-{value}", "%Y-%m-%d")  # a leap year accepts 02-29
        except ValueError:
            raise ValueError(f"«{value}»: ожидается ММ-ДД, например 03-01") from None
        return value

    def covers(self, day: date) -> bool:
        mark = f"{day:%m-%d}"
        if self.start <= self.end:
            return self.start <= mark <= self.end
        return mark >= self.start or mark <= self.end  # across the new year


class Calendar(BaseModel):
    model_config = ConfigDict(extra="forbid")
    campaigns: list[Campaign]


def load_campaigns(path: str | Path, settings: Settings | None = None) -> list[Campaign]:
    """Read the calendar; a bad entry raises ConfigError naming the file, the entry and the field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        campaigns = Calendar.model_validate(raw).campaigns
    except OSError as exc:
        raise ConfigError(f"{path}: не удаётся прочитать календарь кампаний: {os_error(exc)}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: ошибка в YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(validation.lines(exc))
        raise ConfigError(f"{path}: {problems}") from None
    if settings is not None:
        known = {t.code for t in settings.rubricator.topics}
        for i, campaign in enumerate(campaigns):
            unknown = [t for t in campaign.topics if t not in known]
            if unknown:
                raise ConfigError(f"{path}: campaigns.{i}.topics: неизвестные темы {unknown} (см. рубрикатор)")
    return campaigns


def due_campaigns(campaigns: list[Campaign], day: date) -> list[Campaign]:
    return [c for c in campaigns if c.covers(day)]


def count_topics(store: Store, topics: list[str], since: datetime, until: datetime) -> dict[str, int]:
    return {topic: store.count(SearchQuery(topic=topic, since=since, until=until)) for topic in topics}


def week_key(config: str, monday: date, due: list[Campaign], threats: list[str] = ()) -> str:
    """One send per config, ISO week and set of due campaigns (and seasonal threats found)."""
    year, week, _ = monday.isocalendar()
    found = [c.code for c in due] + list(threats)
    digest = hashlib.sha1(f"{Path(config).resolve()}|{found}".encode()).hexdigest()[:12]
    return f"campaigns-{year}-W{week:02d}-{digest}"
