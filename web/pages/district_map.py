"""The map: open risks and negative posts by settlement, at the gazetteer's coordinates.

Leaflet draws it. With a tile server configured (``web.tiles``) the points lie on its map;
without one (an intranet) they lie on a blank background with the district outline
(``web.outline``, GeoJSON) when it is known, so the page works with no outside connection.
The coordinates are ``reports.places``' (the same as the period report's map): a street or an
object lies at the settlement it is within. Places without known coordinates are listed under
the map.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi import APIRouter, Depends, Request

from core.config import ConfigError
from core.domain import LEVEL_ORDER
from core.store import SearchQuery
from reports.places import Spot, coordinates
from web.guard import Signed, context, signed_in
from web.templating import page

router = APIRouter()
PERIODS = {"7d": ("за неделю", 7), "30d": ("за месяц", 30), "90d": ("за 3 месяца", 90), "all": ("за всё время", None)}


@dataclass
class PlaceMark:
    name: str
    lat: float | None
    lon: float | None
    risks: list[dict] = field(default_factory=list)
    level: str = "none"
    negative: int = 0


def spots(ctx) -> dict[str, Spot]:
    """Place name → where it is drawn (``reports.places``: a street lies at its settlement), read once."""
    if "spots" not in ctx.cache:
        ctx.cache["spots"] = coordinates(ctx.settings)
    return ctx.cache["spots"]


def outline(ctx) -> dict | None:
    path = ctx.settings.web.outline
    if path is None:
        return None
    if "outline" not in ctx.cache:
        file = ctx.settings.resolve(path)
        try:
            ctx.cache["outline"] = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{ctx.settings.config_file}: web.outline: cannot read GeoJSON {file}: {exc}") from None
    return ctx.cache["outline"]


def place_marks(ctx, period: str) -> list[PlaceMark]:
    """Every place with an open risk or a negative post in the period, drawn at its settlement
    when the gazetteer knows where that is, and every place with coordinates (so the map shows
    the district even when it is quiet)."""
    days = PERIODS.get(period, PERIODS["30d"])[1]
    since = ctx.now() - timedelta(days=days) if days else None
    known = spots(ctx)
    marks: dict[str, PlaceMark] = {}

    def mark(name: str) -> PlaceMark:
        spot = known.get(name)
        key = spot.name if spot else name
        if key not in marks:
            marks[key] = PlaceMark(key, spot.lat if spot else None, spot.lon if spot else None)
        return marks[key]

    for spot in known.values():
        mark(spot.name)
    for name, count in ctx.store.aggregate("place", SearchQuery(sentiment="negative", since=since, limit=0)).items():
        mark(name).negative += count
    for risk in ctx.store.list_risks():
        if not risk.is_open:
            continue
        for found in {mark(name).name: mark(name) for name in risk.places}.values():
            found.risks.append({"label": risk.label, "url": f"/risks/{risk.id}", "level": risk.level})
            if LEVEL_ORDER[risk.level] > LEVEL_ORDER[found.level]:
                found.level = risk.level
    return sorted(marks.values(), key=lambda m: (-LEVEL_ORDER[m.level], -len(m.risks), -m.negative, m.name))


@router.get("/map")
def map_page(request: Request, period: str = "30d", who: Signed = Depends(signed_in)):
    ctx = context(request)
    period = period if period in PERIODS else "30d"
    marks = place_marks(ctx, period)
    return page(request, "map.html", marks=marks, period=period, periods=PERIODS,
                unplaced=[m for m in marks if m.lat is None and (m.risks or m.negative)])


@router.get("/map/data.json")
def map_data(request: Request, period: str = "30d", who: Signed = Depends(signed_in)) -> dict:
    ctx = context(request)
    marks = [m for m in place_marks(ctx, period if period in PERIODS else "30d") if m.lat is not None]
    return {"tiles": ctx.settings.web.tiles, "attribution": ctx.settings.web.tiles_attribution,
            "outline": outline(ctx), "places": [vars(m) for m in marks]}
