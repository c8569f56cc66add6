"""Appeals and stories from the store, matched (``reports.appeal_links``): the links, the repeated
appeals, the negative reactions and the satisfaction of each answered appeal.

Comparing texts needs the NLP's content lemmas and the gazetteer's kinds of places, which a
report stage does not import: the application passes them in as a :class:`ProblemMatcher`
(``pipeline.appeal_links.problem_matcher``). Without one, satisfaction is the rating alone.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from core.appeals import Appeal, AppealQuery
from core.config import Settings
from core.domain import Story
from core.store import Store
from reports.appeal_links import (
    LinkedProblem, ProblemAppeal, ProblemStory, Satisfaction, StoryPost, link_stories, linked_problems,
    negative_reaction, rated, repeated_appeals, satisfaction_of,
)  # fmt: skip

TermsOf = Callable[[Sequence[str], Sequence[str], str], Iterable[str]]
"""(lemmas, place names, address) → content lemmas without the words of the places and the address."""


@dataclass(frozen=True)
class ProblemMatcher:
    """The NLP's part of matching: content lemmas, and how specific each gazetteer place is
    (0 for the town and the district, more for a street, a village, an object)."""

    terms: TermsOf
    place_weights: Mapping[str, float]

    def specific(self, names: Iterable[str]) -> frozenset[str]:
        return frozenset(name for name in names if self.place_weights.get(name, 0.0) > 0)


def normal_address(address: str) -> str:
    """An address as a key: case, punctuation and masked parts («[№]») do not matter."""
    return " ".join(re.sub(r"\[[^\]]*\]|[^\w]+", " ", address.casefold().replace("ё", "е")).split())


def place_key(appeal: Appeal) -> str:
    """The normalised address, else the coordinates to four decimals (about 10 m), else «»."""
    address = normal_address(appeal.address)
    if address or appeal.lat is None or appeal.lon is None:
        return address
    return f"{appeal.lat:.4f},{appeal.lon:.4f}"


def problem_appeal(appeal: Appeal, matcher: ProblemMatcher) -> ProblemAppeal:
    places = appeal.analysis.places
    return ProblemAppeal(
        id=appeal.id, topic=appeal.analysis.topic, category=(appeal.subcategory or appeal.category).strip().casefold(),
        terms=frozenset(matcher.terms(appeal.analysis.lemmas, places, appeal.address)),
        places=matcher.specific(places), received_at=appeal.received_at, address=place_key(appeal),
        answered_at=appeal.answered_at if appeal.answered else None, rating=appeal.rating,
    )  # fmt: skip


def rating_only(appeal: Appeal) -> Satisfaction | None:
    """Satisfaction without matching: the rating where there is one."""
    return rated(appeal.rating) if appeal.answered and appeal.rating is not None else None


@dataclass
class AppealProblems:
    """The matching of a set of appeals against later appeals and the stories of their time."""

    stories: dict[str, ProblemStory] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    """appeal id → story id"""
    repeated: dict[str, list[str]] = field(default_factory=dict)
    """answered appeal id → the later appeals that repeat it"""
    reaction: set[str] = field(default_factory=set)
    """answered appeals whose linked story reacted negatively after the answer"""
    satisfaction: dict[str, Satisfaction] = field(default_factory=dict)
    problems: list[LinkedProblem] = field(default_factory=list)

    def judge(self, appeal: Appeal) -> Satisfaction | None:
        return self.satisfaction.get(appeal.id)

    def story_of(self, appeal_id: str) -> ProblemStory | None:
        story_id = self.links.get(appeal_id)
        return self.stories.get(story_id) if story_id else None


def appeal_problems(store: Store, settings: Settings, matcher: ProblemMatcher, appeals: Sequence[Appeal],
                    now: datetime) -> AppealProblems:
    """Match ``appeals`` (e.g. a period's) against every appeal received since the first of them
    and the stories seen around them; judge the satisfaction of the answered ones."""
    rules = settings.appeals.satisfaction
    if not appeals:
        return AppealProblems()
    start = min(a.received_at for a in appeals)
    pool = {a.id: a for a in store.search_appeals(AppealQuery(since=start, limit=None))}
    pool.update((a.id, a) for a in appeals)
    facts = {i: problem_appeal(a, matcher) for i, a in pool.items()}
    stored = {s.id: s for s in store.recent_stories(start - timedelta(days=rules.link_days))}
    links = link_stories(facts.values(), [_story_facts(s, matcher) for s in stored.values()], rules)
    linked = _with_reactions(store, settings, matcher, [stored[i] for i in sorted(set(links.values()))])
    repeated = repeated_appeals(list(facts.values()), rules, links)
    result = AppealProblems(stories=linked, links=links, repeated=repeated)
    for appeal in appeals:
        if not appeal.answered:
            continue
        fact = facts[appeal.id]
        if negative_reaction(fact, result.story_of(appeal.id), rules):
            result.reaction.add(appeal.id)
        result.satisfaction[appeal.id] = satisfaction_of(fact, appeal.id in repeated, appeal.id in result.reaction,
                                                         now, rules)
    wanted = {a.id for a in appeals}
    result.problems = linked_problems({a: s for a, s in links.items() if a in wanted}, linked.values(), facts)
    return result


def _story_facts(story: Story, matcher: ProblemMatcher) -> ProblemStory:
    return ProblemStory(id=story.id, topic=story.topic, terms=frozenset(matcher.terms(story.terms, story.places, "")),
                        places=matcher.specific(story.places), first_seen=story.first_seen,
                        last_seen=story.last_seen, title=story.title, size=story.size)


def _with_reactions(store: Store, settings: Settings, matcher: ProblemMatcher,
                    linked: list[Story]) -> dict[str, ProblemStory]:
    """The linked stories with their residents' posts (and sentiment) and their risks' returns to work."""
    if not linked:
        return {}
    returns: dict[str, list[datetime]] = {}
    for risk in store.list_risks():
        returns.setdefault(risk.story_id, []).extend(s.at for s in risk.history if s.action == "reescalate")
    found = {}
    for story in linked:
        posts = tuple(StoryPost(post.published_at, analysis is not None and analysis.sentiment.label == "negative")
                      for post, analysis in store.posts_by_ids(story.post_ids) if not settings.is_official(post))
        found[story.id] = replace(_story_facts(story, matcher), posts=posts,
                                  reescalated=tuple(sorted(returns.get(story.id, []))))
    return found
