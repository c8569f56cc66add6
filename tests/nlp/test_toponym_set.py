"""Recall of district place names on the project's own sentence set (tests/nlp/data)."""
from training.evaluation import TOPONYM_SET, evaluate_toponym_set, load_toponym_set


def test_the_set_is_large_and_varied():
    cases = load_toponym_set()
    assert len(cases) >= 300
    lower = sum(1 for text, _ in cases if text[:1].islower())
    assert lower >= 250
    villages = {name for _, places in cases for name in places}
    assert len(villages) >= 200  # most of the district's settlements, by name  # lower-case writing is the norm in comments
    assert TOPONYM_SET.exists()


def test_recall_without_and_with_ner(analyzer):
    rules = evaluate_toponym_set(analyzer, use_ner=False)
    with_ner = evaluate_toponym_set(analyzer, use_ner=True)
    assert rules.spans.recall >= 0.97, rules.extra["misses"]
    assert with_ner.spans.recall >= rules.spans.recall
    assert with_ner.spans.precision >= 0.97


def test_every_found_name_is_a_gazetteer_place_or_an_address_with_offsets(analyzer):
    names = {p.name for p in analyzer.gazetteer.places}
    for text, expected in load_toponym_set():
        for toponym in analyzer.toponyms.find(text):
            assert toponym.name in names or toponym.kind in ("street", "unknown"), (text, toponym)
            assert text[toponym.start : toponym.end] == toponym.text
