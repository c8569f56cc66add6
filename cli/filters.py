"""Filter values as staff type them: a code or the Russian label the tables show, in any case,
or the unique label that starts with what was typed («Дороги», «быковский», «негатив»). An
unknown value is refused with the list of allowed ones."""
from __future__ import annotations

import typer

from core.config import Settings
from core.domain import RISK_STATUS_RU

SENTIMENT_RU = {"negative": "негатив", "neutral": "нейтрально", "positive": "позитив"}
PLATFORM_RU = {"vk": "ВКонтакте", "telegram": "Telegram", "rss": "новости (RSS)"}
SYNONYMS = {"вк": "vk", "вконтакте": "vk", "тг": "telegram", "телеграм": "telegram", "телеграмм": "telegram",
            "новости": "rss", "сайты": "rss", "негативная": "negative", "негативные": "negative",
            "нейтральная": "neutral", "нейтральные": "neutral", "позитивная": "positive", "позитивные": "positive"}


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def choose(value: str | None, choices: dict[str, str], option: str) -> str | None:
    """The code ``value`` names among ``choices`` (code → Russian label), or ``typer.BadParameter``."""
    if value is None or not value.strip():
        return None
    wanted = _fold(SYNONYMS.get(_fold(value), value))
    for code, label in choices.items():
        if wanted in (_fold(code), _fold(label)):
            return code
    starting = [code for code, label in choices.items()
                if _fold(label).startswith(wanted) or any(w.startswith(wanted) for w in _fold(label).split())]
    if len(starting) == 1:
        return starting[0]
    allowed = ", ".join(f"{code} ({label})" if label != code else code for code, label in choices.items())
    if starting:
        raise typer.BadParameter(f"«{value}» подходит к нескольким: {', '.join(starting)}; уточните. "
                                 f"Допустимые: {allowed}", param_hint=option)
    raise typer.BadParameter(f"«{value}» — нет такого значения. Допустимые: {allowed}", param_hint=option)


def topics(settings: Settings) -> dict[str, str]:
    return {t.code: t.label for t in settings.rubricator.topics}


def blocks(settings: Settings) -> dict[str, str]:
    return {b.code: b.label for b in settings.rubricator.blocks}


def departments(settings: Settings) -> dict[str, str]:
    return {d.code: d.label for d in settings.rubricator.departments}


def sources(settings: Settings) -> dict[str, str]:
    return {s.key: s.name for s in settings.sources}


def statuses() -> dict[str, str]:
    return dict(RISK_STATUS_RU)
