"""Place words the dictionary knows: Geox nouns («Москвы», «Алтае») and the adjectives
derived from them («российских» → Россия, «московского» → Москва, «пестовские» → Пестово).

pymorphy3's dictionary (OpenCorpora) tags geographical names ``Geox``, but only some of
the adjectives derived from them. An adjective in «-ский», «-цкий» or «-ской» is taken as a
place adjective when undoing one of the regular derivations below gives a known Geox noun:
«российск-ий» → «росси-я», «американ-ский» → «америк-а», «москов-ский» → «моск-ва»,
«кур-ский» → «курск». Irregular pairs («немецкий» → Германия) are listed by hand. Ethnic
and language adjectives («русский»), «советский» (a political word as often as a country's)
and adjectives of common nouns («политический»,
«городской») never qualify: the first are not places, the second have no Geox noun.

Both lookups are cached per word form (bounded), so a long stream costs one dictionary
look-up per distinct word.
"""
from __future__ import annotations

from functools import lru_cache

from nlp.lemmas import load_morph

ADJECTIVE_SUFFIXES = ("ский", "цкий", "ской")

# (cut from the stem, add) in order: the first known Geox noun wins.
DERIVATIONS: tuple[tuple[str, str], ...] = (
    ("", ""),        # лондон-ский → лондон, китай-ский → китай
    ("", "к"),       # донец-кий → донецк
    ("ов", "ва"),    # москов-ский → москва
    ("ев", "ва"),
    ("", "о"),       # пестов-ский → пестово
    ("", "ия"),      # британ-ский → британия
    ("й", "я"),      # россий-ский → россия
    ("ь", "ия"),     # бразиль-ский → бразилия
    ("", "а"),       # украин-ский → украина
    ("ан", "а"),     # американ-ский → америка
    ("ьян", "ия"),   # итальян-ский → италия
    ("ян", "ия"),
    ("", "ь"),       # твер-ской → тверь
    ("уз", "ия"),    # француз-ский → франция
    ("ей", "а"),     # европей-ский → европа
    ("", "ы"),
    ("", "и"),
    ("", "сия"),     # белорус-ский → белоруссия
    ("", "ск"),      # комсомоль-ский → комсомольск (short stems try it first: кур-ский → курск)
)
SHORT_STEM = 4  # «кур», «том», «брян»: the town in «-ск» comes before a river «Кура»

IRREGULAR: dict[str, str] = {
    "немецкий": "германия", "германский": "германия", "французский": "франция", "шведский": "швеция",
    "польский": "польша", "греческий": "греция", "голландский": "нидерланды", "армянский": "армения",
    "грузинский": "грузия", "турецкий": "турция", "финский": "финляндия", "датский": "дания",
    "швейцарский": "швейцария", "норвежский": "норвегия", "литовский": "литва", "латвийский": "латвия",
    "эстонский": "эстония", "азербайджанский": "азербайджан", "уфимский": "уфа", "новгородский": "новгород",
}
# Ethnic groups and languages, not places (NER sets label them NATIONALITY or nothing).
NOT_PLACES = frozenset({"русский", "английский", "арабский", "татарский", "еврейский", "славянский", "латинский",
                        "олимпийский"})

# Names written in capitals in text (the rest are capitalised word by word).
UPPER_NAMES = frozenset({"ссср", "сша", "снг", "оаэ", "кндр", "фрг", "юар"})


def display_name(lemma: str) -> str:
    """«нью-йорк» → «Нью-Йорк», «ссср» → «СССР»."""
    if lemma in UPPER_NAMES:
        return lemma.upper()
    return "-".join(part.capitalize() for part in lemma.split("-"))


class PlaceWords:
    """Look-ups of single words: is this a place name, or an adjective of one?"""

    def __init__(self, cache_size: int = 100_000) -> None:
        self._morph = load_morph()
        self.geox_noun = lru_cache(maxsize=cache_size)(self._geox_noun)
        self.adjective_place = lru_cache(maxsize=cache_size)(self._adjective_place)

    def _known_geox(self, word: str) -> bool:
        """A dictionary word whose own normal form is a Geox noun (no guessing from endings)."""
        return self._morph.word_is_known(word) and any(
            "Geox" in p.tag and p.tag.POS == "NOUN" and p.normal_form == word for p in self._morph.parse(word)
        )

    def _common_noun(self, word: str) -> bool:
        return self._morph.word_is_known(word) and any(
            p.tag.POS == "NOUN" and p.normal_form == word and "Geox" not in p.tag for p in self._morph.parse(word)
        )

    def _geox_noun(self, norm: str) -> str | None:
        """The lemma when the word's most likely reading is a Geox noun («москвы» → «москва»).

        «Калуга» (also a fish) and «Волга» (also a car) pass only when the place reading
        comes first; person names and common nouns never do."""
        if len(norm) < 3 or not self._morph.word_is_known(norm):
            return None
        best = self._morph.parse(norm)[0]
        if best.tag.POS != "NOUN" or "Geox" not in best.tag:
            return None
        return best.normal_form.replace("ё", "е")

    def _adjective_place(self, lemma: str) -> str | None:
        """The Geox noun an adjective lemma derives from, or None."""
        if lemma in NOT_PLACES:
            return None
        if lemma in IRREGULAR:
            return IRREGULAR[lemma]
        suffix = next((s for s in ADJECTIVE_SUFFIXES if lemma.endswith(s)), None)
        if suffix is None:
            return None
        stem = lemma[: -len(suffix)] + ("ц" if suffix == "цкий" else "")
        if len(stem) < 2 or (suffix != "цкий" and self._common_noun(stem)):
            return None  # «брат-ский», «октябрь-ский»: the adjective of a common noun
        order = DERIVATIONS if len(stem) > SHORT_STEM else (("", "ск"), *DERIVATIONS)
        if suffix == "цкий":  # донец-кий → Донецк before the river Донец
            order = (("", "к"), *order)
        for cut, add in order:
            if cut and not stem.endswith(cut):
                continue
            noun = (stem[: -len(cut)] if cut else stem) + add
            if len(noun) >= 4 and self._known_geox(noun):
                return noun
        return None
