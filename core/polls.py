"""A poll a post carries (a VK poll attachment, a Telegram ``MessageMediaPoll``), with its results.

Section 2.2.5 of the decree asks for the results of votes: the question, the options and
their votes are kept on the post and refreshed when the post is read again.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PollOption(_Model):
    text: str
    votes: int | None = Field(None, ge=0, description="votes for the option; None when the platform hides them")


class Poll(_Model):
    question: str
    options: list[PollOption] = Field(default_factory=list)
    voters: int | None = Field(None, ge=0, description="people who voted; None when the platform hides it")
    closed: bool = Field(False, description="voting has ended")
    multiple: bool = Field(False, description="a voter may choose several options")
    anonymous: bool = True

    @property
    def text(self) -> str:
        """The question and the options, for analysis and search (counts change, words do not)."""
        return "\n".join([self.question, *(option.text for option in self.options)])

    @property
    def votes(self) -> int:
        """All votes cast (with several choices, more than the voters)."""
        return sum(option.votes or 0 for option in self.options)

    def share(self, option: PollOption) -> float | None:
        """The option's share of the votes (0..1); None when the votes are hidden or none were cast."""
        total = self.votes
        return option.votes / total if option.votes is not None and total else None

    def results_ru(self) -> str:
        """«Вариант — 12 (40%); …» for digests and reports."""
        parts = []
        for option in self.options:
            share = self.share(option)
            if option.votes is None:
                parts.append(option.text)
            else:
                parts.append(f"{option.text} — {option.votes}" + (f" ({round(share * 100)}%)" if share is not None else ""))
        return "; ".join(parts)
