"""The domain model: what flows between collectors, NLP, stores and alerts.

Every stage speaks these pydantic models and nothing else, so a store or a sink
never sees a platform's raw JSON and a collector never sees the NLP. The module is a little
over 400 lines: it is the one list of the models every stage shares (polls live in
``core.polls``).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.polls import Poll


class Platform(StrEnum):
    vk = "vk"
    telegram = "telegram"
    rss = "rss"
    ok = "ok"
    site = "site"


def make_id(*parts: str) -> str:
    """A short deterministic id: the same parts always give the same id."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def post_id(platform: str, source: str, native_id: str) -> str:
    return make_id(str(platform), source, str(native_id))


def utc(value: datetime) -> datetime:
    """Normalise a datetime to aware UTC (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Engagement(Model):
    likes: int = Field(0, ge=0)
    comments: int = Field(0, ge=0)
    reposts: int = Field(0, ge=0)
    views: int = Field(0, ge=0)

    @property
    def total(self) -> int:
        return self.likes + self.comments * 2 + self.reposts * 3


ATTACHMENT_RU: dict[str, str] = {"photo": "фото", "video": "видео", "doc": "документ", "link": "ссылка",
                                  "audio": "аудио", "poll": "опрос", "other": "вложение"}


class Attachment(Model):
    """A photo, video, document or link a post carries (a photo of a pothole may be the whole post)."""

    type: str = Field(description="photo, video, doc, link, audio, poll or other")
    url: str | None = Field(None, description="where staff can open it (the post's own link for a Telegram photo)")
    title: str | None = None


class Post(Model):
    """One post, comment, message or news item, mapped from a platform payload."""

    id: str = ""
    platform: Platform
    source: str = Field(description="key of the configured source")
    native_id: str
    url: str | None = None
    author: str | None = Field(None, description="author id, pseudonymised when configured")
    title: str | None = None
    text: str
    published_at: datetime
    engagement: Engagement = Field(default_factory=Engagement)
    parent_id: str | None = Field(None, description="post id of the post this comments on")
    thread_id: str | None = Field(None, description="post id of the thread root")
    reach: int = Field(0, ge=0, description="audience of the source (members, subscribers)")
    attachments: list[Attachment] = Field(default_factory=list)
    poll: Poll | None = Field(None, description="the poll the post carries, with its results as last read")
    by_owner: bool = Field(False, description="a comment written by the page or channel itself (its reply)")
    deleted_at: datetime | None = Field(None, description="when a scan found the post deleted on its platform")

    @field_validator("published_at", "deleted_at")
    @classmethod
    def _published_utc(cls, value: datetime | None) -> datetime | None:
        return utc(value) if value is not None else None

    def model_post_init(self, __context) -> None:
        if not self.id:
            self.id = post_id(self.platform, self.source, self.native_id)

    @property
    def is_comment(self) -> bool:
        return self.parent_id is not None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def full_text(self) -> str:
        """Title, text and the poll's question and options: what is analysed and searched."""
        parts = [self.title, self.text, self.poll.text if self.poll else None]
        return "\n".join(p for p in parts if p)

    @property
    def is_empty(self) -> bool:
        """Nothing to keep: no text, no title and no attachment."""
        return not self.text.strip() and not (self.title or "").strip() and not self.attachments

    @property
    def display_text(self) -> str:
        """The text as staff should see it; a post of attachments only reads «[фото, фото]»."""
        if self.full_text.strip():
            return self.full_text
        kinds = ", ".join(ATTACHMENT_RU.get(a.type, a.type) for a in self.attachments)
        return f"[{kinds}]" if kinds else ""


class RawItem(Model):
    """The platform's item a post was mapped from, kept beside the post (4CAT's habit): after a
    mapping fix ``mcu remap`` maps it again without collecting again. Author ids in the payload
    are pseudonymised like the post's author, and the item is purged with its post."""

    post_id: str = Field(description="id of the post mapped from this item")
    platform: Platform
    source: str = Field(description="key of the configured source")
    kind: str = Field(description="post, comment, message, entry …: which map function applies")
    mapper: int = Field(ge=1, description="version of the platform's mapping that made the post")
    context: dict[str, Any] = Field(default_factory=dict,
                                    description="what the mapper needs besides the payload: reach, owner, parent ids")
    payload: dict[str, Any] = Field(description="the item as received (JSON-safe)")


SentimentLabel = Literal["negative", "neutral", "positive"]
RiskLevel = Literal["none", "medium", "high", "critical"]
LEVEL_ORDER: dict[str, int] = {"none": 0, "medium": 1, "high": 2, "critical": 3}


class Sentiment(Model):
    label: SentimentLabel
    score: float = Field(ge=0, le=1, description="confidence of the label")


SignalLabel = Literal["problem", "emergency", "none"]
SIGNAL_RU: dict[str, str] = {"problem": "сообщение о проблеме", "emergency": "сообщение о происшествии",
                             "none": "не сообщение о проблеме"}


class Signal(Model):
    """Does the text report a problem (something broken, missing, dangerous or unfair that the
    authorities answer for) or an emergency (fire, accident, flood, missing person)?"""

    label: SignalLabel = "none"
    score: float = Field(0.0, ge=0, le=1, description="how sure the NLP is that the text is a report "
                                                       "(for «none»: how close it came)")


class TopicScore(Model):
    code: str
    confidence: float = Field(ge=0, le=1)


class Toponym(Model):
    text: str
    start: int
    end: int
    name: str
    kind: str
    department: str | None = None
    lat: float | None = None
    lon: float | None = None


class RiskReason(Model):
    component: str = Field(description="negativity, topic, engagement, reach, spread, trigger")
    value: float = Field(description="contribution to the score")
    detail: str = Field(description="Russian explanation shown to staff")


class RiskAssessment(Model):
    score: float = Field(ge=0, le=1)
    level: RiskLevel
    reasons: list[RiskReason] = Field(default_factory=list)

    def top_reasons(self, n: int = 3) -> list[RiskReason]:
        return sorted(self.reasons, key=lambda r: -r.value)[:n]


class Analysis(Model):
    """What the NLP says about one post."""

    post_id: str
    lemmas: list[str] = Field(default_factory=list)
    sentiment: Sentiment
    signal: Signal = Field(default_factory=Signal, description="problem report signal; analyses stored "
                                                                "before it existed load as «none»")
    topic: TopicScore
    topics: list[TopicScore] = Field(default_factory=list)
    block: str = Field(description="МЦУ block: the topic's, or «rural» for a village")
    department: str | None = Field(None, description="territorial department of the place, if any")
    toponyms: list[Toponym] = Field(default_factory=list)
    risk: RiskAssessment
    story_id: str | None = None
    appeal: Literal["question", "complaint"] | None = Field(
        None, description="a resident's question or complaint (nlp.questions rules); None for anything else")

    @property
    def places(self) -> list[str]:
        return list(dict.fromkeys(t.name for t in self.toponyms))


class Story(Model):
    """Posts about the same event, across sources and days."""

    id: str
    title: str = Field(description="excerpt of the first post")
    first_post_id: str
    first_seen: datetime
    last_seen: datetime
    post_ids: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    topic: str = "other"
    places: list[str] = Field(default_factory=list)
    signature: list[int] = Field(default_factory=list, description="MinHash of lemma shingles")
    terms: list[str] = Field(default_factory=list, description="content lemmas seen in the story")

    @property
    def size(self) -> int:
        return len(self.post_ids)


class RiskStatus(StrEnum):
    new = "new"
    in_work = "in_work"
    answer_published = "answer_published"
    watching = "watching"
    handled = "handled"
    not_risk = "not_risk"


RISK_STATUS_RU: dict[str, str] = {
    "new": "новый",
    "in_work": "в работе",
    "answer_published": "ответ опубликован",
    "watching": "наблюдение за реакцией",
    "handled": "отработан",
    "not_risk": "не риск",
}

LEVEL_RU: dict[str, str] = {"critical": "КРИТИЧЕСКИЙ", "high": "ВЫСОКИЙ", "medium": "СРЕДНИЙ", "none": "нет"}
LEVEL_MARK: dict[str, str] = {"critical": "🔴", "high": "🟠", "medium": "🟡", "none": "⚪"}
OUTCOME_RU: dict[str, str] = {"watching": "наблюдение", "handled": "отработан", "reescalated": "снова в работе"}
ACTION_RU: dict[str, str] = {
    "take": "взят в работу",
    "not_risk": "не риск",
    "answer": "ответ опубликован",
    "watch": "наблюдение за реакцией",
    "handled": "отработан",
    "reescalate": "снова в работе по реакции",
    "escalate": "эскалирован",
    "reopen": "снова открыт",
    "in_work": "в работе",
    "answer_published": "ответ опубликован",
    "watching": "наблюдение за реакцией",
    "remind_take_soon": "напоминание: срок взятия в работу истекает",
    "remind_take_overdue": "напоминание: взятие в работу просрочено",
    "remind_answer_soon": "напоминание: срок ответа истекает",
    "remind_answer_overdue": "напоминание: ответ просрочен",
}


# The procedure of the decree («Порядок работы с информационными рисками»).
RISK_TRANSITIONS: dict[RiskStatus, set[RiskStatus]] = {
    RiskStatus.new: {RiskStatus.in_work, RiskStatus.not_risk},
    RiskStatus.in_work: {RiskStatus.answer_published, RiskStatus.not_risk, RiskStatus.handled},
    RiskStatus.answer_published: {RiskStatus.watching, RiskStatus.in_work},
    RiskStatus.watching: {RiskStatus.handled, RiskStatus.in_work},
    RiskStatus.handled: {RiskStatus.in_work},
    RiskStatus.not_risk: {RiskStatus.in_work},
}


class TransitionError(ValueError):
    """A workflow step the decree's procedure does not allow from the risk's current status."""


OPEN_STATUSES: frozenset[RiskStatus] = frozenset(
    {RiskStatus.new, RiskStatus.in_work, RiskStatus.answer_published, RiskStatus.watching}
)


class RiskTransition(Model):
    """One step of a risk's history: who did what, when. ``status`` is the status after the step;
    steps that do not change the status (an escalation, a second answer) repeat it."""

    status: RiskStatus
    actor: str
    at: datetime
    note: str = ""
    action: str = Field("", description="take, not_risk, answer, watch, handled, reescalate, escalate, reopen")
    previous: RiskStatus | None = Field(None, description="status before the step")


class Answer(Model):
    """The official answer, in the format the decree names: its text, the platforms
    where it was published, and the links to the publications."""

    text: str
    platforms: list[str] = Field(default_factory=list, description="VK, Telegram, сайт/СМИ …")
    links: list[str] = Field(default_factory=list)
    actor: str
    at: datetime
    ref: str = Field("", description="where it was recorded (tg:chat:message, cli); repeats are ignored")


class ReactionEvidence(Model):
    """What reaction tracking saw after the answer."""

    since: datetime = Field(description="the answer time: its earliest found publication, else when recorded")
    answer_posts: int = Field(0, description="answer links found among the collected posts")
    comments: int = Field(0, description="comments under the answer posts")
    negative: int = 0
    positive: int = 0
    likes: int = 0
    reposts: int = 0
    views: int = 0
    story_negative: int = Field(0, description="negative comments elsewhere in the story after the answer")
    new_posts: int = Field(0, description="new posts (not comments) in the story after the answer")
    new_sources: list[str] = Field(default_factory=list, description="sources the story reached after the answer")
    deleted: int = Field(0, description="the story's complaints deleted on their platform: a signal, not spread")
    last_activity: datetime = Field(description="the answer time or the latest new post, whichever is later")

    @property
    def net_negative(self) -> int:
        return self.negative + self.story_negative - self.positive


class Verdict(Model):
    """The outcome of reaction tracking, shown on the card with its evidence."""

    outcome: Literal["watching", "handled", "reescalated"]
    reason: str = Field(description="Russian, for staff")
    evidence: ReactionEvidence
    at: datetime


class Risk(Model):
    """An information risk raised on a story; it walks the decree's workflow."""

    id: str
    story_id: str
    number: int = Field(0, ge=0, description="short number staff use («риск №12»); 0 until assigned")
    status: RiskStatus = RiskStatus.new
    level: RiskLevel
    score: float
    topic: str
    block: str
    department: str | None = None
    places: list[str] = Field(default_factory=list)
    reasons: list[RiskReason] = Field(default_factory=list)
    posts: int = Field(0, ge=0, description="posts in the story when it was last scored")
    created_at: datetime
    updated_at: datetime
    first_seen: datetime | None = Field(None, description="the story's first publication: the risk's age counts "
                                                          "from it")
    assignee: str | None = Field(None, description="who took the risk in work")
    escalated: bool = Field(False, description="escalated to the head of the МЦУ")
    answers: list[Answer] = Field(default_factory=list)
    verdict: Verdict | None = None
    history: list[RiskTransition] = Field(default_factory=list)
    version: int = Field(0, description="bumped on every write, for optimistic concurrency")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def move_to(self, status: RiskStatus, actor: str, at: datetime, note: str = "", action: str = "") -> None:
        if status not in RISK_TRANSITIONS[self.status]:
            raise TransitionError(
                f"риск {self.label}: переход «{RISK_STATUS_RU[self.status]}» → "
                f"«{RISK_STATUS_RU[status]}» не предусмотрен порядком"
            )
        previous, self.status = self.status, status
        self.updated_at = at
        self.history.append(RiskTransition(status=status, actor=actor, at=at, note=note,
                                           action=action or status.value, previous=previous))

    def record(self, action: str, actor: str, at: datetime, note: str = "") -> None:
        """A step of the history that keeps the status (an escalation, a further answer)."""
        self.updated_at = at
        self.history.append(RiskTransition(status=self.status, actor=actor, at=at, note=note,
                                           action=action, previous=self.status))

    def entered(self, status: RiskStatus) -> datetime | None:
        """When the risk last entered ``status``."""
        return next((t.at for t in reversed(self.history) if t.status == status and t.previous != status), None)

    @property
    def label(self) -> str:
        return f"№{self.number}" if self.number else self.id

    @property
    def since(self) -> datetime:
        """Since when the problem is public: the story's first publication (else the risk's creation)."""
        return self.first_seen or self.created_at


class Alert(Model):
    """One message about a risk, for one story at one level."""

    id: str
    risk_id: str
    story_id: str
    level: RiskLevel
    text: str = Field(description="the Russian card, plain text")
    created_at: datetime


def alert_id(story_id: str, level: str) -> str:
    return make_id("alert", story_id, level)


def risk_id(story_id: str) -> str:
    return make_id("risk", story_id)
