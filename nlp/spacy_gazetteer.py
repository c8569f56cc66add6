"""The gazetteer matched with spaCy, to measure against the hand-written matcher
(:class:`nlp.toponyms.ToponymFinder`); ``mcu eval --only toponyms`` prints both.

A blank ``ru`` pipeline with spaCy's pymorphy3 lemmatizer (no model download) and a
``PhraseMatcher`` in one of two modes:

* ``lemma``: patterns are the gazetteer names as the pipeline lemmatises them, matched on
  ``LEMMA``, the way spaCy's docs suggest. pymorphy3 lemmatises village names it does not
  know by analogy («Лаптеве» → «лаптев», while «Лаптево» stays «лаптево»), so inflected
  forms of such names are lost.
* ``forms``: patterns are every case form that :mod:`nlp.inflection` generates, matched on
  ``NORM`` (lower case, «ё» folded). This is the hand-written matcher's knowledge with
  spaCy's tokenizer and matcher.

Either way the matches go through the same acceptance rules as the hand-written matcher
(cues for ambiguous and surname-like names), so the comparison is of the matching itself.
spaCy is needed only here (the ``dev`` extra); the analyser does not use this module.
"""
from __future__ import annotations

from typing import Literal, Sequence

from core.domain import Toponym
from nlp.gazetteer import Gazetteer, Place, merge_homonyms
from nlp.inflection import name_forms
from nlp.lemmas import YO_TABLE, Token, is_word
from nlp.toponyms import LIST_GAP, ToponymFinder, cue_kind

Mode = Literal["lemma", "forms"]


class SpacyGazetteer:
    """Gazetteer toponyms of a text, found by a spaCy ``PhraseMatcher``."""

    def __init__(self, gazetteer: Gazetteer, finder: ToponymFinder, mode: Mode = "forms") -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self.gazetteer = gazetteer
        self.finder = finder
        self.mode = mode
        self.nlp = spacy.blank("ru")
        if mode == "lemma":
            self.nlp.add_pipe("lemmatizer", config={"mode": "pymorphy3"})
            self.nlp.initialize()
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA" if mode == "lemma" else "NORM")
        self.places: list[Place] = merge_homonyms(gazetteer.places)
        for index, place in enumerate(self.places):
            key = f"place{index}"
            if mode == "lemma":
                patterns = [self.nlp(surface.translate(YO_TABLE)) for surface in place.surface_names]
            else:
                patterns = [self.nlp.make_doc(" ".join(form)) for surface in place.surface_names
                            for form in name_forms(surface)]
            self.matcher.add(key, patterns)

    def _tokens(self, doc) -> list[Token]:
        """spaCy tokens as the shared acceptance rules expect them (words only)."""
        return [Token(t.text, t.idx, t.idx + len(t.text), t.lower_.rstrip("."), t.lemma_ or t.lower_)
                for t in doc if is_word(t.text)]

    def find(self, text: str, tokens: Sequence[Token] | None = None) -> list[Toponym]:
        """Gazetteer toponyms of ``text`` (``tokens`` are ignored: spaCy tokenises itself)."""
        doc = self.nlp(text.translate(YO_TABLE)) if self.mode == "lemma" else self.nlp.make_doc(text.translate(YO_TABLE))
        tokens = self._tokens(doc)
        at = {t.start: i for i, t in enumerate(tokens)}
        candidates: dict[tuple[int, int], list[Place]] = {}
        for match_id, start, end in self.matcher(doc):
            span = doc[start:end]
            place = self.places[int(self.nlp.vocab.strings[match_id][5:])]
            candidates.setdefault((span.start_char, span.end_char), []).append(place)
        found: list[Toponym] = []
        taken_until = -1
        # longest first at each start, left to right, never overlapping: as the hand-written matcher
        for (start, end), places in sorted(candidates.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
            if start < taken_until or start not in at:
                continue
            i = at[start]
            length = sum(1 for t in tokens[i:] if t.end <= end)
            place = self._choose(tokens, i, places)
            listed = bool(found) and LIST_GAP.fullmatch(text[found[-1].end : start]) is not None
            if self.finder.accept(tokens, i, length, place, cue_kind(tokens, i), False, listed):
                found.append(self.finder.place_at(text, start, end, place))
                taken_until = end
        return found

    @staticmethod
    def _choose(tokens: Sequence[Token], i: int, places: list[Place]) -> Place:
        from nlp.gazetteer import KIND_PRIORITY
        from nlp.toponyms import _kind_fits

        ranked = sorted(places, key=lambda p: KIND_PRIORITY.index(p.kind))
        cue = cue_kind(tokens, i)
        return next((p for p in ranked if _kind_fits(p.kind, cue)), ranked[0])
