"""The district's places, read from YAML, with every case form of every name.

A :class:`Gazetteer` holds :class:`Place` records plus two indexes built from them:
``forms`` (tuple of normalised tokens → places) for the toponym matcher, and
``overrides`` (word form → canonical lemma) for the :class:`~nlp.lemmas.Lemmatizer`,
so that «в Лаптеве» and «из Лаптева» index and search as «лаптево».
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Literal, get_args

import yaml

from nlp.inflection import is_proper, name_forms, name_words, word_forms
from nlp.lemmas import load_morph, normalize_word

PlaceKind = Literal["town", "village", "street", "river", "lake", "object", "station", "road", "district"]
PLACE_KINDS = frozenset(get_args(PlaceKind))

# Kinds whose own names (not aliases) feed the lemmatizer overrides: proper nouns only,
# never street or institution names that are ordinary adjectives («Советская», «Пестовская»).
OVERRIDE_KINDS = frozenset({"town", "village", "river", "lake"})

# Which kind a match prefers when one form names several places («Кирва»: village and river).
KIND_PRIORITY = ("town", "village", "station", "object", "street", "road", "river", "lake", "district")


class GazetteerError(ValueError):
    """A gazetteer file that cannot be used; the message names the file, entry and reason."""


@dataclass(frozen=True)
class Place:
    """One named place of the district."""

    name: str
    kind: str
    department: str | None = None
    lat: float | None = None
    lon: float | None = None
    aliases: tuple[str, ...] = ()
    within: str | None = None
    ambiguous: bool = False
    postal_code: str | None = None
    oktmo: str | None = None
    code: str | None = None
    """The register's own id: KLADR code, ГАР object id, OSM id («osm:node/123»)."""
    centre: bool = False
    """The centre of its territorial department: among homonyms, the one a text means."""

    @property
    def key(self) -> str:
        """The canonical lower-case name: «Лаптево» → «лаптево»."""
        return " ".join(normalize_word(w) for w in name_words(self.name))

    @property
    def surface_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class Gazetteer:
    municipality: str
    places: list[Place]
    forms: dict[tuple[str, ...], list[Place]] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    surname_forms: frozenset[tuple[str, ...]] = frozenset()
    common_forms: frozenset[tuple[str, ...]] = frozenset()

    def __post_init__(self) -> None:
        if not self.forms:
            self.forms = build_form_index(self.places)
        if not self.overrides:
            self.overrides = build_overrides(self.places)
        if not self.surname_forms:
            self.surname_forms = find_surname_forms(self.forms)
        if not self.common_forms:
            self.common_forms = find_common_forms(self.forms)

    @property
    def max_words(self) -> int:
        return max((len(form) for form in self.forms), default=0)

    def place(self, name: str, kind: str | None = None) -> Place | None:
        """The place of that canonical name (any kind, settlements first)."""
        matches = [p for p in self.places if p.name == name and (kind is None or p.kind == kind)]
        return min(matches, key=lambda p: KIND_PRIORITY.index(p.kind), default=None)

    def department_of(self, place: Place) -> str | None:
        """A village's department, or that of the village a street or object lies in."""
        if place.department:
            return place.department
        parent = self.place(place.within) if place.within else None
        return parent.department if parent else None


def merge_homonyms(places: list[Place]) -> list[Place]:
    """Places of one name and kind («Медведево» in two departments) become one for matching:
    its department and coordinates are kept only where all of them agree, since a text
    alone cannot tell the two villages apart. When one of them is a department's centre
    («Быково» of the Быковский department, beside a small Быково elsewhere), a text is
    taken to mean the centre."""
    groups: dict[tuple[str, str], list[Place]] = defaultdict(list)
    for place in places:
        groups[(place.name, place.kind)].append(place)
    merged = []
    for group in groups.values():
        first = group[0]
        centres = [p for p in group if p.centre]
        if len(group) == 1 or len(centres) == 1:
            merged.append(first if len(group) == 1 else
                          replace(centres[0], aliases=tuple(dict.fromkeys(a for p in group for a in p.aliases))))
            continue
        same = (lambda attr: getattr(first, attr) if all(getattr(p, attr) == getattr(first, attr) for p in group)
                else None)
        aliases = tuple(dict.fromkeys(a for p in group for a in p.aliases))
        merged.append(Place(first.name, first.kind, department=same("department"), lat=same("lat"), lon=same("lon"),
                            aliases=aliases, within=same("within"), ambiguous=any(p.ambiguous for p in group),
                            postal_code=same("postal_code")))
    return merged


def build_form_index(places: list[Place]) -> dict[tuple[str, ...], list[Place]]:
    index: dict[tuple[str, ...], list[Place]] = defaultdict(list)
    for place in merge_homonyms(places):
        for surface in place.surface_names:
            for form in name_forms(surface):
                if place not in index[form]:
                    index[form].append(place)
    for candidates in index.values():
        candidates.sort(key=lambda p: KIND_PRIORITY.index(p.kind))
    return dict(index)


def find_surname_forms(forms: dict[tuple[str, ...], list[Place]]) -> frozenset[tuple[str, ...]]:
    """One-word forms that are also a surname's case form: «Медведева», «Лаптеву», «Быкова».

    The matcher treats them like ambiguous names (a cue or a preposition is needed), so
    «Дмитрия Медведева» is a person and «из Медведева» a village.
    """
    morph = load_morph()
    weak = set()
    for form, places in forms.items():
        if len(form) != 1 or all(form[0] == p.key for p in places) or not morph.word_is_known(form[0]):
            continue
        if any({"Surn", "Name", "Patr"} & p.tag.grammemes for p in morph.parse(form[0])):
            weak.add(form)
    return frozenset(weak)


PROPER = frozenset({"Geox", "Name", "Surn", "Patr", "Abbr", "Orgn", "Trad"})


def find_common_forms(forms: dict[tuple[str, ...], list[Place]]) -> frozenset[tuple[str, ...]]:
    """One-word case forms that are also a common word: «мировом» (Мирово), «борисовом».

    The matcher treats them like ambiguous names (a cue or a capital after a preposition),
    so «в мировом масштабе» is no village. A name's own nominative is never weak here: an
    ambiguous nominative («Гора») is flagged in the gazetteer instead."""
    morph = load_morph()
    weak = set()
    for form, places in forms.items():
        if len(form) != 1 or any(form[0] == p.key or p.kind not in OVERRIDE_KINDS for p in places):
            continue
        if not morph.word_is_known(form[0]):
            continue
        if any(not (PROPER & p.tag.grammemes) and p.tag.POS is not None for p in morph.parse(form[0])):
            weak.add(form)
    return frozenset(weak)


def build_overrides(places: list[Place]) -> dict[str, str]:
    """Word form → canonical lemma for proper words of unambiguous settlement and water names."""
    overrides: dict[str, str] = {}
    for place in places:
        if place.ambiguous or place.kind not in OVERRIDE_KINDS:
            continue
        for word in name_words(place.name):
            if not is_proper(word):
                continue
            canonical = normalize_word(word)
            for forms in word_forms(word).values():
                for form in forms:
                    overrides.setdefault(form, canonical)
    return overrides


PLACE_KEYS = frozenset({"name", "kind", "department", "lat", "lon", "aliases", "within", "ambiguous",
                        "postal_code", "oktmo", "code", "centre"})


def parse_place(entry: object, where: str) -> Place:
    if not isinstance(entry, dict) or not entry.get("name"):
        raise GazetteerError(f"{where}: each place needs at least a `name`")
    unknown = set(entry) - PLACE_KEYS
    if unknown:
        raise GazetteerError(f"{where}: unknown keys {sorted(unknown)}")
    kind = entry.get("kind", "village")
    if kind not in PLACE_KINDS:
        raise GazetteerError(f"{where}: kind «{kind}» is not one of {sorted(PLACE_KINDS)}")
    lat, lon = entry.get("lat"), entry.get("lon")
    return Place(
        name=str(entry["name"]),
        kind=kind,
        department=entry.get("department"),
        lat=float(lat) if lat is not None else None,
        lon=float(lon) if lon is not None else None,
        aliases=tuple(str(a) for a in entry.get("aliases") or ()),
        within=entry.get("within"),
        ambiguous=bool(entry.get("ambiguous", False)),
        postal_code=_text(entry.get("postal_code")),
        oktmo=_text(entry.get("oktmo")),
        code=_text(entry.get("code")),
        centre=bool(entry.get("centre", False)),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@cache
def load_gazetteer(path: Path) -> Gazetteer:
    """Read and index a gazetteer file; cached per path, as building the forms takes a moment."""
    path = Path(path)
    municipality, places = read_places(path)
    return Gazetteer(municipality=municipality, places=places)


def read_yaml_list(path: Path, key: str, what: str) -> dict:
    """A YAML mapping with a list under ``key``; errors name the file and what it should be."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        reason = f"cannot read {what}: {exc.strerror}" if isinstance(exc, OSError) else f"not valid YAML: {exc}"
        raise GazetteerError(f"{path}: {reason}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get(key), list):
        raise GazetteerError(f"{path}: expected a mapping with a `{key}` list")
    return raw


def read_places(path: Path) -> tuple[str, list[Place]]:
    """The municipality and the places of a gazetteer file, validated but not indexed."""
    raw = read_yaml_list(path, "places", "gazetteer")
    places = [parse_place(entry, f"{path}: places.{i}") for i, entry in enumerate(raw["places"])]
    return str(raw.get("municipality", "")), places
