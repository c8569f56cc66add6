"""The bot's settings: the telegram sink of the config plus the environment."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import SecretStr

from alerts.sinks import alert_chat_id
from core.config import ConfigError, Settings, secret

TOKEN_ENV = "MCU_BOT_TOKEN"
_TOKEN = re.compile(r"^\d+:[\w-]{5,}$")


@dataclass(frozen=True)
class BotConfig:
    token: SecretStr
    api_server: str
    chat_id: int
    chats: frozenset[int]
    members: frozenset[int]
    rate_per_minute: int
    polling_timeout: int


def _ids(name: str, raw: str | None) -> set[int]:
    """Comma- or space-separated numeric ids from an environment variable (read by the loader)."""
    raw = raw or ""
    ids = set()
    for part in re.split(r"[,\s]+", raw.strip()):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(f"окружение: {name}: «{part}» — не числовой id в Telegram") from None
    return ids


def bot_config(settings: Settings) -> BotConfig:
    """The token from ``MCU_BOT_TOKEN``; the alert chat from ``MCU_BOT_CHAT_ID`` or the sink's
    ``chat_id``; further chats from ``chats`` and ``MCU_BOT_CHATS``; members from ``members``
    and ``MCU_BOT_MEMBERS``. A bad value raises ConfigError naming its source."""
    sink = settings.alerts.telegram
    if sink is None:
        raise ConfigError("alerts.sinks: нет приёмника telegram; чтобы запустить бота, добавьте {type: telegram, chat_id: -100…}")
    token = secret(TOKEN_ENV)
    if not _TOKEN.match(token.get_secret_value()):
        raise ConfigError(f"окружение: {TOKEN_ENV}: это не токен бота (ожидаются цифры, двоеточие и ключ, "
                          "который выдал @BotFather)")
    chat_id = alert_chat_id(settings)
    members = set(sink.members) | _ids("MCU_BOT_MEMBERS", settings.environment.bot_members)
    return BotConfig(
        token=token, api_server=sink.api_server, chat_id=chat_id,
        chats=frozenset({chat_id, *sink.chats, *_ids("MCU_BOT_CHATS", settings.environment.bot_chats)}), members=frozenset(members),
        rate_per_minute=sink.rate_per_minute, polling_timeout=sink.polling_timeout,
    )


def make_bot(config: BotConfig):
    """An aiogram Bot on the configured Bot API server, HTML parse mode, no link previews."""
    from aiogram import Bot
    from aiogram.client.default import DefaultBotProperties
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.enums import ParseMode

    session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_server))
    return Bot(config.token.get_secret_value(), session=session,
               default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True))
