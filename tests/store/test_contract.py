"""The contract every store backend passes (run per backend by the ``store`` fixture)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from core.domain import Analysis, Post, RawItem, RiskStatus, risk_id
from core.store import ConflictError, SearchQuery, Store

Corpus = dict[str, tuple[Post, Analysis]]


def ids(hits: list) -> list[str]:
    return [h.post.id for h in hits]


def pid(corpus: Corpus, *names: str) -> list[str]:
    return [corpus[n][0].id for n in names]


@pytest.fixture
def loaded(store: Store, corpus: Corpus) -> Corpus:
    store.upsert_posts(corpus.values())
    return corpus


def test_implements_the_protocol(store: Store) -> None:
    assert isinstance(store, Store)


# upsert -------------------------------------------------------------------
def test_upsert_is_idempotent(store: Store, corpus: Corpus) -> None:
    first = store.upsert_posts(corpus.values())
    before = store.stats()
    second = store.upsert_posts(corpus.values())
    assert (first.new, first.updated, first.unchanged) == (5, 0, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 5)
    assert store.stats() == before
    assert store.count(SearchQuery()) == 5


def test_upsert_detects_updates(store: Store, loaded: Corpus, make) -> None:
    post, analysis = loaded["roads_vk"]
    changed = post.model_copy(update={"engagement": post.engagement.model_copy(update={"likes": 99})})
    result = store.upsert_posts([(changed, analysis)])
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)
    stored = store.get_post(post.id)
    assert stored is not None and stored[0].engagement.likes == 99
    assert store.count(SearchQuery()) == 5


def test_upsert_detects_analysis_changes(store: Store, loaded: Corpus) -> None:
    post, analysis = loaded["roads_vk"]
    result = store.upsert_posts([(post, analysis.model_copy(update={"story_id": "s1"}))])
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)


def test_ids_are_deterministic(store: Store, make) -> None:
    first = make.item("77", "Снова нет воды")
    again = make.item("77", "Снова нет воды")
    assert first[0].id == again[0].id
    store.upsert_posts([first])
    assert store.upsert_posts([again]).unchanged == 1


def test_mismatched_analysis_is_rejected_and_nothing_written(store: Store, make) -> None:
    good = make.item("1", "Нет света")
    other_post, _ = make.item("2", "Нет газа")
    with pytest.raises(ValueError, match=other_post.id):
        store.upsert_posts([good, (other_post, good[1])])
    assert store.count(SearchQuery()) == 0


def test_round_trip_is_exact(store: Store, loaded: Corpus) -> None:
    post, analysis = loaded["roads_tg"]
    assert store.get_post(post.id) == (post, analysis)
    assert store.get_post("missing") is None


def test_posts_by_ids_keeps_the_order_asked(store: Store, loaded: Corpus) -> None:
    wanted = pid(loaded, "waste_vk", "roads_vk") + ["missing"] + pid(loaded, "school_rss")
    got = store.posts_by_ids(wanted)
    assert [p.id for p, _ in got] == pid(loaded, "waste_vk", "roads_vk", "school_rss")
    assert got[0] == loaded["waste_vk"]
    assert store.posts_by_ids([]) == []


# search -------------------------------------------------------------------
def test_search_matches_other_word_forms(store: Store, loaded: Corpus) -> None:
    hits = store.search(SearchQuery(text="дорогу"))
    assert sorted(ids(hits)) == sorted(pid(loaded, "roads_vk", "roads_tg"))
    assert all(h.analysis is not None for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_search_ands_the_terms(store: Store, loaded: Corpus) -> None:
    assert ids(store.search(SearchQuery(text="дороги ямы"))) == pid(loaded, "roads_vk")
    assert store.search(SearchQuery(text="дорога концерт")) == []


def test_search_by_date_puts_the_newest_match_first(store: Store, loaded: Corpus) -> None:
    """``order="date"`` lists the hits of a text query newest first, whatever their relevance."""
    by_date = store.search(SearchQuery(text="дорога", order="date"))
    assert ids(by_date) == pid(loaded, "roads_vk", "roads_tg")
    assert sorted(ids(by_date)) == sorted(ids(store.search(SearchQuery(text="дорога"))))


def test_search_without_text_is_newest_first(store: Store, loaded: Corpus) -> None:
    hits = store.search(SearchQuery())
    assert ids(hits) == pid(loaded, "roads_vk", "school_rss", "works_tg", "roads_tg", "waste_vk")
    assert ids(store.search(SearchQuery(limit=2))) == pid(loaded, "roads_vk", "school_rss")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (dict(since=-24), ["roads_vk", "school_rss", "works_tg"]),
        (dict(until=-24), ["roads_tg", "waste_vk"]),
        (dict(since=-40, until=-3), ["works_tg", "roads_tg"]),
        (dict(topic="roads"), ["roads_vk", "works_tg", "roads_tg"]),
        (dict(place="Быково"), ["roads_vk", "school_rss"]),
        (dict(platform="telegram"), ["works_tg", "roads_tg"]),
        (dict(source="news"), ["school_rss"]),
        (dict(sentiment="negative"), ["roads_vk", "waste_vk"]),
        (dict(text="дорогу", since=-24), ["roads_vk"]),
        (dict(text="ямы", platform="vk"), ["roads_vk"]),
        (dict(text="дорога", place="Лаптево", sentiment="positive"), ["roads_tg"]),
        (dict(topic="roads", place="Лаптево"), ["roads_tg"]),
        (dict(topic="nothing"), []),
        (dict(block="social"), ["school_rss"]),
        (dict(department="laptevsky"), ["roads_tg", "waste_vk"]),
        (dict(department="bykovsky", block="infrastructure"), ["roads_vk"]),
        (dict(text="ямы", order="date"), ["roads_vk", "works_tg"]),
        (dict(text="дорогу", department="laptevsky"), ["roads_tg"]),
    ],
)
def test_search_filters(store: Store, loaded: Corpus, make, query: dict, expected: list[str]) -> None:
    query = dict(query)  # the parameter is shared by every backend's run
    for key in ("since", "until"):
        if key in query:
            query[key] = make.at(query[key])
    q = SearchQuery(**query)
    assert ids(store.search(q)) == pid(loaded, *expected)
    assert store.count(q) == len(expected)


def test_since_is_inclusive_and_until_exclusive(store: Store, loaded: Corpus) -> None:
    at = loaded["school_rss"][0].published_at
    assert pid(loaded, "school_rss")[0] in ids(store.search(SearchQuery(since=at)))
    assert pid(loaded, "school_rss")[0] not in ids(store.search(SearchQuery(until=at)))


@pytest.mark.parametrize(
    "text",
    ['"', "*", "OR", "-", "AND", "NOT", "NEAR(", "(", ")", "^", ":", "'", "{}", "+",
     '"дорогу', "дорог*", "дорогу OR", "OR дорогу", "-дорогу", "lemmas:дорога", "дорогу AND NOT яма"],
)  # fmt: skip
def test_fts_hostile_input_is_plain_text(store: Store, loaded: Corpus, text: str) -> None:
    q = SearchQuery(text=text)
    hits = store.search(q)
    assert store.count(q) == len(hits)
    store.aggregate("topic", q)


def test_operators_in_user_input_are_not_syntax(store: Store, loaded: Corpus) -> None:
    road_posts = sorted(pid(loaded, "roads_vk", "roads_tg"))
    for text in ("дорогу*", '"дорогу"', "-дорогу", "(дорогу)", "дорогу ^"):
        assert sorted(ids(store.search(SearchQuery(text=text)))) == road_posts, text
    # «OR» is just another word that must be present, not a disjunction
    assert store.search(SearchQuery(text="дорогу OR концерт")) == []


def test_count_ignores_the_limit(store: Store, loaded: Corpus) -> None:
    assert store.count(SearchQuery(limit=1)) == 5
    assert store.count(SearchQuery(text="дорогу")) == 2


# aggregations -------------------------------------------------------------
def test_aggregate_by_topic(store: Store, loaded: Corpus) -> None:
    counts = store.aggregate("topic", SearchQuery())
    assert counts == {"roads": 3, "education": 1, "waste": 1}
    assert list(counts)[0] == "roads"
    assert list(counts.values()) == sorted(counts.values(), reverse=True)


def test_aggregate_by_place(store: Store, loaded: Corpus) -> None:
    assert store.aggregate("place", SearchQuery()) == {"Быково": 2, "Лаптево": 2}
    assert store.aggregate("place", SearchQuery(topic="roads")) == {"Быково": 1, "Лаптево": 1}
    assert store.aggregate("place", SearchQuery(text="мусор")) == {"Лаптево": 1}


def test_aggregate_other_fields(store: Store, loaded: Corpus) -> None:
    everything = SearchQuery(limit=1)  # the limit does not cut aggregations
    assert store.aggregate("platform", everything) == {"vk": 2, "telegram": 2, "rss": 1}
    assert store.aggregate("source", everything) == {"city_vk": 2, "city_tg": 2, "news": 1}
    assert store.aggregate("sentiment", everything) == {"neutral": 2, "negative": 2, "positive": 1}
    assert store.aggregate("block", everything) == {"infrastructure": 4, "social": 1}
    assert store.aggregate("department", everything) == {"laptevsky": 2, "bykovsky": 1}
    assert store.aggregate("topic", SearchQuery(text="дорогу", platform="telegram")) == {"roads": 1}
    assert store.aggregate("place", SearchQuery(department="laptevsky")) == {"Лаптево": 2}
    assert store.aggregate("department", SearchQuery(block="infrastructure")) == {"laptevsky": 2, "bykovsky": 1}


def test_aggregate_by_story_counts_posts_per_story_in_the_window(store: Store, make) -> None:
    """The digest's «grown stories» count a story's posts in a window this way."""
    rows = []
    for native, hours, story in [("s1", -30, "a"), ("s2", -3, "a"), ("s3", -2, "a"), ("s4", -1, "b"), ("s5", -1, None)]:
        post = make.post(native, f"Нет воды в доме {native}", hours=hours)
        rows.append((post, make.analysis(post, story_id=story)))
    store.upsert_posts(rows)
    assert store.aggregate("story", SearchQuery()) == {"a": 3, "b": 1}  # a post without a story is not counted
    assert store.aggregate("story", SearchQuery(since=make.at(-24))) == {"a": 2, "b": 1}
    assert store.aggregate("story", SearchQuery(since=make.at(-24), until=make.at(-1.5))) == {"a": 2}


@pytest.mark.parametrize("query", [{}, {"text": "дорогу"}, {"department": "laptevsky"}, {"topic": "nothing"},
                                   {"text": "дорога", "platform": "vk", "limit": 1}])
def test_facets_equal_aggregates_field_by_field(store: Store, loaded: Corpus, query: dict) -> None:
    fields = ["topic", "place", "sentiment", "source", "platform", "block", "department"]
    q = SearchQuery(**query)
    found = store.facets(fields, q)
    assert list(found) == fields
    for name in fields:
        assert found[name] == store.aggregate(name, q), name
        assert list(found[name]) == list(store.aggregate(name, q)), name  # the same order
    assert store.facets(["department", "topic"], SearchQuery(text="мусор")) == {"department": {"laptevsky": 1},
                                                                                "topic": {"waste": 1}}
    with pytest.raises(ValueError, match="author"):
        store.facets(["topic", "author"], SearchQuery())


def test_aggregate_unknown_field(store: Store) -> None:
    with pytest.raises(ValueError, match="author"):
        store.aggregate("author", SearchQuery())


# retention ----------------------------------------------------------------
def test_purge_before(store: Store, loaded: Corpus, make) -> None:
    assert store.purge_before(make.at(-24)) == 2
    assert store.get_post(pid(loaded, "roads_tg")[0]) is None
    assert ids(store.search(SearchQuery(text="дорогу"))) == pid(loaded, "roads_vk")
    assert store.search(SearchQuery(text="мусор")) == []
    assert store.aggregate("place", SearchQuery()) == {"Быково": 2}
    assert store.stats().posts == 3
    assert store.purge_before(make.at(-24)) == 0


def test_purge_before_removes_what_quotes_old_posts(store: Store, make) -> None:
    for name, hours in (("old_closed", -72), ("old_open", -72), ("old_bare", -72), ("fresh", -1)):
        store.upsert_story(make.story(name, hours=hours))
    for name in ("old_closed", "old_open"):
        store.save_risk(make.risk(name, hours=-72))
        store.add_alert(make.alert(name, hours=-72))
    store.add_alert(make.alert("fresh", hours=-1))
    closed = store.get_risk(risk_id("old_closed")).model_copy(update={"status": RiskStatus.handled})
    store.save_risk(closed)
    store.purge_before(make.at(-24))
    assert store.get_risk(risk_id("old_closed")) is None  # closed and old
    assert store.get_risk(risk_id("old_open")) is not None  # still in work: kept with its story
    assert store.get_story("old_open") is not None
    assert store.get_story("old_closed") is None and store.get_story("old_bare") is None
    assert store.get_story("fresh") is not None
    assert [a.story_id for a in store.list_alerts()] == ["fresh"]


# raw items ------------------------------------------------------------------
def with_raw(store: Store, corpus: Corpus, make, **options) -> dict[str, RawItem]:
    raw = {post.id: make.raw(post, **options) for post, _ in corpus.values()}
    store.upsert_posts(corpus.values(), raw)
    return raw


def test_raw_items_round_trip(store: Store, corpus: Corpus, make) -> None:
    raw = with_raw(store, corpus, make)
    assert list(store.raw_items()) == [raw[pid] for pid in sorted(raw)]  # in post id order, exact
    assert list(store.raw_items(source="city_tg")) == [raw[pid] for pid in sorted(pid(corpus, "roads_tg", "works_tg"))]
    assert list(store.raw_items(platform="rss")) == [raw[corpus["school_rss"][0].id]]
    assert list(store.raw_items(source="city_vk", platform="telegram")) == []
    assert store.get_post(corpus["roads_vk"][0].id) == corpus["roads_vk"]  # posts read as before


def test_raw_items_are_not_searched(store: Store, corpus: Corpus, make) -> None:
    with_raw(store, corpus, make, note="уникальноеслово")
    assert store.search(SearchQuery(text="уникальноеслово")) == []
    hits = sorted(store.search(SearchQuery(text="дорогу")), key=lambda h: h.post.id)
    expected = sorted((corpus["roads_vk"], corpus["roads_tg"]), key=lambda pair: pair[0].id)
    assert [(h.post, h.analysis) for h in hits] == expected  # no raw payload in the hits


def test_a_post_written_without_its_raw_item_keeps_the_stored_one(store: Store, corpus: Corpus, make) -> None:
    raw = with_raw(store, corpus, make)
    post, analysis = corpus["roads_vk"]
    edited = post.model_copy(update={"text": "На улице Ленина засыпали ямы"})
    assert store.upsert_posts([(edited, make.analysis(edited))]).updated == 1
    assert [r for r in store.raw_items(source="city_vk") if r.post_id == post.id] == [raw[post.id]]


def test_a_changed_raw_item_alone_is_written_and_the_post_counts_unchanged(store: Store, corpus: Corpus,
                                                                           make) -> None:
    with_raw(store, corpus, make)
    post, analysis = corpus["works_tg"]
    newer = make.raw(post, mapper=2)
    result = store.upsert_posts([(post, analysis)], {post.id: newer})
    assert (result.new, result.updated, result.unchanged) == (0, 0, 1)
    assert [r for r in store.raw_items(source="city_tg") if r.post_id == post.id] == [newer]
    assert store.get_post(post.id) == (post, analysis)


def test_raw_items_without_their_post_are_rejected_and_nothing_written(store: Store, corpus: Corpus,
                                                                      make) -> None:
    vk, tg = corpus["roads_vk"], corpus["roads_tg"]
    with pytest.raises(ValueError, match=tg[0].id):
        store.upsert_posts([vk], {vk[0].id: make.raw(vk[0]), tg[0].id: make.raw(tg[0])})
    with pytest.raises(ValueError, match="under post id"):
        store.upsert_posts([vk, tg], {vk[0].id: make.raw(tg[0])})
    assert store.count(SearchQuery()) == 0 and list(store.raw_items()) == []


def test_purge_deletes_raw_items_with_their_posts(store: Store, corpus: Corpus, make) -> None:
    raw = with_raw(store, corpus, make)
    assert store.purge_before(make.at(-24)) == 2
    kept = pid(corpus, "roads_vk", "school_rss", "works_tg")
    assert list(store.raw_items()) == [raw[i] for i in sorted(kept)]


def test_raw_items_feed_a_remap_that_writes_while_it_reads(store: Store, make) -> None:
    """More items than one page of either backend, rewritten a hundred at a time (as ``mcu remap``
    does) while the pages are still being read: every item comes exactly once, every write lands."""
    items = {post.id: (post, analysis) for post, analysis in
             (make.item(f"{i}", f"Нет воды, дом {i}", hours=-i / 100) for i in range(1100))}
    store.upsert_posts(items.values(), {pid: make.raw(post) for pid, (post, _) in items.items()})
    seen: list[str] = []
    for raw in store.raw_items(source="city_vk"):
        seen.append(raw.post_id)
        if len(seen) % 100 == 0:  # a page of remapped items written, the reading not finished
            store.upsert_posts([items[i] for i in seen[-100:]],
                               {i: make.raw(items[i][0], mapper=2) for i in seen[-100:]})
    assert sorted(seen) == seen and len(seen) == len(set(seen)) == 1100
    assert {r.mapper for r in store.raw_items()} == {2}


# stories ------------------------------------------------------------------
def test_story_round_trip(store: Store, make) -> None:
    story = make.story("s1", hours=-3)
    store.upsert_story(story)
    assert store.get_story("s1") == story
    assert store.get_story("missing") is None
    grown = story.model_copy(update={"post_ids": ["p1", "p2"], "last_seen": make.at(0)})
    store.upsert_story(grown)
    assert store.get_story("s1") == grown
    assert store.stats().stories == 1


def test_recent_stories(store: Store, make) -> None:
    for name, hours in (("old", -48), ("mid", -10), ("new", -1)):
        store.upsert_story(make.story(name, hours=hours))
    assert [s.id for s in store.recent_stories(make.at(-24))] == ["new", "mid"]
    assert [s.id for s in store.recent_stories(make.at(-10))] == ["new", "mid"]
    assert store.recent_stories(make.at(1)) == []


# risks --------------------------------------------------------------------
def test_risk_workflow_with_optimistic_concurrency(store: Store, make) -> None:
    risk = make.risk("s1")
    saved = store.save_risk(risk)
    assert saved.version == 1 and risk.version == 0
    assert store.get_risk(risk.id) == saved

    mine = store.get_risk(risk.id)
    theirs = store.get_risk(risk.id)
    assert mine is not None and theirs is not None
    mine.move_to(RiskStatus.in_work, actor="дежурный", at=make.at(1))
    mine = store.save_risk(mine)
    assert mine.version == 2

    theirs.move_to(RiskStatus.not_risk, actor="аналитик", at=make.at(2))
    with pytest.raises(ConflictError) as conflict:
        store.save_risk(theirs)
    message = str(conflict.value)
    assert risk.id in message
    versions = message.replace(risk.id, "")
    assert re.search(r"\b2\b", versions) and re.search(r"\b1\b", versions), message
    stored = store.get_risk(risk.id)
    assert stored == mine and stored.status == RiskStatus.in_work

    mine.move_to(RiskStatus.answer_published, actor="дежурный", at=make.at(3), note="ответ в группе")
    assert store.save_risk(mine).version == 3
    final = store.get_risk(risk.id)
    assert final is not None and [t.status for t in final.history] == [
        RiskStatus.in_work,
        RiskStatus.answer_published,
    ]


def test_new_risk_must_come_with_version_zero(store: Store, make) -> None:
    risk = make.risk("s1", version=4)
    with pytest.raises(ConflictError, match=risk.id):
        store.save_risk(risk)
    assert store.get_risk(risk.id) is None


def test_saving_a_new_risk_twice_conflicts(store: Store, make) -> None:
    store.save_risk(make.risk("s1"))
    with pytest.raises(ConflictError):
        store.save_risk(make.risk("s1"))


def test_list_risks(store: Store, make) -> None:
    old = store.save_risk(make.risk("s1", hours=-5))
    new = store.save_risk(make.risk("s2", hours=-1))
    moved = store.get_risk(old.id)
    assert moved is not None
    moved.move_to(RiskStatus.in_work, actor="дежурный", at=make.at(0))
    moved = store.save_risk(moved)
    assert [r.id for r in store.list_risks()] == [moved.id, new.id]
    assert store.list_risks([RiskStatus.new]) == [new]
    assert store.list_risks([RiskStatus.in_work, RiskStatus.new]) == [moved, new]
    assert store.list_risks([RiskStatus.handled]) == []
    assert store.list_risks([]) == []


# alerts -------------------------------------------------------------------
def test_alerts_are_not_duplicated(store: Store, make) -> None:
    alert = make.alert("s1", hours=0)
    assert store.add_alert(alert) is True
    assert store.add_alert(alert.model_copy(update={"text": "другой текст"})) is False
    assert store.list_alerts() == [alert]
    assert store.stats().alerts == 1


def test_alerts_are_listed_oldest_first(store: Store, make) -> None:
    late, early = make.alert("s1", hours=5), make.alert("s2", hours=-5)
    store.add_alert(late)
    store.add_alert(early)
    store.add_alert(make.alert("s1", level="critical", hours=6))
    assert [(a.story_id, a.level) for a in store.list_alerts()] == [
        ("s2", "high"),
        ("s1", "high"),
        ("s1", "critical"),
    ]


# watermarks ---------------------------------------------------------------
def test_watermarks(store: Store) -> None:
    assert store.get_watermark("city_vk") is None
    store.set_watermark("city_vk", "100")
    store.set_watermark("city_vk", "250")
    store.set_watermark("news", "2025-03-10T12:00:00Z")
    assert store.get_watermark("city_vk") == "250"
    assert store.get_watermark("news") == "2025-03-10T12:00:00Z"
    assert store.get_watermark("city_tg") is None


# stats --------------------------------------------------------------------
def test_stats(store: Store, loaded: Corpus, make) -> None:
    store.upsert_story(make.story("s1"))
    store.save_risk(make.risk("s1"))
    store.add_alert(make.alert("s1"))
    stats = store.stats()
    assert (stats.posts, stats.stories, stats.risks, stats.alerts) == (5, 1, 1, 1)
    assert stats.by_source == {"city_vk": 2, "city_tg": 2, "news": 1}


def test_empty_store(store: Store) -> None:
    stats = store.stats()
    assert (stats.posts, stats.stories, stats.risks, stats.alerts, stats.by_source) == (0, 0, 0, 0, {})
    assert store.search(SearchQuery(text="дорога")) == []
    assert store.aggregate("topic", SearchQuery()) == {}
    assert store.purge_before(datetime.now(timezone.utc)) == 0


def test_a_persons_posts_are_found_by_author_and_deleted_with_their_index(store: Store, make) -> None:
    """152-ФЗ: the posts of one (pseudonymised) author go, with their search-index entries and raw items."""
    mine = make.post("41", "Иванова Мария пишет: в Быково опять нет воды")
    reply = make.post("42", "Ещё раз про воду в Быково, Мария")
    other = make.post("43", "В Быково нет воды третий день")
    mine, reply, other = (p.model_copy(update={"author": a}) for p, a in
                          ((mine, "anon-aaaa"), (reply, "anon-aaaa"), (other, "anon-bbbb")))
    items = [(p, make.analysis(p, places=("Быково",))) for p in (mine, reply, other)]
    store.upsert_posts(items, raw={p.id: make.raw(p) for p in (mine, reply, other)})
    assert sorted(store.post_ids_by_author("anon-aaaa")) == sorted([mine.id, reply.id])
    assert store.post_ids_by_author("anon-nobody") == []
    assert store.delete_posts([mine.id, reply.id, "no-such-post"]) == 2
    assert store.get_post(mine.id) is None and store.get_post(reply.id) is None
    assert ids(store.search(SearchQuery(text="Мария"))) == []
    assert ids(store.search(SearchQuery(text="воды"))) == [other.id]
    assert [r.post_id for r in store.raw_items()] == [other.id]
    assert store.delete_posts([]) == 0


def test_redacting_a_story_hides_its_title_and_its_alert_cards(store: Store, make) -> None:
    store.upsert_story(make.story("s1", post_ids=("p1", "p2")))
    store.upsert_story(make.story("s2"))
    store.add_alert(make.alert("s1", level="medium", text="«Иванова Мария пишет…»"))
    store.add_alert(make.alert("s1", level="high", text="«Иванова Мария пишет…»"))
    store.add_alert(make.alert("s2", text="другая карточка"))
    assert store.redact_stories(["s1"], "(удалено)") == 3
    assert store.get_story("s1").title == "(удалено)" and store.get_story("s1").post_ids == ["p1", "p2"]
    assert store.get_story("s2").title == "история s2"
    texts = {(a.story_id, a.level): a.text for a in store.list_alerts()}
    assert texts == {("s1", "medium"): "(удалено)", ("s1", "high"): "(удалено)", ("s2", "high"): "другая карточка"}
