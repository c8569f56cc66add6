"""Sentiment: the lexicon (complaints, negation, emoji, «!!!», notices, sarcasm, profanity) and
the trained model blended with it, on local posts of the kind the МЦУ reads."""
import pytest


@pytest.fixture(scope="module")
def lexicon(analyzer, lemmatizer):
    def run(text: str):
        return analyzer.sentiment_lexicon.analyze(text, lemmatizer.lemmatize(text))

    return run


@pytest.fixture(scope="module")
def sentiment(analyzer, lemmatizer):
    def run(text: str):
        return analyzer.sentiment.analyze(text, lemmatizer.tokens(text))

    return run


NEGATIVE = [
    "В Лаптево третий день нет воды! Сколько можно?",
    "Дороги разбиты, ямы, никто ничего не делает",
    "Безобразие! Мусор не вывозят, позор администрации",
    "Пишем жалобу в прокуратуру",
    "Скорая так и не приехала, ужас",
    "Опять свет отключили(((",
    "Да что за хрень, опять нет воды",
]
POSITIVE = [
    "Большое спасибо врачам ЦРБ за заботу 🙏",
    "Дорогу отремонтировали отлично, молодцы!",
    "Очень красивый праздник получился, спасибо организаторам",
    "👍❤️",
    "Всё отлично, так держать)))",
]
NEUTRAL = [
    "Приглашаем на концерт в дом культуры в субботу в 15:00",
    "Заседание думы округа состоится 20 января",
    "Уважаемые жители! 5 мая с 9 до 17 часов плановое отключение воды в связи с ремонтом. "
    "Жители останутся без воды.",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_model_negative(sentiment, text):
    result = sentiment(text)
    assert result.label == "negative", result
    assert 0.4 < result.score <= 1.0


@pytest.mark.parametrize("text", POSITIVE)
def test_model_positive(sentiment, text):
    assert sentiment(text).label == "positive"


@pytest.mark.parametrize("text", NEUTRAL)
def test_model_neutral(sentiment, text):
    assert sentiment(text).label == "neutral"


def test_model_scores_are_probabilities(analyzer, lemmatizer):
    probs = analyzer.sentiment.probabilities("Опять нет воды", lemmatizer.tokens("Опять нет воды"))
    assert set(probs) == {"negative", "neutral", "positive"}
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-3)


def test_lexicon_nudges_local_complaints(analyzer, lemmatizer):
    from nlp.sentiment_model import SentimentBlend, SentimentClassifier

    alone = SentimentClassifier(None, blend=SentimentBlend(lexicon_weight=0.0))
    text = "Опять нет воды"
    tokens = lemmatizer.tokens(text)
    assert analyzer.sentiment.probabilities(text, tokens)["negative"] > alone.probabilities(text, tokens)["negative"]


def test_exclamations_and_emoji_strengthen(sentiment):
    assert sentiment("Опять нет воды!!!").score > sentiment("Опять нет воды").score
    assert sentiment("Опять нет воды 😡").score > sentiment("Опять нет воды").score


@pytest.mark.parametrize("text", NEGATIVE[:5] + ["😡😡😡", "Фонарь во дворе не работает"])
def test_lexicon_negative(lexicon, text):
    result = lexicon(text)
    assert result.label == "negative", result
    assert 0.5 < result.score <= 1.0


def test_lexicon_negation_flips(lexicon, analyzer, lemmatizer):
    assert lexicon("Плохо").label == "negative"
    assert lexicon("Не плохо").label == "positive"  # mildly
    assert lexicon("Не плохо").score < lexicon("Отлично").score
    found = analyzer.sentiment_lexicon.evidence("Я не рад", lemmatizer.lemmatize("Я не рад"))
    assert found.negative > 0 and found.positive == 0
    assert lexicon("Работает").label == "neutral"
    assert lexicon("Не работает").label == "negative"


def test_lexicon_sarcasm_and_profanity(analyzer, lemmatizer):
    def evidence(text):
        return analyzer.sentiment_lexicon.evidence(text, lemmatizer.lemmatize(text))

    plain = evidence("Спасибо, администрация")
    sarcastic = evidence("Ну спасибо, администрация, опять без света")
    assert plain.positive > 0 and sarcastic.positive == 0 and sarcastic.negative > 0
    assert "мат -1.0" in evidence("Да что за хрень").hits


def test_complaint_markers_are_reported(analyzer, lemmatizer):
    text = "Сколько можно! Третий день без света, пишем в прокуратуру"
    found = analyzer.sentiment_lexicon.evidence(text, lemmatizer.lemmatize(text))
    assert {"сколько можно", "третий день", "прокуратура"} <= set(found.complaints)


def test_long_neutral_news_stays_neutral(sentiment, lexicon, lemmatizer):
    """The lexicon damps long texts, and the model alone reads this news as neutral. The shipped
    blend adds an offset towards «negative» (chosen on dev for negative recall) that tips it over:
    a known weakness of the model card, pinned here so that a change of it is seen."""
    from nlp.sentiment_model import SentimentBlend, SentimentClassifier

    sentence = "В округе прошло плановое заседание комиссии по вопросам благоустройства."
    text = " ".join([sentence] * 8 + ["Есть проблема."])
    assert lexicon(text).label == "neutral"
    alone = SentimentClassifier(None, blend=SentimentBlend(lexicon_weight=0.0, negative_bias=0.0, positive_bias=0.0))
    tokens = lemmatizer.tokens(text)
    assert alone.analyze(text, tokens).label == "neutral"
    assert sentiment(text).label == "negative"


def test_runtime_features_are_the_training_features(analyzer, lemmatizer):
    """The cached per-word path gives exactly the features the training script used."""
    from nlp.features import sentiment_features

    clf = analyzer.sentiment
    long_text = "Ну спасибо, оооочень довольны!!! 😡 " + "Дорогу так и не сделали. " * 40
    for text in NEGATIVE + POSITIVE + [long_text]:
        tokens = lemmatizer.tokens(text)
        assert sorted(clf.feature_indices(text, tokens)) == sorted(clf.model.indices(sentiment_features(text, tokens)))


def test_decision_offsets_move_the_labels(lemmatizer):
    """The two offsets shift «negative» and «positive» against «neutral»; zero offsets are left out."""
    from nlp.sentiment_model import SentimentBlend, SentimentClassifier

    assert SentimentBlend(negative_bias=0.0, positive_bias=0.0).offsets == {}
    assert SentimentBlend(negative_bias=0.4, positive_bias=0.0).offsets == {"negative": 0.4}
    text = "Очень красивый праздник получился, спасибо организаторам"
    tokens = lemmatizer.tokens(text)
    plain = SentimentClassifier(None, blend=SentimentBlend(lexicon_weight=0.0, negative_bias=0.0, positive_bias=0.0))
    assert plain.analyze(text, tokens).label == "positive"
    damped = SentimentClassifier(None, blend=SentimentBlend(lexicon_weight=0.0, negative_bias=0.0, positive_bias=-8.0))
    assert damped.analyze(text, tokens).label != "positive"
    neutral = "Заседание думы округа состоится 20 января"
    pushed = SentimentClassifier(None, blend=SentimentBlend(lexicon_weight=0.0, negative_bias=8.0, positive_bias=0.0))
    assert plain.analyze(neutral, lemmatizer.tokens(neutral)).label == "neutral"
    assert pushed.analyze(neutral, lemmatizer.tokens(neutral)).label == "negative"


def test_label_shares_on_local_posts(analyzer, tmp_path):
    """`mcu eval --only sentiment` counts the shipped labels over the blocks of local_posts."""
    from training.evaluation import sentiment_on_local_posts

    (tmp_path / "local_posts").mkdir()
    (tmp_path / "local_posts" / "posts_comments.txt").write_text(
        "Безобразие! Мусор не вывозят, позор администрации\n\n"
        "Большое спасибо врачам ЦРБ за заботу 🙏\n\n\n"
        "Заседание думы округа состоится 20 января\nв здании администрации\n", encoding="utf-8")
    result = sentiment_on_local_posts(tmp_path, analyzer)
    assert result.extra == {"negative": 1, "neutral": 1, "positive": 1}
    assert result.data == "local_posts (3 блока)" and result.report is None
