"""The worked demo with its appeals imported: which appeals link to which story, which answers
were followed by a repeated appeal or a negative reaction, and the satisfaction per department,
recomputed from the store (the posts' sentiment, the ratings) and pinned."""
from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from core.appeals import AppealQuery
from core.config import Settings, load_config
from pipeline.appeal_links import problem_matcher
from pipeline.appeals import import_demo
from reports.appeal_problems import appeal_problems
from reports.appeal_stats import appeal_rating
from reports.appeal_summary import appeal_lines, appeal_summary
from reports.period import rolling
from store import open_store
from tests.reports.conftest import ANCHOR, EVALUATED

WATER = "⚡ Жители деревни Лаптево третий день без воды"
BUS = "#жалоба Автобус из Охоны опять не пришёл."
LAPTEVSKY = "Лаптевский территориальный отдел"


@pytest.fixture(scope="module")
def demo(worked_folder: Path, tmp_path_factory) -> tuple[Path, Settings]:
    folder = tmp_path_factory.mktemp("appeal-problems") / "demo"
    shutil.copytree(worked_folder, folder)
    config = folder / "mcu.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(str(worked_folder), str(folder)), encoding="utf-8")
    settings = load_config(config)
    import_demo(settings, folder / "export", ANCHOR)
    return config, settings


@pytest.fixture(scope="module")
def matched(demo):
    _, settings = demo
    with open_store(settings.store, str.split) as db:
        appeals = db.search_appeals(AppealQuery(limit=None))
        found = appeal_problems(db, settings, problem_matcher(settings), appeals, EVALUATED)
        stories = {story_id: db.get_story(story_id) for story_id in set(found.links.values())}
        posts = {story_id: db.posts_by_ids(story.post_ids) for story_id, story in stories.items()}
    return {a.id: a for a in appeals}, found, stories, posts


def test_appeals_link_to_the_stories_of_the_same_problem_and_place(matched) -> None:
    appeals, found, stories, _ = matched
    linked = {appeals[a].number: stories[s].title for a, s in found.links.items()}
    assert sorted(linked) == ["ИМ-58296", "ПОС-2026-0431", "ПОС-2026-0449"]
    assert linked["ИМ-58296"].startswith(WATER) and linked["ПОС-2026-0449"].startswith(WATER)
    assert linked["ПОС-2026-0431"].startswith(BUS)
    # ПОС-2026-0411, a pothole «напротив дома 14», and the story of a pothole «напротив почты» on the same
    # street share two of the appeal's seven content lemmas (яма, напротив): 2 / (7 + 2) < 0.3, not linked
    assert "ПОС-2026-0411" not in linked
    # the earlier water appeal of the same village (12 days before the story) is not linked
    assert not any(appeals[a].number == "ПОС-2026-0415" for a in found.links)
    assert [(p.story.title[:len(WATER)], p.places, len(p.appeal_ids)) for p in found.problems][0] == \
        (WATER, ("Лаптево",), 2)


def test_the_repeated_appeal_and_the_negative_reaction_recomputed_from_the_posts(demo, matched) -> None:
    _, settings = demo
    appeals, found, _, posts = matched
    numbers = {i: a.number for i, a in appeals.items()}
    assert {numbers[i]: [numbers[x] for x in later] for i, later in found.repeated.items()} == \
        {"ИМ-58296": ["ПОС-2026-0449"]}
    im = next(a for a in appeals.values() if a.number == "ИМ-58296")
    rules = settings.appeals.satisfaction
    after = [(post, analysis) for post, analysis in posts[found.links[im.id]]
             if im.answered_at < post.published_at <= im.answered_at + timedelta(days=rules.reaction_days)
             and not settings.is_official(post)]
    negative = sum(1 for _, analysis in after if analysis and analysis.sentiment.label == "negative")
    assert negative >= rules.negative_posts and negative >= rules.negative_share * len(after)
    assert {numbers[i] for i in found.reaction} == {"ИМ-58296"}


def test_satisfaction_per_department_uses_the_rating_else_the_signals(demo, matched) -> None:
    appeals, found, _, _ = matched
    _, settings = demo
    period = rolling(timedelta(days=21), EVALUATED, settings.timezone)
    with open_store(settings.store, str.split) as db:
        units = {u.unit: u for u in appeal_rating(db, settings, period, EVALUATED, matcher=problem_matcher(settings))}
        plain = {u.unit: u for u in appeal_rating(db, settings, period, EVALUATED)}
    # Лаптевский: ПОС-2026-0415 rated 2 → 0.25; ИМ-58296 unrated, repeated → 0
    laptevsky = units[LAPTEVSKY]
    assert (laptevsky.satisfaction, laptevsky.satisfied.bases["rating"], laptevsky.satisfied.bases["repeated"]) == \
        ((2 - 1) / 4 / 2, 1, 1)
    assert plain[LAPTEVSKY].satisfaction == 0.25  # the rating alone, without matching
    on_time, solved = laptevsky.on_time_share, laptevsky.solved_share
    parts = {"on_time": on_time, "solved": solved, "satisfaction": 0.125}
    known = {k: v for k, v in parts.items() if v is not None}
    weights = {"on_time": 0.4, "solved": 0.3, "satisfaction": 0.3}
    expected = round(100 * sum(weights[k] * v for k, v in known.items()) / sum(weights[k] for k in known), 1)
    assert laptevsky.score == expected
    # ИМ-58311 (answered a day before, no rating, no signal): not yet judged
    housing = units["Отдел ЖКХ и дорожной деятельности"]
    assert housing.satisfied.bases["pending"] == 1 and housing.satisfied.judged == 2
    assert housing.satisfaction == ((5 - 1) / 4 + (3 - 1) / 4) / 2


def test_the_report_section_shows_the_problem_once_with_both_channels(demo) -> None:
    _, settings = demo
    period = rolling(timedelta(days=21), EVALUATED, settings.timezone)
    with open_store(settings.store, str.split) as db:
        lines = [t for t, _ in appeal_lines(appeal_summary(db, settings, period, EVALUATED,
                                                          matcher=problem_matcher(settings)))]
    water = [line for line in lines if "Лаптево" in line and "обращений 2" in line]
    assert len(water) == 1 and water[0].startswith(
        "  одна проблема в обращениях и соцсетях: ЖКХ: вода, тепло, свет · Лаптево — обращений 2, публикаций ")
    # six answers judged: five ratings (5, 2, 3, 4, 5 → 1, 0.25, 0.5, 0.75, 1) and ИМ-58296 repeated (0); ИМ-58311
    # answered a day before without a rating or a signal is not judged yet
    assert round((1 + 0.25 + 0.5 + 0.75 + 1 + 0) / 6 * 100) == 58
    assert "  удовлетворённость ответами: 58% (6); по оценкам — 5, не удовлетворили (повтор или негатив) — 1, " \
           "без сигналов — 0, ещё не ясно — 1; после ответа пришло повторное обращение — 1, негатив в соцсетях — 1; " \
           "средняя оценка 3,8 из 5" in lines


def test_mcu_appeals_stats_lists_the_linked_problems(demo) -> None:
    config, _ = demo
    result = CliRunner().invoke(app, ["appeals", "stats", "--json", "-c", str(config)])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["repeated"] == 1
    assert [(p["title"][:len(WATER)], p["places"], len(p["appeals"])) for p in stats["problems"]][0] == \
        (WATER, ["Лаптево"], 2)
    assert len(stats["problems"]) == 2


def test_mcu_appeals_stories_names_the_appeals_the_repeat_and_the_reaction(demo) -> None:
    config, _ = demo
    result = CliRunner().invoke(app, ["appeals", "stories", "--days", "3650", "--json", "-c", str(config)])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert [(p["appeals"], p["places"]) for p in found["problems"]] == [
        (["ИМ-58296", "ПОС-2026-0449"], ["Лаптево"]), (["ПОС-2026-0431"], ["Охона"])]
    assert found["repeated"] == {"ИМ-58296": ["ПОС-2026-0449"]}
    assert found["negative_reaction"] == ["ИМ-58296"]
