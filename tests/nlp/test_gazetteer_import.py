"""``mcu gazetteer import``: every reader on a small file in its format, departments by the
mapping table, merging with a local file, and the command end to end."""
from pathlib import Path

import pytest
import yaml

from nlp.gazetteer import GazetteerError, load_gazetteer, read_places
from nlp.gazetteer_build import DepartmentTable, is_common_name, run_import, settlement_key
from nlp.gazetteer_readers import (SourceError, gazetteer_kind, guess_format, read_csv, read_gar, read_geojson,
                                   read_overpass, split_kind)

FIXTURES = Path(__file__).parent / "fixtures" / "gazetteer"


def by_name(places):
    return {(p.name, p.department): p for p in places}


def test_kinds_and_kind_prefixes():
    assert split_kind("д Барсаниха") == ("д", "Барсаниха")
    assert split_kind("ж/д ст Кабожа") == ("ж/д ст", "Кабожа")
    assert split_kind("Дмитровское") == ("", "Дмитровское")
    assert [gazetteer_kind(k) for k in ("деревня", "д.", "ru:деревня", "hamlet", "Посёлок", "г", "улица")] == [
        "village", "village", "village", "village", "village", "town", None]


def test_oktmo_csv_gives_each_village_its_formation():
    places = read_csv(FIXTURES / "oktmo.csv")
    rows = {p.name: (p.kind_raw, p.oktmo, p.settlement) for p in places}
    assert "Лаптевское сельское поселение" not in rows and "Пестовский муниципальный район" in rows
    assert rows["Чепурино"] == ("д", "49632425186", "Лаптевское сельское поселение")
    assert rows["Кабожа"] == ("ж/д ст", "49632455301", "Устюцкое сельское поселение")
    assert rows["Пестово"] == ("г", "49632101001", "Пестовское городское поселение")


def test_kladr_csv_reads_coordinates_postal_codes_and_codes():
    places = read_csv(FIXTURES / "kladr.csv")
    okhona = next(p for p in places if p.name == "Охона")
    assert (okhona.lat, okhona.lon, okhona.postal_code, okhona.code) == (58.565833, 35.635, "174520", "5301400001800")
    assert [p.settlement for p in places if p.name == "Быково"] == [None, "Вятское сельское поселение"]


def test_gar_xml_with_hierarchy():
    places = read_gar(FIXTURES / "AS_ADDR_OBJ.XML", FIXTURES / "AS_MUN_HIERARCHY.XML")
    rows = {p.name: (p.kind_raw, p.oktmo, p.settlement) for p in places}
    # the street (level 8), the settlement itself (level 4) and the retired object are left out
    assert rows == {"Пестово": ("г", "49632101001", None), "Охона": ("д", "49632431101", "Охонское с.п."),
                    "Медведево": ("д", "49632431156", "Охонское с.п.")}
    without = {p.name: p.settlement for p in read_gar(FIXTURES / "AS_ADDR_OBJ.XML")}
    assert without["Охона"] is None


def test_osm_geojson_points_and_polygon_centres():
    places = {p.name: p for p in read_geojson(FIXTURES / "places.geojson")}
    assert set(places) == {"Лаптево", "Устюцкое"}  # the lake has no `place` tag
    assert (places["Лаптево"].lat, places["Лаптево"].lon, places["Лаптево"].postal_code) == (58.6431, 35.7012, "174545")
    assert places["Лаптево"].code == "osm:node/336180021"
    assert places["Устюцкое"].lat == pytest.approx(58.508) and places["Устюцкое"].lon == pytest.approx(35.408)


def test_overpass_json_nodes_ways_and_stations():
    places = {p.name: p for p in read_overpass(FIXTURES / "overpass.json")}
    assert set(places) == {"Лаптево", "Русское Пестово", "Устюцкое", "Пестово"}  # not the bus stop
    assert (places["Устюцкое"].lat, places["Устюцкое"].code) == (58.51, "osm:way/52112233")
    assert gazetteer_kind(places["Пестово"].kind_raw) == "station"


def test_format_is_guessed_from_the_file():
    assert [guess_format(FIXTURES / n) for n in ("kladr.csv", "wiki.tsv", "AS_ADDR_OBJ.XML", "places.geojson",
                                                  "overpass.json")] == ["csv", "csv", "gar", "geojson", "overpass"]


def test_departments_by_settlement_name_or_oktmo_prefix():
    table = DepartmentTable.load(FIXTURES / "departments.yaml")
    assert settlement_key("Вятское сельское поселение") == settlement_key("Вятское с/п") == "вятское"
    assert table.department_of("Вятское сельское поселение", None) == "vyatsky"
    assert table.department_of(None, "49632455186") == "ustyutsky"
    assert table.department_of("Неизвестное сельское поселение", "49632999001") is None


def test_common_names_are_ambiguous():
    assert [is_common_name(n) for n in ("Гора", "Красная Заря", "Свобода", "Лаптево", "Охона", "Новое Сихино")] == [
        True, True, True, False, False, False]


def test_import_kladr_with_departments_centres_and_local_knowledge():
    report = run_import([(FIXTURES / "kladr.csv", "csv")], FIXTURES / "departments.yaml", FIXTURES / "local.yaml")
    places = by_name(report.places)
    assert report.skipped_kinds == {"улица": 1}
    # the centre of the Быковский department is the Быково the data leaves free; the other is Вятское's
    assert places[("Быково", "bykovsky")].lat == 58.49  # from the local file
    assert places[("Быково", "vyatsky")].lat is None
    assert places[("Вятка", "vyatsky")].department == "vyatsky"  # the centre, by the table
    assert places[("Барсаниха", None)].department is None  # no settlement in the data: not guessed
    assert places[("Охона", "okhonsky")].oktmo == "49632431101"
    assert places[("Гора", None)].ambiguous and places[("Красная Заря", None)].ambiguous
    assert places[("Абросово", None)].kind == "station"
    assert places[("Пестово", None)].aliases == ("г. Пестово",) and places[("Пестово", None)].lat == 58.5973723
    assert {("Советская", "street"), ("Молога", "river")} <= {(p.name, p.kind) for p in report.places}
    assert report.centres_without_coordinates == ["Вятка (vyatsky)"]


def test_later_sources_fill_only_what_the_first_lacks():
    report = run_import([(FIXTURES / "kladr.csv", "csv"), (FIXTURES / "wiki.tsv", "csv")], FIXTURES / "departments.yaml")
    places = by_name(report.places)
    assert places[("Вятка", "vyatsky")].lat == 58.5101
    assert places[("Быково", "vyatsky")].lat == 58.4951  # matched by its settlement among two Быково
    assert places[("Быково", "bykovsky")].lat is None
    assert report.filled == 2 and report.unmatched == ["wiki.tsv: Неизвестное"]


def test_import_osm_alone():
    report = run_import([(FIXTURES / "overpass.json", "overpass")], FIXTURES / "departments.yaml")
    places = by_name(report.places)
    assert places[("Лаптево", "laptevsky")].lat == 58.6431  # a centre gets its department from the table
    assert places[("Русское Пестово", None)].kind == "village"


def test_bad_input_names_file_and_row(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat,lon\nЛаптево,58.6,abc\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad.csv: row 2: lon «abc» is not a number"):
        read_csv(bad)
    headless = tmp_path / "headless.csv"
    headless.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceError, match="no name column"):
        read_csv(headless)
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(SourceError, match="broken.json: not valid JSON"):
        read_overpass(broken)
    table = tmp_path / "table.yaml"
    table.write_text("departments:\n  - {centre: Лаптево}\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="departments.0: each entry needs a `department` code"):
        DepartmentTable.load(table)


def test_command_writes_a_loadable_gazetteer(tmp_path):
    from typer.testing import CliRunner

    from cli.app import app

    out = tmp_path / "district.yaml"
    result = CliRunner().invoke(app, ["gazetteer", "import", str(FIXTURES / "kladr.csv"), str(FIXTURES / "wiki.tsv"),
                                      "-d", str(FIXTURES / "departments.yaml"), "-m", str(FIXTURES / "local.yaml"),
                                      "-o", str(out), "--note", "Test data, made up."])
    assert result.exit_code == 0, result.output
    assert "Центры отделов без координат" not in result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Gazetteer built by `mcu gazetteer import`") and "# Test data, made up." in text
    municipality, places = read_places(out)
    assert municipality == "Пестовский муниципальный округ" and len(places) == 11  # 9 settlements, a street, a river
    gazetteer = load_gazetteer(out)
    assert [p.department for p in gazetteer.forms[("вятке",)]] == ["vyatsky"]
    missing = CliRunner().invoke(app, ["gazetteer", "import", str(tmp_path / "nope.csv"), "-o", str(out)])
    said = " ".join(missing.output.split())  # the console wraps long paths: compare the words
    assert missing.exit_code == 2 and "файл не найден" in said and "nope.csv" in said


def test_the_shipped_district_gazetteer_is_the_import_of_its_sources(shared_data):
    """config/gazetteer/pestovo.yaml is what the importer makes of the KLADR list and the local file."""
    repo = Path(__file__).resolve().parents[2]
    report = run_import([(shared_data / "gazetteer" / "kladr" / "pestovo_settlements_kladr.csv", "csv")],
                        repo / "config/gazetteer/pestovo-departments.yaml", repo / "config/gazetteer/pestovo-local.yaml")
    shipped = read_places(repo / "config" / "gazetteer" / "pestovo.yaml")[1]
    assert report.places == shipped
    settlements = [p for p in shipped if p.kind in ("village", "station", "town")]
    assert len(settlements) == 208 and sum(p.code is not None for p in settlements) == 205
    centres = {p.department: p for p in shipped if p.kind == "village" and p.name in
               ("Быково", "Русское Пестово", "Лаптево", "Вятка", "Охона", "Богослово", "Устюцкое") and p.department}
    assert len(centres) == 7
    assert {d for d, p in centres.items() if p.lat is not None} == {"okhonsky", "bogoslovsky"}
