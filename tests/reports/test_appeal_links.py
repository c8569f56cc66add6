"""The matching rules of ``reports.appeal_links`` on small hand-made facts, each rule at its edge."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.appeals import SatisfactionRules
from reports.appeal_links import (
    ProblemAppeal, ProblemStory, SatisfactionCounts, StoryPost, link_stories, linked_problems, negative_reaction,
    repeated_appeals, satisfaction_of, similarity,
)  # fmt: skip

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
RULES = SatisfactionRules()
WATER = frozenset({"вода", "насос", "башня", "водонапорный"})


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def appeal(i: str, received: float, *, answered: float | None = None, terms=WATER, places=("Лаптево",),
           topic: str = "utilities", address: str = "", rating: float | None = None, category: str = "") -> ProblemAppeal:
    return ProblemAppeal(id=i, topic=topic, terms=frozenset(terms), places=frozenset(places), received_at=day(received),
                         address=address, answered_at=None if answered is None else day(answered), rating=rating,
                         category=category)


def story(i: str, first: float, last: float, *, terms=WATER | {"колодец", "скотина"}, places=("Лаптево",),
          topic: str = "utilities", size: int = 5, posts=(), reescalated=()) -> ProblemStory:
    return ProblemStory(id=i, topic=topic, terms=frozenset(terms), places=frozenset(places), first_seen=day(first),
                        last_seen=day(last), title=f"история {i}", size=size, posts=tuple(posts),
                        reescalated=tuple(day(d) for d in reescalated))


def test_similarity_is_the_shorter_texts_share_smoothed() -> None:
    assert similarity(WATER, WATER | {"колодец"}) == 4 / (4 + 2)
    assert similarity(frozenset({"вода", "насос", "свет"}), WATER) == 2 / (3 + 2)
    assert similarity(frozenset({"вода"}), WATER) == 0.0  # one word in common is never enough
    assert similarity(frozenset(), WATER) == 0.0


def test_an_appeal_links_to_the_story_of_the_same_topic_place_and_time() -> None:
    appeals = [
        appeal("same", 3),
        appeal("other-topic", 3, topic="roads"),
        appeal("other-place", 3, places=("Быково",)),
        appeal("too-early", -5.5),       # the story starts on day 2: 7.5 days before
        appeal("in-window", -4.5),       # 6.5 days before
        appeal("unlike", 3, terms={"вода", "насос", "счёт", "тариф", "квитанция", "оплата"}),  # 2 / (6 + 2) < 0.3
        appeal("no-place", 3, places=()),
    ]
    links = link_stories(appeals, [story("A", 2, 4)], RULES)
    assert links == {"same": "A", "in-window": "A"}


def test_the_most_similar_story_wins_then_the_larger_then_the_older() -> None:
    stories = [story("small", 1, 4, size=2), story("large", 1, 4, size=9), story("older-large", 0, 4, size=9),
               story("closer", 2, 4, terms=WATER, size=1)]
    assert link_stories([appeal("a", 3, terms=WATER | {"колодец"})], stories, RULES) == {"a": "older-large"}
    assert link_stories([appeal("b", 3)], stories, RULES) == {"b": "older-large"}  # all four share 4 of 4


def test_repeated_means_after_the_answer_within_the_window_same_problem_and_place() -> None:
    appeals = [
        appeal("first", 0, answered=5, category="нет воды", terms=WATER | {"колодец", "скотина", "ночь"}),
        appeal("before-answer", 4),
        appeal("repeat", 10, category="нет воды"),
        appeal("no-category", 11),                              # the export gives none: the text decides
        appeal("late", 35.5),                                   # 30.5 days after the answer
        appeal("other-street", 12, places=("Быково",)),
        appeal("unlike", 13, terms={"вода", "насос", "счёт", "тариф", "квитанция"}),  # 2 / (5 + 2) < 0.3
        appeal("other-category", 14, category="тариф"),
    ]
    assert repeated_appeals(appeals, RULES) == {"first": ["repeat", "no-category"]}


def test_without_a_specific_place_the_same_address_counts_and_a_shared_story_links_any_text() -> None:
    appeals = [
        appeal("a", 0, answered=2, places=(), address="санкт петербург ул садовая 5"),
        appeal("b", 3, places=(), address="санкт петербург ул садовая 5"),
        appeal("c", 3, places=(), address="санкт петербург ул садовая 7"),
        appeal("d", 0, answered=1, places=("Лаптево",)),
        appeal("e", 2, places=("Лаптево",), terms={"колодец", "скотина", "очередь"}),  # unlike d, same story
    ]
    assert repeated_appeals(appeals, RULES) == {"a": ["b"]}
    assert repeated_appeals(appeals, RULES, links={"d": "A", "e": "A"}) == {"a": ["b"], "d": ["e"]}


def test_a_negative_reaction_is_a_return_to_work_or_enough_negative_posts_after_the_answer() -> None:
    answered = appeal("a", 0, answered=1)
    posts = [StoryPost(day(0.5), True), StoryPost(day(2), True), StoryPost(day(3), True), StoryPost(day(4), False),
             StoryPost(day(16), True)]  # day 16: after the 14 days of reaction
    assert negative_reaction(answered, story("A", 0, 16, posts=posts), RULES)  # 2 of 3 after the answer
    assert not negative_reaction(answered, story("A", 0, 16, posts=posts[:2] + posts[3:]), RULES)  # 1 negative
    two_of_five = posts[1:3] + [StoryPost(day(4), False)] * 3
    assert not negative_reaction(answered, story("A", 0, 5, posts=two_of_five), RULES)  # 2 of 5 < half
    assert negative_reaction(answered, story("A", 0, 5, reescalated=(3,)), RULES)
    assert not negative_reaction(answered, story("A", 0, 5, reescalated=(0.5,)), RULES)  # before the answer
    assert not negative_reaction(answered, None, RULES)


def test_satisfaction_rating_first_then_signals_then_a_quiet_window() -> None:
    now = day(40)
    rated = appeal("r", 0, answered=1, rating=4)
    assert satisfaction_of(rated, True, True, now, RULES).value == 0.75  # the rating outweighs the signals
    quiet = appeal("q", 0, answered=9)
    assert satisfaction_of(quiet, True, False, now, RULES).basis == "repeated"
    assert satisfaction_of(quiet, False, True, now, RULES).basis == "reaction"
    assert satisfaction_of(quiet, False, False, now, RULES).value == 1.0       # 31 days without a signal
    pending = appeal("p", 0, answered=11)
    assert satisfaction_of(pending, False, False, now, RULES).value is None    # 29 days: not yet
    counts = SatisfactionCounts()
    for verdict in (satisfaction_of(rated, False, False, now, RULES), satisfaction_of(quiet, True, False, now, RULES),
                    satisfaction_of(quiet, False, False, now, RULES), satisfaction_of(pending, False, False, now,
                                                                                     RULES)):
        counts.add(verdict)
    assert (counts.share, counts.judged) == ((0.75 + 0 + 1) / 3, 3)
    assert counts.bases == {"rating": 1, "repeated": 1, "reaction": 0, "quiet": 1, "pending": 1}


def test_linked_problems_are_one_line_per_story_with_the_shared_places() -> None:
    appeals = {a.id: a for a in (appeal("a", 1), appeal("b", 2, places=("Лаптево", "улица Школьная")),
                                 appeal("c", 2, topic="transport", places=("Охона",)))}
    stories = [story("A", 0, 3, places=("Лаптево", "Устье"), size=40),
               story("B", 0, 3, topic="transport", places=("Охона",), size=6), story("C", 0, 3, size=99)]
    problems = linked_problems({"b": "A", "a": "A", "c": "B"}, stories, appeals)
    assert [(p.story.id, p.appeal_ids, p.places, p.posts) for p in problems] == [
        ("A", ("a", "b"), ("Лаптево",), 40), ("B", ("c",), ("Охона",), 6)]


def test_the_place_key_is_the_address_else_the_coordinates() -> None:
    from core.appeals import Appeal
    from reports.appeal_problems import normal_address, place_key

    assert normal_address("Г. Пестово, ул. Советская, д. 14, кв. [№]") == "г пестово ул советская д 14 кв"
    base = dict(source="spb", number="1", first_seen=T0, text="текст")
    assert place_key(Appeal(**base, address="ул. Советская, д. 14", lat=58.6, lon=35.8)) == "ул советская д 14"
    assert place_key(Appeal(**base, lat=59.99433, lon=30.197107)) == "59.9943,30.1971"
    assert place_key(Appeal(**base)) == ""
