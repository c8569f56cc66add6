"""The Russian alert card: what МЦУ staff read about a risk."""
from __future__ import annotations

from mcu.config import Settings
from mcu.domain import RISK_STATUS_RU, Analysis, Post, Risk, Story

LEVEL_RU = {"critical": "КРИТИЧЕСКИЙ", "high": "ВЫСОКИЙ", "medium": "СРЕДНИЙ", "none": "нет"}
LEVEL_MARK = {"critical": "🔴", "high": "🟠", "medium": "🟡", "none": "⚪"}
EXCERPT = 280
MAX_LINKS = 5


def excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def responsible(risk: Risk, settings: Settings) -> list[str]:
    """Positions from the routing config: the block head, and the department head for a village."""
    rubricator = settings.rubricator
    people = []
    block = rubricator.block(risk.block)
    if block:
        people.append(block.head.position)
    department = rubricator.department(risk.department)
    if department:
        people.append(department.head.position)
    topic_block = rubricator.block(rubricator.topic(risk.topic).block)
    if topic_block and topic_block is not block:
        people.append(topic_block.head.position)
    return list(dict.fromkeys(people))


def render_card(risk: Risk, story: Story, items: list[tuple[Post, Analysis | None]], settings: Settings) -> str:
    """A plain-text card; the Telegram sink escapes it for HTML."""
    rubricator = settings.rubricator
    topic = rubricator.topic(risk.topic)
    block = rubricator.block(risk.block)
    department = rubricator.department(risk.department)
    first = next((post for post, _ in items if post.id == story.first_post_id), items[0][0] if items else None)
    top_posts = [post for post, _ in items if not post.is_comment]
    reach = sum({post.source: post.reach for post, _ in items}.values())
    names = {s.key: s.name for s in settings.sources}
    sources = [names.get(key, key) for key in story.sources]
    place = ", ".join(risk.places) if risk.places else "не определено"
    if department:
        place += f" ({department.label})"
    lines = [
        f"{LEVEL_MARK[risk.level]} {LEVEL_RU[risk.level]} риск · {topic.label}",
        f"Блок: {block.label if block else risk.block}",
        f"Место: {place}",
        "",
        f"«{excerpt(first.full_text if first else story.title)}»",
        "",
        f"Публикаций: {len(items)} (постов {len(top_posts)}, комментариев {len(items) - len(top_posts)}) "
        f"в {len(sources)} источн.: {', '.join(sources)}",
        f"Охват источников: {_number(reach)}",
        "Почему риск (оценка {:.2f}):".format(risk.score),
    ]
    lines += [f"  • {reason.detail}" for reason in sorted(risk.reasons, key=lambda r: -r.value)[:3]]
    links = [post.url for post in top_posts if post.url][:MAX_LINKS]
    if links:
        lines.append("Ссылки:")
        lines += [f"  {url}" for url in links]
    people = responsible(risk, settings)
    if people:
        lines.append("Ответственные: " + "; ".join(people))
    lines.append(f"Риск {risk.id} · статус: {RISK_STATUS_RU[risk.status]}")
    return "\n".join(lines)
