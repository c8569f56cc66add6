"""Stories: the same outage from three sources groups; a concert does not; comments follow parents."""
import pytest

from core.domain import Story, make_id
from nlp import score_story
from nlp.stories import content_lemmas, minhash_of, shingles


@pytest.fixture
def batch(make_post):
    first = make_post("В Лаптево третий день нет воды! Сколько можно терпеть?", "w1", source="vk_podslushano",
                      reach=4000, likes=30, comments=12)
    return [
        first,
        make_post("Жители деревни Лаптево жалуются: водопровод не работает с понедельника, воду возят в бочках.",
                  "w2", source="vk_laptevo", hours=5, reach=600, likes=8, comments=5),
        make_post("У нас тоже сухо в кранах, дети немытые", "c1", source="vk_podslushano", hours=6,
                  parent_id=first.id),
        make_post("В школе № 2 прошёл весенний концерт: дети пели песни и читали стихи.", "k1",
                  source="vk_podslushano", hours=10, reach=4000, likes=40),
        make_post("Лаптево до сих пор без воды. Администрация обещает починить насос на водонапорной башне к выходным.",
                  "w3", source="tg_pestovo_news", hours=20, reach=2500, likes=15, reposts=4),
        make_post("В Лаптеве в клубе прошёл концерт ко Дню матери, спасибо артистам!", "k2", source="vk_laptevo",
                  hours=22, reach=600, likes=20),
    ]


def run(analyzer, posts, stories=()):
    tracker = analyzer.story_tracker(stories)
    analyses = analyzer.analyze(posts, use_ner=False)
    assigned = [tracker.assign(post, analysis) for post, analysis in zip(posts, analyses)]
    return tracker, analyses, assigned


def test_same_outage_groups_across_sources(analyzer, batch):
    tracker, analyses, stories = run(analyzer, batch)
    outage = stories[0]
    assert [s.id for s in stories] == [outage.id, outage.id, outage.id, stories[3].id, outage.id, stories[5].id]
    assert outage.id == make_id("story", batch[0].id)
    assert outage.post_ids == [batch[i].id for i in (0, 1, 2, 4)]
    assert outage.sources == ["vk_podslushano", "vk_laptevo", "tg_pestovo_news"]
    assert outage.topic == "utilities"
    assert "Лаптево" in outage.places
    assert outage.first_seen == batch[0].published_at and outage.last_seen == batch[4].published_at
    assert outage.title.startswith("В Лаптево третий день нет воды")
    assert len(outage.signature) == 64 and outage.terms
    assert analyses[1].story_id == outage.id


def test_unrelated_posts_start_their_own_stories(analyzer, batch):
    _, _, stories = run(analyzer, batch)
    school, village_concert = stories[3], stories[5]
    assert len({stories[0].id, school.id, village_concert.id}) == 3  # same village, different event
    assert school.post_ids == [batch[3].id]


def test_comment_joins_parent_even_without_shared_words(analyzer, batch):
    _, _, stories = run(analyzer, batch)
    assert stories[2].id == stories[0].id


def test_post_without_a_place_joins_on_words_and_topic(analyzer, batch, make_post):
    tracker, _, _ = run(analyzer, batch)
    question = make_post("Когда дадут воду? Третий день без воды", "q1", source="tg_chat", hours=26)
    (analysis,) = analyzer.analyze([question], use_ner=False)
    assert tracker.assign(question, analysis).id == make_id("story", batch[0].id)


def test_other_village_or_street_stays_apart(analyzer, batch, make_post):
    tracker, _, _ = run(analyzer, batch)
    elsewhere = make_post("В Пестово нет воды на Вокзальной", "v1", source="tg_chat", hours=25)
    (analysis,) = analyzer.analyze([elsewhere], use_ner=False)
    assert tracker.assign(elsewhere, analysis).id == make_id("story", elsewhere.id)


def test_outside_the_window_starts_a_new_story(analyzer, make_post):
    posts = [make_post("В Лаптево нет воды третий день", "x1"),
             make_post("В Лаптево опять нет воды", "x2", hours=24 * 10)]
    _, _, stories = run(analyzer, posts)
    assert stories[0].id != stories[1].id


def test_deterministic(analyzer, batch):
    first = [s.model_dump() for s in run(analyzer, batch)[0].stories]
    second = [s.model_dump() for s in run(analyzer, batch)[0].stories]
    assert first == second


def test_tracker_rebuilds_from_stored_stories(analyzer, batch, make_post):
    tracker, _, _ = run(analyzer, batch[:2])
    stored = [Story.model_validate(s.model_dump(mode="json")) for s in tracker.stories]
    later = make_post("Когда в Лаптево дадут воду? Водопровод так и не починили", "w4", source="ok_pestovo", hours=30)
    reply = make_post("Никогда", "c2", hours=31, parent_id=batch[1].id)
    _, _, stories = run(analyzer, [later, reply], stored)
    assert stories[0].id == stored[0].id
    assert stories[1].id == stored[0].id  # the parent is known from the stored post_ids
    assert stories[0].post_ids[-2:] == [later.id, reply.id]
    assert "ok_pestovo" in stories[0].sources


def test_story_risk_reaches_high(analyzer, settings, batch):
    tracker, analyses, stories = run(analyzer, batch)
    outage = stories[0]
    items = [(p, a) for p, a in zip(batch, analyses) if a.story_id == outage.id]
    risk = score_story(outage, items, settings.rubricator, settings.risk)
    assert risk.level in ("high", "critical"), risk
    velocity = next(r for r in risk.reasons if r.component == "velocity")
    assert velocity.detail.startswith("скорость: ") and "реакций в час" in velocity.detail
    spread = next(r for r in risk.reasons if r.component == "spread")
    assert spread.detail.startswith("распространение: 3 источника за 1 день, 4 публикации")
    concert = stories[3]
    concert_items = [(p, a) for p, a in zip(batch, analyses) if a.story_id == concert.id]
    assert score_story(concert, concert_items, settings.rubricator, settings.risk).level == "none"
    assert score_story(concert, [], settings.rubricator, settings.risk).score == 0


def test_plain_tracker_restored_town_does_not_tie_posts(analyzer, make_post):
    """The pipeline builds ``StoryTracker(stored)`` without gazetteer weights: a restored
    story's «Пестово» must not pull in every later post about the town."""
    from nlp import StoryTracker

    first = make_post("В Пестово на Советской прорвало трубу, вода хлещет", "p1")
    (analysis,) = analyzer.analyze([first], use_ner=False)
    stored = [StoryTracker().assign(first, analysis)]
    other = make_post("В Пестово отключили свет, котельная стоит", "p2", hours=2)
    (analysis,) = analyzer.analyze([other], use_ner=False)
    assert StoryTracker(stored).assign(other, analysis).id != stored[0].id


def test_a_reply_on_another_topic_does_not_turn_the_story(analyzer, make_post):
    """«насос сгорел» (a fire word) in a reply keeps the outage an outage, and the next
    outage post still joins it."""
    first = make_post("Соседи, у кого есть вода? С ночи в кранах ни капли. В Лаптево опять авария?", "t1")
    reply = make_post("Говорят насос на башне сгорел", "t2", hours=1, parent_id=first.id)
    later = make_post("В Лаптево вышел из строя насос на водонапорной башне, воду привезут в бочках", "t3",
                      source="vk_laptevo", hours=4)
    tracker, analyses, stories = run(analyzer, [first, reply, later])
    assert analyses[1].topic.code != analyses[0].topic.code == "utilities"
    assert stories[0].topic == "utilities"
    assert stories[2].id == stories[0].id


def test_topic_and_village_alone_reach_the_threshold_exactly_and_join(analyzer, make_post):
    """The boundary: two Лаптево water posts with no word in common share only the topic (+0.15)
    and the village (+0.2): 0.35, the threshold itself, and the second joins the first's story."""
    first = make_post("В Лаптево нет воды", "b1", source="vk_podslushano")
    second = make_post("Лаптево: водопровод сломался, краны сухие", "b2", source="vk_laptevo", hours=3)
    tracker = analyzer.story_tracker(())
    analyses = analyzer.analyze([first, second], use_ner=False)
    assert [a.topic.code for a in analyses] == ["utilities", "utilities"]
    assert [a.places for a in analyses] == [["Лаптево"], ["Лаптево"]]
    story = tracker.assign(first, analyses[0])
    terms = set(content_lemmas(analyses[1].lemmas)) - {"лаптево"}
    assert not terms & set(story.terms)  # no word in common
    score = tracker.similarity(story, minhash_of(shingles(analyses[1].lemmas)), terms, analyses[1])
    assert score == 0.35 and tracker.rules.threshold == 0.35
    assert tracker.assign(second, analyses[1]).id == story.id


# --- the similarity's parts on hand-made analyses (no models: exact figures from the rules) ---

from datetime import datetime, timedelta, timezone  # noqa: E402

from core.domain import Analysis, Post, RiskAssessment, Sentiment, Toponym, TopicScore  # noqa: E402
from nlp.stories import StoryRules, StoryTracker, new_sketch, story_sketch_jaccard  # noqa: E402

T = datetime(2026, 11, 19, 9, 0, tzinfo=timezone.utc)


def analysis_of(topic: str, lemmas=(), places=()) -> Analysis:
    return Analysis(post_id="p", lemmas=list(lemmas), sentiment=Sentiment(label="negative", score=0.9),
                    topic=TopicScore(code=topic, confidence=0.9), block="rural",
                    toponyms=[Toponym(text=name, start=0, end=len(name), name=name, kind=kind) for name, kind in places],
                    risk=RiskAssessment(score=0.1, level="none"))


def stored(topic="utilities", places=("Лаптево",), terms=("насос", "вода", "башня", "сгореть")) -> Story:
    return Story(id="s-old", title="Насос сгорел", first_post_id="p0", first_seen=T, last_seen=T, post_ids=["p0"],
                 topic=topic, places=list(places), terms=list(terms))


def similarity(tracker: StoryTracker, terms, analysis) -> float:
    return tracker.similarity(tracker.stories[0], new_sketch(), set(terms), analysis)


def test_shared_words_topic_and_village_add_up():
    tracker = StoryTracker([stored()])
    village = [("Лаптево", "village")]
    # 2 of the post's 2 terms in the story: 0.6 × 2 / (2 + 2) = 0.3
    assert similarity(tracker, {"насос", "вода"}, analysis_of("other")) == pytest.approx(0.3)
    assert similarity(tracker, {"насос", "вода"}, analysis_of("utilities")) == pytest.approx(0.45)
    assert similarity(tracker, {"насос", "вода"}, analysis_of("utilities", places=village)) == pytest.approx(0.65)
    assert similarity(tracker, {"насос", "вода"}, analysis_of("roads", places=village)) == pytest.approx(0.5)
    street = [("Лаптево", "street")]
    assert similarity(tracker, {"насос", "вода"}, analysis_of("other", places=street)) == pytest.approx(0.4)
    town = [("Лаптево", "town")]
    assert similarity(tracker, {"насос", "вода"}, analysis_of("other", places=town)) == pytest.approx(0.3)
    assert similarity(tracker, {"насос", "вода", "дети", "школа"}, analysis_of("other")) == pytest.approx(0.2)


def test_the_other_topic_is_never_a_bond():
    tracker = StoryTracker([stored(topic="other")])
    assert similarity(tracker, {"насос", "вода"}, analysis_of("other")) == pytest.approx(0.3)
    assert similarity(tracker, {"насос", "вода"}, analysis_of("utilities")) == pytest.approx(0.3)


def test_two_different_villages_are_kept_apart():
    weights = {"Лаптево": 1.0, "Быково": 1.0, "Пестово": 0.0}
    tracker = StoryTracker([stored()], place_weights=weights)
    other_village = analysis_of("utilities", places=[("Быково", "village")])
    assert similarity(tracker, {"насос", "вода"}, other_village) == pytest.approx(0.25)  # 0.3 + 0.15 − 0.2
    town_only = analysis_of("utilities", places=[("Пестово", "town")])
    assert similarity(tracker, {"насос", "вода"}, town_only) == pytest.approx(0.45)  # the town tells nothing
    same = analysis_of("utilities", places=[("Лаптево", "village"), ("Быково", "village")])
    assert similarity(tracker, {"насос", "вода"}, same) == pytest.approx(0.65)
    in_town = StoryTracker([stored(places=("Пестово",))], place_weights=weights)
    assert similarity(in_town, {"насос", "вода"}, other_village) == pytest.approx(0.45)  # no specific place there


def test_a_restored_place_takes_the_weight_it_has_in_the_post():
    tracker = StoryTracker([stored(places=("Советская",))])  # restored without weights: kind unknown
    street = analysis_of("other", places=[("Советская", "street")])
    assert similarity(tracker, {"насос", "вода"}, street) == pytest.approx(0.4)  # 0.3 + 0.2 × 0.5
    elsewhere = analysis_of("other", places=[("Быково", "village")])
    assert similarity(tracker, {"насос", "вода"}, elsewhere) == pytest.approx(0.3)  # unknown kinds: no penalty


def test_the_same_text_scores_by_its_minhash():
    words = ["насос", "на", "башня", "сгореть", "вода", "нет"]
    sketch = minhash_of(shingles(words))
    story = stored().model_copy(update={"signature": [int(v) for v in sketch.hashvalues], "terms": []})
    tracker = StoryTracker([story])
    assert tracker.similarity(tracker.stories[0], minhash_of(shingles(words)), set(), analysis_of("other")) == 1.0
    assert story_sketch_jaccard(new_sketch(story.signature), sketch) == 1.0
    assert story_sketch_jaccard(new_sketch(), sketch) == 0.0 and story_sketch_jaccard(sketch, new_sketch()) == 0.0
    assert new_sketch().is_empty() and not new_sketch(story.signature).is_empty()
    assert list(new_sketch(story.signature).hashvalues) == story.signature
    unrelated = minhash_of(shingles(["концерт", "школа", "песня", "стих", "дети"]))
    assert story_sketch_jaccard(sketch, unrelated) < 0.2


def test_content_lemmas_and_their_shingles():
    lemmas = ["в", "лаптево", "2", "нет", "вода", "я", "насос", "12а"]
    assert content_lemmas(lemmas) == ["лаптево", "вода", "насос", "12а"]
    assert shingles(lemmas) == {"лаптево", "вода", "насос", "12а", "лаптево вода", "вода насос", "насос 12а"}
    assert shingles(["вода"]) == {"вода"} and shingles([]) == set()


def post_at(native: str, hours: float, source="vk_a", parent_id=None, text="Насос сгорел, воды нет") -> Post:
    return Post(platform="vk", source=source, native_id=native, text=text, published_at=T + timedelta(hours=hours),
                parent_id=parent_id)


def test_joining_at_the_threshold_ties_and_the_window():
    exact = StoryRules(threshold=0.5, topic_boost=0.25, place_boost=0.25)  # sums exact in binary floats
    tracker = StoryTracker([stored()], window_hours=72, rules=exact)
    # no shared word; topic 0.25 + village 0.25 = 0.5: exactly the threshold, joins
    joined = tracker.assign(post_at("a", 72), analysis_of("utilities", ["дети"], places=[("Лаптево", "village")]))
    assert joined.id == "s-old" and joined.last_seen == T + timedelta(hours=72)
    apart = StoryTracker([stored()], rules=exact).assign(post_at("a2", 1), analysis_of("utilities", ["дети"]))
    assert apart.id != "s-old"  # the topic alone: 0.25
    late = tracker.assign(post_at("b", 72 * 2 + 0.01), analysis_of("utilities", ["насос", "вода"]))
    assert late.id != "s-old"  # past last_seen + window
    early = StoryTracker([stored()], window_hours=72).assign(post_at("c", -72), analysis_of("utilities", ["насос", "вода"]))
    assert early.id == "s-old" and early.first_seen == T - timedelta(hours=72)
    twin = stored().model_copy(update={"id": "s-new"})
    both = StoryTracker([stored(), twin])
    assert both.assign(post_at("d", 1), analysis_of("utilities", ["насос", "вода"])).id == "s-old"  # the older
    below = StoryTracker([stored()]).assign(post_at("e", 1), analysis_of("other", ["насос", "дети", "школа"]))
    assert below.id != "s-old"  # 0.6 × 1 / 5 = 0.12


def test_a_story_grows_with_its_posts():
    tracker = StoryTracker(rules=StoryRules(max_terms=5))
    first = tracker.assign(post_at("1", 0, "vk_a"), analysis_of("fire", ["насос", "сгореть", "вода", "нет"],
                                                                places=[("Лаптево", "village")]))
    assert (first.title, first.post_ids, first.sources, first.places, first.topic) == (
        "Насос сгорел, воды нет", [post_at("1", 0).id], ["vk_a"], ["Лаптево"], "fire")
    assert first.terms == ["насос", "сгореть", "вода"] and len(first.signature) == 64
    reply = post_at("2", 1, "vk_a", parent_id=post_at("1", 0).id, text="Пожар?")
    tracker.assign(reply, analysis_of("utilities", ["пожар", "башня", "кран", "лёд"]))
    assert first.topic == "fire" and first.sources == ["vk_a"]  # a comment counts half a post
    assert first.terms == ["насос", "сгореть", "вода", "пожар", "башня"]  # capped at max_terms
    tracker.assign(post_at("3", 2, "tg_b"), analysis_of("utilities", ["насос", "сгореть", "вода"],
                                                        places=[("Лаптево", "village"), ("Быково", "village")]))
    assert first.topic == "utilities" and first.sources == ["vk_a", "tg_b"]  # 4 against 2
    assert first.places == ["Лаптево", "Быково"] and first.last_seen == T + timedelta(hours=2)
    again = post_at("1", 0)
    analysis = analysis_of("other")
    assert tracker.assign(again, analysis) is first and analysis.story_id == first.id
    assert len(first.post_ids) == 3  # a post seen again is not added twice


def test_the_topic_follows_posts_over_comments_and_never_settles_on_other():
    tracker = StoryTracker()
    root = post_at("1", 0)
    story = tracker.assign(root, analysis_of("fire", ["насос", "сгореть"]))
    for i in (2, 3):
        tracker.assign(post_at(str(i), i, parent_id=root.id), analysis_of("utilities", ["вода"]))
    assert story.topic == "fire"  # two comments weigh as much as the post: the first topic stays
    tracker.assign(post_at("4", 4, parent_id=root.id), analysis_of("utilities", ["вода"]))
    assert story.topic == "utilities"  # three comments outweigh it
    vague = StoryTracker()
    other_root = post_at("5", 0)
    other = vague.assign(other_root, analysis_of("other", ["насос", "сгореть"]))
    vague.assign(post_at("6", 1, parent_id=other_root.id), analysis_of("utilities", ["вода"]))
    assert other.topic == "utilities"  # «other» only when nothing else was said


def test_a_place_counts_as_specific_as_the_story_first_knew_it():
    tracker = StoryTracker()
    tracker.assign(post_at("1", 0), analysis_of("other", ["яма", "асфальт"], places=[("Советская", "street")]))
    story = tracker.stories[0]
    as_village = analysis_of("other", [], places=[("Советская", "village")])
    assert tracker.similarity(story, new_sketch(), set(), as_village) == pytest.approx(0.1)  # min(1, 0.5) × 0.2


def test_a_story_out_of_the_window_does_not_hide_a_newer_one():
    old = stored().model_copy(update={"id": "s-old", "first_seen": T - timedelta(days=10),
                                      "last_seen": T - timedelta(days=10)})
    recent = stored().model_copy(update={"id": "s-recent"})
    tracker = StoryTracker([old, recent], window_hours=72)
    assert tracker.assign(post_at("x", 1), analysis_of("utilities", ["насос", "вода"])).id == "s-recent"


def test_two_letter_words_count_one_letter_words_do_not():
    assert content_lemmas(["ж", "жд", "жкх"]) == ["жд", "жкх"]


def test_the_default_window_is_three_days():
    tracker = StoryTracker([stored()])
    assert tracker.assign(post_at("a", 72), analysis_of("utilities", ["насос", "вода"])).id == "s-old"
    fresh = StoryTracker([stored()])
    assert fresh.assign(post_at("b", 72.5), analysis_of("utilities", ["насос", "вода"])).id != "s-old"


def test_restored_stories_are_copied_and_keep_their_topic_once():
    story = stored()
    tracker = StoryTracker([story])
    tracker.assign(post_at("c1", 1, parent_id="p0"), analysis_of("fire", ["пожар"]))
    assert story.post_ids == ["p0"] and tracker.stories[0].post_ids == ["p0", post_at("c1", 1).id]
    assert tracker.stories[0].topic == "utilities"  # one comment does not outweigh the stored topic
    joining = StoryTracker([stored()])
    joining.assign(post_at("p1", 1), analysis_of("fire", ["насос", "вода"], places=[("Лаптево", "village")]))
    assert joining.stories[0].topic == "fire"  # a post does


def test_places_outside_the_gazetteer_tie_nothing_and_the_gazetteer_weight_wins():
    weights = {"Лаптево": 1.0}
    factory = stored(places=("Завод",))  # a name NER found: not in the gazetteer
    tracker = StoryTracker([factory], place_weights=weights)
    named = analysis_of("other", [], places=[("Завод", "village")])
    assert tracker.similarity(tracker.stories[0], new_sketch(), {"насос", "вода"}, named) == pytest.approx(0.3)
    village = StoryTracker([stored()], place_weights=weights)
    as_street = analysis_of("other", [], places=[("Лаптево", "street")])
    assert village.similarity(village.stories[0], new_sketch(), {"насос", "вода"}, as_street) == pytest.approx(0.5)
