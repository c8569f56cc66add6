"""Lexicon sentiment: complaints, praise, negation, emoji, «!!!», official notices."""
import pytest


@pytest.fixture(scope="module")
def sentiment(analyzer, lemmatizer):
    def run(text: str):
        return analyzer.sentiment.analyze(text, lemmatizer.lemmatize(text))

    return run


@pytest.mark.parametrize(
    "text",
    [
        "В Лаптево третий день нет воды! Сколько можно?",
        "Фонарь во дворе не работает",
        "Дороги разбиты, ямы, никто ничего не делает",
        "Безобразие! Мусор не вывозят, позор администрации",
        "Пишем жалобу в прокуратуру",
        "Скорая так и не приехала, ужас",
        "😡😡😡",
        "Опять свет отключили(((",
    ],
)
def test_negative(sentiment, text):
    result = sentiment(text)
    assert result.label == "negative", result
    assert 0.5 < result.score <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Большое спасибо врачам ЦРБ за заботу 🙏",
        "Дорогу отремонтировали отлично, молодцы!",
        "Очень красивый праздник получился, спасибо организаторам",
        "👍❤️",
        "Всё отлично, так держать)))",
    ],
)
def test_positive(sentiment, text):
    assert sentiment(text).label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "Приглашаем на концерт в дом культуры в субботу в 15:00",
        "Заседание думы округа состоится 20 января",
        "Уважаемые жители! 5 мая с 9 до 17 часов плановое отключение воды в связи с ремонтом. "
        "Жители останутся без воды.",
    ],
)
def test_neutral(sentiment, text):
    result = sentiment(text)
    assert result.label == "neutral", result
    assert result.score >= 0.5


def test_negation_flips(sentiment, analyzer, lemmatizer):
    assert sentiment("Плохо").label == "negative"
    assert sentiment("Не плохо").label == "positive"  # mildly
    assert sentiment("Не плохо").score < sentiment("Отлично").score
    found = analyzer.sentiment.evidence("Я не рад", lemmatizer.lemmatize("Я не рад"))
    assert found.negative > 0 and found.positive == 0
    assert sentiment("Работает").label == "neutral"
    assert sentiment("Не работает").label == "negative"


def test_exclamations_and_emoji_strengthen(sentiment):
    assert sentiment("Опять нет воды!!!").score > sentiment("Опять нет воды").score
    assert sentiment("Опять нет воды 😡").score > sentiment("Опять нет воды").score
    assert sentiment("Спасибо!!! 👍").score > sentiment("Спасибо").score


def test_complaint_markers_are_reported(analyzer, lemmatizer):
    text = "Сколько можно! Третий день без света, пишем в прокуратуру"
    found = analyzer.sentiment.evidence(text, lemmatizer.lemmatize(text))
    assert {"сколько можно", "третий день", "прокуратура"} <= set(found.complaints)


def test_long_neutral_news_stays_neutral(sentiment):
    sentence = "В округе прошло плановое заседание комиссии по вопросам благоустройства."
    text = " ".join([sentence] * 8 + ["Есть проблема."])
    assert sentiment(text).label == "neutral"
