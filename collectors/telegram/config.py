"""The config of a Telegram source (``platform: telegram``); it registers itself with the kernel's
settings. The account-level options (``telegram:`` in the config) are ``core.config.TelegramSettings``."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from core.config import SourceBase, register_source


@register_source
class TelegramSource(SourceBase):
    """A public Telegram channel or chat (supergroup), with the comments under channel posts."""

    platform: Literal["telegram"]
    chat: str = Field(min_length=1, description="@username, t.me/username or numeric id of the channel or chat")
    comments: bool = Field(True, description="read the comments under channel posts")
    refresh_recent: int = Field(20, ge=0, le=100, description="newest channel posts re-read each scan for "
                                "edits, views, reactions and new comments (one request)")

    @field_validator("chat")
    @classmethod
    def _chat_address(cls, value: str) -> str:
        """``@name``, ``name``, ``t.me/name`` and ``https://t.me/name`` become ``@name``; ids stay numeric."""
        text = value.strip()
        if re.fullmatch(r"-?\d+", text):
            return text
        text = re.sub(r"^(https?://)?(www\.)?(t\.me|telegram\.me)/", "", text).strip("/")
        if text.startswith(("+", "joinchat")):
            raise ValueError(f"«{value}»: ссылки-приглашения в закрытые чаты не поддерживаются; укажите публичный @username")
        text = text.removeprefix("@").split("/")[0].split("?")[0]
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", text):
            raise ValueError(f"«{value}»: ожидается @username (латиница, цифры, _; 4–32 символа) или числовой id")
        return f"@{text}"

    @property
    def username(self) -> str | None:
        return self.chat[1:] if self.chat.startswith("@") else None
