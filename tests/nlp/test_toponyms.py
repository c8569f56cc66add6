"""Toponyms in realistic sentences: cases, lower case, prepositions, ambiguous names."""
import pytest

# (sentence, [(surface text, canonical name, department)]) with NER off: gazetteer rules alone.
CASES = [
    ("В Лаптеве третий день нет воды", [("Лаптеве", "Лаптево", "laptevsky")]),
    ("в лаптево опять отключили свет", [("лаптево", "Лаптево", "laptevsky")]),
    ("Из Быкова в Пестово автобус не ходит", [("Быкова", "Быково", "bykovsky"), ("Пестово", "Пестово", None)]),
    ("Жители деревни Быково просят отремонтировать мост", [("Быково", "Быково", "bykovsky")]),
    ("На Советской опять яма", [("Советской", "Советская", None)]),
    ("Яма на улице Советской у магазина", [("улице Советской", "Советская", None)]),
    ("ул. Ленина, д. 5 перекрыта до вечера", [("ул. Ленина, д. 5", "Ленина", None)]),
    ("В Русском Пестове прорвало трубу", [("Русском Пестове", "Русское Пестово", "russko_pestovsky")]),
    ("дорога на русское пестово разбита", [("русское пестово", "Русское Пестово", "russko_pestovsky")]),
    ("В Вятке закрыли ФАП", [("Вятке", "Вятка", "vyatsky")]),
    ("в деревне Охона нет света", [("Охона", "Охона", "okhonsky")]),
    ("из Охоны так и не приехала скорая", [("Охоны", "Охона", "okhonsky")]),
    ("Устюцкое: в школе холодно", [("Устюцкое", "Устюцкое", "ustyutsky")]),
    ("в Устюцком отменили автобус", [("Устюцком", "Устюцкое", "ustyutsky")]),
    ("В Богослове закрыли почту", [("Богослове", "Богослово", "bogoslovsky")]),
    ("в богослово нет связи", [("богослово", "Богослово", "bogoslovsky")]),
    ("На реке Мологе прорвало дамбу", [("Мологе", "Молога", None)]),
    ("рыбаки на Меглинке жалуются на мор рыбы", [("Меглинке", "Меглинка", None)]),
    ("На озере Меглино цветёт вода", [("озере Меглино", "Меглино", None)]),
    ("в д. Гора сгорел дом", [("Гора", "Гора", "bogoslovsky")]),
    ("Гора мусора во дворе уже месяц", []),
    ("на горке катаются дети", []),
    ("В Горке прорвало трубу", [("Горке", "Горка", None)]),  # no source gives its department
    ("В ЦРБ нет педиатра", [("ЦРБ", "Пестовская ЦРБ", None)]),
    ("в райбольнице очереди с утра", [("райбольнице", "Пестовская ЦРБ", None)]),
    ("В районной больнице сломался рентген", [("районной больнице", "Пестовская ЦРБ", None)]),
    ("В школе № 6 холодно", [("школе № 6", "школа № 6", None)]),
    ("у школы №1 нет тротуара", [("школы №1", "школа № 1", None)]),
    ("на станции Абросово не останавливается поезд", [("станции Абросово", "станция Абросово", "bogoslovsky")]),
    ("в Абросово нет магазина", [("Абросово", "Абросово", "bogoslovsky")]),
    ("на вокзале нет туалета", [("вокзале", "вокзал", None)]),
    ("ДТП на трассе Р-8 у Пальцева", [("трассе Р-8", "трасса Р-8", None), ("Пальцева", "Пальцево", "ustyutsky")]),
    ("Дмитрий Медведев и Дмитрия Медведева", []),
    ("Жители Горки просят починить мост", [("Горки", "Горка", None)]),  # «жители» announces a settlement
    ("у быкова на дороге яма", [("быкова", "Быково", "bykovsky")]),  # surname-like form after a preposition
    ("на горке катаются дети", []),
    ("приехали из Медведева", [("Медведева", "Медведево", None)]),  # two Медведево: which one is unknown
    ("на реке Кирве и в Кирве", [("Кирве", "Кирва", None), ("Кирве", "Кирва", "bogoslovsky")]),
    ("в Заручевье провалился асфальт", [("Заручевье", "Заручевье", "russko_pestovsky")]),
    ("в Новом Сихине нет света", [("Новом Сихине", "Новое Сихино", "bogoslovsky")]),
    ("на Чёрном озере", [("Чёрном озере", "Чёрное озеро", None)]),
    ("Советская власть и белая краска", []),
    ("на реке Белой", [("Белой", "Белая", None)]),
    ("в Пестовском районе", [("Пестовском районе", "Пестовский округ", None)]),
    ("пестово — маленький город", [("пестово", "Пестово", None)]),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:30] for c in CASES])
def test_gazetteer_toponyms(analyzer, text, expected):
    found = analyzer.toponyms.find(text)
    assert [(t.text, t.name, t.department) for t in found] == expected
    for toponym in found:
        assert text[toponym.start : toponym.end] == toponym.text


def test_at_least_thirty_sentences():
    assert len(CASES) >= 30


def test_toponym_carries_kind_and_coordinates(analyzer):
    (village,) = analyzer.toponyms.find("Новости из Охоны")
    assert (village.kind, village.lat, village.lon) == ("village", 58.565833, 35.635)
    assert (village.start, village.end) == (11, 16)
    (street,) = analyzer.toponyms.find("на Народной")
    assert street.kind == "street" and street.lat is None


def test_ner_adds_unknown_locations(analyzer):
    text = "Губернатор приехал из Великого Новгорода в Лаптево"
    with_ner = analyzer.toponyms.find_many([text], use_ner=True)[0]
    without = analyzer.toponyms.find_many([text], use_ner=False)[0]
    # without NER the dictionary still knows «Новгорода» as a place, but not the whole name
    assert [(t.text, t.name, t.kind) for t in without] == [("Новгорода", "Новгород", "unknown"),
                                                           ("Лаптево", "Лаптево", "village")]
    assert ("Великий Новгород", "unknown", None) in [(t.name, t.kind, t.department) for t in with_ner]
    unknown = next(t for t in with_ner if t.kind == "unknown")
    assert text[unknown.start : unknown.end] == "Великого Новгорода"


def test_ner_vouches_only_for_a_whole_ambiguous_name(analyzer):
    texts = ["Ремонт моста у Горки", "Поднялись на вершину Лысой горы", "Ремонт моста в районе Горки"]
    assert analyzer.toponyms.find_many(texts[1:2], use_ner=False) == [[]]
    village, mountain, area = analyzer.toponyms.find_many(texts, use_ner=True)
    assert [(t.name, t.kind) for t in village] == [("Горка", "village")]
    # «Лысой горы» is a LOC span, but «горы» alone is not the village Гора
    assert [(t.name, t.kind) for t in mountain] == [("Лысая гора", "unknown")]
    # «в районе …» announces a place even without NER
    assert [(t.name, t.kind) for t in analyzer.toponyms.find(texts[2])] == [("Горка", "village")]


def test_ner_drops_bodies_and_sentence_initial_common_words(analyzer):
    texts = ["Администрация округа сообщает: в Лаптеве отключат воду.", "Контейнерная площадка на Вокзальной — позор"]
    first, second = analyzer.toponyms.find_many(texts, use_ner=True)
    assert [t.name for t in first] == ["Лаптево"]
    assert [t.name for t in second] == ["Вокзальная"]


def test_batch_keeps_order_and_empty_texts(analyzer):
    result = analyzer.toponyms.find_many(["", "в Охоне", "   ", "в Лаптеве"], use_ner=True)
    assert [[t.name for t in r] for r in result] == [[], ["Охона"], [], ["Лаптево"]]


def test_gazetteer_fixes_natasha_normal_forms_for_villages(analyzer):
    from nlp.ner import find_locations, normalize_location

    text = "Вчера в Лаптеве прорвало трубу, а в Быкове нет света"
    spans = find_locations([text])[0]
    assert [normalize_location([s.text]) for s in spans] == ["Лаптев", "Быков"]  # morphology alone
    found = analyzer.toponyms.find_many([text], use_ner=True)[0]
    assert [(t.text, t.name, t.kind, t.department) for t in found] == [
        ("Лаптеве", "Лаптево", "village", "laptevsky"), ("Быкове", "Быково", "village", "bykovsky")]
