"""Reaction tracking on recorded comment data: the administration's answer on VK is collected
by the real VK collector from a recording, its comments analysed by the project's NLP, and the
verdict follows the decree («отработан», or back in work with the reason)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from alerts import workflow
from alerts.reactions import answer_post_ids, track_reactions
from core.domain import Post, RiskStatus, post_id
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


def test_spread_after_the_answer_reescalates(demo):
    settings, store, risk = answered(demo, "answer_calm_vk.json")
    pipeline = Pipeline.open(settings)
    post = Post(platform="telegram", source="pestovo_chat", native_id="99001", url="https://t.me/pestovo_chat/99001",
                text="Лаптево опять без воды! Насос на водонапорной башне снова сгорел, воды в Лаптево нет. "
                     "Куда смотрит администрация? Носим воду вёдрами из колодца",
                published_at=ANSWERED + timedelta(hours=5), reach=3100)
    pipeline.ingest([post])
    assert pipeline.store.get_post(post.id)[1].story_id == risk.story_id, "precondition: the post joins the story"
    pipeline.close()
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
