"""Coordinates of the district's places for the map, from the gazetteer file of the config.

Only ``name``, ``aliases``, ``lat``, ``lon`` and ``within`` of each entry are read: a street or
an object without coordinates is placed at the settlement it is ``within``. Places without
known coordinates are listed under the map instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from core.config import ConfigError, Settings


@dataclass(frozen=True)
class Spot:
    """Where a place is drawn: the settlement (or the place itself) that has coordinates."""

    name: str
    lat: float
    lon: float


def load_coordinates(path: Path) -> dict[str, Spot]:
    """Place name (and alias) → its spot; ConfigError naming the file when it cannot be read."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: не удалось прочитать газеттир для карты: {exc}") from exc
    entries = [e for e in raw.get("places") or [] if isinstance(e, dict) and e.get("name")]
    own: dict[str, Spot] = {}
    for entry in entries:
        if entry.get("lat") is not None and entry.get("lon") is not None:
            spot = Spot(str(entry["name"]), float(entry["lat"]), float(entry["lon"]))
            for name in [entry["name"], *(entry.get("aliases") or [])]:
                own.setdefault(str(name), spot)
    for entry in entries:
        parent = own.get(str(entry.get("within") or ""))
        if parent and entry["name"] not in own:
            for name in [entry["name"], *(entry.get("aliases") or [])]:
                own.setdefault(str(name), parent)
    return own


def coordinates(settings: Settings) -> dict[str, Spot]:
    return load_coordinates(settings.resolve(settings.gazetteer))
