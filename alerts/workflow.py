"""The decree's risk procedure as plain functions: take, «не риск», record an answer, escalate,
close. The Telegram bot, the ``mcu risk`` commands and reaction tracking all call these.

Every change goes through :func:`change_risk`: load, apply, save with optimistic concurrency,
and on a conflict (the bot and a scan wrote at the same time) reload and apply again. An action
is written as the change it makes to a risk (``@risk_action``) and called with the store and the
risk's id: ``take(store, risk_id, actor, at)``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from urllib.parse import urlsplit

from core.text import clean, counted
from core.domain import Answer, Risk, RiskStatus, TransitionError
from core.store import ConflictError, Store

SYSTEM = "система"
ATTEMPTS = 5

_URL = re.compile(r"(?:https?://|www\.|(?<![\w@./])(?:vk\.com|vk\.ru|t\.me|ok\.ru)/)[^\s<>«»\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}»…"


class RiskNotFound(LookupError):
    """No risk matches what the user typed."""


@dataclass
class Outcome:
    """What an action did: the saved risk, whether it changed, a reply for the user, and a
    notice for the alert chat (re-opened, escalated …) when others should see it."""

    risk: Risk
    changed: bool
    message: str
    notice: str | None = None


ChangeResult = tuple[str, str | None] | str | None
"""A user message, optionally with a notice for the alert chat; None when nothing changes."""
Change = Callable[[Risk], ChangeResult]


def change_risk(store: Store, risk_id: str, change: Change, attempts: int = ATTEMPTS) -> Outcome:
    """Apply ``change`` to the stored risk and save it; a ConflictError reloads and retries.

    ``change`` mutates the risk it is given and returns the user message (optionally with a
    notice), or None when there is nothing to change (then nothing is written). It may raise
    TransitionError or ValueError to refuse."""
    for attempt in range(attempts):
        risk = store.get_risk(risk_id)
        if risk is None:
            raise RiskNotFound(f"риск {risk_id} не найден")
        before = risk.model_dump()
        result = change(risk)
        if result is None or risk.model_dump() == before:
            message = result[0] if isinstance(result, tuple) else result
            return Outcome(risk, False, message or "без изменений")
        message, notice = result if isinstance(result, tuple) else (result, None)
        try:
            return Outcome(store.save_risk(risk), True, message, notice)
        except ConflictError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


# finding a risk -------------------------------------------------------------
def find_risk(store: Store, ref: str) -> Risk:
    """A risk by its number («12», «№12») or by the start of its id (at least 4 characters)."""
    text = ref.strip().lstrip("№#").strip()
    risks = store.list_risks()
    if text.isdigit() and int(text) > 0:
        found = [r for r in risks if r.number == int(text)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise RiskNotFound(f"номер {text} у нескольких рисков: укажите id ({', '.join(r.id for r in found)})")
    if len(text) >= 4:
        found = [r for r in risks if r.id.startswith(text.lower())]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise RiskNotFound(f"«{clean(ref)}» подходит к нескольким рискам: укажите id длиннее")
    raise RiskNotFound(f"риск «{clean(ref)}» не найден: укажите номер (например, 12) или начало id")


# answers ---------------------------------------------------------------------
def extract_links(text: str) -> list[str]:
    links = []
    for match in _URL.finditer(text or ""):
        url = match.group(0).rstrip(_TRAILING)
        if not url.lower().startswith(("http://", "https://")):
            url = "https://" + url
        links.append(url)
    return list(dict.fromkeys(links))


def platform_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if host in {"vk.com", "vk.ru", "vkontakte.ru"}:
        return "VK"
    if host in {"t.me", "telegram.me", "telegram.org"}:
        return "Telegram"
    if host in {"ok.ru", "odnoklassniki.ru"}:
        return "Одноклассники"
    return "сайт/СМИ"


def checked_link(value: str) -> str:
    """An http(s) address as given (``vk.com/wall…`` gets ``https://``); ValueError for anything else."""
    link = clean(value).strip()
    candidate = link if "://" in link else "https://" + link
    parts = urlsplit(candidate)
    host = parts.hostname or ""
    if (parts.scheme not in ("http", "https") or "." not in host or any(c.isspace() for c in candidate)
            or not re.fullmatch(r"[\w.-]+", host) or "@" in parts.netloc):  # no «user@host» (mailto:, lures)
        raise ValueError(f"«{link}» — не ссылка: нужен адрес публикации вида https://vk.com/wall-1_2")
    return candidate


def parse_answer(text: str, actor: str, at: datetime, extra_links: list[str] = (), ref: str = "") -> Answer:
    """The decree's record of an answer from a chat message or CLI arguments: the text as written
    (without a leading ``/answer``), the platforms derived from the links, and the links.
    ValueError without a link, with a link that is not an http(s) address, or with nothing but links."""
    given = [checked_link(link) for link in extra_links if link and link.strip()]
    links = list(dict.fromkeys([*extract_links(text), *given]))
    body = re.sub(r"^\s*/answer(@\w+)?\b", "", clean(text or "")).strip()
    body = re.sub(r"[ \t]+", " ", body)
    body = re.sub(r"\s*\n\s*", "\n", body).strip()
    if not links:
        raise ValueError("нужна хотя бы одна ссылка на публикацию ответа (VK, Telegram, сайт или СМИ)")
    if not _URL.sub("", body).strip(" \n:;,.—-"):
        raise ValueError("нужен текст ответа (отработки), а не только ссылки")
    return Answer(text=body, platforms=list(dict.fromkeys(platform_of(u) for u in links)), links=links,
                  actor=clean(actor), at=at, ref=ref)


# actions -----------------------------------------------------------------------
def risk_action(change: Callable[..., ChangeResult]) -> Callable[..., Outcome]:
    """An action of the procedure from its change ``change(risk, actor, at, *details)``: the result
    is called ``action(store, risk_id, actor, at, *details)`` and goes through :func:`change_risk`."""

    @functools.wraps(change)
    def action(store: Store, risk_id: str, actor: str, at: datetime, *details: str) -> Outcome:
        return change_risk(store, risk_id, lambda risk: change(risk, actor, at, *details))

    return action


@risk_action
def take(risk: Risk, actor: str, at: datetime) -> ChangeResult:
    """«Взять в работу»: a new risk, or one back from «отработан», «не риск» or watching."""
    if risk.status == RiskStatus.in_work:
        return f"риск {risk.label} уже в работе у {risk.assignee or 'сотрудника МЦУ'}"
    back = risk.status != RiskStatus.new
    risk.move_to(RiskStatus.in_work, actor, at, action="take")
    risk.assignee = actor
    if back:
        return (f"риск {risk.label} снова в работе", f"↩️ Риск {risk.label} снова в работе: взял {actor}")
    return f"риск {risk.label} взят в работу"


@risk_action
def mark_not_risk(risk: Risk, actor: str, at: datetime, reason: str = "") -> ChangeResult:
    """«Не риск»: a new risk or one in work is closed as not a risk."""
    if risk.status == RiskStatus.not_risk:
        return f"риск {risk.label} уже отмечен «не риск»"
    risk.move_to(RiskStatus.not_risk, actor, at, note=clean(reason).strip(), action="not_risk")
    return f"риск {risk.label} отмечен «не риск»"


@risk_action
def escalate(risk: Risk, actor: str, at: datetime, reason: str = "") -> ChangeResult:
    """«Эскалировать»: the МЦУ head joins the responsible people and the risk is (back) in work."""
    if risk.escalated and risk.status == RiskStatus.in_work:
        return f"риск {risk.label} уже эскалирован и в работе"
    risk.escalated = True
    note = clean(reason) or "эскалирован руководителю МЦУ"
    if risk.status == RiskStatus.in_work:
        risk.record("escalate", actor, at, note)
    else:
        risk.move_to(RiskStatus.in_work, actor, at, note=note, action="escalate")
    risk.assignee = risk.assignee or actor
    text = f"⬆️ Риск {risk.label} эскалирован ({actor})" + (f": {clean(reason)}" if reason else "")
    return f"риск {risk.label} эскалирован", text


@risk_action
def close(risk: Risk, actor: str, at: datetime, note: str = "") -> ChangeResult:
    """«Отработан» by a person's decision, once an answer exists (also after the risk was re-opened
    or re-escalated); reaction tracking decides it on its own too."""
    if risk.status == RiskStatus.handled:
        return f"риск {risk.label} уже отработан"
    if not risk.answers or risk.status in (RiskStatus.new, RiskStatus.not_risk):
        raise TransitionError(f"риск {risk.label}: «отработан» возможен только после опубликованного ответа "
                              f"(сначала ответ: mcu risk answer или ответ на карточку в чате)")
    if risk.status == RiskStatus.answer_published:
        risk.move_to(RiskStatus.watching, actor, at, action="watch")
    reason = clean(note).strip()
    risk.move_to(RiskStatus.handled, actor, at, note=reason or "решение сотрудника", action="handled")
    return f"риск {risk.label} отработан", f"✅ Риск {risk.label} отработан ({actor})" + (f": {reason}" if reason else "")


def record_answer(store: Store, risk_id: str, answer: Answer) -> Outcome:
    """«Ответ опубликован» with the decree's record (text, platforms, links). A new risk is taken in
    work first; a risk already answered gets a further answer; a closed one is re-opened."""

    def change(risk: Risk):
        if answer.ref and any(a.ref == answer.ref for a in risk.answers):
            return f"этот ответ по риску {risk.label} уже записан"
        if risk.status in (RiskStatus.new, RiskStatus.handled, RiskStatus.not_risk):
            risk.move_to(RiskStatus.in_work, answer.actor, answer.at, action="take")
        risk.assignee = risk.assignee or answer.actor
        risk.answers.append(answer)
        note = f"{', '.join(answer.platforms)}: {counted(len(answer.links), 'ссылка', 'ссылки', 'ссылок')}"
        if risk.status == RiskStatus.in_work:
            risk.move_to(RiskStatus.answer_published, answer.actor, answer.at, note=note, action="answer")
        else:
            risk.record("answer", answer.actor, answer.at, note)
        return f"ответ по риску {risk.label} записан ({note})"

    return change_risk(store, risk_id, change)


def next_number(store: Store) -> int:
    return max((r.number for r in store.list_risks()), default=0) + 1
