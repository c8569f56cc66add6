"""Dictionary place words: Geox nouns and adjectives derived from places."""
import pytest

from nlp.place_words import PlaceWords, display_name


@pytest.fixture(scope="module")
def words():
    return PlaceWords()


@pytest.mark.parametrize("lemma, place", [
    ("российский", "россия"), ("американский", "америка"), ("московский", "москва"), ("британский", "британия"),
    ("украинский", "украина"), ("итальянский", "италия"), ("французский", "франция"), ("европейский", "европа"),
    ("курский", "курск"), ("лондонский", "лондон"), ("пестовский", "пестово"), ("немецкий", "германия"),
    ("донецкий", "донецк"), ("тверской", "тверь"),
])
def test_place_adjectives(words, lemma, place):
    assert words.adjective_place(lemma) == place


@pytest.mark.parametrize("lemma", [
    "русский", "политический", "городской", "сельский", "братский", "октябрьский", "олимпийский", "советский",
    "детский", "человеческий", "морской", "хороший",
])
def test_not_place_adjectives(words, lemma):
    assert words.adjective_place(lemma) is None


def test_geox_nouns(words):
    assert words.geox_noun("алтае") == "алтай"
    assert words.geox_noun("москвы") == "москва"
    assert words.geox_noun("мир") is None and words.geox_noun("надежда") is None
    assert words.geox_noun("лаптевоо") is None  # guessed words never count


def test_display_names():
    assert [display_name(x) for x in ("нью-йорк", "ссср", "москва")] == ["Нью-Йорк", "СССР", "Москва"]
