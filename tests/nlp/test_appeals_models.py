"""The appeal models (nlp.appeals): answer kinds and routing to the responsible body.

The examples are written for these tests in the St Petersburg portal's style (no appeal text is
copied into the repository). The measured figures are pinned on the shared data's held-out parts."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nlp.appeals import ANSWER_KIND_RU, ANSWER_KINDS, OTHER_BODY, AnswerClassifier, RoutingModel, rule_kind
from nlp.appeals.data import read_kursk_routing, read_spb_answers
from training.appeals_evaluation import LABELS_DIR, read_hand_labels

ANSWERS_BY_THE_MODEL = [
    ("Уважаемый пользователь! Работы по ремонту асфальтового покрытия выполнены. Приложение: фотофиксация.",
     "solved"),
    ("Информация, указанная в Вашем сообщении, не подтвердилась. Освещение находится в рабочем состоянии.",
     "not_confirmed"),
    ("Систему домофона управляющая компания не обслуживает. Для решения вопроса Вам следует обратиться "
     "в обслуживающую организацию ООО «Домофон-Сервис».", "redirected"),
    ("Согласно акту комиссионного обследования установка искусственной неровности признана нецелесообразной.",
     "explained"),
    ("В арбитражный суд предъявлены исковые требования к управляющей компании. Дальнейшие действия выходят "
     "за рамки Портала.", "explained"),
    ("Координаты места, указанные Вами на карте, не соответствуют месту проблемы. Просим Вас зарегистрировать "
     "новое сообщение с правильными координатами.", "formal"),
]


@pytest.fixture(scope="module")
def answers() -> AnswerClassifier:
    return AnswerClassifier.load()


@pytest.mark.parametrize("text,kind", ANSWERS_BY_THE_MODEL)
def test_the_shipped_classifier_on_typical_answers(answers, text, kind):
    assert answers.classify(text) == kind


def test_the_shipped_classifier_is_the_model_chosen_on_dev(answers):
    assert answers.decision == "model"
    assert answers.model.classes == sorted(ANSWER_KINDS)
    assert answers.model.meta["c"] == 0.5
    probs = answers.probabilities(ANSWERS_BY_THE_MODEL[1][0])
    assert max(probs, key=probs.get) == "not_confirmed" and probs["not_confirmed"] > 0.9
    assert answers.classify("") == "formal"
    assert answers.classify("   ") == "formal"


@pytest.mark.parametrize("text,kind", [
    ("Ремонт кровли будет выполнен до 15.05.2021.", "solved"),
    ("Засор устранён.", "solved"),
    ("Ремонт кровли будет выполнен в ближайшее время.", "formal"),
    ("Ваше обращение рассмотрено. Информация принята к сведению.", "formal"),
    ("Ваше обращение направлено для рассмотрения в Комитет по благоустройству по принадлежности.", "redirected"),
    ("Дом включён в региональную программу капитального ремонта.", "explained"),
    ("Работы не выполнены, подрядчику выдано предписание.", "explained"),
    ("Факт несанкционированной торговли не установлен.", "not_confirmed"),
    ("Лифт находится в технически исправном состоянии.", "not_confirmed"),
    ("Горячая вода восстановлена. Если у Вас не установлены приборы учёта, Вы можете обратиться в "
     "управляющую компанию для перерасчёта.", "solved"),
    ("Здравствуйте.", None),
])
def test_rules(text, kind):
    assert rule_kind(text) == kind


def test_without_a_model_file_the_rules_decide(tmp_path):
    clf = AnswerClassifier.load(tmp_path / "missing.npz")
    assert clf.model is None and clf.decision == "rules"
    assert clf.classify("Ваше обращение рассмотрено. Информация принята к сведению.") == "formal"
    assert clf.classify("Здравствуйте.") == "formal"
    assert clf.probabilities("Засор устранён.") == {}


def test_russian_labels_cover_every_kind():
    assert set(ANSWER_KIND_RU) == set(ANSWER_KINDS)
    assert ANSWER_KIND_RU["explained"] == "разъяснение"
    assert ANSWER_KIND_RU["formal"] == "отписка"


# --- routing -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def routing() -> RoutingModel:
    return RoutingModel.load()


@pytest.mark.parametrize("text,body", [
    ("В поликлинике невозможно записаться к терапевту, очереди, врачей нет", "Комитет здравоохранения Курской области"),
    ("Управляющая компания не убирает подъезд, в доме течет крыша, Курск",
     "Государственная жилищная инспекция Курской области"),
    ("Огромные ямы на проезжей части улицы Сумской в Курске, разбили колеса", "Комитет дорожного хозяйства города Курска"),
])
def test_routing_examples(routing, text, body):
    assert routing.route(text) == body
    routed, p = routing.route_scored(text)
    assert routed == body and 0.0 < p <= 1.0
    ranked = routing.ranked(text)
    assert ranked[0][0] == body and len(ranked) == len(routing.model.classes)


def test_routing_without_known_words(routing):
    assert routing.route_scored("") == (None, 0.0)
    assert routing.route("qwzx") is None
    assert OTHER_BODY in routing.model.classes and OTHER_BODY not in routing.bodies
    assert len(routing.bodies) == 23


# --- the hand labels and the measured figures (shared data) ----------------------------------
def test_hand_label_files():
    dev, test = read_hand_labels("dev"), read_hand_labels("test")
    assert (len(dev), len(test)) == (167, 173)
    ids = [label.id for label in dev + test]
    assert len(set(ids)) == 340
    with (LABELS_DIR / "answer_kinds_test.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["id", "kind", "drawn"]


def test_a_bad_hand_label_is_reported_by_row_and_column(tmp_path: Path):
    (tmp_path / "answer_kinds_dev.csv").write_text("id,kind\n1,solved\n2,решено\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 3: column 'kind': 'решено'"):
        read_hand_labels("dev", tmp_path)


@pytest.fixture(scope="module")
def answer_results(shared_data):
    from training.appeals_evaluation import evaluate_answers

    return {r.variant: r for r in evaluate_answers(shared_data)}


def test_answer_figures_on_the_test_labels(answer_results):
    shipped = answer_results["поставляемый классификатор (model)"]
    assert shipped.report.total == 173
    assert shipped.report.accuracy == pytest.approx(0.8382, abs=0.005)
    assert shipped.report.macro_f1 == pytest.approx(0.8058, abs=0.005)
    rules = answer_results["только правила"]
    assert rules.report.accuracy == pytest.approx(0.8555, abs=0.005)
    assert rules.report.macro_f1 == pytest.approx(0.7807, abs=0.005)
    both = answer_results["правила, где они есть, иначе модель"]
    assert both.report.accuracy == pytest.approx(0.8786, abs=0.005)
    assert both.report.macro_f1 == pytest.approx(0.8333, abs=0.005)


def test_every_hand_label_is_an_answered_appeal_and_the_count_is_45716(shared_data):
    answered = {a.id for a in read_spb_answers(shared_data)}
    assert len(answered) == 45_716
    assert {label.id for part in ("dev", "test") for label in read_hand_labels(part)} <= answered


def test_routing_figures_on_the_held_out_split(shared_data):
    from training.appeals_evaluation import evaluate_routing

    appeals = read_kursk_routing(shared_data)
    assert [sum(a.split == s for a in appeals) for s in ("train", "dev", "test")] == [1400, 300, 300]
    assert len({a.label for a in appeals}) == 24
    result = evaluate_routing(shared_data)[0]
    assert result.report.total == 300
    assert result.report.accuracy == pytest.approx(0.4333, abs=0.005)
    assert result.report.macro_f1 == pytest.approx(0.3814, abs=0.005)
    assert result.extra["top3"] == pytest.approx(0.7833, abs=0.005)
