"""The config of an Одноклассники source (``platform: ok``); it registers itself with the kernel's settings."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from core.config import SourceBase, register_source


@register_source
class OkSource(SourceBase):
    """A public group on OK.ru: its topics (text, attachments, likes, reshares, views) and comments.

    The application key, its secret key and the access token come from the environment
    (the variables named below), never from the file. Everything below ``comments`` has a
    default that suits one district on one application.
    """

    platform: Literal["ok"]
    group: str = Field(min_length=1, pattern=r"^[\w.-]+$",
                       description="numeric id of the group, or its short name from the address ok.ru/<name>")
    comments: bool = True
    backfill_days: float | None = Field(14.0, gt=0, description="how far back the first read goes; empty: "
                                        "the whole group")
    recheck_hours: float = Field(24.0, ge=0, le=24 * 14,
                                 description="topics this recent are re-read for edits, engagement and new comments")
    api_url: str = Field("https://api.ok.ru", pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
                         description="OK API base address (a proxy, or a local server in tests)")
    application_key_env: str = Field("MCU_OK_APP_KEY", pattern=r"^[A-Z][A-Z0-9_]*$",
                                     description="environment variable with the application's public key")
    secret_key_env: str = Field("MCU_OK_SECRET_KEY", pattern=r"^[A-Z][A-Z0-9_]*$",
                                description="environment variable with the application's secret key")
    token_env: str = Field("MCU_OK_TOKEN", pattern=r"^[A-Z][A-Z0-9_]*$",
                           description="environment variable with the access token")
    requests_per_second: float = Field(2.0, gt=0, le=50, description="shared by every source on the same token")
    daily_budget: dict[str, int] = Field(default_factory=lambda: {"mediatopic.getTopics": 3000,
                                                                  "discussions.getComments": 5000},
                                         description="calls per method per day, per token")
    budget_file: Path | None = Field(None, description="where daily budgets are counted; default next to the store")
    max_pages: int = Field(20, ge=1, le=500, description="pages of topics (up to 100 each) per scan")
    timeout: float = Field(20.0, gt=0, le=300, description="seconds per HTTP request")
    retries: int = Field(4, ge=1, le=10, description="attempts for rate limits, server and network errors")
    backoff: float = Field(1.0, ge=0, le=60, description="first back-off in seconds, doubled each retry")

    @model_validator(mode="after")
    def _budget(self) -> "OkSource":
        for method, calls in self.daily_budget.items():
            if calls < 0:
                raise ValueError(f"daily_budget.{method}: должно быть >= 0")
        return self
