"""Reaction tracking on recorded comment data: the administration's answer on VK is collected
by the real VK collector from a recording, its comments analysed by the project's NLP, and the
verdict follows the decree («отработан», or back in work with the reason)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from alerts import workflow
from alerts.reactions import answer_post_ids, track_reactions
from core.domain import Analysis, Post, RiskAssessment, RiskStatus, Sentiment, TopicScore, post_id
from pipeline.pipeline import Pipeline
from store import SearchQuery, open_store
from tests.alerts.conftest import ANSWERED, FIXTURES

ANSWER_LINK = "https://vk.com/wall-220011407_3318"
ANSWER_TEXT = (f"Насос в Лаптево заменён, вода подаётся с 21:40, подвоз для маломобильных сохраняется. "
               f"Опубликовано в группе Администрации: {ANSWER_LINK} и на сайте https://pestovo-adm.example/news/voda")


def recorded_comments(name: str) -> list[str]:
    calls = json.loads((FIXTURES / name).read_text(encoding="utf-8"))["calls"]
    return [c["text"] for call in calls if call["method"] == "wall.getComments" for c in call["response"]["items"]]


def answered(demo, recording: str):
    """The Лаптево risk taken and answered, then the answer's page scanned from the recording."""
    demo.add_answer_source(FIXTURES / recording)
    settings = demo.settings()
    store = open_store(settings.store, str.split)
    risk = demo.risk_about(store, "Лаптево", "utilities")
    workflow.take(store, risk.id, "Анна", ANSWERED - timedelta(hours=3))
    workflow.record_answer(store, risk.id, workflow.parse_answer(ANSWER_TEXT, "Анна", ANSWERED + timedelta(minutes=20)))
    demo.scan_source("adm_vk")
    return settings, store, risk


def test_answer_links_point_at_collected_posts(demo):
    demo.add_answer_source(FIXTURES / "answer_calm_vk.json")
    settings = demo.settings()
    assert post_id("vk", "adm_vk", "-220011407_3318") in answer_post_ids(ANSWER_LINK, settings)
    assert answer_post_ids("https://vk.com/wall-220011407_3318?reply=5", settings) == \
        answer_post_ids(ANSWER_LINK, settings)
    tg = answer_post_ids("https://t.me/pestovo_novosti/3814", settings)
    assert tg == [post_id("telegram", "pestovo_news_tg", "3814")]  # only the channel with that username
    assert answer_post_ids("https://t.me/unknown_channel/1", settings) == []


def test_calm_reaction_is_handled_after_the_quiet_window(demo):
    settings, store, risk = answered(demo, "answer_calm_vk.json")
    early = track_reactions(store, settings, ANSWERED + timedelta(hours=3))
    assert [(r.risk.id, r.outcome) for r in early] == [(risk.id, "watching")]
    watching = store.get_risk(risk.id)
    assert watching.status == RiskStatus.watching and "решение через 21 ч" in watching.verdict.reason
    evidence = watching.verdict.evidence
    assert evidence.since == ANSWERED  # the publication time, not when it was recorded
    assert evidence.answer_posts == 1 and evidence.comments == 4 and evidence.likes == 64 and evidence.reposts == 7
    assert evidence.positive >= 3 and evidence.net_negative < settings.alerts.reactions.net_negative
    again = track_reactions(store, settings, ANSWERED + timedelta(hours=4))
    assert not again[0].changed  # nothing new: no write, no card edit

    final = track_reactions(store, settings, ANSWERED + timedelta(hours=24, minutes=1))
    handled = store.get_risk(risk.id)
    assert final[0].outcome == "handled" and handled.status == RiskStatus.handled
    assert handled.history[-1].actor == workflow.SYSTEM and "за 24 ч после ответа" in handled.history[-1].note
    assert [s.action for s in handled.history] == ["take", "answer", "watch", "handled"]
    assert track_reactions(store, settings, ANSWERED + timedelta(hours=30)) == []  # handled risks are not tracked
    store.close()


def test_negative_comments_reescalate_with_the_reason(demo):
    settings, store, risk = answered(demo, "answer_angry_vk.json")
    comments = [h for h in store.search(SearchQuery(source="adm_vk", limit=100)) if h.post.is_comment]
    negative = sum(h.analysis.sentiment.label == "negative" for h in comments)
    positive = sum(h.analysis.sentiment.label == "positive" for h in comments)
    assert len(comments) == len(recorded_comments("answer_angry_vk.json")) == 7
    assert negative - positive >= settings.alerts.reactions.net_negative, \
        "precondition: the NLP must read the recorded angry comments as negative"
    reports = track_reactions(store, settings, ANSWERED + timedelta(hours=2))
    assert reports[0].outcome == "reescalated"
    back = store.get_risk(risk.id)
    assert back.status == RiskStatus.in_work
    assert back.history[-1].action == "reescalate" and back.history[-2].action == "watch"
    word = {1: "новый негативный комментарий"}.get(negative, "новых негативных комментари")
    assert f"после ответа {negative} {word}" in back.verdict.reason
    assert back.verdict.evidence.negative == negative and back.verdict.evidence.comments == 7
    store.close()


def resident_post_in_story(settings, risk) -> Post:
    """A resident's post in a chat five hours after the answer, about the same trouble: it joins the story."""
    pipeline = Pipeline.open(settings)
    post = Post(platform="telegram", source="pestovo_chat", native_id="99001", url="https://t.me/pestovo_chat/99001",
                text="Лаптево опять без воды! Насос на водонапорной башне снова сгорел, воды в Лаптево нет. "
                     "Куда смотрит администрация? Носим воду вёдрами из колодца",
                published_at=ANSWERED + timedelta(hours=5), reach=3100)
    pipeline.ingest([post])
    assert pipeline.store.get_post(post.id)[1].story_id == risk.story_id, "precondition: the post joins the story"
    pipeline.close()
    return post


def test_spread_after_the_answer_reescalates(demo):
    settings, store, risk = answered(demo, "answer_calm_vk.json")
    post = resident_post_in_story(settings, risk)
    reports = track_reactions(store, settings, ANSWERED + timedelta(hours=6))
    assert reports[0].outcome == "reescalated"
    reason = store.get_risk(risk.id).verdict.reason
    assert reason.startswith("после ответа история продолжает распространяться: 1 новая публикация")
    store.close()


def test_answer_not_among_collected_posts_is_judged_on_spread(demo):
    settings = demo.settings()
    store = open_store(settings.store, str.split)
    risk = demo.risk_about(store, "Лаптево", "utilities")
    late = ANSWERED + timedelta(days=2)  # after every demo post
    workflow.record_answer(store, risk.id, workflow.parse_answer(
        "Разъяснение опубликовано https://pestovo-adm.example/news/voda", "Анна", late))
    track_reactions(store, settings, late + timedelta(hours=25))
    handled = store.get_risk(risk.id)
    assert handled.status == RiskStatus.handled and handled.verdict.evidence.answer_posts == 0
    store.close()


@pytest.mark.parametrize("hours", [0.5])
def test_quiet_window_comes_from_config(demo, hours):
    demo.edit(lambda d: d["alerts"].update(reactions={"quiet_hours": hours, "net_negative": 3}))
    settings, store, risk = answered(demo, "answer_calm_vk.json")
    reports = track_reactions(store, settings, ANSWERED + timedelta(hours=1))
    assert reports[0].outcome == "handled" and "за 0.5 ч после ответа" in reports[0].reason
    store.close()


def test_an_official_post_in_the_story_is_not_spread(demo):
    """The administration's own news on the same story after the answer is context, not spread;
    the same text from a residents' chat re-escalates (test above)."""
    settings, store, risk = answered(demo, "answer_calm_vk.json")
    pipeline = Pipeline.open(settings)
    news = Post(platform="rss", source="pestovo_adm", native_id="https://pestovo-adm.example/news/voda-2",
                url="https://pestovo-adm.example/news/voda-2", title="Водоснабжение в Лаптево восстановлено",
                text="Лаптево: насос на водонапорной башне заменён, вода в Лаптево подаётся, подвоз воды сохраняется",
                published_at=ANSWERED + timedelta(hours=5), reach=2500)
    pipeline.ingest([news])
    assert pipeline.store.get_post(news.id)[1].story_id == risk.story_id, "precondition: the post joins the story"
    pipeline.close()
    assert settings.is_official(news)
    reports = track_reactions(store, settings, ANSWERED + timedelta(hours=6))
    assert reports[0].outcome == "watching", reports[0].reason
    evidence = store.get_risk(risk.id).verdict.evidence
    assert evidence.new_posts == 0 and "pestovo_adm" not in evidence.new_sources
    store.close()


def test_a_deleted_complaint_is_a_signal_not_spread(demo):
    """The same resident post as in the spread test, found deleted on its platform an hour after it
    appeared: it is not spread (the risk stays under watch) and the reason names it."""
    settings, store, risk = answered(demo, "answer_calm_vk.json")
    post = resident_post_in_story(settings, risk)
    assert store.mark_deleted([post.id], ANSWERED + timedelta(hours=5, minutes=40)) == 1
    reports = track_reactions(store, settings, ANSWERED + timedelta(hours=6))
    assert reports[0].outcome == "watching"
    evidence = store.get_risk(risk.id).verdict.evidence
    assert (evidence.new_posts, evidence.new_sources, evidence.deleted) == (0, [], 1)
    assert reports[0].reason.endswith("; 1 жалоба удалена на площадке (сигнал, не распространение)")
    final = track_reactions(store, settings, ANSWERED + timedelta(hours=24, minutes=1))
    assert final[0].outcome == "handled" and store.get_risk(risk.id).verdict.evidence.deleted == 1
    store.close()


def test_negative_comments_under_the_story_after_the_answer_keep_it_open(demo):
    """Residents still complaining under the original post, not under the answer: the risk is not
    closed «отработан» but goes back in work, and the verdict counts those comments."""
    settings, store, risk = answered(demo, "answer_calm_vk.json")
    story = store.get_story(risk.story_id)
    first, _ = store.get_post(story.first_post_id)
    complaints = [Post(platform=first.platform, source=first.source, native_id=f"{first.native_id}_c9{i}",
                       text=text, published_at=ANSWERED + timedelta(hours=2, minutes=i), parent_id=first.id,
                       thread_id=first.id)
                  for i, text in enumerate(["Никакой воды нет, враньё", "Опять без воды, сколько можно",
                                            "Воды так и нет, позор", "Без воды пятый день", "Где вода?!",
                                            "Ничего не заменили"])]
    store.upsert_posts([(post, Analysis(post_id=post.id, sentiment=Sentiment(label="negative", score=0.9),
                                        topic=TopicScore(code="utilities", confidence=0.9), block="rural",
                                        risk=RiskAssessment(score=0.5, level="medium"), story_id=story.id))
                        for post in complaints])
    store.upsert_story(story.model_copy(update={"post_ids": story.post_ids + [p.id for p in complaints]}))

    (report,) = track_reactions(store, settings, ANSWERED + timedelta(hours=24, minutes=1))
    back = store.get_risk(risk.id)
    assert report.outcome == "reescalated" and back.status == RiskStatus.in_work
    evidence = back.verdict.evidence
    assert (evidence.comments, evidence.negative, evidence.positive, evidence.story_negative) == (4, 0, 3, 6)
    assert evidence.net_negative == 3 and evidence.new_posts == 0
    assert back.verdict.reason == "после ответа 6 новых негативных комментариев (позитивных: 3)"
    assert [s.action for s in back.history] == ["take", "answer", "watch", "reescalate"]
    store.close()


# --- the pieces of the verdict, without the demo district (fast: each mutant run starts with these) ---

from datetime import datetime, timezone  # noqa: E402

from alerts.reactions import _Sentiments, collect_evidence, judge  # noqa: E402
from core.config import load_config  # noqa: E402
from core.domain import Answer, Engagement, ReactionEvidence, Risk, Story  # noqa: E402
from testing.configs import write_config  # noqa: E402

T = datetime(2026, 11, 19, 19, 0, tzinfo=timezone.utc)


@pytest.fixture
def small(tmp_path):
    """Five sources: the administration's VK page (official), a residents' VK public, a public
    Telegram chat (its username in mixed case), a private one (numeric id) and a news feed."""
    import collectors  # noqa: F401  (registers the platforms)

    return load_config(write_config(tmp_path, [
        {"key": "adm_vk", "platform": "vk", "name": "Администрация ВК", "owner": "adm", "official": True},
        {"key": "chat", "platform": "telegram", "name": "Чат Пестово", "chat": "@Pestovo_Chat"},
        {"key": "private", "platform": "telegram", "name": "Закрытый чат", "chat": "-1001234567"},
        {"key": "news", "platform": "rss", "name": "Вести", "url": "https://vesti.example/rss"},
        {"key": "overheard", "platform": "vk", "name": "Подслушано", "owner": "podsl"},
    ]))


def test_a_vk_link_in_any_spelling_names_the_post_of_every_vk_source(small):
    both = [post_id("vk", "adm_vk", "-1_2"), post_id("vk", "overheard", "-1_2")]
    for link in ["https://vk.com/wall-1_2", "vk.com/wall-1_2", "https://m.vk.com/wall-1_2?reply=3",
                 "https://www.VK.ru/wall-1_2", "http://www.m.vk.com/wall-1_2"]:
        assert answer_post_ids(link, small) == both, link
    assert answer_post_ids("https://vk.com/adm", small) == []
    assert answer_post_ids("https://vk.com.evil.example/wall-1_2", small) == \
        [post_id("rss", "news", "https://vk.com.evil.example/wall-1_2"),
         post_id("rss", "news", "https://vk.com.evil.example/wall-1_2/")]  # a site link, not VK


def test_a_telegram_link_names_the_post_of_the_chat_it_points_at(small):
    public = [post_id("telegram", "chat", "15")]
    for link in ["https://t.me/pestovo_chat/15", "https://t.me/s/Pestovo_Chat/15", "t.me/PESTOVO_CHAT/15",
                 "https://telegram.me/pestovo_chat/15", "https://www.t.me/pestovo_chat/15/"]:
        assert answer_post_ids(link, small) == public, link
    assert answer_post_ids("https://t.me/c/1234567/77", small) == [post_id("telegram", "private", "77")]
    for link in ["https://t.me/pestovo_chat", "https://t.me/pestovo_chat/about", "https://t.me/s/15",
                 "https://t.me/other_chat/15"]:
        assert answer_post_ids(link, small) == [], link


def test_a_site_link_names_the_feed_post_with_and_without_the_slash(small):
    assert answer_post_ids("https://vesti.example/news/voda/", small) == [
        post_id("rss", "news", "https://vesti.example/news/voda"),
        post_id("rss", "news", "https://vesti.example/news/voda/")]
    assert answer_post_ids("https://vesti.example/news/voda", small) == [
        post_id("rss", "news", "https://vesti.example/news/voda"),
        post_id("rss", "news", "https://vesti.example/news/voda/")]


def evidence(**counts) -> ReactionEvidence:
    return ReactionEvidence(since=T, last_activity=counts.pop("last_activity", T), **counts)


def test_net_negative_reaction_reescalates_from_the_configured_count(small):
    assert judge(evidence(comments=5, negative=3), small, T + timedelta(hours=1)) == \
        ("reescalated", "после ответа 3 новых негативных комментария")
    assert judge(evidence(comments=5, negative=1, story_negative=3, positive=1), small, T) == \
        ("reescalated", "после ответа 4 новых негативных комментария (позитивных: 1)")
    assert judge(evidence(negative=5, story_negative=1, positive=1), small, T)[1] == \
        "после ответа 6 новых негативных комментариев (позитивных: 1)"
    assert judge(evidence(negative=0, story_negative=21, positive=2), small, T)[1] == \
        "после ответа 21 новый негативный комментарий (позитивных: 2)"
    # one short of the threshold (3 − 1 = 2): no re-escalation
    assert judge(evidence(comments=4, negative=3, positive=1), small, T + timedelta(hours=2)) == \
        ("watching", "новых публикаций нет, негативной реакции нет; решение через 22 ч "
                     "(комментариев под ответом 4: негативных 3, позитивных 1)")


def test_a_new_post_reescalates_and_names_the_new_sources(small):
    outcome, reason = judge(evidence(new_posts=1), small, T + timedelta(hours=30))
    assert (outcome, reason) == ("reescalated", "после ответа история продолжает распространяться: 1 новая публикация")
    outcome, reason = judge(evidence(new_posts=5, new_sources=["chat", "gone"]), small, T)
    assert reason == ("после ответа история продолжает распространяться: 5 новых публикаций, "
                      "новые источники: Чат Пестово, gone")
    assert judge(evidence(new_posts=2, negative=3), small, T)[1].startswith("после ответа 3 новых негативных")


def test_handled_exactly_when_the_quiet_window_has_passed(small):
    calm = evidence(comments=2, positive=2, last_activity=T + timedelta(hours=1))
    assert judge(calm, small, T + timedelta(hours=25)) == (
        "handled", "за 24 ч после ответа история не распространялась, негативной реакции нет "
                   "(комментариев под ответом 2: негативных 0, позитивных 2)")
    outcome, reason = judge(calm, small, T + timedelta(hours=25) - timedelta(seconds=1))
    assert outcome == "watching" and "решение через 1 ч" in reason  # never «через 0 ч»
    assert judge(calm, small, T + timedelta(hours=3, minutes=29))[1].startswith(
        "новых публикаций нет, негативной реакции нет; решение через 22 ч")  # 21 h 31 min left
    assert judge(calm, small, T + timedelta(hours=3, minutes=31))[1].startswith(
        "новых публикаций нет, негативной реакции нет; решение через 21 ч")


def test_deleted_complaints_are_named_in_every_verdict(small):
    assert judge(evidence(deleted=2), small, T)[1].endswith(
        "; 2 жалобы удалены на площадке (сигнал, не распространение)")
    assert judge(evidence(deleted=5, new_posts=1), small, T)[1].endswith("; 5 жалоб удалено на площадке "
                                                                         "(сигнал, не распространение)")
    assert "удален" not in judge(evidence(deleted=0), small, T)[1]


def labelled(label: str | None, native: str) -> tuple[Post, Analysis | None]:
    post = Post(platform="vk", source="overheard", native_id=native, text="текст", published_at=T)
    if label is None:
        return post, None
    return post, Analysis(post_id=post.id, sentiment=Sentiment(label=label, score=0.9),
                          topic=TopicScore(code="utilities", confidence=0.9), block="rural",
                          risk=RiskAssessment(score=0.1, level="none"))


def test_posts_without_an_analysis_are_labelled_by_the_given_model_else_neutral():
    items = [labelled("negative", "1"), labelled(None, "2"), labelled("positive", "3"), labelled(None, "4")]
    asked = []

    def model(posts):
        asked.append([p.native_id for p in posts])
        return ["negative", "positive"]

    assert _Sentiments(model).labels(items) == ["negative", "negative", "positive", "positive"]
    assert asked == [["2", "4"]]  # only the posts without one, once
    assert _Sentiments().labels(items) == ["negative", "neutral", "positive", "neutral"]
    assert _Sentiments(model).labels([labelled("positive", "5")]) == ["positive"] and len(asked) == 1


def test_evidence_counts_what_came_after_the_answer(small):
    """One answer on the official page with its comments; a story with posts before and after it,
    a deleted one and an official one."""
    store = open_store(small.store, str.split)

    def post(source, native, hours, **extra):
        return Post(platform="vk" if source in ("adm_vk", "overheard") else "telegram", source=source,
                    native_id=native, text=f"пост {native}", published_at=T + timedelta(hours=hours), **extra)

    answer = post("adm_vk", "-1_2", 0, engagement=Engagement(likes=10, reposts=2, views=300))
    other_answer = post("adm_vk", "-1_3", 1, engagement=Engagement(likes=5, reposts=1, views=100))
    under = [post("adm_vk", "-1_2_c1", 1, parent_id=answer.id, thread_id=answer.id),
             post("adm_vk", "-1_2_c2", 2, parent_id="x", thread_id=answer.id),  # a reply in the thread
             post("adm_vk", "-1_2_c3", 40, parent_id=answer.id, thread_id=answer.id),  # after «now»
             post("adm_vk", "-1_3_c1", 2, parent_id=other_answer.id, thread_id=other_answer.id)]
    before = post("overheard", "-5_1", -5)
    spread = [post("chat", "100", 3), post("overheard", "-5_2", 4), post("chat", "101", 5)]
    story_comment = post("overheard", "-5_1_c1", 6, parent_id=before.id, thread_id=before.id)
    deleted = post("chat", "102", 3, deleted_at=T + timedelta(hours=4))
    late = post("chat", "103", 50)
    official = post("adm_vk", "-1_9", 7)
    labels = {"-1_2_c1": "negative", "-1_2_c2": "positive", "-1_2_c3": "negative", "-1_3_c1": "negative",
              "-5_1_c1": "negative"}
    everything = [answer, other_answer, *under, before, *spread, story_comment, deleted, late, official]
    store.upsert_posts([labelled_as(p, labels.get(p.native_id, "neutral")) for p in everything])
    story = Story(id="s1", title="вода", first_post_id=before.id, first_seen=before.published_at,
                  last_seen=late.published_at, post_ids=[p.id for p in
                                                         [before, *spread, story_comment, deleted, late, official,
                                                          answer]])
    store.upsert_story(story)
    risk = Risk(id="r1", story_id="s1", level="medium", score=0.5, topic="utilities", block="rural",
                created_at=T - timedelta(hours=5), updated_at=T + timedelta(hours=9),
                answers=[Answer(text="ответ", links=["https://vk.com/wall-1_3", "https://vk.com/wall-1_2"],
                                actor="Анна", at=T + timedelta(hours=8))])
    found = collect_evidence(store, small, risk, T + timedelta(hours=10), _Sentiments())
    assert found.model_dump() == {
        "since": T, "answer_posts": 2, "comments": 3, "negative": 2, "positive": 1,
        "likes": 15, "reposts": 3, "views": 400, "story_negative": 1, "new_posts": 3,
        "new_sources": ["chat"], "deleted": 1, "last_activity": T + timedelta(hours=5)}
    store.close()


def test_without_a_found_publication_the_answer_counts_from_its_record(small):
    store = open_store(small.store, str.split)
    risk = Risk(id="r1", story_id="missing", level="medium", score=0.5, topic="utilities", block="rural",
                created_at=T - timedelta(hours=5), updated_at=T + timedelta(hours=9),
                answers=[Answer(text="ответ", links=["https://vk.com/wall-1_7"], actor="Анна",
                                at=T + timedelta(hours=3)),
                         Answer(text="ещё", actor="Анна", at=T + timedelta(hours=2))])
    found = collect_evidence(store, small, risk, T + timedelta(hours=10), _Sentiments())
    assert (found.since, found.answer_posts, found.new_posts, found.last_activity) == \
        (T + timedelta(hours=2), 0, 0, T + timedelta(hours=2))
    unanswered = risk.model_copy(update={"answers": []})
    assert collect_evidence(store, small, unanswered, T + timedelta(hours=10), _Sentiments()).since == \
        T + timedelta(hours=9)
    store.close()


def labelled_as(post: Post, label: str) -> tuple[Post, Analysis]:
    return post, Analysis(post_id=post.id, sentiment=Sentiment(label=label, score=0.9),
                          topic=TopicScore(code="utilities", confidence=0.9), block="rural",
                          risk=RiskAssessment(score=0.1, level="none"))


def test_busy_sources_do_not_crowd_the_answers_comments_out(small, monkeypatch):
    """The comments are looked up on the answer's own page: however many posts other sources
    published since, the search's limit is spent on the answer's page only."""
    import alerts.reactions

    monkeypatch.setattr(alerts.reactions, "COMMENT_LIMIT", 3)
    store = open_store(small.store, str.split)
    answer = Post(platform="vk", source="adm_vk", native_id="-1_2", text="ответ", published_at=T)
    under = [Post(platform="vk", source="adm_vk", native_id=f"-1_2_c{i}", text="спасибо", parent_id=answer.id,
                  thread_id=answer.id, published_at=T + timedelta(hours=i)) for i in (1, 2)]
    chatter = [Post(platform="telegram", source="chat", native_id=str(i), text="болтовня",
                    published_at=T + timedelta(hours=3, minutes=i)) for i in range(5)]
    store.upsert_posts([labelled_as(p, "positive") for p in [answer, *under, *chatter]])
    risk = Risk(id="r1", story_id="none", level="medium", score=0.5, topic="utilities", block="rural",
                created_at=T, updated_at=T, answers=[Answer(text="ответ", links=["https://vk.com/wall-1_2"],
                                                            actor="Анна", at=T)])
    found = collect_evidence(store, small, risk, T + timedelta(hours=10), _Sentiments())
    assert (found.comments, found.positive) == (2, 2)
    store.close()


def test_tracking_moves_the_risk_and_tells_the_chat_only_when_it_changes(small, tmp_path):
    """Without the demo: a resident's complaint, the answer published, then the risk under watch,
    unchanged while nothing happens, back in work when the story spreads; another risk, quiet
    for the whole window, «отработан». Notices go to the sinks only for real changes."""
    from alerts.sinks import FileSink
    from core.domain import RiskStatus

    store = open_store(small.store, str.split)
    complaint = Post(platform="vk", source="overheard", native_id="-5_1", text="Нет воды в Лаптево",
                     published_at=T - timedelta(hours=5))
    quiet = Post(platform="vk", source="overheard", native_id="-5_9", text="Яма у школы",
                 published_at=T - timedelta(hours=5))
    store.upsert_posts([labelled_as(complaint, "negative"), labelled_as(quiet, "negative")])
    for story, post in (("s1", complaint), ("s2", quiet)):
        store.upsert_story(Story(id=story, title=post.text, first_post_id=post.id, first_seen=post.published_at,
                                 last_seen=post.published_at, post_ids=[post.id]))
    for risk_id, number, story, status in (("r1", 7, "s1", RiskStatus.answer_published),
                                           ("r2", 8, "s2", RiskStatus.answer_published),
                                           ("r3", 9, "s2", RiskStatus.in_work)):
        store.save_risk(Risk(id=risk_id, number=number, story_id=story, status=status, level="medium", score=0.5,
                             topic="utilities", block="rural", created_at=T - timedelta(hours=4), updated_at=T,
                             answers=[Answer(text="ответ", actor="Анна", at=T)]))
    sink = FileSink(tmp_path / "chat.txt")

    def track(hours: float):
        return {r.risk.id: (r.outcome, r.changed) for r in
                track_reactions(store, small, T + timedelta(hours=hours), sinks=[sink])}

    assert track(2) == {"r1": ("watching", True), "r2": ("watching", True)}  # r3 is in work: not tracked
    watched = store.get_risk("r1")
    assert watched.status == RiskStatus.watching and [s.action for s in watched.history] == ["watch"]
    assert watched.history[0].actor == workflow.SYSTEM and watched.history[0].note == "наблюдение за реакцией на ответ"
    assert watched.verdict.reason.startswith("новых публикаций нет, негативной реакции нет; решение через 22 ч")
    assert track(3) == {"r1": ("watching", False), "r2": ("watching", False)}  # only the countdown moved
    assert store.get_risk("r1").verdict.at == T + timedelta(hours=2)
    assert not (tmp_path / "chat.txt").exists()  # watching is no news for the chat

    spread = Post(platform="telegram", source="chat", native_id="501", text="В Лаптево так и нет воды",
                  published_at=T + timedelta(hours=4))
    store.upsert_posts([labelled_as(spread, "negative")])
    story = store.get_story("s1")
    store.upsert_story(story.model_copy(update={"post_ids": [*story.post_ids, spread.id]}))
    assert track(5) == {"r1": ("reescalated", True), "r2": ("watching", False)}
    back = store.get_risk("r1")
    reason = "после ответа история продолжает распространяться: 1 новая публикация, новые источники: Чат Пестово"
    assert back.status == RiskStatus.in_work and back.verdict.reason == reason
    assert [(s.action, s.note) for s in back.history][1:] == [("reescalate", reason)]
    assert track(25) == {"r2": ("handled", True)}
    handled = store.get_risk("r2")
    assert handled.status == RiskStatus.handled and [s.action for s in handled.history] == ["watch", "handled"]
    written = (tmp_path / "chat.txt").read_text(encoding="utf-8")
    assert f"· риск r1\n↩️ Риск №7 снова в работе: {reason}\n" in written
    assert "· риск r2\n✅ Риск №8 отработан: за 24 ч после ответа история не распространялась, негативной реакции " \
           "нет (комментариев под ответом 0: негативных 0, позитивных 0)\n" in written
    assert written.count("Риск №") == 2 and store.get_risk("r3").status == RiskStatus.in_work
    store.close()


def test_a_link_to_a_residents_post_is_flagged_as_no_answer(small):
    """Staff sometimes paste the complaint's own link as the answer: such links are named, links to
    the administration's page or to posts nobody collected are not."""
    from alerts.reactions import citizen_links

    store = open_store(small.store, str.split)
    complaint = Post(platform="vk", source="overheard", native_id="-5_1", text="Нет воды", published_at=T)
    official = Post(platform="vk", source="adm_vk", native_id="-1_2", text="Ответ", published_at=T)
    comment = Post(platform="vk", source="adm_vk", native_id="-1_2_c3", text="Спасибо", published_at=T,
                   parent_id=official.id)
    store.upsert_posts([labelled_as(p, "neutral") for p in (complaint, official, comment)])
    links = ["https://vk.com/wall-1_2", "https://vk.com/wall-5_1", "https://vk.com/wall-9_9",
             "https://pestovo-adm.example/news/1"]
    assert citizen_links(store, small, links) == ["https://vk.com/wall-5_1"]
    assert citizen_links(store, small, []) == []
    store.close()


def test_every_comment_under_the_answer_counts_up_to_the_moment_of_judging(small):
    """A popular answer draws more comments than one page of search results; a comment published
    at the very moment of the check counts, one a second later does not."""
    store = open_store(small.store, str.split)
    answer = Post(platform="vk", source="adm_vk", native_id="-1_2", text="ответ", published_at=T)
    now = T + timedelta(hours=10)
    under = [Post(platform="vk", source="adm_vk", native_id=f"-1_2_c{i}", text="спасибо", parent_id=answer.id,
                  thread_id=answer.id, published_at=T + timedelta(minutes=i)) for i in range(1, 81)]
    at_once = Post(platform="vk", source="adm_vk", native_id="-1_2_c900", text="не верю", parent_id=answer.id,
                   thread_id=answer.id, published_at=now)
    later = Post(platform="vk", source="adm_vk", native_id="-1_2_c901", text="не верю", parent_id=answer.id,
                 thread_id=answer.id, published_at=now + timedelta(seconds=1))
    store.upsert_posts([labelled_as(answer, "neutral"), *(labelled_as(p, "positive") for p in under),
                        labelled_as(at_once, "negative"), labelled_as(later, "negative")])
    risk = Risk(id="r1", story_id="none", level="medium", score=0.5, topic="utilities", block="rural",
                created_at=T, updated_at=T, answers=[Answer(text="ответ", links=["https://vk.com/wall-1_2"],
                                                            actor="Анна", at=T)])
    found = collect_evidence(store, small, risk, now, _Sentiments())
    assert (found.comments, found.positive, found.negative) == (81, 80, 1)
    store.close()


def test_the_edges_of_the_answer_window(small):
    """A story post published at the answer's very moment is not spread (it was there already); one
    published at the moment of the check is; one deleted at that moment counts as deleted."""
    store = open_store(small.store, str.split)
    now = T + timedelta(hours=10)
    answer = Post(platform="vk", source="adm_vk", native_id="-1_2", text="ответ", published_at=T)
    same_time = Post(platform="telegram", source="chat", native_id="1", text="пост", published_at=T)
    at_check = Post(platform="telegram", source="private", native_id="2", text="пост", published_at=now)
    gone = Post(platform="vk", source="overheard", native_id="-5_3", text="пост", published_at=T + timedelta(hours=1),
                deleted_at=now)
    again = Post(platform="telegram", source="chat", native_id="3", text="пост", published_at=T + timedelta(hours=2))
    store.upsert_posts([labelled_as(p, "neutral") for p in (answer, same_time, at_check, gone, again)])
    store.upsert_story(Story(id="s1", title="вода", first_post_id=same_time.id, first_seen=T, last_seen=now,
                             post_ids=[same_time.id, at_check.id, gone.id, again.id]))
    risk = Risk(id="r1", story_id="s1", level="medium", score=0.5, topic="utilities", block="rural",
                created_at=T, updated_at=T, answers=[Answer(text="ответ", links=["https://vk.com/wall-1_2"],
                                                            actor="Анна", at=T)])
    found = collect_evidence(store, small, risk, now, _Sentiments())
    # the chat had the story at the answer's moment: its later post is spread, the chat is no new source
    assert (found.new_posts, found.new_sources, found.deleted, found.last_activity) == (2, ["private"], 1, now)
    store.close()


def answered_risk(store, risk_id: str, story_id: str, native: str) -> Post:
    """A risk with its answer published on the administration's page at T (the post is stored)."""
    answer = Post(platform="vk", source="adm_vk", native_id=native, text="ответ", published_at=T)
    store.upsert_posts([labelled_as(answer, "neutral")])
    store.save_risk(Risk(id=risk_id, story_id=story_id, status=RiskStatus.answer_published, level="medium",
                         score=0.5, topic="utilities", block="rural", created_at=T, updated_at=T,
                         answers=[Answer(text="ответ", links=[f"https://vk.com/wall{native}"], actor="Анна", at=T)]))
    return answer


def test_comments_stored_without_an_analysis_are_labelled_by_the_given_model(small):
    import sqlite3

    store = open_store(small.store, str.split)
    answer = answered_risk(store, "r1", "none", "-1_2")
    angry = [Post(platform="vk", source="adm_vk", native_id=f"-1_2_c{i}", text="враньё", parent_id=answer.id,
                  thread_id=answer.id, published_at=T + timedelta(minutes=i)) for i in range(3)]
    store.upsert_posts([labelled_as(p, "neutral") for p in angry])
    with sqlite3.connect(small.store.removeprefix("sqlite:///")) as db:  # as a post stored before its analysis
        db.execute(f"DELETE FROM analyses WHERE post_id IN ({','.join('?' * 3)})", [p.id for p in angry])
    asked = []

    def model(posts):
        asked.extend(p.native_id for p in posts)
        return ["negative"] * len(posts)

    (report,) = track_reactions(store, small, T + timedelta(hours=1), sentiment_of=model)
    assert report.outcome == "reescalated" and sorted(asked) == sorted(p.native_id for p in angry)
    store.close()


class TroubledStore:
    """The real store, with one story it cannot read (a failing disk, a refused query)."""

    def __init__(self, inner, broken: str):
        self.inner, self.broken = inner, broken

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def get_story(self, story_id):
        from core.store import StoreError

        if story_id == self.broken:
            raise StoreError(f"sqlite store: get_story {story_id} failed: disk I/O error")
        return self.inner.get_story(story_id)


def test_one_risks_store_trouble_is_logged_and_the_others_are_judged(small, caplog):
    store = open_store(small.store, str.split)
    answered_risk(store, "r-bad", "s-bad", "-1_2")
    answered_risk(store, "r-good", "s-good", "-1_3")
    with caplog.at_level("ERROR", logger="alerts.reactions"):
        reports = track_reactions(TroubledStore(store, "s-bad"), small, T + timedelta(hours=1))
    assert [r.risk.id for r in reports] == ["r-good"]
    assert [r.getMessage() for r in caplog.records] == [
        "reaction tracking of risk r-bad failed: sqlite store: get_story s-bad failed: disk I/O error"]
    store.close()


def test_the_verdicts_wording_for_a_few_posts_and_the_hours_left(small):
    assert judge(evidence(new_posts=3), small, T)[1] == \
        "после ответа история продолжает распространяться: 3 новые публикации"
    assert judge(evidence(deleted=2, new_posts=2), small, T)[1] == (
        "после ответа история продолжает распространяться: 2 новые публикации; "
        "2 жалобы удалены на площадке (сигнал, не распространение)")
    assert judge(evidence(deleted=1), small, T + timedelta(hours=2, minutes=30))[1] == (
        "новых публикаций нет, негативной реакции нет; решение через 22 ч (комментариев под ответом 0: "
        "негативных 0, позитивных 0); 1 жалоба удалена на площадке (сигнал, не распространение)")  # 21.5 h left
