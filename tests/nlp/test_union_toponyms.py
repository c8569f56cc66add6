"""The union on news-like text: NER spans, dictionary place words and their filters."""


def found(analyzer, text, use_ner=True):
    return [(t.text, t.name, t.kind) for t in analyzer.toponyms.find_many([text], use_ner=use_ner)[0]]


def test_adjectives_of_places_and_geox_nouns(analyzer):
    assert ("российские", "Россия", "unknown") in found(analyzer, "российские власти обсудили бюджет")
    assert ("пестовские", "Пестово", "town") in found(analyzer, "пестовские дороги опять в ямах")


def test_filters_on_adjectives(analyzer):
    assert found(analyzer, "в 9 утра по московскому времени") == []
    assert "Камский" not in [t[0] for t in found(analyzer, "Гата Камский выиграл партию")]
    assert found(analyzer, "политический кризис и городской бюджет") == []


def test_person_names_are_not_places(analyzer):
    texts = [t[0] for t in found(analyzer, "Дмитрий Медведев и Сергей Курский приехали в Тверь")]
    assert texts == ["Тверь"]
