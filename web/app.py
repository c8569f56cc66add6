"""The web workplace as an ASGI app: FastAPI routes rendered with Jinja2 on the server, htmx and
Leaflet served from ``web/static`` (no CDN, no build step).

``create_app(settings)`` opens the configured store (SQLite or Elasticsearch, through the
``core.store.Store`` protocol) and the web's own file of accounts and sessions; ``mcu web``
serves it with uvicorn.
"""
from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from core.config import Settings
from core.store import SearchQuery, Store
from web.context import WebContext, utc_now
from web.guard import NotSignedIn
from web.pages import ROUTERS
from web.templating import build_templates, page

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def content_security_policy(settings: Settings) -> str:
    """Scripts and styles only from this server; map tiles also from the configured tile server."""
    images = "'self' data:"
    if settings.web.tiles:
        parts = urlsplit(settings.web.tiles.replace("{s}", "a"))
        host = parts.netloc.replace("a.", "*.", 1) if "{s}" in settings.web.tiles else parts.netloc
        images += f" {parts.scheme}://{host}"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {images}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


def create_app(settings: Settings, store: Store | None = None, *, now: Callable = utc_now,
               sinks: Callable | None = None, warm: bool = True) -> FastAPI:
    """The app on ``store`` (else the configured store, closed with the app). ``now`` and
    ``sinks`` are for tests; ``warm`` loads the query lemmatiser at start, not on the first search."""
    owned = store is None
    if store is None:
        from pipeline.wiring import open_store_lazily

        store = open_store_lazily(settings)
    ctx = WebContext.build(settings, store, now)
    ctx.sinks = sinks

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            store.count(SearchQuery(text="вода", limit=0))
        try:
            yield
        finally:
            ctx.close()
            if owned:
                store.close()

    app = FastAPI(title="МЦУ", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.ctx = ctx
    app.state.templates = build_templates(settings.timezone)
    policy = content_security_policy(settings)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(NotSignedIn)
    async def to_login(request: Request, exc: NotSignedIn):
        target = f"/login?next={exc.next_url}"
        if request.headers.get("hx-request"):
            return HTMLResponse("", status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException):
        if request.url.path.endswith(".json"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        titles = {403: "Нет доступа", 404: "Не найдено", 429: "Слишком много попыток"}
        response = page(request, "error.html", status_code=exc.status_code, take_flash=False,
                        title=titles.get(exc.status_code, "Ошибка"), detail=exc.detail)
        response.headers.update(exc.headers or {})
        return response

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/risks", status_code=303)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app
