"""«Решаемые» shares and weekly spikes (reports.appeals_analysis) on small hand-made appeal sets,
and the spike detector on the real St Petersburg appeals (shared data)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from reports.appeals_analysis import (AppealFacts, explaining_instead_of_solving, solvable_shares, week_of,
                                      weekly_spikes)

MONDAY = datetime(2026, 11, 2, 10, 0)


def appeal(n: int, topic: str, kind: str | None, department: str = "Комитет", place: str = "Пестово",
           when: datetime = MONDAY, text: str = "") -> AppealFacts:
    return AppealFacts(id=str(n), created_at=when, topic=topic, department=department, place=place,
                       answer_kind=kind, text=text)


def test_solvable_shares_count_explained_and_solved_per_topic_and_department():
    appeals = [
        appeal(1, "roads", "explained", "Дорожный комитет"),
        appeal(2, "roads", "explained", "Дорожный комитет"),
        appeal(3, "roads", "solved", "Дорожный комитет"),
        appeal(4, "roads", "not_confirmed", "Дорожный комитет"),
        appeal(5, "roads", "solved", "Администрация"),
        appeal(6, "utilities", "formal", "УК"),
        appeal(7, "utilities", None, "УК"),            # unanswered: left out
        appeal(8, "healthcare", "explained", "Больница"),  # not solvable: left out
    ]
    shares = solvable_shares(appeals)
    assert [(s.topic, s.department, s.answered, s.explained, s.solved) for s in shares] == [
        ("roads", "Дорожный комитет", 4, 2, 1),
        ("roads", "Администрация", 1, 0, 1),
        ("utilities", "УК", 1, 0, 0),
    ]
    assert shares[0].explained_share == 0.5
    assert shares[0].solved_share == 0.25
    by_topic = solvable_shares(appeals, by_department=False)
    assert [(s.topic, s.department, s.answered, s.explained) for s in by_topic] == [
        ("roads", None, 5, 2), ("utilities", None, 1, 0)]


def test_solvable_list_is_a_parameter():
    appeals = [appeal(1, "healthcare", "explained"), appeal(2, "healthcare", "solved")]
    assert solvable_shares(appeals) == []
    shares = solvable_shares(appeals, solvable={"healthcare"})
    assert [(s.topic, s.answered, s.explained) for s in shares] == [("healthcare", 2, 1)]


def test_explaining_instead_of_solving_lists_topics_over_the_threshold():
    appeals = ([appeal(i, "roads", "explained") for i in range(6)]
               + [appeal(10 + i, "roads", "solved") for i in range(4)]      # roads: 6 of 10 explained
               + [appeal(20 + i, "waste", "explained") for i in range(2)]
               + [appeal(30 + i, "waste", "solved") for i in range(10)]     # waste: 2 of 12
               + [appeal(50 + i, "animals", "explained") for i in range(5)])  # animals: too few answers
    listed = explaining_instead_of_solving(appeals, threshold=0.25, min_answered=10)
    assert [(s.topic, s.answered, s.explained, round(s.explained_share, 3)) for s in listed] == [("roads", 10, 6, 0.6)]
    assert [s.topic for s in explaining_instead_of_solving(appeals, threshold=0.1, min_answered=5)] == [
        "animals", "roads", "waste"]


def test_week_of_is_the_monday():
    assert week_of(datetime(2026, 11, 8, 23, 59)) == date(2026, 11, 2)
    assert week_of(date(2026, 11, 9)) == date(2026, 11, 9)


def history(topic: str, place: str, per_week: list[int], start: datetime = MONDAY) -> list[AppealFacts]:
    out = []
    for w, n in enumerate(per_week):
        for i in range(n):
            out.append(appeal(len(out) + 1000 * w, topic, None, place=place,
                              when=start + timedelta(weeks=w, hours=i), text=f"{topic} {place} неделя {w} №{i}"))
    return out


def test_weekly_spike_against_the_previous_weeks():
    appeals = (history("roads", "Пестово", [1, 2, 1, 0, 1, 1, 9])       # mean 1.0 → z 8.0
               + history("waste", "Охона", [3, 3, 3, 3, 3, 3, 6])       # ratio 2.0, z = 3/√3 = 1.732: no
               + history("water", "Лаптево", [0, 0, 0, 0, 0, 0, 4]))    # under min_count
    spikes = weekly_spikes(appeals, baseline_weeks=6, min_count=5)
    assert len(spikes) == 1
    spike = spikes[0]
    assert (spike.topic, spike.place, spike.week, spike.count, spike.baseline_mean, spike.z) == (
        "roads", "Пестово", date(2026, 12, 14), 9, 1.0, 8.0)
    assert spike.ratio == 9.0
    assert spike.examples == ["roads Пестово неделя 6 №0", "roads Пестово неделя 6 №1", "roads Пестово неделя 6 №2"]
    assert [s.topic for s in weekly_spikes(appeals, min_count=4, min_z=1.5)] == ["roads", "water", "waste"]


def test_weekly_spikes_in_chosen_weeks_and_bad_baseline():
    appeals = history("roads", "Пестово", [0, 0, 6, 1])
    assert weekly_spikes(appeals) == []  # the last week is quiet
    spikes = weekly_spikes(appeals, weeks=[date(2026, 11, 18)], baseline_weeks=2)
    assert [(s.week, s.count, s.baseline_mean) for s in spikes] == [(date(2026, 11, 16), 6, 0.0)]
    assert spikes[0].ratio == float("inf")
    with pytest.raises(ValueError, match="baseline_weeks"):
        weekly_spikes(appeals, baseline_weeks=0)
    assert weekly_spikes([]) == []
