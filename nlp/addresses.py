"""Address patterns: «ул. Ленина, д. 5», «на пр-те Мира», «пер. 8 Марта», «Советской улице»,
«д. Кузьминка», «в районе Заречья».

They find places the gazetteer does not list and NER often cuts short: a street with its
type word and house number is one place («ул. Ленина, д. 5», not «Ленина»), and a
capitalised word after «д.», «с.», «пос.» or «г.» is a settlement even when nobody has
heard of it. Patterns run over the word tokens of :class:`~nlp.lemmas.Lemmatizer`; what
stands between two tokens (a dot, a comma, «№») is read from the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from nlp.lemmas import Token, load_morph

# street type → (canonical type word, grammatical gender of the name that agrees with it)
STREET_TYPES: dict[str, tuple[str, str]] = {
    "улица": ("улица", "femn"), "ул": ("улица", "femn"),
    "переулок": ("переулок", "masc"), "пер": ("переулок", "masc"),
    "проспект": ("проспект", "masc"), "пр": ("проспект", "masc"), "пр-т": ("проспект", "masc"),
    "просп": ("проспект", "masc"),
    "проезд": ("проезд", "masc"), "пр-д": ("проезд", "masc"),
    "площадь": ("площадь", "femn"), "пл": ("площадь", "femn"),
    "шоссе": ("шоссе", "neut"), "ш": ("шоссе", "neut"),
    "бульвар": ("бульвар", "masc"), "б-р": ("бульвар", "masc"),
    "набережная": ("набережная", "femn"), "наб": ("набережная", "femn"),
    "микрорайон": ("микрорайон", "masc"), "мкр": ("микрорайон", "masc"), "мкрн": ("микрорайон", "masc"),
    "тупик": ("тупик", "masc"), "аллея": ("аллея", "femn"),
}
# Full words that may follow an adjectival name («на Советской улице»).
STREET_WORDS_AFTER = frozenset({"улица", "переулок", "проспект", "проезд", "площадь", "шоссе", "бульвар",
                                "набережная", "аллея", "тупик"})
# settlement type → toponym kind
SETTLEMENT_TYPES: dict[str, str] = {
    "д": "village", "дер": "village", "деревня": "village", "с": "village", "село": "village",
    "п": "village", "пос": "village", "посёлок": "village", "поселок": "village", "рп": "village",
    "пгт": "village", "г": "town", "город": "town",
}
HOUSE_WORDS = frozenset({"д", "дом"})
AREA_WORDS = ("в", "районе")  # «в районе Заречья»
# abbreviations are taken only with their dot: «ул. Ленина», «с. Ивановка», never the preposition «с»
NEEDS_DOT = frozenset({"ул", "пер", "пр", "просп", "пл", "ш", "наб", "мкр", "мкрн", "д", "дер", "с", "п", "пос", "г"})
GAP = re.compile(r"[\s.,№]*")
HOUSE = re.compile(r"\d+[а-яa-z]?(?:/\d+)?$")


@dataclass(frozen=True, slots=True)
class Address:
    """A found address: token range [first, last], its kind and a canonical name."""

    first: int
    last: int
    kind: str              # street, village, town, unknown
    name: str              # «улица Ленина», «Кузьминка»
    name_tokens: tuple[int, int]  # the range of the name itself, for gazetteer look-ups


def _gap(text: str, left: Token, right: Token) -> str | None:
    """The text between two tokens when it is only spaces, dots, commas or «№» (one line)."""
    between = text[left.end : right.start]
    if GAP.fullmatch(between) is None or between.count("\n") > 0 or len(between) > 4:
        return None
    return between


def _type_word(text: str, tokens: Sequence[Token], i: int) -> str | None:
    """The token's normal form when it is a type word, with its dot where one is needed.

    An abbreviation must be in lower case («Д. Медведев», «Г. А.» are initials) and «г.»
    after a number is a year («2016 г. В ...»)."""
    tok = tokens[i]
    if tok.norm in NEEDS_DOT:
        if text[tok.end : tok.end + 1] != "." or not tok.text.islower():
            return None
        if tok.norm == "г" and i > 0 and tokens[i - 1].text[:1].isdigit():
            return None
        return tok.norm
    if tok.norm in STREET_TYPES or tok.norm in SETTLEMENT_TYPES:
        return tok.norm
    if tok.lemma in STREET_TYPES or tok.lemma in SETTLEMENT_TYPES:  # «на улице», «в деревне»
        return tok.lemma
    # inflected abbreviations: «на пр-те», «по пр-ту», «на б-ре»
    return next((short for short in ("пр-т", "пр-д", "б-р") if tok.norm.startswith(short)), None)


def _type_gap(text: str, left: Token, right: Token, abbreviated: bool) -> bool:
    """«ул. Ленина», «ул.Ленина», «улица Ленина»: never across a comma or a full stop."""
    between = text[left.end : right.start]
    return between in (". ", ".") if abbreviated else between == " "


def _not_a_name(word: str) -> bool:
    """A pronoun or a person's first name after «г.»/«д.» is no settlement («г. Этот», «д. Иван»)."""
    return any(p.tag.POS in ("NPRO", "PREP", "CONJ", "PRCL") or {"Name", "Apro"} & p.tag.grammemes
               for p in load_morph().parse(word.lower())[:1])


def _name_end(text: str, tokens: Sequence[Token], i: int, limit: int = 3) -> int | None:
    """The last token of a proper name starting at ``i`` («Ленина», «8 Марта», «Карла Маркса»)."""
    end = None
    for j in range(i, min(len(tokens), i + limit)):
        tok = tokens[j]
        if j > i and _gap(text, tokens[j - 1], tok) not in (" ", "-"):
            break
        if tok.capitalized:
            end = j
        elif not (j == i and tok.text.isdigit() and j + 1 < len(tokens) and tokens[j + 1].capitalized):
            break  # a number belongs to the name only before a capital: «8 Марта»
    return end


def _with_house(text: str, tokens: Sequence[Token], end: int) -> int:
    """Extend a street over «, д. 5», «, 12», «дом 7а»."""
    j = end + 1
    if j < len(tokens) and tokens[j].norm in HOUSE_WORDS and _gap(text, tokens[end], tokens[j]) is not None:
        if j + 1 < len(tokens) and HOUSE.match(tokens[j + 1].norm) and _gap(text, tokens[j], tokens[j + 1]) is not None:
            return j + 1
        return end
    if j < len(tokens) and HOUSE.match(tokens[j].norm) and _gap(text, tokens[end], tokens[j]) in (", ", ","):
        return j
    return end


def street_name(type_word: str, words: Sequence[str]) -> str:
    """«ул.», [«Советской»] → «улица Советская»; genitive names stay («улица Ленина»)."""
    canonical, gender = STREET_TYPES[type_word]
    morph = load_morph()
    out = []
    for word in words:
        parse = next((p for p in morph.parse(word) if p.tag.POS == "ADJF"), None)
        form = parse.inflect({"nomn", "sing", gender}) if parse is not None and word[:1].isupper() else None
        out.append(form.word.capitalize() if form is not None else word)
    return f"{canonical} {' '.join(out)}"


def find_addresses(text: str, tokens: Sequence[Token]) -> list[Address]:
    """Addresses in token order, not overlapping."""
    found: list[Address] = []
    i = 0
    while i < len(tokens):
        address = _address_at(text, tokens, i)
        if address is None:
            i += 1
            continue
        found.append(address)
        i = address.last + 1
    return found


def _address_at(text: str, tokens: Sequence[Token], i: int) -> Address | None:
    word = _type_word(text, tokens, i)
    nxt = i + 1
    if word is not None and nxt < len(tokens) and _type_gap(text, tokens[i], tokens[nxt], word in NEEDS_DOT):
        end = _name_end(text, tokens, nxt)
        if end is not None and word in STREET_TYPES:
            names = [t.text for t in tokens[nxt : end + 1]]
            return Address(i, _with_house(text, tokens, end), "street", street_name(word, names), (nxt, end))
        if (end is not None and word in SETTLEMENT_TYPES and not tokens[nxt].text.isdigit()
                and not _not_a_name(tokens[nxt].text)):
            name = " ".join(t.text for t in tokens[nxt : end + 1])
            return Address(nxt, end, SETTLEMENT_TYPES[word], name, (nxt, end))  # the name alone: «Гора»
    # «на Советской улице»: an adjectival name before a full street word
    tok = tokens[i]
    if tok.capitalized and nxt < len(tokens) and tokens[nxt].lemma in STREET_WORDS_AFTER and i > 0:
        if _gap(text, tok, tokens[nxt]) == " " and any(p.tag.POS == "ADJF" for p in load_morph().parse(tok.norm)):
            return Address(i, _with_house(text, tokens, nxt), "street",
                           street_name(tokens[nxt].lemma, [tok.text]), (i, i))
    # «в районе Заречья»
    if (tok.norm, tokens[nxt].norm if nxt < len(tokens) else "") == AREA_WORDS and nxt + 1 < len(tokens):
        end = _name_end(text, tokens, nxt + 1)
        if end is not None and _gap(text, tokens[nxt], tokens[nxt + 1]) == " ":
            name = " ".join(t.text for t in tokens[nxt + 1 : end + 1])
            return Address(nxt + 1, end, "unknown", name, (nxt + 1, end))
    return None
