"""The content lemmas that compare appeals (``nlp.appeal_analysis.ProblemTerms``): no function words,
no words of the address column or of the masks, no place names."""
from __future__ import annotations

from nlp.appeal_analysis import ProblemTerms
from nlp.lemmas import Lemmatizer

ADDRESS = "г.Санкт-Петербург, проспект Ветеранов, дом 50, литера А"
TEXT = "Нет освещения при входе в парадную дома на проспекте Ветеранов. Звоните [телефон], [ФИО]"


def test_the_address_and_the_masks_are_not_the_problem() -> None:
    lemmatizer = Lemmatizer()
    terms = ProblemTerms(lemmatizer)
    lemmas = [t.lemma for t in lemmatizer.tokens(f"{TEXT}\n{ADDRESS}")]
    assert sorted(terms(lemmas, [], ADDRESS)) == ["вход", "звонить", "освещение", "парадный"]
    # without the address given, its words stay (two appeals of one building would share them all)
    assert sorted(terms(lemmas, [], "")) == ["ветеран", "вход", "звонить", "литера", "освещение", "парадный",
                                             "проспект", "санкт-петербург"]


def test_place_names_are_left_out() -> None:
    lemmatizer = Lemmatizer()
    lemmas = [t.lemma for t in lemmatizer.tokens("В Лаптево нет воды, сгорел насос")]
    assert sorted(ProblemTerms(lemmatizer)(lemmas, ["Лаптево"])) == ["вода", "насос", "сгореть"]
