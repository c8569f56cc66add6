"""The Russian alert card: what МЦУ staff read about a risk, in one builder for every output.

:func:`card_facts` gathers what a card says (routing, excerpt, spread, reasons, links, people,
workflow). :func:`card_text` writes those facts in a :class:`CardFormat`: :data:`PLAIN` for the
console, the file and the CLI, :data:`HTML` for the Telegram alert chat. The format decides only
how text is made safe and how the few marks look (bold, quote, link, code) and the length limit;
the wording is the same in both. Every piece of text from users, sources or config goes through
the format's ``escape`` (:func:`core.text.clean` or :func:`core.text.h`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from alerts.workflow import SYSTEM
from core.config import Person, Settings
from core.domain import (ACTION_RU, LEVEL_MARK, LEVEL_RU, OUTCOME_RU, RISK_STATUS_RU, Analysis, Post, Risk,
                         RiskStatus, Story)
from core.text import LIMIT, clean, counted, excerpt, h, local, number, trim_html, visible_length

HEAD_BLOCK = "head"  # the rubricator block of the МЦУ head, who receives escalations
EXCERPT = 280
ANSWER_EXCERPT = 300
REASON_EXCERPT = 160
COMPACT_EXCERPT = 140
COMPACT_ANSWER_EXCERPT = 120
COMPACT_LINKS = 2  # and reasons
MAX_LINKS = 5
MAX_REASONS = 3
MAX_SOURCES = 10
COMPACT_SOURCES = 3
VERDICT_EXCERPT = 400
LINE_EXCERPT = 600  # place and the responsible people: config text, but a card must still fit


@dataclass
class CardFacts:
    risk: Risk
    topic: str
    block: str
    place: str
    excerpt: str
    posts: int
    top_posts: int
    sources: list[str]
    reach: int
    reasons: list[str]
    links: list[str]
    people: list[str] = field(default_factory=list)
    timezone: str = "Europe/Moscow"

    @property
    def comments(self) -> int:
        return self.posts - self.top_posts


def _person(person: Person, settings: Settings | None = None) -> str:
    """«Position — Name (@handle)»: the name and handle from the ``people`` directory when it has them."""
    contact = settings.people.get(person.position) if settings is not None else None
    shown = f"{person.position} — {contact.name}" if contact else person.position
    handle = ((contact.telegram if contact and contact.telegram else person.telegram) or "").strip().lstrip("@")
    return f"{shown} (@{handle})" if handle else shown


def responsible(risk: Risk, settings: Settings) -> list[str]:
    """Positions from the routing config: the block head, the department head for a village,
    the head of the topic's block, and the МЦУ head once the risk is escalated."""
    rubricator = settings.rubricator
    people: list[str] = []
    block = rubricator.block(risk.block)
    if block:
        people.append(_person(block.head, settings))
    department = rubricator.department(risk.department)
    if department:
        people.append(_person(department.head, settings))
    topic_block = rubricator.block(rubricator.topic(risk.topic).block)
    if topic_block and topic_block is not block:
        people.append(_person(topic_block.head, settings))
    head = rubricator.block(HEAD_BLOCK)
    if risk.escalated and head:
        people += [_person(head.head, settings)] + [_person(p, settings) for p in head.members]
    return list(dict.fromkeys(people))


def card_facts(risk: Risk, story: Story | None, items: list[tuple[Post, Analysis | None]],
               settings: Settings) -> CardFacts:
    rubricator = settings.rubricator
    topic = rubricator.topic(risk.topic)
    block = rubricator.block(risk.block)
    department = rubricator.department(risk.department)
    first_id = story.first_post_id if story else None
    first = next((post for post, _ in items if post.id == first_id), items[0][0] if items else None)
    top_posts = [post for post, _ in items if not post.is_comment]
    reach = sum({post.source: post.reach for post, _ in items}.values())
    names = {s.key: s.name for s in settings.sources}
    keys = story.sources if story else list(dict.fromkeys(post.source for post, _ in items))
    place = ", ".join(risk.places) if risk.places else "не определено"
    if department:
        place += f" ({department.label})"
    text = first.display_text if first else (story.title if story else "")
    return CardFacts(
        risk=risk, topic=topic.label, block=block.label if block else risk.block, place=place,
        excerpt=excerpt(text, EXCERPT), posts=len(items), top_posts=len(top_posts),
        sources=[names.get(key, key) for key in keys], reach=reach,
        reasons=[r.detail for r in sorted(risk.reasons, key=lambda r: -r.value)[:MAX_REASONS]],
        links=[post.url for post in top_posts if post.url][:MAX_LINKS],
        people=responsible(risk, settings), timezone=settings.timezone,
    )


def evidence_line(risk: Risk) -> str | None:
    """The reaction tracking's evidence in one line, or None before the first tracking."""
    if risk.verdict is None:
        return None
    e = risk.verdict.evidence
    parts = [f"под ответом {counted(e.comments, 'комментарий', 'комментария', 'комментариев')} "
             f"(негативных {e.negative}, позитивных {e.positive}), отметок «нравится» {number(e.likes)}, "
             f"репостов {number(e.reposts)}"]
    if not e.answer_posts:
        parts = ["публикации ответа среди собранных источников не найдены"]
    if e.story_negative:
        parts.append(f"негативных комментариев в истории {e.story_negative}")
    parts.append(f"новых публикаций в истории {e.new_posts}")
    if e.new_sources:
        parts.append(f"новых источников {len(e.new_sources)}")
    return "; ".join(parts)


# ---------------------------------------------------------------- formats

def _same(text: str) -> str:
    return text


def plain_link(url: str) -> str:
    """A URL as plain text: the whole address, cleaned."""
    return clean(url).strip()


def link(url: str) -> str:
    """An ``<a>`` for an http(s) URL showing host and path; anything else as escaped text."""
    value = clean(url).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return h(value)
    shown = excerpt(f"{parts.hostname.removeprefix('www.')}{parts.path}".rstrip("/"), 48)
    return f'<a href="{h(value)}">{h(shown)}</a>'


@dataclass(frozen=True)
class CardFormat:
    """What differs between the outputs of a card. ``escape`` makes any text safe; the marks wrap
    text that is already escaped; ``link`` takes a raw URL. A card longer than ``limit`` (as
    ``measure`` counts it) is written compact, and a details message is cut with ``fit``."""

    escape: Callable[[object], str]
    bold: Callable[[str], str]
    quote: Callable[[str], str]
    link: Callable[[str], str]
    code: Callable[[str], str]
    limit: int | None = None
    measure: Callable[[str], int] = len
    fit: Callable[[str], str] = _same


PLAIN = CardFormat(escape=clean, bold=_same, quote=lambda text: f"«{text}»", link=plain_link, code=_same)
"""Plain UTF-8 text: console, alert file, CLI, the alert's stored text."""

HTML = CardFormat(escape=h, bold=lambda text: f"<b>{text}</b>", quote=lambda text: f"<blockquote>{text}</blockquote>",
                  link=link, code=lambda text: f"<code>{text}</code>", limit=LIMIT, measure=visible_length,
                  fit=trim_html)
"""Telegram's HTML parse mode, within its 4096 visible characters."""


# ---------------------------------------------------------------- the builder

def _first(items: list, compact: bool) -> list:
    return items[:COMPACT_LINKS] if compact else items


def source_list(names: list[str], compact: bool = False) -> str:
    """The first sources by name and how many more («а, б и ещё 12»)."""
    shown = names[: COMPACT_SOURCES if compact else MAX_SOURCES]
    more = len(names) - len(shown)
    return ", ".join(excerpt(name, 64) for name in shown) + (f" и ещё {more}" if more else "")


def workflow_lines(risk: Risk, tz: str, fmt: CardFormat, compact: bool = False) -> list[str]:
    """Status, assignee, the latest answer and the reaction verdict."""
    status = f"{fmt.bold('Статус:')} {RISK_STATUS_RU[risk.status]}"
    if risk.assignee:
        status += f" · в работе у {fmt.escape(excerpt(risk.assignee, 64))}"
    if risk.escalated:
        status += " · ⬆️ эскалирован"
    lines = [status]
    if risk.answers:
        answer = risk.answers[-1]
        places = excerpt(", ".join(answer.platforms), 200) or "площадки не указаны"
        text = excerpt(answer.text, COMPACT_ANSWER_EXCERPT if compact else ANSWER_EXCERPT)
        lines.append(f"{fmt.bold('Ответ')} ({local(answer.at, tz)}; {fmt.escape(places)}): «{fmt.escape(text)}»")
        lines += [f"  {fmt.link(url)}" for url in _first(answer.links[:MAX_LINKS], compact)]
    closed = next((step for step in reversed(risk.history) if step.action == "handled"), None)
    if risk.status == RiskStatus.handled and closed is not None and closed.actor != SYSTEM:
        lines.append(f"{fmt.bold('Отработан')} ({local(closed.at, tz)}; {fmt.escape(closed.actor)}): "
                     f"«{fmt.escape(excerpt(closed.note, REASON_EXCERPT))}»")
    if risk.verdict:
        verdict = risk.verdict
        lines.append(f"{fmt.bold('Реакция:')} {fmt.escape(evidence_line(risk))}")
        lines.append(f"{fmt.bold('Вердикт')} ({local(verdict.at, tz)}): {fmt.bold(OUTCOME_RU[verdict.outcome])} — "
                     f"{fmt.escape(excerpt(verdict.reason, REASON_EXCERPT if compact else VERDICT_EXCERPT))}")
    return lines


def card_text(facts: CardFacts, fmt: CardFormat, compact: bool = False) -> str:
    """The card in ``fmt``; compact (shorter quote, two reasons, two links) when asked or when the
    full card is longer than the format allows."""
    risk, e = facts.risk, fmt.escape
    quoted = excerpt(facts.excerpt, COMPACT_EXCERPT) if compact else facts.excerpt
    lines = [
        f"{LEVEL_MARK[risk.level]} {fmt.bold(f'{LEVEL_RU[risk.level]} риск {e(risk.label)}')} · {e(facts.topic)}",
        f"{fmt.bold('Блок:')} {e(facts.block)}",
        f"{fmt.bold('Место:')} {e(excerpt(facts.place, LINE_EXCERPT))}",
        "",
        fmt.quote(e(quoted)),
        "",
        f"{fmt.bold('Распространение:')} {counted(facts.posts, 'публикация', 'публикации', 'публикаций')} "
        f"(постов {facts.top_posts}, комментариев {facts.comments}) в "
        f"{counted(len(facts.sources), 'источнике', 'источниках', 'источниках')}: {e(source_list(facts.sources, compact))}",
        f"{fmt.bold('Охват источников:')} {number(facts.reach)}",
        f"{fmt.bold('Почему риск')} (оценка {risk.score:.2f}):",
    ]
    lines += [f"• {e(excerpt(reason, REASON_EXCERPT))}" for reason in _first(facts.reasons, compact)]
    if facts.links:
        lines.append(fmt.bold("Ссылки:"))
        lines += [f"  {fmt.link(url)}" for url in _first(facts.links, compact)]
    if facts.people:
        lines.append(f"{fmt.bold('Ответственные:')} {e(excerpt('; '.join(facts.people), LINE_EXCERPT))}")
    lines.append("")
    lines += workflow_lines(risk, facts.timezone, fmt, compact)
    text = "\n".join(lines)
    if not compact and fmt.limit is not None and fmt.measure(text) > fmt.limit:
        return card_text(facts, fmt, compact=True)
    return fmt.fit(text) if compact else text  # every part is bounded; the cut is a last guard


def details_text(facts: CardFacts, fmt: CardFormat, steps: int = 10) -> str:
    """The compact card, the latest ``steps`` of the history and the risk's id (``/risk N``);
    when that is too long, history lines go from the end, and the id always stays."""
    risk = facts.risk
    lines = [card_text(facts, fmt, compact=True), "",
             f"{fmt.bold('История')} (последние {min(steps, len(risk.history))}):"]
    for step in risk.history[-steps:]:
        note = f" — {fmt.escape(excerpt(step.note, 100))}" if step.note else ""
        lines.append(f"{local(step.at, facts.timezone)} · {ACTION_RU.get(step.action, fmt.escape(step.action))} · "
                     f"{fmt.escape(excerpt(step.actor, 64))}{note}")
    if not risk.history:
        lines.append("пока нет")
    last = fmt.code(fmt.escape(risk.id))
    text = "\n".join(lines + [last])
    while fmt.limit is not None and fmt.measure(text) > fmt.limit and len(lines) > 1:
        lines.pop()
        text = "\n".join(lines + ["…", last])
    return text


def render_card(risk: Risk, story: Story | None, items: list[tuple[Post, Analysis | None]],
                settings: Settings) -> str:
    """The plain-text card with the risk's id (console, file, CLI); safe to write as UTF-8 whatever the input."""
    return card_text(card_facts(risk, story, items, settings), PLAIN) + f"\nРиск {risk.id}"
