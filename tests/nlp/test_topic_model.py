"""The trained topic model blended with the keyword rules."""
import pytest

from nlp.topic_model import BlendedTopicClassifier, BlendSettings
from tests.nlp.test_topic_rules import CASES


@pytest.fixture(scope="module")
def classify(analyzer, lemmatizer):
    return lambda text: analyzer.topics.classify(lemmatizer.lemmatize(text))


@pytest.mark.parametrize("text, topic", CASES, ids=[c[1] + ":" + c[0][:25] for c in CASES])
def test_local_posts_keep_their_topic(classify, text, topic):
    result = classify(text)
    assert result.primary.code == topic, (result, result.evidence)
    assert result.all[0] == result.primary
    assert all(t.confidence <= result.primary.confidence for t in result.secondary)


@pytest.mark.parametrize("text, topic", [
    ("Разукомплектованный автомобиль стоит уже полгода", "improvement"),
    ("Над входом висят сосульки, опасно ходить", "utilities"),
    ("Просьба убрать рекламу с фасада", "improvement"),
])
def test_the_model_knows_appeals_the_keywords_miss(analyzer, lemmatizer, classify, text, topic):
    assert analyzer.topic_rules.classify(lemmatizer.lemmatize(text)).primary.code == "other"
    result = classify(text)
    assert result.primary.code == topic and result.primary.confidence >= 0.4


def test_rules_lead_codes_the_model_never_saw(analyzer, lemmatizer):
    supported = analyzer.topics._supported
    assert {"utilities", "roads", "waste", "improvement"} <= supported
    assert "safety" not in supported and "culture" not in supported
    lemmas = lemmatizer.lemmatize("ДТП на трассе Боровичи — Пестово: в районе деревни Пальцево столкнулись два "
                                  "легковых автомобиля, водителей увезли в больницу.")
    assert analyzer.topics.classify(lemmas).primary.code == "safety"


def test_near_ties_go_to_the_critical_topic(analyzer):
    """The ranking bonus: equal scores, the more critical topic first; confidence stays the score."""
    from nlp.topic import TopicClassifier

    class Fixed(BlendedTopicClassifier):
        def model_scores(self, lemmas):
            return {"roads": 0.50}

        def rule_scores(self, lemmas):
            return {"safety": 0.47}, {}

    fixed = Fixed(analyzer.topic_rules)
    assert isinstance(fixed.rules, TopicClassifier)
    assert fixed.classify(["x"]).primary.model_dump() == {"code": "safety", "confidence": 0.47}
    fixed._settings = BlendSettings(blend=1.0, critical_bias=0.0, discount=0.0)
    assert fixed.classify(["x"]).primary.code == "roads"


def test_chatter_is_other(classify):
    result = classify("Хорошая погода сегодня, всем доброго утра")
    assert result.primary.code == "other" and result.secondary == []
    assert classify("").primary.code == "other"


def test_blend_is_read_from_the_model_file(analyzer):
    assert analyzer.topics.settings.blend == pytest.approx(float(analyzer.topics.model.meta["blend"]))
    assert analyzer.topics.model.meta["support"]["utilities"] >= 1000
