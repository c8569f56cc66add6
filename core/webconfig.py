"""The ``web:`` section of the config: the web workplace (``mcu web``), its accounts and its map.

Kept beside ``core.config`` (which embeds it in ``Settings``) so that module stays small.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


WEB_ROLES = ("viewer", "operator", "admin")
"""Roles of the web workplace, each allowed what the previous one is: read, act on risks, manage users."""


class WebAccount(Strict):
    """An account of the web workplace kept in the config file (``mcu users add`` keeps others in
    the data folder). Only the argon2 hash is written here (``mcu users hash`` prints one)."""

    username: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,31}$", description="login, Latin lower case")
    name: str = Field(min_length=1, max_length=80, description="the name shown in history and the chat")
    role: Literal["viewer", "operator", "admin"] = "viewer"
    telegram_id: int | None = Field(None, description="the person's Telegram id in the alert chat, so that "
                                                      "the chat and the web show one name")
    password_hash: str = Field(pattern=r"^\$argon2(id|i|d)\$", description="argon2 hash, never a password")


class WebSettings(Strict):
    """The web workplace (``mcu web``)."""

    host: str = Field("127.0.0.1", description="address to listen on; put a TLS proxy in front for others")
    port: int = Field(8080, ge=1, le=65535)
    tiles: str | None = Field(None, description="map tile URL template, e.g. https://tile.example/{z}/{x}/{y}.png; "
                                                "none: points and the outline on a blank map (intranet)")
    tiles_attribution: str = Field("", description="attribution text the tile server requires")
    outline: Path | None = Field(None, description="GeoJSON of the district outline, relative to the config")
    session_hours: float = Field(12, gt=0, le=24 * 30, description="a sign-in lasts this long")
    secure_cookies: Literal["auto", "always", "never"] = Field(
        "auto", description="auto: Secure cookies when the request came over https (also via a proxy)")
    forwarded_allow_ips: str = Field("127.0.0.1", description="proxies whose X-Forwarded-* headers are trusted")
    login_attempts: int = Field(5, ge=1, le=100, description="failed sign-ins per login and per address ...")
    login_window_minutes: int = Field(15, ge=1, le=24 * 60, description="... within this many minutes")
    refresh_seconds: int = Field(20, ge=5, le=3600, description="how often the risk list refreshes itself")
    users: list[WebAccount] = Field(default_factory=list)

    @field_validator("tiles")
    @classmethod
    def _tile_template(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s]+\{z\}.*\{x\}.*\{y\}", value):
            raise ValueError("expected an http(s) URL template with {z}, {x} and {y}")
        return value

    @model_validator(mode="after")
    def _unique_users(self) -> "WebSettings":
        logins = Counter(user.username for user in self.users)
        twice = sorted(name for name, n in logins.items() if n > 1)
        if twice:
            raise ValueError(f"users: each login once; repeated: {', '.join(twice)}")
        return self
