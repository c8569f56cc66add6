from pathlib import Path

import pytest

from nlp.gazetteer import GazetteerError, load_gazetteer
from nlp.inflection import name_forms, rule_forms


def forms(name: str) -> set[str]:
    return {" ".join(form) for form in name_forms(name)}


def test_village_in_ovo_declines_and_keeps_the_undeclined_form():
    assert forms("Лаптево") == {"лаптево", "лаптева", "лаптеву", "лаптевом", "лаптеве"}


def test_rules_by_ending():
    assert rule_forms("Охона")["gent"] == {"охона", "охоны"}
    assert "меглинки" in rule_forms("Меглинка")["gent"]  # velar: -и, not -ы
    assert "волдомицей" in rule_forms("Волдомица")["ablt"]
    assert "устюцким" in rule_forms("Устюцкое")["ablt"]
    assert "заручевья" in rule_forms("Заручевье")["gent"]
    assert "рыдоложью" in rule_forms("Рыдоложь")["ablt"]
    assert "борок" in rule_forms("Борки")["gent"]
    assert "соминца" in rule_forms("Соминец")["gent"]


def test_multi_word_names_agree_in_case():
    village = forms("Русское Пестово")
    assert {"русское пестово", "русского пестова", "русском пестове", "русским пестовом"} <= village
    hospital = forms("районная больница")
    assert {"районной больницы", "районную больницу", "районной больнице"} <= hospital


def test_apposition_keeps_the_name_in_the_nominative():
    assert "станции пестово" in forms("станция Пестово")
    assert "школы 1" in forms("школа № 1")


def test_fixed_names_do_not_decline():
    assert forms("Ленина") == {"ленина"}
    assert forms("ЦРБ") == {"црб"}


def test_gazetteer_file(analyzer):
    gazetteer = analyzer.gazetteer
    names = {p.name for p in gazetteer.places}
    centres = {"Быково": "bykovsky", "Русское Пестово": "russko_pestovsky", "Лаптево": "laptevsky",
               "Вятка": "vyatsky", "Охона": "okhonsky", "Богослово": "bogoslovsky", "Устюцкое": "ustyutsky"}
    for name, department in centres.items():
        assert gazetteer.place(name, "village").department == department
    assert {"Пестово", "Советская", "Молога", "Пестовская ЦРБ", "станция Абросово", "вокзал"} <= names
    assert gazetteer.place("Пестово").lat == pytest.approx(58.5973723)
    villages = [p for p in gazetteer.places if p.kind == "village"]
    assert len(villages) == 201 and sum(p.centre for p in villages) == 7
    departments = {d.code for d in analyzer.rubricator.departments}
    assert {p.department for p in gazetteer.places if p.department} <= departments


def test_overrides_come_only_from_unambiguous_proper_names(analyzer):
    overrides = analyzer.gazetteer.overrides
    assert overrides["лаптеве"] == "лаптево"
    assert overrides["охоне"] == "охона"
    assert "советской" not in overrides  # a street named by an ordinary adjective
    assert "горы" not in overrides  # «Гора» is ambiguous


def test_surname_like_forms_are_flagged(analyzer):
    assert ("медведева",) in analyzer.gazetteer.surname_forms
    assert ("медведево",) not in analyzer.gazetteer.surname_forms


def test_bad_gazetteer_names_the_problem(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("places:\n  - {name: Лаптево, kind: hamlet}\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="places.0: kind «hamlet»"):
        load_gazetteer(bad)
    with pytest.raises(GazetteerError, match="cannot read"):
        load_gazetteer(tmp_path / "missing.yaml")


def test_homonyms_merge_unless_one_is_a_centre(analyzer):
    forms = analyzer.gazetteer.forms
    (bykovo,) = forms[("быково",)]
    assert (bykovo.department, bykovo.centre) == ("bykovsky", True)  # the centre, not Вятское's Быково
    (medvedevo,) = forms[("медведево",)]
    assert medvedevo.department is None and medvedevo.lat is None  # Охонское's or Богословское's: unknown


def test_common_word_forms_need_a_cue(analyzer):
    common = analyzer.gazetteer.common_forms
    assert ("мировом",) in common  # Мирово, and the adjective «мировой»
    assert ("лаптеве",) not in common and ("мирово",) not in common
