"""Risks: the list (filtered, refreshing itself) and a risk's card with the decree's actions.

Actions call the same ``alerts.workflow`` functions as the chat bot and ``mcu risk``, under the
signed-in person's name, and refresh the risk's card in the alert chat.
"""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from alerts import workflow
from alerts.card import responsible
from core.domain import RISK_STATUS_RU, TransitionError
from core.text import clean
from web.guard import Signed, context, operator, signed_in
from reports.sla import stage_text
from web.risk_views import (SORTS, STATUS_FILTERS, RiskFilters, actions_for, reactions, risk_rows, shown_posts,
                            story_of, story_posts)
from web.templating import page

router = APIRouter()
ANSWER_PLATFORMS = ("VK", "Telegram", "Одноклассники", "сайт/СМИ")


def _list_values(request: Request) -> dict:
    ctx = context(request)
    filters = RiskFilters.of(request.query_params)
    risks = [risk for risk in ctx.store.list_risks(filters.statuses()) if filters.keep(risk)]
    rows = risk_rows(risks, filters, ctx.slas(risks, ctx.now()), ctx.labels, ctx.accounts.display_name)
    return {"rows": rows, "filters": filters, "statuses": {k: v or RISK_STATUS_RU[k] for k, v in STATUS_FILTERS.items()},
            "sorts": SORTS, "overdue": sum(r.overdue for r in rows),
            "refresh": ctx.settings.web.refresh_seconds}


@router.get("/risks")
def risk_list(request: Request, who: Signed = Depends(signed_in)):
    return page(request, "risks.html", **_list_values(request))


@router.get("/risks/table")
def risk_table(request: Request, who: Signed = Depends(signed_in)):
    """The table alone: the list page polls it (htmx) so that new alerts show without a reload."""
    return page(request, "risk_table.html", take_flash=False, **_list_values(request))


def _find(request: Request, ref: str):
    try:
        return workflow.find_risk(context(request).store, ref)
    except workflow.RiskNotFound as exc:
        raise HTTPException(status_code=404, detail=clean(str(exc))) from None


@router.get("/risks/{ref}")
def risk_card(request: Request, ref: str, who: Signed = Depends(signed_in)):
    ctx = context(request)
    risk = _find(request, ref)
    story, items = story_of(ctx.store, risk)
    posts = story_posts(items, ctx.labels)
    now = ctx.now()
    total = len(story.post_ids) if story else 0
    return page(request, "risk.html", risk=risk, story=story, posts=shown_posts(posts), total_posts=total,
                reasons=sorted(risk.reasons, key=lambda r: -r.value), people=responsible(risk, ctx.settings),
                answered=reactions(risk, posts, now), actions=actions_for(risk), name_of=ctx.accounts.display_name,
                sla=ctx.slas([risk], now)[risk.id], stage_text=stage_text,
                platforms=ANSWER_PLATFORMS,
                topic=ctx.labels.topics.get(risk.topic, risk.topic), block=ctx.labels.blocks.get(risk.block, risk.block),
                department=ctx.labels.departments.get(risk.department) if risk.department else None)


def _act(request: Request, ref: str, who: Signed, do) -> RedirectResponse:
    """Apply ``do(store, risk, actor, now)``; the outcome (or why it was refused) is flashed on the card."""
    ctx = context(request)
    risk = _find(request, ref)
    try:
        outcome = do(ctx.store, risk, who.account.actor, ctx.now())
    except (TransitionError, ValueError) as exc:
        ctx.sessions.flash(who.session.token, "Не выполнено: " + clean(str(exc)))
    else:
        ctx.refresh_chat(outcome)
        message = clean(outcome.message)
        ctx.sessions.flash(who.session.token, message[:1].upper() + message[1:])
    return RedirectResponse(f"/risks/{risk.id}", status_code=303)


@router.post("/risks/{ref}/take")
def take(request: Request, ref: str, who: Signed = Depends(operator)):
    return _act(request, ref, who, lambda db, risk, actor, now: workflow.take(db, risk.id, actor, now))


@router.post("/risks/{ref}/not-risk")
def not_risk(request: Request, ref: str, reason: str = Form(""), who: Signed = Depends(operator)):
    return _act(request, ref, who, lambda db, risk, actor, now: workflow.mark_not_risk(db, risk.id, actor, now, reason))


@router.post("/risks/{ref}/escalate")
def escalate(request: Request, ref: str, reason: str = Form(""), who: Signed = Depends(operator)):
    return _act(request, ref, who, lambda db, risk, actor, now: workflow.escalate(db, risk.id, actor, now, reason))


@router.post("/risks/{ref}/close")
def close(request: Request, ref: str, note: str = Form(""), who: Signed = Depends(operator)):
    return _act(request, ref, who, lambda db, risk, actor, now: workflow.close(db, risk.id, actor, now, note))


@router.post("/risks/{ref}/answer")
def answer(request: Request, ref: str, text: str = Form(""), links: str = Form(""),
           platforms: list[str] = Form([]), who: Signed = Depends(operator)):
    """The decree's record of an answer: its text, the platforms, the links. Each web answer has
    its own ref, so a second answer is recorded beside the first, not refused as a repeat."""

    def do(db, risk, actor, now):
        record = workflow.parse_answer(text, actor, now, links.split(),
                                       ref=f"web:{who.account.username}:{uuid.uuid4().hex}")
        chosen = [p for p in platforms if p in ANSWER_PLATFORMS]
        record.platforms = list(dict.fromkeys([*record.platforms, *chosen]))
        return workflow.record_answer(db, risk.id, record)

    return _act(request, ref, who, do)
