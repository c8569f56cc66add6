"""Readers of ../shared/data and the figures `mcu eval` reproduces (skipped without the data).

The floors sit a little under the figures measured when the models were trained (see the
model cards), so a regression fails here."""
from collections import Counter

import pytest

from training import evaluation as ev
from nlp.datasets import read_appeals, read_factru, read_nerel, read_rusentiment, split_of


@pytest.fixture(scope="module")
def appeals(shared_data):
    return list(read_appeals(shared_data))


def test_appeals_map_onto_the_rubricator(appeals, settings):
    codes = Counter(a.code for a in appeals)
    assert set(codes) <= {t.code for t in settings.rubricator.topics}
    assert codes["utilities"] > 10_000 and codes["healthcare"] > 50 and codes["animals"] > 10
    assert {a.source for a in appeals} == {"nashspb", "kursk"}
    assert all("<" not in a.text[:1] and "[MASK]" not in a.text for a in appeals[:2000])


def test_split_is_stable_and_about_ten_percent(appeals):
    assert split_of("kursk:2246") == split_of("kursk:2246")
    share = Counter(a.split for a in appeals)
    assert 0.08 < share["test"] / len(appeals) < 0.12


def test_ner_gold_spans_align_with_the_text(shared_data):
    factru = read_factru(shared_data, "test")
    assert len(factru) == 132
    first = factru[0]
    assert [first.text[s:e] for s, e in first.spans][:2] == ["Тверской", "Козицкого переулка"] or first.spans
    for doc in factru + read_nerel(shared_data, "dev"):
        for start, end in doc.spans:
            assert doc.text[start:end].strip() and doc.text[start].isalnum() or doc.text[start] in "«\"("


def test_rusentiment_labels(shared_data):
    test = read_rusentiment(shared_data, "test")
    assert len(test) == 2967
    assert set(Counter(r.label for r in test)) == {"positive", "negative", "neutral", "speech", "skip"}


def test_sentiment_figures(shared_data, analyzer):
    results = {r.variant: r.report for r in ev.evaluate_sentiment(shared_data, analyzer)}
    five = next(v for k, v in results.items() if "5 классов" in k)
    blended = next(v for k, v in results.items() if "словарь (вес" in k)
    lexicon = next(v for k, v in results.items() if "только словарь" in k)
    assert five.weighted_f1 >= 0.67
    assert blended.weighted_f1 >= 0.77 and blended.macro_f1 >= 0.70
    assert blended.macro_f1 > lexicon.macro_f1 + 0.1
    negative = next(c for c in blended.classes if c.label == "negative")
    assert negative.recall >= 0.65  # issue 12's target (measured 0.725); macro-F1 0.74 is not reached (0.708)


def test_signal_figures(shared_data, analyzer):
    from training.signal_eval import evaluate_signal

    """Issue 12's target: F1 of «report» ≥ 0.85 on the held-out split (measured 0.901)."""
    results = {r.variant: r.report for r in evaluate_signal(shared_data, analyzer)}
    report = next(c for c in results["сигнал: сообщение или нет"].classes if c.label == "report")
    assert report.f1 >= 0.85 and report.precision >= 0.9


def test_topic_figures(shared_data, analyzer):
    results = {r.variant: r for r in ev.evaluate_topics(shared_data, analyzer)}
    model, rules, blended = results["модель"].report, results["правила (ключевые слова)"].report, \
        results["модель + правила"].report
    assert model.accuracy >= 0.86 and blended.accuracy >= 0.85
    assert blended.macro_f1 >= 0.65 and rules.accuracy < model.accuracy
    assert results["модель + правила"].extra["other"] < 0.05 * blended.total
    convention = next(r for k, r in results.items() if "соглашение порталов" in k)
    assert convention.extra["gold_refiled"] > 500 and convention.report.total == blended.total


def test_ner_figures(shared_data, analyzer):
    """The union beats Natasha alone on both news sets, with lenient (overlap) matching."""
    results = ev.evaluate_ner(shared_data, analyzer)
    by = {(r.variant, r.data.split(" (")[0]): r.spans for r in results}
    union = "объединение: адреса + газеттир + NER + словарь"
    convention = ", без одиночных прилагательных (соглашение factRuEval)"
    factru, nerel = "factRuEval-2016 test", "NEREL dev"
    assert by[(union + convention, factru)].lenient_f1 >= 0.88
    assert by[(union + convention, factru)].lenient_f1 > by[("Natasha NER (LOC)" + convention, factru)].lenient_f1
    assert by[(union, nerel)].lenient_f1 >= 0.88
    assert by[(union, nerel)].f1 > by[("Natasha NER (LOC)", nerel)].f1 + 0.05
    natasha = by[("Natasha NER (LOC)", factru)]
    assert natasha.lenient_f1 >= natasha.f1 and natasha.lenient_precision >= natasha.precision


def test_spacy_gazetteer_is_measured_against_the_hand_written_one(shared_data, analyzer):
    results = [r for r in ev.compare_gazetteer_matchers(shared_data, analyzer, speed_posts=300)
               if r.data.startswith("свои")]
    hand, forms, lemma = (r.spans for r in results)
    assert hand.recall >= forms.recall > lemma.recall  # pymorphy lemmas lose unknown village names
    assert all(r.extra["posts_per_second"] > 0 for r in results)


def test_speed_is_measured_side_by_side(shared_data, analyzer):
    speed = ev.measure_speed(shared_data, analyzer, limit=200, batch=100)
    assert speed["posts"] == 200 and speed["ner"] > 0 and speed["full"] > 0 and speed["no_ner"] > speed["full"]
