"""Readers of standard settlement lists, each yielding :class:`SourcePlace` records.

* ``csv``: OKTMO, ГАР or KLADR exports as CSV (comma, semicolon or tab). Columns are found
  by their usual names in either language (``name``/«Наименование», ``kind``/«Тип»/``TYPENAME``/
  ``SOCR``, ``lat``/«Широта», ``oktmo``/«Код ОКТМО», ``settlement``/«Поселение»,
  ``postal_index``/«Индекс»...). A kind written before the name («д Барсаниха», «ж/д ст Абросово»)
  is split off. In an OKTMO list, a row whose 11-digit code ends in ``000`` is a municipal
  formation: it becomes the ``settlement`` of the rows that share its first 8 digits.
* ``gar``: ГАР XML, ``AS_ADDR_OBJ`` (``OBJECT`` elements with NAME, TYPENAME, LEVEL, ISACTUAL,
  ISACTIVE), optionally with ``AS_MUN_HIERARCHY`` (``ITEM``: OBJECTID, PARENTOBJID, OKTMO) for each
  place's OKTMO code and its parent settlement.
* ``geojson``: OSM extracts as GeoJSON (Point or the centre of a Polygon; tags ``name``, ``place``,
  ``official_status``, ``addr:postcode``, ``oktmo:user``).
* ``overpass``: Overpass API JSON (``elements`` with ``lat``/``lon`` or ``center``, and ``tags``).

Errors name the file and, where there is one, the row or element.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from lxml import etree


class SourceError(ValueError):
    """A source file that cannot be read; the message names the file and the row or field."""


@dataclass
class SourcePlace:
    """One settlement as a source describes it, before departments and merging."""

    name: str
    kind_raw: str = ""              # «деревня», «д», «village», «ru:деревня»
    lat: float | None = None
    lon: float | None = None
    oktmo: str | None = None
    settlement: str | None = None   # the (old) municipal formation it belongs to
    postal_code: str | None = None
    code: str | None = None
    source: str = ""


# --- kinds ------------------------------------------------------------------------------------
# Source kind (lower case, dots dropped) → gazetteer kind; anything else is left out.
KINDS: dict[str, str] = {
    "г": "town", "город": "town", "town": "town", "city": "town",
    "д": "village", "дер": "village", "деревня": "village", "village": "village", "hamlet": "village",
    "isolated_dwelling": "village",
    "с": "village", "село": "village", "п": "village", "пос": "village", "посёлок": "village", "поселок": "village",
    "рп": "village", "пгт": "village", "х": "village", "хутор": "village", "сл": "village", "слобода": "village",
    "нп": "village", "населенный пункт": "village", "починок": "village", "ст-ца": "village", "станица": "village",
    "locality": "village",
    "ж/д ст": "station", "ж/д_ст": "station", "жд ст": "station", "ст": "station",
    "железнодорожная станция": "station", "станция": "station", "railway station": "station",
    "посёлок при станции": "station", "поселок при железнодорожной станции": "station",
}
KIND_PREFIX = re.compile(
    r"^(ж/д[ _]ст|железнодорожная станция|деревня|село|посёлок|поселок|хутор|город|д|с|п|г|пос|рп|пгт|х|ст)\.?\s+(?=\S)",
    re.IGNORECASE,
)


_KINDS = {key.replace("ё", "е"): kind for key, kind in KINDS.items()}


def gazetteer_kind(kind_raw: str) -> str | None:
    """The gazetteer kind of a source kind («д» → village, «ru:деревня» → village), or None."""
    return _KINDS.get(kind_raw.strip().lower().removeprefix("ru:").rstrip(".").replace("ё", "е"))


def split_kind(name: str) -> tuple[str, str]:
    """«д Барсаниха» → («д», «Барсаниха»); a name without a kind stays whole."""
    match = KIND_PREFIX.match(name.strip())
    if not match:
        return "", name.strip()
    return match.group(1), name.strip()[match.end():]


def _float(value: str | None, where: str, field: str) -> float | None:
    if value is None or not str(value).strip():
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        raise SourceError(f"{where}: {field} «{value}» is not a number") from None


# --- CSV -----------------------------------------------------------------------------------------
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "наименование", "название", "name1", "formalname", "offname", "нп"),
    "kind": ("kind", "type", "тип", "typename", "socr", "shortname", "вид", "тип нп"),
    "lat": ("lat", "latitude", "широта", "geo_lat"),
    "lon": ("lon", "lng", "longitude", "долгота", "geo_lon"),
    "oktmo": ("oktmo", "октмо", "код октмо", "код", "code"),
    "settlement": ("settlement", "поселение", "муниципальное образование", "mo", "municipality"),
    "postal_code": ("postal_index", "postal_code", "postcode", "индекс", "почтовый индекс"),
    "id": ("kladr_code", "кладр", "objectid", "fias_id", "objectguid", "id"),
}


def _columns(header: list[str], where: str) -> dict[str, int]:
    lowered = [h.strip().lower().lstrip("\ufeff") for h in header]
    found = {}
    for field, names in COLUMNS.items():
        index = next((lowered.index(n) for n in names if n in lowered), None)
        if index is not None:
            found[field] = index
    if "name" not in found:
        raise SourceError(f"{where}: no name column (one of {', '.join(COLUMNS['name'])}) in the header {header}")
    return found


def read_csv(path: Path) -> list[SourcePlace]:
    """A settlement list in CSV with a header row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read as UTF-8 text: {exc}") from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        raise SourceError(f"{path}: empty file")
    cols = _columns(rows[0], str(path))
    cell = (lambda row, field: row[cols[field]].strip() if field in cols and cols[field] < len(row) else "")
    places = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"{path}: row {number}"
        kind, name = split_kind(cell(row, "name"))
        if not name:
            raise SourceError(f"{where}: empty name")
        places.append(SourcePlace(
            name=name, kind_raw=cell(row, "kind") or kind,
            lat=_float(cell(row, "lat"), where, "lat"), lon=_float(cell(row, "lon"), where, "lon"),
            oktmo=cell(row, "oktmo") or None, settlement=cell(row, "settlement") or None,
            postal_code=cell(row, "postal_code") or None, code=cell(row, "id") or None, source=path.name,
        ))
    return _oktmo_settlements(places)


def _oktmo_settlements(places: list[SourcePlace]) -> list[SourcePlace]:
    """OKTMO lists: rows coded ``XXXXXXXX000`` are municipal formations; they name the
    settlement of the rows under them and are not settlements themselves."""
    formations = {p.oktmo[:8]: p.name for p in places
                  if p.oktmo and len(p.oktmo) == 11 and p.oktmo.isdigit() and p.oktmo.endswith("000")}
    if not formations:
        return places
    result = []
    for place in places:
        if place.oktmo and place.oktmo[:8] in formations:
            if place.oktmo.endswith("000"):
                continue
            place.settlement = place.settlement or formations[place.oktmo[:8]]
        result.append(place)
    return result


# --- ГАР XML -------------------------------------------------------------------------------------
SETTLEMENT_LEVELS = frozenset({"5", "6"})   # город, населённый пункт
FORMATION_LEVEL = "4"                        # поселение


def _xml_elements(path: Path, tag: str) -> Iterator[etree._Element]:
    try:
        for _, element in etree.iterparse(str(path), events=("end",), tag=tag, huge_tree=True):
            yield element
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SourceError(f"{path}: not readable ГАР XML: {exc}") from exc


def read_gar(path: Path, hierarchy: Path | None = None) -> list[SourcePlace]:
    """Settlements of a ГАР ``AS_ADDR_OBJ`` file (actual and active objects of levels 5 and 6)."""
    objects = {}
    for element in _xml_elements(path, "OBJECT"):
        attrs = dict(element.attrib)
        element.clear()
        if attrs.get("ISACTUAL", "1") != "1" or attrs.get("ISACTIVE", "1") != "1":
            continue
        if not attrs.get("OBJECTID") or not attrs.get("NAME"):
            raise SourceError(f"{path}: OBJECT {attrs.get('ID', '?')} has no OBJECTID or NAME")
        objects[attrs["OBJECTID"]] = attrs
    parents: dict[str, tuple[str, str]] = {}
    if hierarchy is not None:
        for element in _xml_elements(hierarchy, "ITEM"):
            if element.get("ISACTIVE", "1") == "1" and element.get("OBJECTID"):
                parents[element.get("OBJECTID")] = (element.get("PARENTOBJID", ""), element.get("OKTMO", ""))
            element.clear()
    places = []
    for object_id, attrs in objects.items():
        if attrs.get("LEVEL") not in SETTLEMENT_LEVELS:
            continue
        parent_id, oktmo = parents.get(object_id, ("", ""))
        parent = objects.get(parent_id)
        settlement = None
        if parent is not None and parent.get("LEVEL") == FORMATION_LEVEL:
            settlement = f"{parent['NAME']} {parent.get('TYPENAME', '')}".strip()
        places.append(SourcePlace(name=attrs["NAME"], kind_raw=attrs.get("TYPENAME", ""), oktmo=oktmo or None,
                                  settlement=settlement, code=f"gar:{object_id}", source=path.name))
    return places


# --- OSM -----------------------------------------------------------------------------------------
def _osm_place(tags: dict, lat: float | None, lon: float | None, code: str, source: str) -> SourcePlace | None:
    name = tags.get("name:ru") or tags.get("name")
    kind = tags.get("official_status") or tags.get("place") or ("railway station" if tags.get("railway") == "station"
                                                                  else "")
    if not name or not gazetteer_kind(kind):
        return None
    return SourcePlace(name=name, kind_raw=kind, lat=lat, lon=lon, oktmo=tags.get("oktmo:user") or tags.get("oktmo"),
                       postal_code=tags.get("addr:postcode") or tags.get("postal_code"), code=code, source=source)


def _centre(geometry: dict, where: str) -> tuple[float, float]:
    """(lat, lon) of a Point, or the mean of a (Multi)Polygon's outer ring vertices."""
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    try:
        if kind == "Point":
            return float(coords[1]), float(coords[0])
        ring = coords[0] if kind == "Polygon" else coords[0][0] if kind == "MultiPolygon" else None
        if ring is None:
            raise SourceError(f"{where}: geometry type «{kind}» is not Point or Polygon")
        return sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring)
    except (TypeError, IndexError, ValueError, ZeroDivisionError):
        raise SourceError(f"{where}: malformed {kind} coordinates") from None


def _load_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}: not valid JSON: {exc}") from exc


def read_geojson(path: Path) -> list[SourcePlace]:
    data = _load_json(path)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise SourceError(f"{path}: expected a GeoJSON FeatureCollection")
    places = []
    for i, feature in enumerate(data.get("features") or []):
        where = f"{path}: features[{i}]"
        tags = feature.get("properties") or {}
        lat, lon = _centre(feature.get("geometry") or {}, where)
        place = _osm_place(tags, lat, lon, f"osm:{feature.get('id', tags.get('@id', i))}", path.name)
        if place is not None:
            places.append(place)
    return places


def read_overpass(path: Path) -> list[SourcePlace]:
    data = _load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise SourceError(f"{path}: expected Overpass JSON with an `elements` list")
    places = []
    for i, element in enumerate(data["elements"]):
        point = element if "lat" in element else element.get("center") or {}
        where = f"{path}: elements[{i}]"
        place = _osm_place(element.get("tags") or {}, _float(point.get("lat"), where, "lat"),
                           _float(point.get("lon"), where, "lon"),
                           f"osm:{element.get('type', '?')}/{element.get('id', i)}", path.name)
        if place is not None:
            places.append(place)
    return places


READERS: dict[str, Callable[[Path], list[SourcePlace]]] = {
    "csv": read_csv, "gar": read_gar, "geojson": read_geojson, "overpass": read_overpass,
}


def guess_format(path: Path) -> str:
    """By extension, and for JSON by content: ``.csv``/``.tsv``, ``.xml``, ``.geojson``, ``.json``."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".xml":
        return "gar"
    if suffix == ".geojson":
        return "geojson"
    if suffix == ".json":
        data = _load_json(path)
        return "geojson" if isinstance(data, dict) and data.get("type") == "FeatureCollection" else "overpass"
    raise SourceError(f"{path}: unknown format; name it with --format ({', '.join(READERS)})")
