"""The config of a VK source (``platform: vk``); it registers itself with the kernel's settings."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from core.config import SourceBase, register_source


@register_source
class VkSource(SourceBase):
    """A VK public or group wall, and/or keyword and geo search across VK (``newsfeed.search``).

    Posts found by search keep this source's key. Everything below ``comments`` has a
    default that suits one district on one token.
    """

    platform: Literal["vk"]
    search: list[str] = Field(default_factory=list, description="keyword queries for newsfeed.search")
    owner: str | None = Field(None, min_length=1, validate_default=True,
                              description="screen name or numeric id of the public or group")
    comments: bool = True
    latitude: float | None = Field(None, ge=-90, le=90, description="geo search: centre of the district")
    longitude: float | None = Field(None, ge=-180, le=180)
    search_days: float = Field(1.0, gt=0, le=30, description="how far back the first search looks")
    backfill_days: float | None = Field(None, gt=0, description="how far back the first read of the wall goes; "
                                        "empty: the whole wall")
    recheck_hours: float = Field(24.0, ge=0, le=24 * 14,
                                 description="posts this recent are re-read for edits, engagement and new comments")
    api_url: str | None = Field(None, pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
                                description="VK API base address (a proxy, or a local server in tests)")
    api_version: str = Field("5.199", pattern=r"^5\.\d+$")
    token_env: str = Field("MCU_VK_TOKEN", pattern=r"^[A-Z][A-Z0-9_]*$",
                           description="environment variable that holds the token")
    requests_per_second: float = Field(3.0, gt=0, le=100, description="shared by every source on the same token")
    daily_budget: dict[str, int] = Field(default_factory=lambda: {"wall.get": 5000, "newsfeed.search": 1000},
                                         description="calls per method per day, per token")
    budget_file: Path | None = Field(None, description="where daily budgets are counted; default next to the store")
    timeout: float = Field(20.0, gt=0, le=300, description="seconds per HTTP request")
    retries: int = Field(4, ge=1, le=10, description="attempts for rate limits and network errors")
    backoff: float = Field(1.0, ge=0, le=60, description="first back-off in seconds, doubled each retry")

    @field_validator("owner")
    @classmethod
    def _wall_or_search(cls, value: str | None, info) -> str | None:
        if value is None and not info.data.get("search"):
            raise ValueError("обязательное поле: стена для чтения (owner), если не заданы поисковые запросы (search)")
        return value

    @model_validator(mode="after")
    def _coordinates_and_budget(self) -> "VkSource":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude и longitude задаются вместе")
        for method, calls in self.daily_budget.items():
            if calls < 0:
                raise ValueError(f"daily_budget.{method}: должно быть >= 0")
        return self
