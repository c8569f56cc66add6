"""Jinja2 templates with autoescaping on (every user text is shown as text), and the filters
the pages use for Russian times, ages, numbers and labels."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.domain import ACTION_RU, LEVEL_MARK, LEVEL_RU, RISK_STATUS_RU
from core.text import age, clean, counted, excerpt, local, number

TEMPLATES = Path(__file__).parent / "templates"


def safe_url(url: str | None) -> str | None:
    """Only http(s) links become links: a ``javascript:`` URL in a post stays text."""
    value = clean(url or "").strip()
    return value if urlsplit(value).scheme in ("http", "https") else None


def build_templates(tz: str) -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(
        local=lambda moment, fmt="%d.%m.%Y %H:%M": local(moment, tz, fmt) if moment else "—",
        clean=clean, excerpt=excerpt, number=number,
        level_ru=lambda level: LEVEL_RU.get(level, level).lower(), level_mark=lambda level: LEVEL_MARK.get(level, ""),
        status_ru=lambda status: RISK_STATUS_RU.get(str(status), str(status)),
        action_ru=lambda action: ACTION_RU.get(action, action), safe_url=safe_url,
        decimal=lambda value, digits=2: f"{value:.{digits}f}".replace(".", ","),
    )
    env.globals.update(age=age, counted=counted, query=query_string)
    return Jinja2Templates(env=env)


def query_string(params: dict, **changes) -> str:
    """The page's query with some parameters changed (None removes one)."""
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return "?" + urlencode(merged) if merged else "?"


def page(request: Request, name: str, status_code: int = 200, **values):
    """Render a page; the signed-in account, its CSRF token and the flash message come along."""
    ctx = request.app.state.ctx
    signed = getattr(request.state, "signed", None)
    flash = ctx.sessions.pop_flash(signed.session.token) if signed and values.pop("take_flash", True) else None
    values.setdefault("now", ctx.now())
    return request.app.state.templates.TemplateResponse(
        request, name, {"who": signed.account if signed else None, "csrf": signed.session.csrf if signed else "",
                        "flash": flash, "municipality": ctx.settings.municipality,
                        "labels": ctx.labels, "datetime": datetime, **values},
        status_code=status_code)
