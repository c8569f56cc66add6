"""One problem seen once, and whether its answer satisfied (issue 13), as pure functions over facts.

**The same problem and place.** Two texts (two appeals, or an appeal and a social-media story)
are about the same problem when they have the same topic, share a specific place (a village, a
street or an object of the gazetteer; the town and the district are named everywhere and do not
count), and their content lemmas overlap: at least two in common and
``|A ∩ B| / (min(|A|, |B|) + 2) ≥ similarity`` (the containment of ``nlp.stories``, smoothed;
place names and the words of the address are left out of the lemmas). An appeal without a
specific place matches another only at the same address (the building; without an address, the
same coordinates to four decimals, about 10 m), never a story.

**Links** (:func:`link_stories`). An appeal links to the story about the same problem and place
seen within ``link_days`` of the appeal's arrival (the most similar one; ties to the larger, then
the older). The link is computed when a report asks for it, never stored: stories grow with every
scan and appeals arrive with every export, so a stored link would go stale.

**Repeated appeals** (:func:`repeated_appeals`). An answered appeal is *repeated* when another
appeal about the same problem and place (or linked to the same story) arrives within
``repeat_days`` after the answer; between two appeals «the same problem» also needs the same
category of the appeal system when both exports give one (the portal's reason, the finest
category it has). An export without answer dates has no repeated appeals (there is no «after»).

**Social reaction** (:func:`negative_reaction`). An answered appeal linked to a story has a
*negative reaction* when, within ``reaction_days`` after the answer, a risk of that story went back
in work («снова в работе»: the verdict of ``alerts.reactions``), or at least ``negative_posts`` of
the story's posts by residents were negative and they are at least ``negative_share`` of the
story's posts of that time.

**Satisfaction** (:func:`satisfaction_of`) of one answered appeal, 0–1: the citizen's rating where
the export has it, ``(rating − 1) / 4`` on the 1–5 scale; otherwise 0 when it was repeated or drew
a negative reaction, 1 when ``repeat_days`` have passed since the answer without either, and
unknown (left out) before that. A unit's satisfaction is the mean over its answered appeals
whose satisfaction is known.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Literal, Mapping, Sequence

from core.appeals import SatisfactionRules

SMOOTHING = 2
MIN_SHARED = 2
RATING_SCALE = (1.0, 5.0)
Basis = Literal["rating", "repeated", "reaction", "quiet", "pending"]


@dataclass(frozen=True)
class ProblemAppeal:
    """What the matching reads of one appeal."""

    id: str
    topic: str
    terms: frozenset[str]          # content lemmas, place names left out
    places: frozenset[str]         # specific places only (villages, streets, objects)
    received_at: datetime
    address: str = ""              # normalised; the place when no specific place is named
    category: str = ""             # the system's own finest category (folded), when the export has one
    answered_at: datetime | None = None
    rating: float | None = None


@dataclass(frozen=True)
class StoryPost:
    published_at: datetime
    negative: bool


@dataclass(frozen=True)
class ProblemStory:
    """What the matching reads of one story: its residents' posts (official pages left out) and
    when its risks went back in work."""

    id: str
    topic: str
    terms: frozenset[str]
    places: frozenset[str]         # specific places only
    first_seen: datetime
    last_seen: datetime
    title: str = ""
    size: int = 0                  # posts in the story, comments and official pages included
    posts: tuple[StoryPost, ...] = ()
    reescalated: tuple[datetime, ...] = ()


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared content lemmas over the shorter text's, smoothed; 0 below two shared (module docstring)."""
    shared = len(a & b)
    return shared / (min(len(a), len(b)) + SMOOTHING) if shared >= MIN_SHARED else 0.0


def same_category(a: ProblemAppeal, b: ProblemAppeal) -> bool:
    return not a.category or not b.category or a.category == b.category


def same_place(a: ProblemAppeal, b: ProblemAppeal) -> bool:
    if a.places or b.places:
        return bool(a.places & b.places)
    return bool(a.address) and a.address == b.address


def link_stories(appeals: Iterable[ProblemAppeal], stories: Sequence[ProblemStory],
                 rules: SatisfactionRules) -> dict[str, str]:
    """Appeal id → id of the story about the same problem and place (module docstring)."""
    window = timedelta(days=rules.link_days)
    by_place: dict[str, list[ProblemStory]] = defaultdict(list)
    for story in stories:
        for place in story.places:
            by_place[place].append(story)
    links = {}
    for appeal in appeals:
        candidates = {s.id: s for place in appeal.places for s in by_place.get(place, ())}
        best: tuple[float, int, float, str] | None = None
        for story in candidates.values():
            if story.topic != appeal.topic or not (
                    story.first_seen - window <= appeal.received_at <= story.last_seen + window):
                continue
            score = similarity(appeal.terms, story.terms)
            if score < rules.similarity:
                continue
            key = (score, story.size, -story.first_seen.timestamp(), story.id)
            if best is None or key[:3] > best[:3] or (key[:3] == best[:3] and key[3] < best[3]):
                best = key
        if best is not None:
            links[appeal.id] = best[3]
    return links


def repeated_appeals(appeals: Sequence[ProblemAppeal], rules: SatisfactionRules,
                     links: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Answered appeal id → ids of the later appeals on the same problem and place that arrived
    within ``repeat_days`` after its answer, in order of arrival."""
    links = links or {}
    window = timedelta(days=rules.repeat_days)
    groups: dict[tuple[str, str], list[ProblemAppeal]] = defaultdict(list)
    for appeal in appeals:
        for place in appeal.places or ({f"@{appeal.address}"} if appeal.address else set()):
            groups[(appeal.topic, place)].append(appeal)
    found: dict[str, dict[str, ProblemAppeal]] = defaultdict(dict)
    for members in groups.values():
        members.sort(key=lambda a: (a.received_at, a.id))
        for answered in members:
            if answered.answered_at is None:
                continue
            end = answered.answered_at + window
            for later in members:
                if later.id == answered.id or not answered.answered_at < later.received_at <= end:
                    continue
                linked = links.get(later.id) is not None and links.get(later.id) == links.get(answered.id)
                if linked or (same_place(answered, later) and same_category(answered, later)
                              and similarity(answered.terms, later.terms) >= rules.similarity):
                    found[answered.id][later.id] = later
    return {key: [a.id for a in sorted(later.values(), key=lambda a: (a.received_at, a.id))]
            for key, later in found.items()}


def negative_reaction(appeal: ProblemAppeal, story: ProblemStory | None, rules: SatisfactionRules) -> bool:
    """Whether the story linked to an answered appeal reacted negatively after the answer."""
    if story is None or appeal.answered_at is None:
        return False
    start, end = appeal.answered_at, appeal.answered_at + timedelta(days=rules.reaction_days)
    if any(start < moment <= end for moment in story.reescalated):
        return True
    after = [p for p in story.posts if start < p.published_at <= end]
    negative = sum(p.negative for p in after)
    return negative >= rules.negative_posts and negative >= rules.negative_share * len(after)


@dataclass(frozen=True)
class Satisfaction:
    value: float | None            # 0–1; None while unknown
    basis: Basis


def rated(rating: float) -> Satisfaction:
    """The citizen's rating on the 1–5 scale as satisfaction 0–1."""
    low, high = RATING_SCALE
    return Satisfaction(min(1.0, max(0.0, (rating - low) / (high - low))), "rating")


def satisfaction_of(appeal: ProblemAppeal, repeated: bool, reaction: bool, now: datetime,
                    rules: SatisfactionRules) -> Satisfaction:
    """One answered appeal's satisfaction (module docstring)."""
    if appeal.rating is not None:
        return rated(appeal.rating)
    if repeated:
        return Satisfaction(0.0, "repeated")
    if reaction:
        return Satisfaction(0.0, "reaction")
    if appeal.answered_at is not None and now - appeal.answered_at >= timedelta(days=rules.repeat_days):
        return Satisfaction(1.0, "quiet")
    return Satisfaction(None, "pending")


@dataclass
class SatisfactionCounts:
    """Satisfaction of a set of answered appeals: by what it was judged, and the mean."""

    values: list[float] = field(default_factory=list)
    bases: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("rating", "repeated", "reaction", "quiet",
                                                                        "pending"), 0))

    def add(self, satisfaction: Satisfaction) -> None:
        self.bases[satisfaction.basis] += 1
        if satisfaction.value is not None:
            self.values.append(satisfaction.value)

    @property
    def share(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None

    @property
    def judged(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class LinkedProblem:
    """A story and the appeals about the same problem and place: one line, counts from both channels."""

    story: ProblemStory
    appeal_ids: tuple[str, ...]
    places: tuple[str, ...] = ()   # the specific places the appeals and the story share

    @property
    def posts(self) -> int:
        return self.story.size


def linked_problems(links: dict[str, str], stories: Iterable[ProblemStory],
                    appeals: Mapping[str, ProblemAppeal]) -> list[LinkedProblem]:
    """Stories with at least one linked appeal; most appeals first, then most posts, then newest."""
    by_story: dict[str, list[ProblemAppeal]] = defaultdict(list)
    for appeal_id, story_id in links.items():
        by_story[story_id].append(appeals[appeal_id])
    found = []
    for story in stories:
        members = sorted(by_story.get(story.id, []), key=lambda a: (a.received_at, a.id))
        if members:
            shared = story.places & frozenset().union(*(a.places for a in members))
            found.append(LinkedProblem(story, tuple(a.id for a in members), tuple(sorted(shared))))
    return sorted(found, key=lambda p: (-len(p.appeal_ids), -p.posts, -p.story.last_seen.timestamp(), p.story.id))
