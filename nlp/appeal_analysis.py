"""The structure of citizens' appeals (decree 2.2.1): the same steps as a post's analysis —
lemmas, places of the gazetteer, topic of the rubricator, block, territorial department —
without sentiment and risk, which belong to social media. The address is read with the text,
so that «д. Лаптево» in the address column places the appeal."""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from core.appeals import Appeal, AppealAnalysis
from nlp import stories
from nlp.analyzer import Analyzer
from nlp.lemmas import Lemmatizer


def appeal_text(appeal: Appeal) -> str:
    return f"{appeal.text}\n{appeal.address}" if appeal.address else appeal.text


def structure(analyzer: Analyzer, appeals: Sequence[Appeal], use_ner: bool = False) -> list[AppealAnalysis]:
    """One analysis per appeal, in order. NER is off by default: the gazetteer finds the
    district's places, and a 60,000-row export must import in minutes (bench/appeals_import.py)."""
    texts = [appeal_text(a) for a in appeals]
    lemmatizer = analyzer.lemmatizer
    tokens = [lemmatizer.tokens(text) for text in texts]
    places = analyzer.toponyms.find_many(texts, tokens, use_ner=use_ner)
    rubricator = analyzer.rubricator
    result = []
    for appeal, toks, found in zip(appeals, tokens, places):
        lemmas = [t.lemma for t in toks]
        topic = analyzer.topics.classify(lemmas).primary.code
        village = analyzer.place_of(found)
        result.append(AppealAnalysis(
            lemmas=lemmas, topic=topic,
            block=rubricator.rural_block if village else rubricator.topic(topic).block,
            places=list(dict.fromkeys(t.name for t in found)),
            department=village.department if village else None,
            signal=appeal.analysis.signal, answer_kind=appeal.analysis.answer_kind,
            routed_body=appeal.analysis.routed_body,
        ))  # fmt: skip
    return result


ADDRESS_WORDS = frozenset({"далее", "д", "ул", "улица", "кв", "квартира", "дом", "г", "город", "деревня", "село",
                           "пр", "пер", "фио", "телефон", "email", "e-mail"})
"""Lemmas of the address column and of the masks («д.» lemmatises as «далее»): every appeal has them."""


class ProblemTerms:
    """(lemmas, place names, address) → the content lemmas that tell one appeal's problem from
    another's: the story tracker's (``nlp.stories.problem_terms``) without the words of addresses
    and masks, nor the lemmas of the appeal's own address (they are read with its text, and two
    appeals from one building share them all)."""

    def __init__(self, lemmatizer: Lemmatizer, cache_size: int = 100_000) -> None:
        self.lemmatizer = lemmatizer
        self._address_lemmas = lru_cache(maxsize=cache_size)(self._lemmas)

    def _lemmas(self, address: str) -> frozenset[str]:
        return frozenset(t.lemma for t in self.lemmatizer.tokens(address))

    def __call__(self, lemmas: Sequence[str], places: Sequence[str] = (), address: str = "") -> set[str]:
        terms = stories.problem_terms(lemmas, places) - ADDRESS_WORDS
        return terms - self._address_lemmas(address) if address.strip() else terms
