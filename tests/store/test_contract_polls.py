"""The store contract for polls and posts found deleted (run per backend by the ``store`` fixture)."""
from __future__ import annotations

from core.polls import Poll, PollOption
from core.store import SearchQuery, Store

POLL = Poll(question="Где поставить новую детскую площадку?",
            options=[PollOption(text="У школы на Советской", votes=41), PollOption(text="В сквере у вокзала", votes=23)],
            voters=64)


def _poll_item(make, votes: int = 41):
    post = make.post("77", "Голосуем всем районом", hours=-3)
    poll = POLL.model_copy(update={"options": [POLL.options[0].model_copy(update={"votes": votes}), POLL.options[1]]})
    post = post.model_copy(update={"poll": poll})
    return post, make.analysis(post, topic="other", block="social", sentiment="neutral")


def test_a_poll_round_trips_and_is_found_by_its_question_and_options(store: Store, corpus, make) -> None:
    store.upsert_posts([*corpus.values(), _poll_item(make)])
    post, _ = _poll_item(make)
    stored = store.get_post(post.id)
    assert stored is not None and stored[0].poll == POLL
    assert [h.post.id for h in store.search(SearchQuery(text="площадка"))] == [post.id]
    assert [h.post.id for h in store.search(SearchQuery(text="вокзал"))] == [post.id]
    assert [h.post.id for h in store.search(SearchQuery(polls=True))] == [post.id]
    assert store.count(SearchQuery(polls=True, since=make.at(-1))) == 0


def test_new_votes_update_the_stored_poll(store: Store, make) -> None:
    store.upsert_posts([_poll_item(make)])
    result = store.upsert_posts([_poll_item(make, votes=58)])
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)
    post, _ = _poll_item(make)
    assert [o.votes for o in store.get_post(post.id)[0].poll.options] == [58, 23]


def test_a_post_found_deleted_is_marked_and_kept(store: Store, corpus, make) -> None:
    store.upsert_posts(corpus.values())
    roads, waste = corpus["roads_vk"][0], corpus["waste_vk"][0]
    assert store.mark_deleted([roads.id, "no-such-post"], make.at(1)) == 1
    assert store.mark_deleted([roads.id, waste.id], make.at(2)) == 1  # the first time is kept
    assert store.get_post(roads.id)[0].deleted_at == make.at(1)
    assert store.get_post(waste.id)[0].deleted_at == make.at(2)
    assert store.get_post(corpus["school_rss"][0].id)[0].deleted_at is None
    assert store.count(SearchQuery()) == 5  # evidence stays searchable
    assert store.get_post(roads.id)[1] == corpus["roads_vk"][1]  # the analysis is untouched


def test_marking_a_post_deleted_keeps_its_raw_item(store: Store, corpus, make) -> None:
    post, analysis = corpus["roads_vk"]
    store.upsert_posts([(post, analysis)], {post.id: make.raw(post)})
    store.mark_deleted([post.id], make.at(1))
    assert [r.post_id for r in store.raw_items()] == [post.id]
