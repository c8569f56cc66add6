"""Search: full text over the posts' lemmas, narrowed by facets (topic, block, department, place,
tone, source, platform, period), on either store through ``core.store``. Results link to the
post itself and to its story or risk."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from fastapi import APIRouter, Depends, HTTPException, Request

from core.store import SearchQuery
from web.guard import Signed, context, signed_in
from web.templating import page

router = APIRouter()
FACETS = {"topic": "Тема", "block": "Блок", "department": "Территориальный отдел", "place": "Место",
          "sentiment": "Тональность", "source": "Источник", "platform": "Площадка"}
PERIODS = {"1d": ("за сутки", 1), "7d": ("за неделю", 7), "30d": ("за месяц", 30), "90d": ("за 3 месяца", 90),
           "all": ("за всё время", None)}
LIMITS = (50, 100, 200)
FACET_VALUES = 12
STORY_PAGE = 200


@dataclass(frozen=True)
class Facet:
    field: str
    title: str
    values: list[tuple[str, str, int]]
    """(value, label, count), most frequent first."""
    chosen: str | None


def search_query(params, now) -> tuple[SearchQuery, dict[str, str]]:
    """The store query of the page's parameters, and the parameters that were used."""
    used = {name: params.get(name, "").strip() for name in ("q", *FACETS, "period", "limit", "order")}
    used = {k: v for k, v in used.items() if v}
    days = PERIODS.get(used.get("period", "all"), PERIODS["all"])[1]
    limit = int(used["limit"]) if used.get("limit", "").isdigit() and int(used["limit"]) in LIMITS else LIMITS[0]
    order = "date" if used.get("order") == "date" else "relevance"
    query = SearchQuery(text=used.get("q", ""), since=now - timedelta(days=days) if days else None, limit=limit,
                        order=order, **{name: used.get(name) for name in FACETS})
    if len(query.text) > 500:
        raise HTTPException(status_code=400, detail="Слишком длинный запрос (больше 500 символов).")
    return query, used


@router.get("/search")
def search(request: Request, who: Signed = Depends(signed_in)):
    ctx = context(request)
    query, used = search_query(request.query_params, ctx.now())
    searched = bool(used)
    hits, total, facets = [], 0, []
    if searched:
        hits = ctx.store.search(query)
        total = ctx.store.count(query)
        counted = ctx.store.facets(FACETS, replace(query, limit=0))
        for name, title in FACETS.items():
            counts = counted[name]
            labels = ctx.labels.of_field(name)
            values = [(value, labels.get(value, value), n) for value, n in list(counts.items())[:FACET_VALUES]]
            facets.append(Facet(name, title, values, used.get(name)))
    risks = {r.story_id: r for r in ctx.store.list_risks()} if hits else {}
    return page(request, "search.html", hits=hits, total=total, facets=facets, params=used, periods=PERIODS,
                limits=LIMITS, risks=risks, searched=searched)


@router.get("/stories/{story_id}")
def story(request: Request, story_id: str, offset: int = 0, who: Signed = Depends(signed_in)):
    """A story's posts and comments in time order, with its risk if one was raised."""
    from core.domain import risk_id
    from web.risk_views import story_posts

    ctx = context(request)
    found = ctx.store.get_story(story_id)
    if found is None:
        raise HTTPException(status_code=404, detail="История не найдена (возможно, удалена по сроку хранения).")
    start = max(0, offset)
    posts = story_posts(ctx.store.posts_by_ids(found.post_ids), ctx.labels)[start:start + STORY_PAGE]
    return page(request, "story.html", story=found, posts=posts, risk=ctx.store.get_risk(risk_id(found.id)),
                offset=start, page_size=STORY_PAGE, total=len(found.post_ids))
