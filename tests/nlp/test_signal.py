"""The problem-report signal (``nlp.signal``): the issue's calm, ironic and rhetorical reports are
problems with at least a medium risk; chatter, thanks and notices are not; incidents are emergencies."""
import pytest

from core.domain import Analysis, Signal
from nlp.signal import IncidentLexicon, SignalCues, signal_features

# The four texts of issue 12 that the first version scored as «no risk».
ISSUE_EXAMPLES = [
    "В Быково разрушен мост, машины не могут проехать, дети не могут попасть в школу",
    "У нас в Устюцком фельдшер уволилась, теперь к врачу только в Пестово ехать",
    "до Боровичей больше 100 км по нашей дороге, с больным ребёнком?!",
    "ну конечно, молодцы, дорогу сделали — через неделю снова яма",
]
CHATTER = [
    "Хорошая погода сегодня, гуляли с детьми в парке",
    "Большое спасибо врачам Пестовской ЦРБ за заботу и внимание! 🙏",
    "Продам диван, почти новый, самовывоз",
    "Уважаемые жители! 20 января в доме культуры состоится концерт, посвящённый Дню города. Вход свободный.",
    "С днём рождения, дорогая! Счастья, здоровья!",
]
EMERGENCIES = [
    "На трассе у Пестово столкнулись два автомобиля, водитель погиб",
    "Пропала девочка 12 лет, ушла из дома и не вернулась, помогите найти",
    "В Охоне горит жилой дом, на месте работают пожарные",
]


def analyse(analyzer, make_post, texts):
    return analyzer.analyze([make_post(t, f"s{i}") for i, t in enumerate(texts)], use_ner=False)


@pytest.mark.parametrize("text", ISSUE_EXAMPLES)
def test_issue_examples_are_reports_with_at_least_medium_risk(analyzer, make_post, text):
    (analysis,) = analyse(analyzer, make_post, [text])
    assert analysis.signal.label in ("problem", "emergency"), analysis.signal
    assert analysis.risk.level in ("medium", "high", "critical"), analysis.risk
    signal = next(r for r in analysis.risk.reasons if r.component == "signal")
    assert signal.detail.startswith("сообщение о проблеме (") or signal.detail.startswith("сообщение о происшествии (")
    assert analysis.risk.top_reasons(1)[0].component == "signal"


@pytest.mark.parametrize("text", CHATTER)
def test_chatter_thanks_and_notices_are_not_reports(analyzer, make_post, text):
    (analysis,) = analyse(analyzer, make_post, [text])
    assert analysis.signal.label == "none", analysis.signal
    assert analysis.risk.level == "none" and analysis.risk.score < 0.3
    assert "signal" not in {r.component for r in analysis.risk.reasons}


@pytest.mark.parametrize("text", EMERGENCIES)
def test_incidents_are_emergencies(analyzer, make_post, text):
    (analysis,) = analyse(analyzer, make_post, [text])
    assert analysis.signal.label == "emergency"
    assert analysis.risk.level in ("medium", "high", "critical")


def test_a_planned_cut_notice_is_damped_below_a_report(analyzer, make_post):
    notice = "Уважаемые жители! 5 мая будет плановое отключение воды на ул. Советской в связи с ремонтом."
    complaint = "На Советской опять нет воды, когда уже починят трубу?"
    quiet, loud = analyse(analyzer, make_post, [notice, complaint])
    assert quiet.signal.label == "none" and loud.signal.label == "problem"
    raw = analyzer.signal.probability(notice, analyzer.lemmatizer.tokens(notice))
    assert quiet.signal.score == pytest.approx(round(raw * analyzer.signal.settings.notice_damping, 3), abs=1e-3)


def test_cue_features(lemmatizer):
    cues = SignalCues(lemmatizer.lemmatize)
    assert cues.features("Опять сломан лифт?!", lemmatizer.lemmatize("Опять сломан лифт?!")) == [
        "s:obj", "s:obj+q", "s:obj+irony", "s:state", "s:obj+state", "s:obj+state"]
    assert cues.features("Спасибо, отремонтировали дорогу", lemmatizer.lemmatize("Спасибо, отремонтировали дорогу")) \
        == ["s:obj", "s:obj+fixed"]
    assert cues.features("Хорошего дня", lemmatizer.lemmatize("Хорошего дня")) == []
    text = "Здравствуйте! Прошу убрать мусор у дома 12"
    words = [f for f in signal_features(text, lemmatizer.tokens(text), cues) if f.startswith("w:")]
    assert words == ["w:убрать", "w:мусор", "w:у", "w:дом"]  # register words and numbers are left out


def test_incident_strength(lemmatizer):
    incidents = IncidentLexicon(lemmatizer.lemmatize)
    assert incidents.strength(lemmatizer.lemmatize("ДТП на трассе")) == 1.0
    assert incidents.strength(lemmatizer.lemmatize("пропала 15-летняя девочка")) == 1.0
    assert incidents.strength(lemmatizer.lemmatize("прошёл град")) == 0.7
    assert incidents.strength(lemmatizer.lemmatize("погиб, двое пострадали")) == pytest.approx(0.9)
    assert incidents.strength(lemmatizer.lemmatize("пропал интернет")) == 0.0


def test_analyses_stored_before_the_signal_still_load():
    stored = ('{"post_id": "p1", "sentiment": {"label": "neutral", "score": 0.8}, '
              '"topic": {"code": "roads", "confidence": 0.5}, "block": "infrastructure", '
              '"risk": {"score": 0.1, "level": "none", "reasons": []}}')
    analysis = Analysis.model_validate_json(stored)
    assert analysis.signal == Signal(label="none", score=0.0)
