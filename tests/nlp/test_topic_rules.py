"""The rule topic classifier on realistic local complaints and news."""
import pytest

from nlp.topic import TopicClassifier

CASES = [
    ("В Лаптево третий день нет воды! Сколько можно?", "utilities"),
    ("Опять отключили свет на Вокзальной, холодильник потёк, Россети трубку не берут", "utilities"),
    ("Батареи еле тёплые, в квартире 16 градусов, управляющая компания молчит", "utilities"),
    ("На Советской опять яма на яме, дорогу не ремонтировали пять лет", "roads"),
    ("Когда грейдер пройдёт по дороге на Быково? Колея по колено", "roads"),
    ("Мусор не вывозят уже две недели, контейнеры переполнены", "waste"),
    ("На окраине опять стихийная свалка, региональный оператор не реагирует", "waste"),
    ("В ЦРБ нет педиатра, записаться к врачу невозможно", "healthcare"),
    ("Скорая ехала к бабушке два часа, фельдшер один на всю округу", "healthcare"),
    ("Стая бродячих собак покусала ребёнка возле школы", "animals"),
    ("Автобус до Охоны опять не пришёл, расписание никто не соблюдает", "transport"),
    ("Пожар в Охоне: сгорел сарай, пострадавших нет, работали пожарные МЧС", "safety"),
    ("ДТП на трассе Р-8: столкнулись два автомобиля, есть пострадавшие", "safety"),
    ("В школе № 6 холодно, ученики сидят на уроках в куртках", "education"),
    ("В детском саду не хватает воспитателей, группы переполнены", "education"),
    ("Нет интернета и мобильной связи в Богослово уже неделю", "communications"),
    ("Администрация так и не ответила на коллективное обращение жителей, депутаты молчат", "government"),
    ("Приглашаем на концерт в дом культуры, вход свободный", "culture"),
    ("Соревнования по лыжным гонкам пройдут на стадионе в субботу", "sport"),
    ("Пенсионерам задержали выплату пенсии, в соцзащите разводят руками", "social_support"),
    ("Во дворе сломали детскую площадку, скамейки разбиты, фонари не горят", "improvement"),
    ("Фермеры жалуются: урожай картофеля гибнет, поле затопило", "agriculture"),
    ("Борщевик заполонил обочины, вырубка леса у реки продолжается", "ecology"),
    ("В центре закрылся ещё один магазин, предприниматели жалуются на налоги", "economy"),
    ("Волонтёры молодёжного центра провели акцию для подростков", "youth"),
]


@pytest.fixture(scope="module")
def classifier(analyzer) -> TopicClassifier:
    return analyzer.topic_rules


@pytest.mark.parametrize("text, topic", CASES, ids=[c[1] + ":" + c[0][:25] for c in CASES])
def test_primary_topic(classifier, lemmatizer, text, topic):
    result = classifier.classify(lemmatizer.lemmatize(text))
    assert result.primary.code == topic, result.evidence
    assert 0.3 <= result.primary.confidence <= 1.0


def test_every_topic_has_keywords(analyzer):
    empty = [t.code for t in analyzer.rubricator.topics if not t.keywords and t.code != "other"]
    assert empty == []


def test_no_keyword_gives_other_with_low_confidence(classifier, lemmatizer):
    result = classifier.classify(lemmatizer.lemmatize("Хорошая погода сегодня, всем доброго утра"))
    assert result.primary.code == "other"
    assert result.primary.confidence <= 0.2
    assert result.secondary == []


def test_phrases_weigh_more_than_single_words(classifier, lemmatizer):
    scores, evidence = classifier.scores(lemmatizer.lemmatize("нет горячей воды"))
    assert "нет вода" in evidence["utilities"]  # a word may stand inside a phrase
    assert scores["utilities"] == pytest.approx(1.0 + 2.0 + 2.0)  # вода + нет вода + горячий вода


def test_secondary_topics(classifier, lemmatizer):
    text = "Автобус до Быкова отменили из-за ремонта дороги, остановку перенесли, расписание рейсов не вывесили"
    result = classifier.classify(lemmatizer.lemmatize(text))
    assert result.primary.code == "transport"
    assert "roads" in [t.code for t in result.secondary]
    assert result.all[0] == result.primary
    assert all(t.confidence < result.primary.confidence for t in result.secondary)


def test_one_stray_keyword_is_not_confident(classifier, lemmatizer):
    result = classifier.classify(lemmatizer.lemmatize("Видели вчера в сквере"))
    assert result.primary.code == "improvement"
    assert result.primary.confidence < 0.5
