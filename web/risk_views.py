"""What the risk pages show, computed from the store's records: list rows with their deadlines
(``reports.sla``, the same working-hour deadlines as the CLI, the digest and the reminders), the
card's posts in time order, and the reaction in the story after each answer."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from core.domain import LEVEL_ORDER, Analysis, Answer, Post, Risk, RiskStatus, Story
from reports.sla import RiskSla, Stage, stage_text
from web.context import Labels

STATUS_FILTERS = {"open": "открытые", "all": "все", **{s.value: None for s in RiskStatus}}
SORTS = {"level": "по уровню", "age": "по возрасту", "deadline": "по сроку"}
OPEN = {RiskStatus.new, RiskStatus.in_work, RiskStatus.answer_published, RiskStatus.watching}


@dataclass(frozen=True)
class RiskFilters:
    block: str | None = None
    department: str | None = None
    topic: str | None = None
    level: str | None = None
    status: str = "open"
    sort: str = "level"

    @classmethod
    def of(cls, params) -> "RiskFilters":
        get = lambda name: (params.get(name) or "").strip() or None  # noqa: E731
        status = get("status") or "open"
        sort = get("sort") or "level"
        return cls(block=get("block"), department=get("department"), topic=get("topic"), level=get("level"),
                   status=status if status in STATUS_FILTERS else "open", sort=sort if sort in SORTS else "level")

    def params(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v and not (k == "status" and v == "open")
                and not (k == "sort" and v == "level")}

    def statuses(self) -> list[RiskStatus] | None:
        if self.status == "all":
            return None
        return sorted(OPEN) if self.status == "open" else [RiskStatus(self.status)]

    def keep(self, risk: Risk) -> bool:
        return all(wanted is None or value == wanted for wanted, value in (
            (self.block, risk.block), (self.department, risk.department), (self.topic, risk.topic),
            (self.level, risk.level)))


@dataclass(frozen=True)
class RiskRow:
    risk: Risk
    topic: str
    block: str
    department: str | None
    sla: RiskSla
    assignee: str | None

    @property
    def overdue(self) -> bool:
        return bool(self.sla.overdue)

    @property
    def stage(self) -> Stage | None:
        """The deadline that matters now (taking it, then the answer); None when both are done."""
        return self.sla.next_open

    @property
    def deadline_text(self) -> str:
        return stage_text(self.stage) if self.stage else "сроки выполнены"


def risk_rows(risks: list[Risk], filters: RiskFilters, slas: dict[str, RiskSla], labels: Labels,
              name_of=lambda actor: actor) -> list[RiskRow]:
    """The list's rows; ``slas`` are the risks' deadlines (``reports.sla.evaluate``)."""
    rows = []
    for risk in risks:
        if not filters.keep(risk):
            continue
        rows.append(RiskRow(
            risk=risk, topic=labels.topics.get(risk.topic, risk.topic), block=labels.blocks.get(risk.block, risk.block),
            department=labels.departments.get(risk.department, risk.department) if risk.department else None,
            sla=slas[risk.id], assignee=name_of(risk.assignee) if risk.assignee else None))
    keys = {
        "level": lambda r: (-LEVEL_ORDER[r.risk.level], not r.overdue, r.sla.start, r.risk.number),
        "age": lambda r: (r.sla.start, r.risk.number),
        "deadline": lambda r: (not r.overdue, r.stage.due.timestamp() if r.stage else float("inf"),
                               -LEVEL_ORDER[r.risk.level], r.risk.number),
    }
    return sorted(rows, key=keys[filters.sort])


def actions_for(risk: Risk) -> list[str]:
    """The buttons a card shows; the workflow has the last word (a refused step is explained)."""
    shown = []
    if risk.status != RiskStatus.in_work:
        shown.append("take")
    if risk.status in (RiskStatus.new, RiskStatus.in_work):
        shown.append("not_risk")
    if not (risk.escalated and risk.status == RiskStatus.in_work):
        shown.append("escalate")
    shown.append("answer")
    if risk.answers and risk.status != RiskStatus.handled:
        shown.append("close")
    return shown


@dataclass(frozen=True)
class StoryPost:
    post: Post
    analysis: Analysis | None
    source: str


def story_posts(items: list[tuple[Post, Analysis | None]], labels: Labels) -> list[StoryPost]:
    """The story's posts and comments in time order."""
    ordered = sorted(items, key=lambda item: (item[0].published_at, item[0].id))
    return [StoryPost(post, analysis, labels.sources.get(post.source, post.source)) for post, analysis in ordered]


SHOWN_POSTS = 200
"""Posts a card shows at most: a story that spread to thousands stays readable (and fast)."""


def shown_posts(posts: list[StoryPost], limit: int = SHOWN_POSTS) -> list[StoryPost]:
    """The first post (how the story began) and the latest ones, in time order."""
    return posts if len(posts) <= limit else posts[:1] + posts[-(limit - 1):]


@dataclass
class Reaction:
    """The story between one answer and the next (or now): what people did after it."""

    since: datetime
    until: datetime
    new_posts: int = 0
    comments: int = 0
    new_sources: list[str] = field(default_factory=list)
    tone: Counter = field(default_factory=Counter)
    """Sentiment labels of the posts and comments in the window (negative, neutral, positive)."""


@dataclass(frozen=True)
class AnsweredStep:
    answer: Answer
    reaction: Reaction


def reactions(risk: Risk, posts: list[StoryPost], now: datetime) -> list[AnsweredStep]:
    """For each answer, the story's new posts, comments and their tone until the next answer."""
    answers = sorted(risk.answers, key=lambda a: a.at)
    steps = []
    for i, answer in enumerate(answers):
        until = answers[i + 1].at if i + 1 < len(answers) else now
        reaction = Reaction(since=answer.at, until=until)
        before = {p.post.source for p in posts if p.post.published_at <= answer.at}
        for item in posts:
            if not answer.at < item.post.published_at <= until:
                continue
            if item.post.is_comment:
                reaction.comments += 1
            else:
                reaction.new_posts += 1
                if item.post.source not in before and item.source not in reaction.new_sources:
                    reaction.new_sources.append(item.source)
            reaction.tone[item.analysis.sentiment.label if item.analysis else "neutral"] += 1
        steps.append(AnsweredStep(answer, reaction))
    return steps


def story_of(store, risk: Risk, limit: int = SHOWN_POSTS) -> tuple[Story | None, list[tuple[Post, Analysis | None]]]:
    """The risk's story and its posts; of a story larger than ``limit``, the first post and the
    latest ones as the story recorded them (a story of thousands of posts stays fast to open)."""
    story = store.get_story(risk.story_id)
    if story is None:
        return None, []
    ids = story.post_ids if len(story.post_ids) <= limit else story.post_ids[:1] + story.post_ids[-(limit - 1):]
    return story, store.posts_by_ids(ids)
