"""Safe text for cards: broken Unicode repaired, control characters dropped, HTML escaped,
Russian plurals and local times. Every piece of user or config text goes through here."""
from __future__ import annotations

import errno
import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_TEXT = 20_000
"""Characters of a post's text that the collectors keep and the NLP reads: the bound on the
work per text in every entry point (Natasha's NER needs memory in proportion to the text)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


def clean(text: object) -> str:
    """Text that encodes to UTF-8: surrogate pairs split by a bad decoder are joined, lone
    surrogates become U+FFFD, control characters (except newline and tab) are dropped."""
    value = str(text) if text is not None else ""
    value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _CONTROL.sub("", value)


def h(text: object) -> str:
    """Clean text, escaped for Telegram's HTML parse mode (also inside attribute values)."""
    return html.escape(clean(text), quote=True)


def excerpt(text: object, limit: int = 280) -> str:
    """One line of at most ``limit`` characters, cut at a word with «…»."""
    value = _SPACES.sub(" ", clean(text)).strip()
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:—-") + "…"


def number(value: int) -> str:
    """12437 → «12 437» (a thin no-break space keeps the number on one line)."""
    return f"{value:,}".replace(",", "\u202f")


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural agreement: 1 комментарий, 2 комментария, 5 комментариев."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def counted(n: int, one: str, few: str, many: str) -> str:
    return f"{n} {plural(n, one, few, many)}"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Moscow")


def local(moment: datetime, tz: str, fmt: str = "%d.%m %H:%M") -> str:
    """A moment in the municipality's time zone, as staff read it."""
    return moment.astimezone(zone(tz)).strftime(fmt)


def age(moment: datetime, now: datetime) -> str:
    """«35 мин», «5 ч», «3 дн» since ``moment``."""
    minutes = max(0, int((now - moment).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} мин"
    if minutes < 48 * 60:
        return f"{minutes // 60} ч"
    return f"{minutes // (24 * 60)} дн"


LIMIT = 4096
"""Telegram's limit of visible characters in one message."""
_TAG = re.compile(r"<[^>]+>")


def visible_length(text: str) -> int:
    """Characters Telegram counts: the text without tags, entities decoded."""
    return len(html.unescape(_TAG.sub("", text)))


def trim_html(text: str) -> str:
    """Cut a long list message at a line so that it fits in one Telegram message."""
    if visible_length(text) <= LIMIT:
        return text
    lines = text.split("\n")
    while lines and visible_length("\n".join(lines) + "\n…") > LIMIT:
        lines.pop()
    return "\n".join(lines) + "\n…"


OS_ERRORS_RU = {
    errno.ENOENT: "нет такого файла или папки",
    errno.EACCES: "нет прав доступа",
    errno.EPERM: "операция не разрешена",
    errno.EISDIR: "это папка, а нужен файл",
    errno.ENOTDIR: "это не папка",
    errno.ENOSPC: "нет места на диске",
    errno.EROFS: "файловая система только для чтения",
    errno.ECONNREFUSED: "соединение отклонено",
    errno.ETIMEDOUT: "время ожидания истекло",
    errno.EHOSTUNREACH: "узел недоступен",
    errno.ENETUNREACH: "сеть недоступна",
}


def os_error(exc: OSError) -> str:
    """An operating-system error in Russian, for staff («нет такого файла или папки»)."""
    return OS_ERRORS_RU.get(exc.errno, exc.strerror or str(exc))
