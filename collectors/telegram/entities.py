"""Resolving a configured chat address to a channel, once, through the account's state file."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from collectors.base import CollectorError
from collectors.telegram.account import TelegramAccount
from collectors.telegram.errors import ChatDeferred
from collectors.telegram.state import ChatInfo, Missing

log = logging.getLogger(__name__)
FULL_INFO_TTL = 24 * 3600  # members count and linked discussion group are re-read once a day


def resolve_chat(account: TelegramAccount, address: str, key: str) -> ChatInfo:
    """The channel or supergroup behind ``@username`` (or a numeric id this session knows).

    ``ResolveUsername`` is sent only when the state file does not know the address yet;
    an unknown username is remembered and not asked again for ``resolve_retry_hours``.
    """
    from telethon.errors import ChannelInvalidError, ChannelPrivateError

    known = account.state.chat(address)
    now = account.now()
    if isinstance(known, Missing):
        retry_at = known.checked_at + account.settings.resolve_retry_hours * 3600
        if now < retry_at:
            checked = datetime.fromtimestamp(known.checked_at, tz=timezone.utc)
            raise CollectorError(f"{key}: {address}: {known.reason} (проверено {checked:%d.%m %H:%M} UTC; "
                                 f"повторная проверка через {account.settings.resolve_retry_hours:g} ч)")
        known = None
    info = known or _resolve(account, address, key)
    if now - info.full_at >= FULL_INFO_TTL:
        try:
            _read_full(account, info, key)
        except (ChannelPrivateError, ChannelInvalidError) as exc:
            raise chat_error(account, address, key, exc) from None
        except ChatDeferred:  # the members count can wait; the messages should not
            log.info("telegram: %s: members count not refreshed (flood wait)", key)
            return info
        account.state.put_chat(address, info)
    return info


def chat_error(account: TelegramAccount, address: str, key: str, exc: Exception) -> CollectorError:
    """A clear message for the errors that say the chat cannot be read by this account."""
    from telethon.errors import ChannelInvalidError, ChannelPrivateError

    if isinstance(exc, ChannelPrivateError):
        return CollectorError(f"{key}: {address}: канал или чат закрыт, либо аккаунт в нём заблокирован "
                              "(ChannelPrivateError)")
    if isinstance(exc, ChannelInvalidError):
        account.state.forget(address)  # a stale access hash: resolve afresh next run
        return CollectorError(f"{key}: {address}: Telegram не узнаёт сохранённый канал (ChannelInvalidError); "
                              "при следующем запуске он будет найден заново")
    return CollectorError(f"{key}: {address}: {type(exc).__name__}: {exc}")


def _resolve(account: TelegramAccount, address: str, key: str) -> ChatInfo:
    from telethon.errors import UsernameInvalidError, UsernameNotOccupiedError
    from telethon.tl.functions.contacts import ResolveUsernameRequest

    if not address.startswith("@"):
        return _resolve_numeric(account, address, key)
    try:
        resolved = account.request(ResolveUsernameRequest(username=address[1:]), key)
    except (UsernameNotOccupiedError, UsernameInvalidError) as exc:
        reason = f"такого имени в Telegram нет ({type(exc).__name__})"
        account.state.put_missing(address, reason, account.now())
        raise CollectorError(f"{key}: {address}: {reason}") from None
    peer = resolved.peer
    channel_id = getattr(peer, "channel_id", None)
    chat = next((c for c in resolved.chats if getattr(c, "id", None) == channel_id), None)
    if channel_id is None or chat is None:
        reason = f"это не канал и не публичный чат ({type(peer).__name__})"
        account.state.put_missing(address, reason, account.now())
        raise CollectorError(f"{key}: {address}: {reason}")
    info = channel_info(chat, account.now())
    if info is None:
        raise CollectorError(f"{key}: {address}: доступ к каналу закрыт ({type(chat).__name__})")
    account.state.put_chat(address, info)
    log.info("telegram: %s: resolved %s once, cached", key, address)
    return info


def _resolve_numeric(account: TelegramAccount, address: str, key: str) -> ChatInfo:
    """A numeric id needs its access hash, which only the session's own entity cache can give."""
    bare = int(address.removeprefix("-100")) if address.startswith("-100") else abs(int(address))
    try:
        peer = account.client.get_input_entity(int(f"-100{bare}"))
    except (ValueError, TypeError, KeyError):
        raise CollectorError(f"{key}: {address}: этот аккаунт не знает чат с таким id; укажите @username "
                             "или откройте чат в приложении этим аккаунтом") from None
    info = ChatInfo(id=bare, access_hash=getattr(peer, "access_hash", None), title=address,
                    resolved_at=account.now())
    account.state.put_chat(address, info)
    return info


def channel_info(chat, now: float) -> ChatInfo | None:
    """A ``ChatInfo`` from a Telethon ``Channel`` (``None`` for ``ChannelForbidden``)."""
    if type(chat).__name__ != "Channel":
        return None
    return ChatInfo(id=chat.id, access_hash=chat.access_hash, title=chat.title or "", username=chat.username,
                    broadcast=bool(chat.broadcast), megagroup=bool(chat.megagroup),
                    participants_count=chat.participants_count, left=bool(chat.left), resolved_at=now)


def _read_full(account: TelegramAccount, info: ChatInfo, key: str) -> None:
    from telethon.tl.functions.channels import GetFullChannelRequest

    full = account.request(GetFullChannelRequest(channel=info.input_channel()), key)
    info.participants_count = full.full_chat.participants_count or info.participants_count
    info.linked_chat_id = full.full_chat.linked_chat_id
    for chat in full.chats:
        if getattr(chat, "id", None) == info.id:
            fresh = channel_info(chat, info.resolved_at)
            if fresh is not None:
                info.title, info.username = fresh.title or info.title, fresh.username or info.username
                info.broadcast, info.megagroup, info.left = fresh.broadcast, fresh.megagroup, fresh.left
    info.full_at = account.now()
