"""Re-alerts on the scanned demo: a story that grows while in work edits its card instead of
alerting again, a rising level alerts, and a story that grows after «отработан» re-opens."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alerts import build_sinks, raise_alerts, workflow
from alerts.outbox import Outbox, outbox_path
from core.domain import LEVEL_ORDER, Post, RiskAssessment, RiskReason, RiskStatus
from pipeline.pipeline import Pipeline
from nlp import score_story
from tests.alerts.conftest import ANSWERED

GROWTH = ("Лаптево опять без воды! Насос на водонапорной башне снова сгорел, в Лаптево воды нет. "
          "Куда смотрит администрация? Третий день носим воду вёдрами из колодца")


def grow_story(pipeline: Pipeline, story_id: str, when: datetime, n: int = 1) -> list[str]:
    """Ingest new posts about the Лаптево outage; they must join the story (checked)."""
    posts = [Post(platform="vk", source="pestovo_overheard", native_id=f"-104873226_{99000 + i}",
                  url=f"https://vk.com/wall-104873226_{99000 + i}", text=f"{GROWTH} ({i + 1})",
                  published_at=when + timedelta(minutes=10 * i), reach=8126) for i in range(n)]
    pipeline.ingest(posts)
    joined = [pipeline.store.get_post(p.id)[1].story_id for p in posts]
    assert joined == [story_id] * n, "the new posts did not join the Лаптево story; the test needs them to"
    return [p.id for p in posts]


def scripted(level: str):
    def score(story, items, rubricator, thresholds):
        return RiskAssessment(score={"medium": 0.5, "high": 0.65, "critical": 0.8}[level], level=level,
                              reasons=[RiskReason(component="topic", value=0.3, detail="сценарий теста")])
    return score


def pending(outbox: Outbox, kind: str, risk_id: str) -> list[tuple]:
    return [row for row in outbox.jobs("pending") if row[1] == kind and row[3] == risk_id]


def test_growth_in_work_edits_the_card_and_a_rising_level_alerts(demo):
    settings = demo.settings()
    pipeline = Pipeline.open(settings)
    store = pipeline.store
    risk = demo.risk_about(store, "Лаптево", "utilities")
    workflow.take(store, risk.id, "Анна", datetime.now(timezone.utc))
    sinks = build_sinks(settings)
    outbox = Outbox(outbox_path(settings))
    now = datetime.now(timezone.utc)
    alerts_before = len(store.list_alerts())

    # a rescan of an unchanged story: nothing at all
    _, alerts = raise_alerts(store, settings, {risk.story_id}, now, sinks, score_story)
    assert alerts == [] and not pending(outbox, "refresh", risk.id)

    # the story grows, the level stays: the card is refreshed, no new alert
    grow_story(pipeline, risk.story_id, ANSWERED - timedelta(hours=2))
    level = "medium" if risk.level == "medium" else risk.level
    _, alerts = raise_alerts(store, settings, {risk.story_id}, now, sinks, scripted(level))
    assert alerts == [] and len(store.list_alerts()) == alerts_before
    assert len(pending(outbox, "refresh", risk.id)) == 1
    updated = store.get_risk(risk.id)
    assert updated.posts == risk.posts + 1 and updated.status == RiskStatus.in_work

    # a second growth before delivery: still one refresh job (the card is edited once)
    grow_story(pipeline, risk.story_id, ANSWERED - timedelta(hours=1))
    raise_alerts(store, settings, {risk.story_id}, now, sinks, scripted(level))
    assert len(pending(outbox, "refresh", risk.id)) == 1

    # a level never alerted before: a new alert and a new card
    alerted = {a.level for a in store.list_alerts() if a.risk_id == risk.id}
    higher = [lv for lv in ("medium", "high", "critical") if LEVEL_ORDER[lv] > max(LEVEL_ORDER[a] for a in alerted)]
    if higher:
        _, alerts = raise_alerts(store, settings, {risk.story_id}, now, sinks, scripted(higher[0]))
        assert [a.level for a in alerts] == [higher[0]]
        assert len(pending(outbox, "card", risk.id)) == 2  # the first card (not delivered here) and the new one
    assert store.get_risk(risk.id).status == RiskStatus.in_work  # alerts never touch the workflow status
    outbox.close()
    pipeline.close()


def test_growth_after_handled_reopens_the_risk(demo):
    settings = demo.settings()
    pipeline = Pipeline.open(settings)
    store = pipeline.store
    risk = demo.risk_about(store, "Лаптево", "utilities")
    handled_at = ANSWERED + timedelta(hours=25)
    workflow.take(store, risk.id, "Анна", ANSWERED - timedelta(hours=1))
    workflow.record_answer(store, risk.id, workflow.parse_answer("Насос заменён https://vk.com/wall-1_1", "Анна",
                                                                 ANSWERED))
    workflow.close(store, risk.id, "Анна", handled_at)

    # a rescan that adds nothing new keeps it handled
    pipeline.touched = {risk.story_id}
    pipeline.raise_alerts(handled_at + timedelta(hours=1))
    assert store.get_risk(risk.id).status == RiskStatus.handled

    grow_story(pipeline, risk.story_id, handled_at + timedelta(hours=2))
    _, alerts = pipeline.raise_alerts(handled_at + timedelta(hours=3))
    reopened = store.get_risk(risk.id)
    assert reopened.status == RiskStatus.in_work
    step = reopened.history[-1]
    assert (step.action, step.actor, step.previous) == ("reopen", workflow.SYSTEM, RiskStatus.handled)
    assert "1 новая публикация" in step.note
    outbox = Outbox(outbox_path(settings))
    notices = [row for row in outbox.jobs("pending") if row[1] == "notice" and row[3] == risk.id]
    assert len(notices) == 1
    assert "снова открыт" in outbox._query("SELECT text FROM outbox WHERE id = ?", (notices[0][0],))[0][0]
    assert (demo.folder / "alerts.txt").read_text(encoding="utf-8").count("снова открыт") == 1
    outbox.close()
    pipeline.close()
