"""The appeals section of the digest and of the weekly and monthly report (decree 2.2.1–2.2.5):
appeals received in the period against the period before, the main topics and places, deadlines
(overdue and due soon now, answered on time), answer quality, the «Решаемые» share actually
solved, satisfaction (the rating, else repeated appeals and the social-media reaction:
``reports.appeal_links``), the problems seen both in appeals and in social-media stories (one line
each, with the counts of both channels), and the rating of the units that answer."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from core.appeals import ANSWER_KINDS, AppealQuery
from core.config import Settings
from core.store import Store
from reports.appeal_deadlines import AppealDeadlines
from reports.appeal_links import LinkedProblem
from reports.appeal_problems import AppealProblems, ProblemMatcher, appeal_problems, rating_only
from reports.appeal_stats import (
    RATING_COLUMNS, AnswerCounts, AppealUnit, appeal_facts, appeal_rating, percent, rating_row, satisfaction_text,
)  # fmt: skip
from reports.appeals_analysis import Spike, week_of, weekly_spikes
from reports.period import Period

TOP = 5
BASELINE_WEEKS = 6


@dataclass
class AppealSummary(AnswerCounts):
    period: Period | None = None
    received: int = 0
    previous: int = 0
    topics: list[tuple[str, int]] = field(default_factory=list)
    places: list[tuple[str, int]] = field(default_factory=list)
    deadline_states: Counter = field(default_factory=Counter)
    """states of the period's appeals (answered on time, late, overdue …)"""
    overdue_now: int = 0
    due_soon_now: int = 0
    rating: list[AppealUnit] = field(default_factory=list)
    spikes: list[Spike] = field(default_factory=list)
    problems: AppealProblems | None = None
    """the period's appeals matched with later appeals and with stories (None without a matcher)"""
    topic_labels: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.received or self.previous or self.overdue_now or self.due_soon_now)


def appeal_summary(store: Store, settings: Settings, period: Period, now: datetime, *,
                   with_rating: bool = False, matcher: ProblemMatcher | None = None) -> AppealSummary:
    """The section over the period; ``matcher`` (the application's) links appeals with stories and
    judges satisfaction without a rating (else satisfaction is the rating alone)."""
    topics = {t.code: t.label for t in settings.rubricator.topics}
    query = AppealQuery(since=period.since, until=period.until)
    before = period.previous()
    summary = AppealSummary(
        period=period, received=store.count_appeals(query),
        previous=store.count_appeals(AppealQuery(since=before.since, until=before.until)),
        topics=[(topics.get(c, c), n) for c, n in store.aggregate_appeals("topic", query).items()][:TOP],
        places=list(store.aggregate_appeals("place", query).items())[:TOP], topic_labels=topics,
    )  # fmt: skip
    deadlines = AppealDeadlines(settings)
    received = store.search_appeals(AppealQuery(since=period.since, until=period.until, limit=None))
    summary.problems = appeal_problems(store, settings, matcher, received, now) if matcher else None
    judge = summary.problems.judge if summary.problems else rating_only
    for appeal in received:
        summary.deadline_states[deadlines.of(appeal, now).state] += 1
        summary.count_answer(appeal, judge(appeal))
    for appeal in store.search_appeals(AppealQuery(state="open", limit=None)):
        state = deadlines.of(appeal, now).state
        summary.overdue_now += state == "overdue"
        summary.due_soon_now += state == "due_soon"
    history = store.search_appeals(AppealQuery(since=period.since - timedelta(weeks=BASELINE_WEEKS + 1),
                                               until=period.until, limit=None))
    weeks = {week_of(day) for day in period.days(settings.timezone)}
    spikes = weekly_spikes(appeal_facts(history, deadlines.unit), weeks, BASELINE_WEEKS)[:TOP]
    summary.spikes = [replace(s, topic=topics.get(s.topic, s.topic)) for s in spikes]
    if with_rating:
        summary.rating = appeal_rating(store, settings, period, now, problems=summary.problems)
    return summary


def appeal_lines(s: AppealSummary) -> list[tuple[str, bool]]:
    """The section as (line, is_heading) pairs, for the digest and the report."""
    lines: list[tuple[str, bool]] = [(f"Обращения граждан: {s.received} (предыдущий такой же период — {s.previous})",
                                      True)]
    if s.topics:
        lines.append(("  темы: " + ", ".join(f"{label} — {n}" for label, n in s.topics), False))
    if s.places:
        lines.append(("  места: " + ", ".join(f"{name} — {n}" for name, n in s.places), False))
    states = s.deadline_states
    due = states["on_time"] + states["late"] + states["overdue"]
    lines.append((f"  сроки: сейчас просрочено {s.overdue_now}, скоро срок {s.due_soon_now}; ответ в срок по "
                  f"обращениям периода — {percent(states['on_time'], due)}", False))
    classified = sum(s.kinds.values())
    if classified:
        kinds = ", ".join(f"{ANSWER_KINDS[k]} — {n}" for k, n in s.kinds.most_common())
        lines.append((f"  качество ответов: {kinds}", False))
        lines.append((f"  «Решаемые» решены: {percent(s.solved, s.solvable)}; разъяснения вместо решения: "
                      f"{percent(s.explained, s.solvable)}", False))
    lines += _satisfaction_lines(s)
    problems = s.problems
    for spike in s.spikes:
        story = _spike_story(spike, problems)
        social = f"; в соцсетях — та же проблема: {_story_line(story.title, story.size)}" if story else ""
        lines.append((f"  рост: {spike.topic} · {spike.place or 'место не определено'} — {spike.count} за неделю с "
                      f"{spike.week:%d.%m}, обычно {spike.baseline_mean:.1f} в неделю; пример: «{_short(spike)}»"
                      f"{social}", False))
    shown = {story.id for spike in s.spikes if (story := _spike_story(spike, problems))}
    for problem in [p for p in (problems.problems if problems else []) if p.story.id not in shown][:TOP]:
        lines.append((f"  одна проблема в обращениях и соцсетях: {_problem_line(problem, s.topic_labels)}", False))
    return lines


def _satisfaction_lines(s: AppealSummary) -> list[tuple[str, bool]]:
    if not s.satisfied.judged and not s.ratings:
        return []
    bases = s.satisfied.bases
    parts = [f"по оценкам — {bases['rating']}"]
    if s.problems is not None:
        parts += [f"не удовлетворили (повтор или негатив) — {bases['repeated'] + bases['reaction']}",
                  f"без сигналов — {bases['quiet']}"]
        if bases["pending"]:
            parts.append(f"ещё не ясно — {bases['pending']}")
    line = f"  удовлетворённость ответами: {satisfaction_text(s.satisfied)}; {', '.join(parts)}"
    if s.problems is not None:
        problems = s.problems
        repeated = sum(1 for i in problems.satisfaction if i in problems.repeated)
        line += (f"; после ответа пришло повторное обращение — {repeated}, негатив в соцсетях — "
                 f"{len(problems.reaction)}")
    if s.mean_rating is not None:
        line += f"; средняя оценка {s.mean_rating:.1f} из 5".replace(".", ",")
    return [(line, False)]


def _spike_story(spike: Spike, problems: AppealProblems | None):
    if problems is None:
        return None
    stories = [problems.story_of(i) for i in spike.appeal_ids]
    found = [story for story in stories if story is not None]
    return max(found, key=lambda story: (found.count(story), story.size)) if found else None


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _story_line(title: str, size: int) -> str:
    return f"«{_cut(title, 80)}» ({size} публ.)"


def _problem_line(problem: LinkedProblem, topics: dict[str, str]) -> str:
    story = problem.story
    place = ", ".join(problem.places) or "место не определено"
    return (f"{topics.get(story.topic, story.topic)} · {place} — обращений {len(problem.appeal_ids)}, "
            f"публикаций {problem.posts}: «{_cut(story.title, 80)}»")


def _short(spike: Spike) -> str:
    return _cut(spike.examples[0] if spike.examples else "", 100)


__all__ = ["AppealSummary", "appeal_summary", "appeal_lines", "RATING_COLUMNS", "rating_row"]
