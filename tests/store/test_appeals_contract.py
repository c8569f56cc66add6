"""The appeal part of the store contract, run on every backend by the ``store`` fixture."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core.appeals import Appeal, AppealAnalysis, AppealQuery, appeal_id
from core.store import Store

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)


def appeal(number: str, text: str, *, days: float = 0, lemmatize=None, source: str = "pos", topic: str = "roads",
           department: str | None = None, places: tuple[str, ...] = (), state: str = "open", channel: str = "ПОС",
           answer_kind: str | None = None, responsible: str = "", created: bool = True) -> Appeal:
    at = T0 + timedelta(days=days)
    return Appeal(
        source=source, number=number, created_at=at if created else None, first_seen=T0 + timedelta(days=30),
        channel=channel, category="Дороги", text=text, address="д. Быково", lat=58.6, lon=35.8,
        responsible=responsible, status="Получен ответ" if state == "answered" else "Рассмотрение", state=state,
        answer="Ямы заделаны" if state == "answered" else "",
        answered_at=at + timedelta(days=3) if state == "answered" else None, rating=4.0 if state == "answered" else None,
        analysis=AppealAnalysis(lemmas=lemmatize(text) if lemmatize else [], topic=topic, block="infrastructure",
                                places=list(places), department=department, answer_kind=answer_kind),
    )  # fmt: skip


@pytest.fixture
def appeals(lemmatize) -> dict[str, Appeal]:
    return {
        "pothole": appeal("101", "На улице Ленина огромные ямы на дороге", lemmatize=lemmatize, days=-1,
                          places=("Быково",), department="bykovsky", state="answered", answer_kind="solved",
                          responsible="Отдел дорог"),
        "light": appeal("102", "Не горят фонари в деревне Лаптево", lemmatize=lemmatize, days=-5, topic="utilities",
                        places=("Лаптево",), department="laptevsky", responsible="Отдел ЖКХ"),
        "waste": appeal("103", "Мусор не вывозят, контейнеры переполнены", lemmatize=lemmatize, days=-10,
                        topic="waste", places=("Лаптево", "Быково"), department="laptevsky", state="answered",
                        answer_kind="explained", responsible="Отдел ЖКХ"),
        "kursk": appeal("7", "Яма на дороге у школы", lemmatize=lemmatize, source="kursk", created=False,
                        channel="Платформа обратной связи"),
    }


@pytest.fixture
def loaded(store: Store, appeals: dict[str, Appeal]) -> dict[str, Appeal]:
    store.upsert_appeals(appeals.values())
    return appeals


def test_appeal_ids_come_from_the_source_and_the_number(appeals) -> None:
    assert appeals["pothole"].id == appeal_id("pos", "101") == appeal_id("pos", " 101 ")
    assert appeal_id("pos", "101") != appeal_id("kursk", "101")
    with pytest.raises(ValueError, match="does not belong"):
        Appeal(id=appeal_id("pos", "1"), source="pos", number="2", first_seen=T0, text="x")


def test_upsert_counts_and_is_idempotent(store: Store, appeals) -> None:
    first = store.upsert_appeals(appeals.values())
    second = store.upsert_appeals(appeals.values())
    assert (first.new, first.updated, first.unchanged) == (4, 0, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 4)
    assert store.count_appeals(AppealQuery()) == 4


def test_a_later_export_updates_status_answer_and_rating(store: Store, loaded) -> None:
    light = loaded["light"]
    answered = light.model_copy(update={"state": "answered", "status": "Получен ответ", "answer": "Фонари заменены",
                                        "answered_at": T0, "rating": 5.0})
    result = store.upsert_appeals([answered])
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)
    assert store.appeals_by_ids([light.id]) == [answered]
    assert store.count_appeals(AppealQuery()) == 4
    assert store.count_appeals(AppealQuery(state="open")) == 1


def test_round_trip_is_exact_and_in_the_order_asked(store: Store, loaded) -> None:
    wanted = [loaded["waste"].id, "missing", loaded["kursk"].id]
    assert store.appeals_by_ids(wanted) == [loaded["waste"], loaded["kursk"]]


def test_search_by_lemmas_and_filters(store: Store, loaded) -> None:
    assert {a.number for a in store.search_appeals(AppealQuery(text="дорога"))} == {"7", "101"}
    assert [a.number for a in store.search_appeals(AppealQuery(text="дорогой", source="pos"))] == ["101"]
    assert [a.number for a in store.search_appeals(AppealQuery(place="Лаптево"))] == ["102", "103"]
    assert [a.number for a in store.search_appeals(AppealQuery(department="laptevsky", state="answered"))] == ["103"]
    assert [a.number for a in store.search_appeals(AppealQuery(answer_kind="solved"))] == ["101"]
    assert [a.number for a in store.search_appeals(AppealQuery(responsible="Отдел ЖКХ"))] == ["102", "103"]
    assert store.search_appeals(AppealQuery(text="фонарь")) == [loaded["light"]]


def test_newest_first_by_received_time_with_limits(store: Store, loaded) -> None:
    # the Kursk appeal has no registration time: it counts from its first import (T0 + 30 days)
    assert [a.number for a in store.search_appeals(AppealQuery(limit=None))] == ["7", "101", "102", "103"]
    assert [a.number for a in store.search_appeals(AppealQuery(limit=2))] == ["7", "101"]
    assert store.search_appeals(AppealQuery(limit=0)) == []
    since = AppealQuery(since=T0 - timedelta(days=5), until=T0, limit=None)
    assert [a.number for a in store.search_appeals(since)] == ["101", "102"]
    assert store.count_appeals(since) == 2


def test_aggregates(store: Store, loaded) -> None:
    everything = AppealQuery()
    assert store.aggregate_appeals("topic", everything) == {"roads": 2, "utilities": 1, "waste": 1}
    assert store.aggregate_appeals("department", everything) == {"laptevsky": 2, "bykovsky": 1}
    assert store.aggregate_appeals("place", everything) == {"Быково": 2, "Лаптево": 2}
    assert store.aggregate_appeals("state", everything) == {"open": 2, "answered": 2}
    assert store.aggregate_appeals("answer_kind", everything) == {"explained": 1, "solved": 1}
    assert store.aggregate_appeals("responsible", everything) == {"Отдел ЖКХ": 2, "Отдел дорог": 1}
    assert store.aggregate_appeals("channel", AppealQuery(source="pos")) == {"ПОС": 3}
    with pytest.raises(ValueError, match="known fields"):
        store.aggregate_appeals("text", everything)


def test_retention_deletes_appeals_received_before_the_cutoff(store: Store, loaded) -> None:
    assert store.purge_appeals_before(T0 - timedelta(days=4)) == 2
    assert {a.number for a in store.search_appeals(AppealQuery(limit=None))} == {"7", "101"}
    assert store.search_appeals(AppealQuery(text="мусор")) == []
    assert store.aggregate_appeals("place", AppealQuery()) == {"Быково": 1}
    assert store.purge_appeals_before(T0 + timedelta(days=31)) == 2
    assert store.count_appeals(AppealQuery()) == 0
