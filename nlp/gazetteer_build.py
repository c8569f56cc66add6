"""Building a gazetteer file from standard data (``mcu gazetteer import``).

    sources (OKTMO/ГАР CSV or XML, OSM GeoJSON or Overpass JSON; nlp.gazetteer_readers)
      → the first source lists the settlements; later ones only fill what it lacks
        (coordinates, OKTMO, postal codes) for the same name and settlement
      → kinds mapped (деревня → village, ж/д станция → station, город → town)
      → departments by a mapping table: old rural settlement (name or OKTMO prefix) →
        territorial department, plus each department's centre village
      → merged with a hand-kept local file (streets, rivers, objects, aliases, overrides)
      → YAML in the gazetteer format (nlp.gazetteer), with a provenance header.

Nothing is guessed: a village whose settlement the data does not give keeps no department.
A name that is also a common word («Гора», «Свобода», «Красная Заря») is marked
``ambiguous``, so the matcher takes it only after a cue («д. Гора», «в Горе»).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from nlp.gazetteer import PLACE_KINDS, GazetteerError, Place, parse_place, read_yaml_list
from nlp.gazetteer_readers import SourcePlace, gazetteer_kind
from nlp.inflection import name_words
from nlp.lemmas import load_morph, normalize_word

SETTLEMENT_KINDS = frozenset({"town", "village", "station"})
PROPER = frozenset({"Geox", "Abbr", "Orgn", "Trad"})
FORMATION_WORDS = re.compile(r"\b(сельское|городское|поселение|с/п|сп|г/п|мо|муниципальное|образование)\b")


def settlement_key(name: str) -> str:
    """«Устюцкое сельское поселение», «Устюцкое с/п», «устюцкое» → «устюцкое»."""
    text = normalize_word(name).replace("(", " ").replace(")", " ")
    return " ".join(FORMATION_WORDS.sub(" ", text).split())


@dataclass
class Department:
    code: str
    settlements: tuple[str, ...] = ()
    oktmo: tuple[str, ...] = ()
    centre: str | None = None
    note: str = ""


@dataclass
class DepartmentTable:
    """Old municipal formations → territorial departments (a YAML file a municipality keeps)."""

    departments: list[Department] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> "DepartmentTable":
        raw = read_yaml_list(path, "departments", "the department table")
        departments = []
        for i, entry in enumerate(raw["departments"]):
            if not isinstance(entry, dict) or not entry.get("department"):
                raise GazetteerError(f"{path}: departments.{i}: each entry needs a `department` code")
            departments.append(Department(
                code=str(entry["department"]), settlements=tuple(str(s) for s in entry.get("settlements") or ()),
                oktmo=tuple(str(o) for o in entry.get("oktmo") or ()), centre=entry.get("centre"),
                note=str(entry.get("note", "")),
            ))
        return cls(departments)

    def department_of(self, settlement: str | None, oktmo: str | None) -> str | None:
        key = settlement_key(settlement) if settlement else None
        for dep in self.departments:
            if key and key in {settlement_key(s) for s in dep.settlements}:
                return dep.code
            if oktmo and any(oktmo.startswith(prefix) for prefix in dep.oktmo):
                return dep.code
        return None


def is_common_name(name: str) -> bool:
    """The name is also an everyday word or phrase: «Гора», «Нивы», «Красная Заря», «Имени Ленина».

    A word counts as common when the dictionary reads it as a noun or adjective in the
    nominative without a place tag; a name is common when none of its words is a place-only
    word (unknown to the dictionary, or a Geox name)."""
    morph = load_morph()
    for word in name_words(name):
        norm = normalize_word(word)
        if any(ch.isdigit() for ch in norm) or not morph.word_is_known(norm):
            return False
        parses = morph.parse(norm)
        if not any(p.tag.POS in ("NOUN", "ADJF") and "nomn" in p.tag and not (PROPER & p.tag.grammemes)
                   for p in parses):
            return False
    return True


# --- combining sources ----------------------------------------------------------------------------
@dataclass
class ImportReport:
    """What an import did, for the command's summary."""

    places: list[Place]
    sources: list[str]
    skipped_kinds: Counter = field(default_factory=Counter)
    filled: int = 0
    unmatched: list[str] = field(default_factory=list)
    centres_without_coordinates: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> Counter:
        return Counter(p.kind for p in self.places)

    @property
    def with_coordinates(self) -> int:
        return sum(p.lat is not None for p in self.places)

    @property
    def with_department(self) -> int:
        return sum(p.department is not None for p in self.places)


def _fill(target: SourcePlace, extra: SourcePlace) -> bool:
    changed = False
    for attr in ("lat", "lon", "oktmo", "postal_code", "settlement"):
        if getattr(target, attr) in (None, "") and getattr(extra, attr) not in (None, ""):
            setattr(target, attr, getattr(extra, attr))
            changed = True
    return changed


def combine_sources(lists: list[list[SourcePlace]], report: ImportReport) -> list[SourcePlace]:
    """The first list, with missing fields filled from later lists (same name and kind, and the
    same settlement where either names one; a name that stays ambiguous is not filled)."""
    base = [replace(p) for p in lists[0]]
    by_name: dict[str, list[SourcePlace]] = defaultdict(list)
    for place in base:
        by_name[normalize_word(place.name)].append(place)
    for extra_list in lists[1:]:
        for extra in extra_list:
            candidates = [p for p in by_name.get(normalize_word(extra.name), [])
                          if gazetteer_kind(p.kind_raw) == gazetteer_kind(extra.kind_raw) or not extra.kind_raw]
            if extra.settlement and len(candidates) > 1:
                key = settlement_key(extra.settlement)
                candidates = [p for p in candidates if p.settlement and settlement_key(p.settlement) == key]
            if len(candidates) != 1:
                report.unmatched.append(f"{extra.source}: {extra.name}")
                continue
            report.filled += _fill(candidates[0], extra)
    return base


def to_places(sources: list[SourcePlace], table: DepartmentTable | None, report: ImportReport) -> list[Place]:
    places = []
    for src in sources:
        kind = gazetteer_kind(src.kind_raw) or ("village" if not src.kind_raw else None)
        if kind is None:
            report.skipped_kinds[src.kind_raw] += 1
            continue
        department = table.department_of(src.settlement, src.oktmo) if table and kind != "town" else None
        places.append(Place(name=src.name, kind=kind, department=department, lat=src.lat, lon=src.lon,
                            ambiguous=is_common_name(src.name), postal_code=src.postal_code, oktmo=src.oktmo,
                            code=src.code))
    if table is not None:
        places = _assign_centres(places, table)
    return places


def _assign_centres(places: list[Place], table: DepartmentTable) -> list[Place]:
    """Each department's centre village: the one village of that name, or the one of several
    homonyms the data leaves without a department while the others have another one."""
    result = list(places)
    for dep in table.departments:
        if not dep.centre:
            continue
        same = [i for i, p in enumerate(result) if p.name == dep.centre and p.kind == "village"]
        free = [i for i in same if result[i].department in (None, dep.code)]
        if len(free) == 1 and all(result[i].department not in (None, dep.code) for i in same if i != free[0]):
            result[free[0]] = replace(result[free[0]], department=dep.code, centre=True)
    return result


# --- merging with the local file ------------------------------------------------------------------
def read_local(path: Path) -> list[dict]:
    """The hand-kept entries (validated as places), as written."""
    raw = read_yaml_list(path, "places", "the local gazetteer")
    for i, entry in enumerate(raw["places"]):
        parse_place(entry, f"{path}: places.{i}")
    return raw["places"]


def merge_local(imported: list[Place], local: list[dict]) -> list[Place]:
    """Imported settlements with the local file's knowledge laid over them.

    A local settlement entry applies to the imported place of the same name (and, among
    homonyms, the same department): its aliases, ``ambiguous``, ``within`` and department
    win, and its coordinates fill what the import lacks. Local entries of other kinds, and
    settlements the import does not know, are kept as they are."""
    result = list(imported)
    extra: list[Place] = []
    for entry in local:
        place = parse_place(entry, "local")
        if place.kind not in SETTLEMENT_KINDS:
            extra.append(place)
            continue
        same = [i for i, p in enumerate(result) if p.name == place.name and p.kind == place.kind]
        if len(same) > 1:
            same = [i for i in same if result[i].department == place.department] or same
        if len(same) != 1:
            extra.append(place)
            continue
        i = same[0]
        base = result[i]
        result[i] = replace(
            base,
            department=place.department if "department" in entry else base.department,
            lat=base.lat if base.lat is not None else place.lat,
            lon=base.lon if base.lon is not None else place.lon,
            aliases=tuple(dict.fromkeys((*base.aliases, *place.aliases))),
            within=place.within or base.within,
            centre=place.centre or base.centre,
            ambiguous=place.ambiguous if "ambiguous" in entry else base.ambiguous,
        )
    return result + extra


# --- writing --------------------------------------------------------------------------------------
FIELD_ORDER = ("name", "kind", "department", "centre", "lat", "lon", "aliases", "within", "ambiguous",
               "postal_code", "oktmo", "code")
KIND_ORDER = ("district", "town", "village", "station", "street", "road", "river", "lake", "object")


def place_entry(place: Place) -> dict:
    entry = {}
    for name in FIELD_ORDER:
        value = getattr(place, name)
        if value in (None, (), False) and name not in ("name", "kind"):
            continue
        entry[name] = list(value) if isinstance(value, tuple) else value
    return entry


def sort_places(places: list[Place]) -> list[Place]:
    """District and town first, then settlements by department (centre first, then A–Я),
    villages of unknown department, then streets, roads, water and objects in file order."""
    def key(item: tuple[int, Place]):
        index, place = item
        kind_rank = KIND_ORDER.index(place.kind) if place.kind in KIND_ORDER else len(KIND_ORDER)
        if place.kind in ("village", "station"):
            return (2, place.department is None, place.department or "", not place.centre,
                    normalize_word(place.name), index)
        return (kind_rank if kind_rank < 2 else kind_rank + 1, index)
    return [p for _, p in sorted(enumerate(places), key=key)]


def write_gazetteer(path: Path, municipality: str, places: list[Place], header: str) -> None:
    unknown = {p.kind for p in places} - PLACE_KINDS
    if unknown:
        raise GazetteerError(f"{path}: kinds {sorted(unknown)} are not gazetteer kinds")
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    lines.append(f"municipality: {municipality}")
    lines.append("places:")
    for place in places:
        flow = yaml.safe_dump(place_entry(place), allow_unicode=True, default_flow_style=True, sort_keys=False,
                              width=10_000).strip()
        lines.append(f"  - {flow}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_import(
    sources: list[tuple[Path, str]],
    table: Path | None = None,
    local: Path | None = None,
    hierarchy: Path | None = None,
) -> ImportReport:
    """Read every source (path, format), combine, map kinds and departments, merge the local file."""
    from nlp.gazetteer_readers import READERS, read_gar

    lists = []
    for path, fmt in sources:
        lists.append(read_gar(path, hierarchy) if fmt == "gar" else READERS[fmt](path))
    report = ImportReport(places=[], sources=[str(path) for path, _ in sources])
    if not lists or not lists[0]:
        raise GazetteerError(f"{sources[0][0] if sources else '?'}: no settlements found")
    combined = combine_sources(lists, report)
    departments = DepartmentTable.load(table) if table else None
    places = to_places(combined, departments, report)
    if local is not None:
        places = merge_local(places, read_local(local))
    report.places = sort_places(places)
    report.centres_without_coordinates = sorted(
        f"{p.name} ({p.department})" for p in report.places if p.centre and p.lat is None
    )
    return report
