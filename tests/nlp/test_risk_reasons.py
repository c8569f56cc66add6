"""The risk of one post, component by component, pinned by hand from ``POST_WEIGHTS`` and the
rubricator: the exact Russian reasons staff read in alert cards, the gate, the signal's
strength, rounding and the cap. The mutation run of issue #14 found these unpinned.

Weights (``POST_WEIGHTS``): negativity 0.24, signal 0.36, topic 0.18, trigger 0.12,
engagement 0.05, reach 0.05; gate floor 0.35 (0.7 from criticality 0.85), neutral
negativity 0.15, a problem's strength 0.8 + 0.2·score, an emergency's 1.25.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from core.config import RiskThresholds
from core.domain import Engagement, Post, RiskAssessment, Sentiment, Signal, TopicScore
from nlp.lemmas import Lemmatizer
from nlp.risk import POST_WEIGHTS, _criticality_word, gate_of, negativity_of, score_post, signal_strength
from nlp.triggers import TriggerLexicon

THRESHOLDS = RiskThresholds()  # medium 0.45, high 0.6, critical 0.75
NEUTRAL = Sentiment(label="neutral", score=0.9)
POSITIVE = Sentiment(label="positive", score=0.9)


def negative(score: float) -> Sentiment:
    return Sentiment(label="negative", score=score)


def problem(score: float) -> Signal:
    return Signal(label="problem", score=score)


def post(text: str = "Сообщение жителя", *, reach: int = 0, **engagement: int) -> Post:
    return Post(platform="vk", source="vk_public", native_id="1", text=text, reach=reach,
                published_at=datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc), engagement=Engagement(**engagement))


@pytest.fixture
def score(settings, small_triggers):
    def assess(p: Post, sentiment: Sentiment, topic: str, signal: Signal | None = None, **options) -> RiskAssessment:
        options.setdefault("triggers", small_triggers)
        return score_post(p, sentiment, TopicScore(code=topic, confidence=1.0), settings.rubricator, THRESHOLDS,
                          signal=signal, **options)
    return assess


def values(risk: RiskAssessment) -> dict[str, float]:
    return {r.component: r.value for r in risk.reasons}


def details(risk: RiskAssessment) -> dict[str, str]:
    return {r.component: r.detail for r in risk.reasons}


# --- the signal: a calm report of a serious problem is itself the risk -----------------------

@pytest.mark.parametrize("topic, weakest, below", [
    ("roads", (0.78, 0.4504), (0.77, 0.4495)),  # a destroyed bridge: 0.0675 + 0.4005·strength
    ("healthcare", (0.18, 0.4506), (0.17, 0.4497)),  # a village without a doctor: 0.0864 + 0.4356·strength
])
def test_one_calm_report_reaches_medium_on_its_own_once_the_model_is_fairly_sure(score, topic, weakest, below):
    """Neutral tone, no triggers, reactions or reach: the report itself lifts the post to
    «medium» (0.45) from the score that depends on the topic's criticality."""
    signal_score, expected = weakest
    risk = score(post(), NEUTRAL, topic, problem(signal_score))
    assert (risk.score, risk.level) == (expected, "medium")
    assert risk.top_reasons(1)[0].component == "signal"
    assert details(risk)["signal"] == f"сообщение о проблеме ({signal_score:.2f})"
    signal_score, expected = below
    under = score(post(), NEUTRAL, topic, problem(signal_score))
    assert (under.score, under.level) == (expected, "none")


def test_a_calm_report_of_a_destroyed_bridge_component_by_component(score):
    risk = score(post(), NEUTRAL, "roads", problem(0.9))
    # strength 0.8 + 0.2·0.9 = 0.98; negativity 0.24·0.15·(1 − 0.5·0.98); signal 0.36·0.98;
    # gate 0.35 + 0.65·0.98 = 0.987 (the signal opens it, not the neutral tone); topic 0.18·0.5·gate
    assert values(risk) == {"negativity": 0.0184, "signal": 0.3528, "topic": 0.0888}
    assert (risk.score, risk.level) == (0.46, "medium")
    assert details(risk) == {"negativity": "нейтральная тональность (0.15)", "signal": "сообщение о проблеме (0.90)",
                             "topic": "тема «Дороги» — средняя критичность (0.50)"}


def test_a_report_about_a_bench_stays_under_medium_even_at_full_strength(score):
    risk = score(post(), NEUTRAL, "improvement", problem(1.0))
    assert values(risk) == {"negativity": 0.018, "signal": 0.36, "topic": 0.063}  # topic 0.18·0.35·1
    assert (risk.score, risk.level) == (0.441, "none")


def test_an_angry_emergency_counts_its_anger_once_and_opens_the_whole_gate(score):
    risk = score(post(), negative(0.8), "safety", Signal(label="emergency", score=0.3))
    # negativity 0.24·0.8·(1 − 0.5·min(1, 1.25)); signal 0.36·1.25; gate min(1, …) = 1: topic 0.18·0.9
    assert values(risk) == {"negativity": 0.096, "signal": 0.45, "topic": 0.162}
    assert (risk.score, risk.level) == (0.708, "high")
    assert details(risk)["signal"] == "сообщение о происшествии (0.30)"
    assert details(risk)["topic"] == "тема «Безопасность, ЧС, пожары, ДТП» — высокая критичность (0.90)"


def test_signal_strength():
    assert signal_strength(None, POST_WEIGHTS) == 0.0
    assert signal_strength(Signal(label="none", score=0.7), POST_WEIGHTS) == 0.0
    assert signal_strength(problem(0.0), POST_WEIGHTS) == pytest.approx(0.8)
    assert signal_strength(problem(0.5), POST_WEIGHTS) == pytest.approx(0.9)
    assert signal_strength(problem(1.0), POST_WEIGHTS) == pytest.approx(1.0)
    assert signal_strength(Signal(label="emergency", score=0.3), POST_WEIGHTS) == 1.25


def test_no_report_gives_no_signal_reason(score):
    for signal in (None, Signal(label="none", score=0.9)):
        assert "signal" not in values(score(post(), negative(0.8), "roads", signal))


# --- negativity and the gate ------------------------------------------------------------------

def test_negativity_of_each_tone():
    assert negativity_of(negative(0.8), POST_WEIGHTS) == 0.8
    assert negativity_of(NEUTRAL, POST_WEIGHTS) == 0.15
    assert negativity_of(POSITIVE, POST_WEIGHTS) == 0.0


def test_tone_reasons(score):
    assert details(score(post(), negative(0.8), "roads"))["negativity"] == "негативная тональность (0.80)"
    neutral = score(post(), NEUTRAL, "roads")
    assert (details(neutral)["negativity"], values(neutral)["negativity"]) == ("нейтральная тональность (0.15)", 0.036)
    assert "negativity" not in values(score(post(), POSITIVE, "roads"))


def test_gate():
    assert gate_of(0.15, 0.5, POST_WEIGHTS) == pytest.approx(0.4475)  # 0.35 + 0.65·0.15, no signal by default
    assert gate_of(0.15, 0.5, POST_WEIGHTS, signal=0.8) == pytest.approx(0.87)
    assert gate_of(0.0, 0.84, POST_WEIGHTS) == pytest.approx(0.35)
    assert gate_of(0.0, 0.85, POST_WEIGHTS) == pytest.approx(0.7)  # an incident from criticality 0.85 on
    assert gate_of(0.15, 0.9, POST_WEIGHTS) == pytest.approx(0.745)
    assert gate_of(0.2, 0.5, POST_WEIGHTS, signal=1.25) == 1.0  # an emergency opens the gate fully, no further


# --- the topic ------------------------------------------------------------------------------

@pytest.mark.parametrize("topic, detail", [
    ("safety", "тема «Безопасность, ЧС, пожары, ДТП» — высокая критичность (0.90)"),
    ("utilities", "тема «ЖКХ: вода, тепло, свет» — высокая критичность (0.80)"),
    ("education", "тема «Образование» — высокая критичность (0.70)"),
    ("roads", "тема «Дороги» — средняя критичность (0.50)"),
    ("transport", "тема «Транспорт» — низкая критичность (0.40)"),
    ("improvement", "тема «Благоустройство» — низкая критичность (0.35)"),
    ("other", "тема «Прочее» — низкая критичность (0.10)"),
])
def test_topic_reason_names_the_topic_and_its_criticality(score, topic, detail):
    assert details(score(post(), negative(0.8), topic))["topic"] == detail


def test_criticality_words_at_their_thresholds():
    assert [_criticality_word(v) for v in (1.0, 0.7, 0.6999, 0.45, 0.4499, 0.0)] == [
        "высокая", "высокая", "средняя", "средняя", "низкая", "низкая"]


def test_reasons_are_rounded_to_four_places_and_the_score_is_their_sum(score):
    risk = score(post(), NEUTRAL, "utilities")  # topic 0.18·0.8·0.4475 = 0.06444
    assert values(risk) == {"negativity": 0.036, "topic": 0.0644}
    assert (risk.score, risk.level) == (0.1004, "none")


def test_a_reason_that_adds_nothing_is_left_out(score):
    risk = score(post(reach=3000), negative(1.0), "roads", weights=replace(POST_WEIGHTS, reach=0.0))
    assert set(values(risk)) == {"negativity", "topic"}


def test_the_score_is_capped_at_one(score):
    risk = score(post(), negative(1.0), "safety", Signal(label="emergency", score=1.0),
                 weights=replace(POST_WEIGHTS, signal=1.0))  # the signal alone gives 1.25
    assert (risk.score, risk.level) == (1.0, "critical")


# --- triggers -------------------------------------------------------------------------------

def test_one_trigger_counts_its_weight(score):
    risk = score(post("Опять нет воды"), negative(0.4), "utilities")  # gate 0.35 + 0.65·0.4 = 0.61
    assert details(risk)["trigger"] == "фраза-триггер «нет воды»"
    assert values(risk)["trigger"] == 0.0439  # 0.12·0.6·0.61


def test_each_further_trigger_adds_015(score):
    risk = score(post("Нет воды, подадим в суд"), negative(0.4), "utilities")
    assert details(risk)["trigger"] == "фразы-триггеры «нет воды», «суд»"
    assert values(risk)["trigger"] == 0.0549  # 0.12·(0.6 + 0.15)·0.61


def test_many_triggers_saturate_and_four_are_quoted(score):
    risk = score(post("Нет воды. Пишем в прокуратуру, собираем митинг, петицию, пойдём в суд"), negative(0.4),
                 "utilities")
    assert details(risk)["trigger"] == "фразы-триггеры «нет воды», «прокуратура», «митинг», «петиция»"
    assert values(risk)["trigger"] == 0.0732  # 0.12·min(1, 0.8 + 4·0.15)·0.61


class CountingLemmatizer(Lemmatizer):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def tokens(self, text: str):
        self.texts.append(text)
        return super().tokens(text)


def test_tokens_given_are_not_made_again(score, small_trigger_file):
    lemmatizer = CountingLemmatizer()
    lexicon = TriggerLexicon(lemmatizer, small_trigger_file)
    p = post("Опять нет воды")
    tokens = lemmatizer.tokens(p.text)
    lemmatizer.texts.clear()  # the lexicon's phrases and the post, tokenised once before scoring
    risk = score(p, negative(0.4), "utilities", tokens=tokens, triggers=lexicon)
    assert details(risk)["trigger"] == "фраза-триггер «нет воды»"
    assert lemmatizer.texts == []
    score(p, negative(0.4), "utilities", triggers=lexicon)
    assert lemmatizer.texts == [p.text]  # without tokens the post is tokenised here


# --- engagement and reach -------------------------------------------------------------------

def test_engagement_and_reach_reasons(score):
    risk = score(post(reach=3000, likes=1200, comments=30, reposts=3, views=15000), negative(0.4), "utilities")
    assert details(risk)["engagement"] == "реакции — лайки: 1 200, комментарии: 30, репосты: 3, просмотры: 15 000"
    assert details(risk)["reach"] == "охват источника 3 000"
    # engagement 1200 + 2·30 + 3·3 ≥ 500: full, 0.05·0.61; reach ln(1 + 3) / ln(1 + 50) = 0.3526, 0.05·0.3526·0.61
    assert (values(risk)["engagement"], values(risk)["reach"]) == (0.0305, 0.0108)


def test_engagement_without_views_does_not_name_them(score):
    risk = score(post(likes=5), negative(0.4), "utilities")
    assert details(risk)["engagement"] == "реакции — лайки: 5, комментарии: 0, репосты: 0"
    assert "reach" not in values(risk)


def test_reach_counts_thousands_on_a_log_scale_up_to_50_000(score):
    weights = replace(POST_WEIGHTS, reach=1.0)  # the share itself, at a full gate
    assert values(score(post(reach=3000), negative(1.0), "roads", weights=weights))["reach"] == 0.3526
    assert values(score(post(reach=50_000), negative(1.0), "roads", weights=weights))["reach"] == 1.0
    assert values(score(post(reach=900_000), negative(1.0), "roads", weights=weights))["reach"] == 1.0
