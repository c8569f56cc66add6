"""Residents' questions and complaints, by rules: what an official page is expected to answer.

A text is a **question** when one of its sentences asks: it ends with «?», or it opens with a
request for information («подскажите», «скажите», «когда будет», «будет ли», «куда
обращаться» …). A text that asks nothing is a **complaint** when the NLP's problem cues fire:
negative sentiment or a risk trigger («нет воды», «прорыв», «в прокуратуру» …). A question
that complains («Когда уже починят дорогу?!») counts as a question: it is what waits for an
answer. Anything else (thanks, chatter, the page's own replies) is neither.
"""
from __future__ import annotations

import re
from typing import Literal

Appeal = Literal["question", "complaint"]

_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\n+")
_ASKING_OPENERS = re.compile(
    r"^(?:подскажите|скажите|ответьте|объясните|уточните|разъясните|прошу\s+(?:ответить|разъяснить|сообщить)|"
    r"когда\s+(?:будет|будут|начнут|закончат|откроют|починят|сделают|уберут|вывезут|дадут|включат|отремонтируют)|"
    r"будет\s+ли|будут\s+ли|можно\s+ли|нужно\s+ли|есть\s+ли|планируется\s+ли|почему|зачем|куда\s+обращаться|"
    r"куда\s+звонить|к\s+кому\s+обращаться|кто(?:\s*-?\s*нибудь)?\s+знает|сколько\s+(?:ещё|еще|можно|стоит))\b",
    re.IGNORECASE,
)
_RHETORICAL = re.compile(r"^(?:ну\s+и\s+)?(?:что\s+тут\s+скажешь|а\s+что\s+вы\s+хотели)\b", re.IGNORECASE)


def is_question(text: str) -> bool:
    """Whether one of the text's sentences asks something."""
    for sentence in _SENTENCES.split(text.strip()):
        sentence = sentence.strip(" «»\"'()-—–:;,")
        if not sentence or _RHETORICAL.match(sentence):
            continue
        if sentence.rstrip("!)").endswith("?") or _ASKING_OPENERS.match(sentence):
            return True
    return False


def appeal_of(text: str, sentiment: str, triggered: bool = False) -> Appeal | None:
    """«question», «complaint» or None for a resident's text with its sentiment label and
    whether a risk trigger fired in it."""
    if not text.strip():
        return None
    if is_question(text):
        return "question"
    if sentiment == "negative" or triggered:
        return "complaint"
    return None
