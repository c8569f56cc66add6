"""The whole step: Analysis records from posts, with and without NER."""
from core.domain import Analysis
from nlp import Analyzer


def test_from_settings_resolves_the_gazetteer(analyzer, settings):
    assert analyzer.rubricator is settings.rubricator
    assert analyzer.thresholds == settings.risk
    assert analyzer.gazetteer.municipality == "Пестовский муниципальный округ"
    assert Analyzer.from_settings(settings).gazetteer is analyzer.gazetteer  # loaded once, shared


def test_village_post_goes_to_the_rural_block(analyzer, make_post):
    (result,) = analyzer.analyze([make_post("В Лаптеве третий день нет воды, сколько можно!", "r1", likes=5)])
    assert isinstance(result, Analysis)
    assert result.topic.code == "utilities"
    assert result.topics[0] == result.topic
    assert result.block == "rural" and result.department == "laptevsky"
    assert result.places == ["Лаптево"]
    assert result.sentiment.label == "negative"
    assert result.risk.level != "none"
    assert result.story_id is None
    assert result.lemmas[:2] == ["в", "лаптево"]


def test_town_post_goes_to_the_topic_block(analyzer, make_post):
    (roads, school) = analyzer.analyze(
        [make_post("На Советской яма на яме, дорогу не ремонтируют", "t1"),
         make_post("В школе № 6 холодно, ученики на уроках в куртках", "t2")]
    )
    assert (roads.block, roads.department) == ("infrastructure", None)
    assert (school.block, school.topic.code) == ("social", "education")


def test_town_street_is_not_rural_but_a_village_station_is(analyzer, make_post):
    (town, station) = analyzer.analyze(
        [make_post("Пестово, ул. Советская: прорвало трубу", "s1"),
         make_post("На станции Абросово опять не остановился поезд", "s2")]
    )
    assert town.block == "infrastructure" and town.department is None
    assert (station.block, station.department, station.topic.code) == ("rural", "bogoslovsky", "transport")


def test_ner_toggle(analyzer, make_post):
    post = make_post("Жители Лаптево написали губернатору Новгородской области", "n1")
    (with_ner,) = analyzer.analyze([post], use_ner=True)
    (without,) = analyzer.analyze([post], use_ner=False)
    assert "Новгородская область" in with_ner.places
    assert "Новгородская область" not in without.places
    assert "Лаптево" in without.places


def test_title_is_analysed_with_the_text(analyzer):
    from datetime import datetime, timezone

    from core.domain import Post

    post = Post(platform="rss", source="novvedomosti", native_id="1", title="Авария в Охоне",
                text="Прорвало трубу, без воды 40 домов.", published_at=datetime(2025, 1, 1, tzinfo=timezone.utc))
    (result,) = analyzer.analyze([post])
    assert result.department == "okhonsky" and result.topic.code == "utilities"


def test_empty_batch_and_empty_text(analyzer, make_post):
    assert analyzer.analyze([]) == []
    (result,) = analyzer.analyze([make_post("👍", "e1")])
    assert result.topic.code == "other" and result.lemmas == [] and result.sentiment.label == "positive"


def test_lemmatize_is_the_store_lemmatiser(analyzer):
    assert analyzer.lemmatize("Нет воды в Лаптеве") == ["нет", "вода", "в", "лаптево"]


def test_timings_are_recorded(analyzer, make_post):
    analyzer.analyze([make_post("Текст", "tm1")], use_ner=False)
    assert analyzer.timings.posts > 0
    assert {"lemmas", "toponyms", "topic", "sentiment", "risk"} <= set(analyzer.timings.steps)


def test_canonical_place_for_search(analyzer):
    assert analyzer.canonical_place("лаптеве") == "Лаптево"
    assert analyzer.canonical_place("ЦРБ") == "Пестовская ЦРБ"
    assert analyzer.canonical_place("русское пестово") == "Русское Пестово"
    assert analyzer.canonical_place("в д. Гора") == "Гора"
    assert analyzer.canonical_place(" Ставрополь ") == "Ставрополь"
