"""Address patterns, and what the toponym finder makes of them."""
import pytest

from nlp.addresses import find_addresses, street_name


def addresses(lemmatizer, text):
    tokens = lemmatizer.tokens(text)
    return [(text[tokens[a.first].start : tokens[a.last].end], a.kind, a.name) for a in find_addresses(text, tokens)]


@pytest.mark.parametrize("text, expected", [
    ("Яма у дома ул. Ленина, д. 5", [("ул. Ленина, д. 5", "street", "улица Ленина")]),
    ("на ул.Советской прорвало трубу", [("ул.Советской", "street", "улица Советская")]),
    ("пер. 8 Марта не чистят", [("пер. 8 Марта", "street", "переулок 8 Марта")]),
    ("на пр-те Мира, 12 нет света", [("пр-те Мира, 12", "street", "проспект Мира")]),
    ("на Заречной улице темно", [("Заречной улице", "street", "улица Заречная")]),
    ("в д. Кузьминка сгорел дом", [("Кузьминка", "village", "Кузьминка")]),
    ("пос. Строитель без воды", [("Строитель", "village", "Строитель")]),
    ("в районе Заречья горит трава", [("Заречья", "unknown", "Заречья")]),
    ("г. Боровичи, ул. Ленина", [("Боровичи", "town", "Боровичи"), ("ул. Ленина", "street", "улица Ленина")]),
])
def test_addresses(lemmatizer, text, expected):
    assert addresses(lemmatizer, text) == expected


@pytest.mark.parametrize("text", [
    "В 2016 г. В Москве прошёл форум",        # «г.» after a year
    "Д. Медведев заявил",                     # an initial
    "с Ивановым договорились",                # the preposition «с»
    "на улице, Уральский хребет",             # a comma between type and name
    "город. Утром всё замело",                # a full stop
    "в г. Этот вопрос решён",                 # a pronoun is no town
])
def test_not_addresses(lemmatizer, text):
    assert addresses(lemmatizer, text) == []


def test_street_names_agree_with_their_type():
    assert street_name("ул", ["Советской"]) == "улица Советская"
    assert street_name("пр-т", ["Ленинского"]) == "проспект Ленинский"
    assert street_name("ул", ["Ленина"]) == "улица Ленина"


def test_gazetteer_street_keeps_its_address_span(analyzer):
    (street,) = analyzer.toponyms.find("прорыв на ул. Советской, д. 12")
    assert (street.text, street.name, street.kind) == ("ул. Советской, д. 12", "Советская", "street")
    (other,) = analyzer.toponyms.find("прорыв на ул. Кленовой")
    assert (other.name, other.kind, other.department) == ("улица Кленовая", "street", None)
