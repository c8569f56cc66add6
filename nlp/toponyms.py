"""Place names in a text: the union of four finders, each adding what the others missed.

1. Address patterns (:mod:`nlp.addresses`): «ул. Ленина, д. 5», «д. Кузьминка», «в районе …».
   Their names are looked up in the gazetteer, so «ул. Советская» is the Pestovo street.
2. The gazetteer: case-insensitive over normalised tokens, longest form first («в Русском
   Пестове» is the village, not the town), undeclined and lower-case forms included. Names
   flagged ``ambiguous`` («Гора», «Белая», «Советская») need a cue: a type word just before
   («д. Гора», «на реке Белой»), or a capital letter after a preposition («в Горке»), or a
   Natasha LOC span around them.
3. Natasha LOC spans; those that are not in the gazetteer become places of kind ``unknown``.
4. Dictionary place words (:mod:`nlp.place_words`): capitalised Geox nouns the NER missed
   («Алтае», «Мали»), and adjectives of places («российских», «пестовские»), never inside
   a person's name nor as a whole organisation's name («Барселона» the club).
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

from core.domain import Toponym
from nlp.addresses import Address, find_addresses
from nlp.gazetteer import Gazetteer, Place
from nlp.inflection import name_words
from nlp.lemmas import Lemmatizer, Token
from nlp.ner import ORG_HEADS, LocSpan, find_entities, head_lemma, is_first_name, is_geox, normalize_location
from nlp.place_words import PlaceWords, display_name

# Words that announce a kind of place, compared with a token's surface form or lemma.
CUE_WORDS: dict[str, frozenset[str]] = {
    "village": frozenset({"д", "дер", "деревня", "деревенька", "с", "село", "пос", "п", "поселок", "нп",
                          "житель", "жительница", "староста"}),
    "town": frozenset({"г", "город", "гор"}),
    "street": frozenset({"ул", "улица", "пер", "переулок", "шоссе", "проспект", "пр", "площадь", "пл"}),
    "river": frozenset({"р", "река", "речка"}),
    "lake": frozenset({"оз", "озеро"}),
    "station": frozenset({"ст", "станция", "платформа"}),
}
PREPOSITIONS = frozenset(
    {"в", "во", "на", "из", "у", "до", "от", "по", "за", "под", "около", "возле", "через", "к", "ко", "с", "со",
     "близ", "над", "между", "перед", "среди", "вокруг", "напротив", "мимо", "вдоль"}
)


LIST_GAP = re.compile(r"\s*(,|и|или)\s*|\s*,\s*(и|или)\s*")


def cue_kind(tokens: Sequence[Token], i: int) -> str | None:
    """The kind announced by the one or two words before token ``i`` («в д. Гора» → village)."""
    for j in (i - 1, i - 2):
        if j < 0:
            break
        for kind, words in CUE_WORDS.items():
            if tokens[j].norm in words or tokens[j].lemma in words:
                return kind
        if tokens[j].norm not in PREPOSITIONS:
            break
    return None


def starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t«\"'(")
    return not before or before[-1] in ".!?…\n" or "\n" in text[len(before) : start]


def _overlaps(start: int, end: int, found: Sequence[Toponym]) -> bool:
    return any(t.start < end and start < t.end for t in found)


def _kind_fits(place_kind: str, cue: str | None) -> bool:
    return cue is not None and (place_kind == cue or {place_kind, cue} <= {"village", "town"})


class ToponymFinder:
    """Finds :class:`core.domain.Toponym` records; NER is optional per call (it costs time)."""

    def __init__(self, gazetteer: Gazetteer, lemmatizer: Lemmatizer, place_words: PlaceWords | None = None,
                 matcher: Callable[[str, Sequence[Token]], list[Toponym]] | None = None) -> None:
        self.gazetteer = gazetteer
        self.lemmatizer = lemmatizer
        self.place_words = place_words or PlaceWords()
        # the gazetteer step; another matcher (nlp.spacy_gazetteer) can stand in for comparisons
        self.match_gazetteer = matcher or self._match
        self._max_words = gazetteer.max_words
        self._name_length = {p.name: len(name_words(p.name)) for p in gazetteer.places}

    def _toponym(self, text: str, tokens: Sequence[Token], place: Place) -> Toponym:
        return self.place_at(text, tokens[0].start, tokens[-1].end, place)

    def place_at(self, text: str, start: int, end: int, place: Place) -> Toponym:
        return Toponym(
            text=text[start:end],
            start=start,
            end=end,
            name=place.name,
            kind=place.kind,
            department=self.gazetteer.department_of(place),
            lat=place.lat,
            lon=place.lon,
        )

    def accept(
        self, tokens: Sequence[Token], i: int, length: int, place: Place, cue: str | None, trusted: bool,
        listed: bool = False,
    ) -> bool:
        """Ambiguous names and surname-like forms need a cue, a capital after a preposition, or NER.

        ``listed``: the name continues a list of places («в Лаптеве, Быкове и Охоне»), which
        counts as the preposition before it. A form that is also a common word («Пальцевом»,
        an adjective's form) is taken when capitalised inside a sentence."""
        form = tuple(t.norm for t in tokens[i : i + length])
        weak = place.ambiguous and length <= self._name_length[place.name]
        common = form in self.gazetteer.common_forms
        if trusted or not (weak or common or form in self.gazetteer.surname_forms):
            return True
        if _kind_fits(place.kind, cue):
            return True
        after_preposition = listed or (i > 0 and tokens[i - 1].norm in PREPOSITIONS)
        if common and not weak:
            return tokens[i].capitalized and (after_preposition or i > 0)
        if after_preposition and not weak:  # «у быкова»: a surname-like form, written in lower case
            return True
        return tokens[i].capitalized and after_preposition

    def _match(self, text: str, tokens: Sequence[Token], trusted: bool = False) -> list[Toponym]:
        found: list[Toponym] = []
        i = 0
        while i < len(tokens):
            step = 1
            for length in range(min(self._max_words, len(tokens) - i), 0, -1):
                candidates = self.gazetteer.forms.get(tuple(t.norm for t in tokens[i : i + length]))
                if not candidates:
                    continue
                cue = cue_kind(tokens, i)
                place = next((p for p in candidates if _kind_fits(p.kind, cue)), candidates[0])
                listed = bool(found) and LIST_GAP.fullmatch(text[found[-1].end : tokens[i].start]) is not None
                if self.accept(tokens, i, length, place, cue, trusted, listed):
                    found.append(self._toponym(text, tokens[i : i + length], place))
                    step = length
                    break
            i += step
        return found

    def find(
        self, text: str, tokens: Sequence[Token] | None = None, locations: Sequence[LocSpan] | None = None
    ) -> list[Toponym]:
        """Toponyms of one text; pass ``locations`` (NER spans: LOC, and ORG/PER as filters)
        to add Natasha's finds."""
        tokens = self.lemmatizer.tokens(text) if tokens is None else tokens
        entities = list(locations or ())
        found = [self._address_toponym(text, tokens, a) for a in find_addresses(text, tokens)]
        found += [t for t in self.match_gazetteer(text, tokens) if not _overlaps(t.start, t.end, found)]
        for span in entities:
            if span.type != "LOC" or _overlaps(span.start, span.end, found):
                continue
            inside = [t for t in tokens if span.start <= t.start and t.end <= span.end]
            if not inside:
                continue
            # what the rules accept was found above; NER vouches for an ambiguous name only
            # when its span is exactly that name («Гора», not «Лысой горы»)
            whole = self._match(text, inside, trusted=True)
            if len(whole) == 1 and (whole[0].start, whole[0].end) == (inside[0].start, inside[-1].end):
                found.extend(whole)
            elif self._plausible(text, inside):
                found.append(
                    Toponym(
                        text=text[inside[0].start : inside[-1].end],
                        start=inside[0].start,
                        end=inside[-1].end,
                        name=normalize_location([t.text for t in inside]),
                        kind="unknown",
                    )
                )
        found += self._dictionary_places(text, tokens, found, entities)
        return sorted(found, key=lambda t: (t.start, t.end))

    def _address_toponym(self, text: str, tokens: Sequence[Token], address: Address) -> Toponym:
        """The gazetteer's place when it knows the address's name («ул. Советская»), else the address."""
        first, last = address.name_tokens
        candidates = self.gazetteer.forms.get(tuple(t.norm for t in tokens[first : last + 1]), [])
        start, end = tokens[address.first].start, tokens[address.last].end
        wanted = {"street"} if address.kind == "street" else {"village", "town", "station"}
        place = next((p for p in candidates if p.kind in wanted or address.kind == "unknown"), None)
        if place is not None:
            return self.place_at(text, start, end, place)
        return Toponym(text=text[start:end], start=start, end=end, name=address.name, kind=address.kind)

    def _dictionary_places(
        self, text: str, tokens: Sequence[Token], found: Sequence[Toponym], entities: Sequence[LocSpan]
    ) -> list[Toponym]:
        """Geox nouns the NER missed and adjectives of places, outside every other find."""
        words = self.place_words
        blocked = [(e.start, e.end) for e in entities if e.type == "PER"]
        result: list[Toponym] = []
        for i, tok in enumerate(tokens):
            if _overlaps(tok.start, tok.end, found) or any(s <= tok.start and tok.end <= e for s, e in blocked):
                continue
            noun = words.geox_noun(tok.norm) if tok.capitalized else None
            if noun is not None and any(e.type == "ORG" and (e.start, e.end) == (tok.start, tok.end)
                                        for e in entities):
                continue  # the whole organisation's name: «Барселона» the club
            if noun is None:
                noun = words.adjective_place(tok.lemma)
                if noun is not None and self._not_a_place_adjective(tokens, i):
                    continue
            if noun is None:
                continue
            places = self.gazetteer.forms.get((noun,))
            if places:
                result.append(self.place_at(text, tok.start, tok.end, places[0]))
            else:
                result.append(Toponym(text=tok.text, start=tok.start, end=tok.end, name=display_name(noun),
                                      kind="unknown"))
        return result

    @staticmethod
    def _not_a_place_adjective(tokens: Sequence[Token], i: int) -> bool:
        """«по московскому времени» is a time zone; «Гата Камский» a surname after a first name."""
        tok = tokens[i]
        if i + 1 < len(tokens) and tokens[i + 1].lemma == "время":
            return True
        return tok.capitalized and i > 0 and tokens[i - 1].capitalized and is_first_name(tokens[i - 1].text)

    @staticmethod
    def _plausible(text: str, inside: Sequence[Token]) -> bool:
        """Drop LOC spans that are bodies («Администрации округа») or a capitalised common word
        opening a sentence («Контейнерная площадка...», «Жители...»)."""
        words = [t.text for t in inside]
        if head_lemma(words) in ORG_HEADS:
            return False
        return not (len(words) == 1 and starts_sentence(text, inside[0].start) and not is_geox(words[0]))

    def find_many(
        self, texts: Sequence[str], tokens: Sequence[Sequence[Token]] | None = None, use_ner: bool = True
    ) -> list[list[Toponym]]:
        """Toponyms of many texts; NER runs once over the whole batch when ``use_ner``."""
        tokens = [self.lemmatizer.tokens(text) for text in texts] if tokens is None else tokens
        locations = find_entities(texts) if use_ner else [None] * len(texts)
        return [self.find(text, toks, locs) for text, toks, locs in zip(texts, tokens, locations)]
