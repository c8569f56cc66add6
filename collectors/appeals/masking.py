"""Masking of personal data in appeal texts, answers and addresses (152-ФЗ), before storage.

Rules, not a model: they run on every row of a 60,000-appeal export in seconds and their
behaviour is pinned by tests on the formats people really write.

* e-mail addresses → ``[email]``;
* phone numbers: ``+7 (911) 123-45-67``, ``8-911-123-45-67``, ``89111234567``, ``8 (81669) 5-12-34``,
  ``911 123 45 67``, local ``5-12-34`` / ``51-23-45``, and any digits after «тел.», «телефон» → ``[телефон]``;
* flat numbers: «кв. 12», «кв.12а», «квартира № 5», «в квартире 7» → the word kept, the number ``[№]``;
* people's names: «Иванов И.И.», «И. И. Иванов», and runs of capitalised words that pymorphy3
  reads as a first name with a patronymic or a surname («Анна Сергеевна», «Петров Иван Сергеевич»)
  → ``[ФИО]``; not after «ул.», «пр.», «им.» and other street words («ул. Карла Маркса» stays).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import pymorphy3

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SEP = r"[\s\-‐‑–—()]{0,3}"
PHONES = (
    re.compile(rf"(?<![\w+])(?:\+\s?7|8|7){_SEP}\d(?:{_SEP}\d){{9}}(?!\d)"),  # 11 digits with the country code
    re.compile(r"(?<![\d+])\(?9\d{2}\)?[\s\-]?\d{3}[\s\-]?\d{2}[\s\-]?\d{2}(?!\d)"),  # a mobile without it
    re.compile(r"(?<![\d\-./])\d{1,3}-\d{2}-\d{2}(?![\d\-])"),  # local: 5-12-34, 123-45-67
)
PHONE_AFTER_WORD = re.compile(r"(?<![а-яё])(тел(?:ефон[а-я]*)?\.?\s*(?:[:№]\s*)?)\+?\d[\d\s\-()]{3,}\d", re.IGNORECASE)
FLAT = re.compile(r"(?<![а-яё])(кв(?:артир[а-яё]{0,3})?\.?\s*(?:№\s*)?)(\d+(?:\s*[а-яА-Я](?![а-яё]))?)",
                  re.IGNORECASE)
INITIALS = (
    re.compile(r"(?<![\w.])[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.?(?![а-яё])"),
    re.compile(r"(?<![\w.])[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"),
)
CAPITALISED_RUN = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?:\s+[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?){1,2}")
STREET_WORDS = re.compile(
    r"(?:ул|улица|улице|улицы|пр|просп|проспект|проспекте|пер|переулок|переулке|пл|площадь|площади|им|имени|"
    r"б-р|бульвар|бульваре|наб|набережная|набережной|шоссе|пр-т|пр-кт|проезд|проезде|школа|школы|школе|"
    r"гимназия|библиотека|библиотеки|дк|сквер|сквере|парк|парке|памятник|памятника|мост|мосту|станция|ст)"
    r"\.?\s*$", re.IGNORECASE)
NAME_TAGS = ("Name", "Surn", "Patr")
NAME = "[ФИО]"
DIGITS = re.compile(r"\d")


@dataclass
class Masked:
    text: str
    counts: Counter = field(default_factory=Counter)


_morph: pymorphy3.MorphAnalyzer | None = None


@lru_cache(maxsize=200_000)
def _name_parts(word: str) -> frozenset[str]:
    """Which of first name, surname, patronymic pymorphy3 sees in a capitalised word
    (a reading counts when its score is at least a third of the best one)."""
    global _morph
    if _morph is None:
        _morph = pymorphy3.MorphAnalyzer()
    parses = _morph.parse(word)
    best = parses[0].score if parses else 0
    return frozenset(tag for p in parses if p.score >= best / 3 for tag in NAME_TAGS if tag in p.tag)


def _is_person(words: list[str]) -> bool:
    parts = [_name_parts(w) for w in words]
    if any(not p for p in parts):
        return False
    has = set().union(*parts)
    return "Name" in has and ("Patr" in has or "Surn" in has) or ("Surn" in has and "Patr" in has)


def _names(text: str, counts: Counter) -> str:
    for pattern in INITIALS:
        text, n = pattern.subn(NAME, text)
        counts["ФИО"] += n
    out, last = [], 0
    for match in CAPITALISED_RUN.finditer(text):
        if STREET_WORDS.search(text[max(0, match.start() - 20):match.start()]):
            continue
        words = match.group().split()
        if _is_person(words):
            out += [text[last:match.start()], NAME]
            last = match.end()
            counts["ФИО"] += 1
        elif len(words) == 3 and _is_person(words[1:]):  # «Уважаемая Анна Сергеевна»
            out += [text[last:match.start()], words[0], " ", NAME]
            last = match.end()
            counts["ФИО"] += 1
    return "".join(out) + text[last:] if out else text


def mask(text: str) -> Masked:
    """The text with personal data replaced, and how many of each kind were replaced."""
    counts: Counter = Counter()
    if not text:
        return Masked(text, counts)
    if "@" in text:
        text, n = EMAIL.subn("[email]", text)
        counts["email"] += n
    if len(DIGITS.findall(text)) >= 5:  # a phone number has at least five digits
        for pattern in PHONES:
            text, n = pattern.subn("[телефон]", text)
            counts["телефон"] += n
        text, n = PHONE_AFTER_WORD.subn(lambda m: m.group(1) + "[телефон]", text)
        counts["телефон"] += n
    if "кв" in text.lower():
        text, n = FLAT.subn(lambda m: m.group(1) + "[№]", text)
        counts["квартира"] += n
    text = _names(text, counts)
    return Masked(text, +counts)
