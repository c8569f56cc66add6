"""The Russian alert card: what МЦУ staff read about a risk.

:func:`card_facts` gathers what a card says (routing, excerpt, spread, reasons, links,
people, workflow); :func:`render_card` writes it as plain text for the console, the file
and the CLI, and ``alerts.telegram.render`` writes the same facts as Telegram HTML.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.text import clean, counted, excerpt, local, number  # excerpt: also used by cli.display
from core.config import Person, Settings
from core.domain import LEVEL_MARK, LEVEL_RU, OUTCOME_RU, RISK_STATUS_RU, Analysis, Post, Risk, Story

HEAD_BLOCK = "head"  # the rubricator block of the МЦУ head, who receives escalations
EXCERPT = 280
ANSWER_EXCERPT = 300
MAX_LINKS = 5
MAX_REASONS = 3


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


def _person(person: Person) -> str:
    handle = (person.telegram or "").strip().lstrip("@")
    return f"{person.position} (@{handle})" if handle else person.position


def responsible(risk: Risk, settings: Settings) -> list[str]:
    """Positions from the routing config: the block head, the department head for a village,
    the head of the topic's block, and the МЦУ head once the risk is escalated."""
    rubricator = settings.rubricator
    people: list[str] = []
    block = rubricator.block(risk.block)
    if block:
        people.append(_person(block.head))
    department = rubricator.department(risk.department)
    if department:
        people.append(_person(department.head))
    topic_block = rubricator.block(rubricator.topic(risk.topic).block)
    if topic_block and topic_block is not block:
        people.append(_person(topic_block.head))
    head = rubricator.block(HEAD_BLOCK)
    if risk.escalated and head:
        people += [_person(head.head)] + [_person(p) for p in head.members]
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


def workflow_lines(risk: Risk, tz: str) -> list[str]:
    """Status, assignee, the latest answer and the reaction verdict, as plain lines."""
    status = f"Статус: {RISK_STATUS_RU[risk.status]}"
    if risk.assignee:
        status += f" · в работе у: {clean(risk.assignee)}"
    if risk.escalated:
        status += " · эскалирован"
    lines = [status]
    if risk.answers:
        answer = risk.answers[-1]
        lines.append(f"Ответ ({local(answer.at, tz)}, {', '.join(answer.platforms) or 'площадки не указаны'}): "
                     f"«{excerpt(answer.text, ANSWER_EXCERPT)}»")
        lines += [f"  {clean(link)}" for link in answer.links[:MAX_LINKS]]
    if risk.verdict:
        lines.append(f"Реакция: {evidence_line(risk)}")
        lines.append(f"Вердикт ({local(risk.verdict.at, tz)}): {OUTCOME_RU[risk.verdict.outcome]} — "
                     f"{clean(risk.verdict.reason)}")
    return lines


def render_facts(facts: CardFacts) -> str:
    risk = facts.risk
    lines = [
        f"{LEVEL_MARK[risk.level]} {LEVEL_RU[risk.level]} риск {risk.label} · {clean(facts.topic)}",
        f"Блок: {clean(facts.block)}",
        f"Место: {clean(facts.place)}",
        "",
        f"«{facts.excerpt}»",
        "",
        f"Публикаций: {facts.posts} (постов {facts.top_posts}, комментариев {facts.comments}) "
        f"в {len(facts.sources)} источн.: {clean(', '.join(facts.sources))}",
        f"Охват источников: {number(facts.reach)}",
        "Почему риск (оценка {:.2f}):".format(risk.score),
    ]
    lines += [f"  • {clean(reason)}" for reason in facts.reasons]
    if facts.links:
        lines.append("Ссылки:")
        lines += [f"  {clean(url)}" for url in facts.links]
    if facts.people:
        lines.append("Ответственные: " + clean("; ".join(facts.people)))
    lines += workflow_lines(risk, facts.timezone)
    lines.append(f"Риск {risk.id}")
    return "\n".join(lines)


def render_card(risk: Risk, story: Story | None, items: list[tuple[Post, Analysis | None]],
                settings: Settings) -> str:
    """The plain-text card (console, file, CLI); safe to write as UTF-8 whatever the input."""
    return render_facts(card_facts(risk, story, items, settings))
