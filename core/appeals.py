"""Citizens' appeals (обращения и сообщения, decree 2.2.1–2.2.5): the model every stage speaks,
the query the stores answer, and the deadline settings per channel.

An appeal comes from an export of an appeal system («Наш Санкт-Петербург», the Kursk portal,
«Платформа обратной связи», «Инцидент Менеджмент», a municipal register). Its id is derived
from the source key and the appeal's number in that system, so a later export of the same
system updates the stored appeal instead of adding a second one.

Personal data (names, phone numbers, e-mails, flat numbers) is masked by the collector before
an appeal is built; the model never holds the unmasked text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.domain import make_id, utc

AnswerKind = Literal["solved", "explained", "not_confirmed", "redirected", "formal"]
ANSWER_KINDS: dict[str, str] = {
    "solved": "решено",
    "explained": "разъяснение",
    "not_confirmed": "факты не подтвердились",
    "redirected": "перенаправлено",
    "formal": "отписка",
}
"""Answer-quality classes (issue #13) with the labels staff read; filled by the answer classifier."""

AppealState = Literal["open", "answered"]
APPEAL_STATES: dict[str, str] = {"open": "на рассмотрении", "answered": "дан ответ"}


def appeal_id(source: str, number: str) -> str:
    """Deterministic: the same system (source key) and appeal number always give the same id."""
    return make_id("appeal", source, str(number).strip())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppealAnalysis(_Strict):
    """What the NLP and the classifiers say about one appeal (the same structure as a post's)."""

    lemmas: list[str] = Field(default_factory=list, description="lemmas of the text, for search")
    topic: str = Field("other", description="topic code of the rubricator")
    block: str = Field("", description="МЦУ block: the topic's, or «rural» for a village")
    places: list[str] = Field(default_factory=list, description="gazetteer names found in the text and address")
    department: str | None = Field(None, description="territorial department of the place")
    signal: str | None = Field(None, description="problem signal, when the NLP provides one")
    answer_kind: AnswerKind | None = Field(None, description="answer-quality class (answer classifier)")
    routed_body: str | None = Field(None, description="responsible body suggested by the routing model")


class Appeal(_Strict):
    """One appeal as the export gives it (masked), plus its analysis."""

    id: str = ""
    source: str = Field(description="key of the configured appeals source (one system's export)")
    number: str = Field(min_length=1, description="the appeal's number in its system")
    created_at: datetime | None = Field(None, description="when the appeal was registered")
    first_seen: datetime = Field(description="when the МЦУ first imported it (kept on re-import)")
    channel: str = Field("", description="channel or system: портал, ПОС, Инцидент Менеджмент, письменно …")
    category: str = ""
    subcategory: str = ""
    text: str = Field(description="the appeal text, personal data masked")
    address: str = Field("", description="address or place, personal data masked")
    district: str = Field("", description="district or municipality as the export names it")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    responsible: str = Field("", description="the responsible body as the export names it")
    deadline: datetime | None = Field(None, description="deadline from the export; else the channel's rule")
    status: str = Field("", description="status as the export names it")
    state: AppealState = "open"
    answer: str = Field("", description="the official answer, personal data masked")
    answered_at: datetime | None = None
    rating: float | None = Field(None, description="the citizen's rating of the answer, if the system has one")
    analysis: AppealAnalysis = Field(default_factory=AppealAnalysis)

    @field_validator("created_at", "first_seen", "deadline", "answered_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else utc(value)

    @model_validator(mode="after")
    def _id(self) -> "Appeal":
        expected = appeal_id(self.source, self.number)
        if not self.id:
            self.id = expected
        elif self.id != expected:
            raise ValueError(f"appeal id {self.id} does not belong to {self.source} № {self.number}")
        return self

    @property
    def received_at(self) -> datetime:
        """The start of its deadline and of retention: registration, else the first import."""
        return self.created_at or self.first_seen

    @property
    def answered(self) -> bool:
        return self.state == "answered"

    def same_import(self, other: "Appeal") -> bool:
        """Whether ``other`` holds the same exported values (its analysis and first import aside)."""
        keep = {"analysis": self.analysis, "first_seen": self.first_seen}
        return other.model_copy(update=keep) == self


AGGREGATE_APPEAL_FIELDS = ("topic", "block", "department", "place", "channel", "category", "status", "state",
                           "responsible", "answer_kind", "routed_body", "source", "district")


@dataclass(frozen=True)
class AppealQuery:
    """A search over stored appeals. ``text`` is lemmatised by the store's lemmatiser and
    matched on the appeal text; since/until bound ``received_at``; ``limit=None`` is all."""

    text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    source: str | None = None
    channel: str | None = None
    topic: str | None = None
    block: str | None = None
    department: str | None = None
    place: str | None = None
    state: AppealState | None = None
    answer_kind: str | None = None
    responsible: str | None = None
    limit: int | None = 50


class ChannelDeadline(_Strict):
    """A channel's time to answer: calendar days, working days or working hours (one of them)."""

    days: float | None = Field(None, gt=0, description="calendar days (59-ФЗ: 30)")
    working_days: int | None = Field(None, gt=0, description="working days of the МЦУ calendar")
    working_hours: float | None = Field(None, gt=0, description="working hours of the МЦУ calendar")

    @model_validator(mode="after")
    def _one(self) -> "ChannelDeadline":
        given = [v for v in (self.days, self.working_days, self.working_hours) if v is not None]
        if len(given) != 1:
            raise ValueError("укажите ровно одно: days, working_days или working_hours")
        return self


def _default_deadlines() -> dict[str, ChannelDeadline]:
    return {
        "default": ChannelDeadline(days=30),  # written appeals, 59-ФЗ art. 12
        "Платформа обратной связи": ChannelDeadline(working_days=10),
        "Инцидент Менеджмент": ChannelDeadline(working_hours=8),
    }


class SatisfactionRules(_Strict):
    """``appeals.satisfaction:`` how appeals are matched with each other and with social-media stories
    (``reports.appeal_links``), and when an answer without a rating counts as not satisfying."""

    repeat_days: float = Field(30, gt=0, description="a new appeal on the same problem and place within this many "
                                                      "days after an answer: the answer did not satisfy")
    link_days: float = Field(7, ge=0, description="an appeal links to a story seen within this many days of it")
    reaction_days: float = Field(14, gt=0, description="the story's posts this many days after the answer are "
                                                        "its reaction")
    similarity: float = Field(0.3, gt=0, le=1, description="share of the shorter text's content lemmas in common "
                                                            "for «the same problem»")
    negative_posts: int = Field(2, ge=1, description="at least this many negative posts after the answer…")
    negative_share: float = Field(0.5, gt=0, le=1, description="…and at least this share of the posts after it")


class AppealSettings(_Strict):
    """``appeals:`` of the config: deadlines per channel, the satisfaction rules."""

    deadlines: dict[str, ChannelDeadline] = Field(
        default_factory=_default_deadlines,
        description="channel (as the export or the source's constant names it) → deadline; «default» for the rest")
    due_soon_days: float = Field(3, ge=0, description="an open appeal this close to its deadline is «скоро срок»")
    satisfaction: SatisfactionRules = Field(default_factory=SatisfactionRules)

    @field_validator("deadlines")
    @classmethod
    def _has_default(cls, value: dict[str, ChannelDeadline]) -> dict[str, ChannelDeadline]:
        if "default" not in value:
            raise ValueError("нужен срок «default» для каналов, которых нет в списке")
        return value

    def deadline_of(self, channel: str) -> ChannelDeadline:
        folded = {k.casefold().strip(): v for k, v in self.deadlines.items()}
        return folded.get(channel.casefold().strip(), self.deadlines["default"])
