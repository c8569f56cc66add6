"""``check_source``: can this Telegram source be read? Used by ``mcu sources check``."""
from __future__ import annotations

from collectors.base import CollectorError, register_check
from collectors.telegram.errors import BudgetExhausted
from core.config import ConfigError


@register_check("telegram")
def check_source(source, settings) -> tuple[bool, str]:
    """``(ok, detail)`` in Russian: the chat resolves (through the state file, so at most one
    ``ResolveUsername`` per chat ever), or why not. A replay source checks its dump instead."""
    if source.replay:
        return _check_replay(source, settings)
    from collectors.telegram.account import open_account
    from collectors.telegram.entities import resolve_chat

    try:
        info = resolve_chat(open_account(settings), source.chat, source.key)
    except (CollectorError, ConfigError) as exc:
        return False, str(exc)
    except BudgetExhausted as exc:
        return False, f"{source.key}: бюджет запросов исчерпан ({exc})"
    except Exception as exc:  # network and Telegram errors: reported, never raised into the table
        return False, f"{source.key}: {type(exc).__name__}: {exc}"
    members = f", участников: {info.participants_count}" if info.participants_count else ""
    detail = f"«{info.title}» ({info.kind}{members})"
    if info.left:
        detail += "; аккаунт не подписан: «mcu listen» не получит новых сообщений, скан работает"
    return True, detail


def _check_replay(source, settings) -> tuple[bool, str]:
    from collectors.telegram.client import ReplayTelegramReader

    path = settings.resolve(source.replay)
    try:
        reader = ReplayTelegramReader(path)
        chat = reader.chat()
        count = sum(1 for _ in reader.messages(0))
    except (CollectorError, TypeError, AttributeError) as exc:
        return False, f"{source.key}: {exc}"
    return True, f"запись {path.name}: «{chat.get('title', '?')}», сообщений: {count}"
