"""Reaction tracking: did the published answer work?

For every risk whose answer is published, :func:`track_reactions` finds the answer's
publications among the collected posts (by their links), reads the comments under them and
their sentiment, their likes and reposts, and the story's spread after the answer time (new
posts and new sources). The verdict follows the decree: «отработан» when, for the quiet window,
the story does not spread and the answer draws no net-negative reaction; otherwise the risk
goes back in work with the reason. A Prefect flow can wrap this plain function.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable
from urllib.parse import urlsplit

from alerts.sinks import AlertSink, notify_refresh
from core.text import counted
from alerts.workflow import SYSTEM, change_risk
from core.config import Settings
from core.domain import Analysis, Post, ReactionEvidence, Risk, RiskStatus, Verdict, post_id
from core.store import SearchQuery, Store, StoreError

log = logging.getLogger(__name__)
COMMENT_LIMIT = 10_000
TRACKED = (RiskStatus.answer_published, RiskStatus.watching)
Item = tuple[Post, "Analysis | None"]


@dataclass
class ReactionReport:
    risk: Risk
    outcome: str
    reason: str
    changed: bool


def answer_post_ids(url: str, settings: Settings) -> list[str]:
    """Ids the post behind an answer link would have if a configured source collected it."""
    parts = urlsplit(url if "://" in url else "https://" + url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if host in {"vk.com", "vk.ru"}:
        match = re.search(r"wall(-?\d+)_(\d+)", url)
        if not match:
            return []
        native = f"{match.group(1)}_{match.group(2)}"
        return [post_id("vk", s.key, native) for s in settings.sources if s.platform == "vk"]
    if host in {"t.me", "telegram.me"}:
        segments = [s for s in parts.path.split("/") if s]
        if segments and segments[0] == "s":
            segments = segments[1:]
        if len(segments) < 2 or not segments[-1].isdigit():
            return []
        chat, message = segments[-2].lower(), segments[-1]
        ids = []
        for source in settings.sources:
            if source.platform != "telegram":
                continue
            address = source.chat.lower().lstrip("@").removeprefix("-100")
            if address == chat:
                ids.append(post_id("telegram", source.key, message))
        return ids
    variants = {url, url.rstrip("/"), url.rstrip("/") + "/"}
    return [post_id("rss", s.key, v) for s in settings.sources if s.platform == "rss" for v in sorted(variants)]


def citizen_links(store: Store, settings: Settings, links: list[str]) -> list[str]:
    """Answer links that lead to a post the store knows as a resident's (not an official page's):
    most likely the complaint itself was given as the answer."""
    wrong = []
    for link in links:
        found = store.posts_by_ids(answer_post_ids(link, settings))
        if any(not settings.is_official(post) for post, _ in found):
            wrong.append(link)
    return wrong


def comments_of(store: Store, post: Post, now: datetime) -> list[Item]:
    """Comments and replies under ``post`` collected so far (up to ``now``)."""
    hits = store.search(SearchQuery(source=post.source, since=post.published_at, limit=COMMENT_LIMIT))
    return [(h.post, h.analysis) for h in hits
            if h.post.id != post.id and post.id in (h.post.parent_id, h.post.thread_id)
            and h.post.published_at <= now]


SentimentOf = Callable[[list[Post]], list[str]]
"""Posts → their sentiment labels, in order (the application passes the NLP's)."""


class _Sentiments:
    """Labels from the stored analyses; posts stored without one are labelled by ``label_posts``
    (without it they count as neutral)."""

    def __init__(self, label_posts: SentimentOf | None = None):
        self.label_posts = label_posts

    def labels(self, items: list[Item]) -> list[str]:
        missing = [post for post, analysis in items if analysis is None]
        fresh: dict[str, str] = {}
        if missing and self.label_posts is not None:
            fresh = dict(zip((p.id for p in missing), self.label_posts(missing)))
        elif missing:
            log.warning("%d post(s) without analysis count as neutral (no sentiment model given)", len(missing))
        return [analysis.sentiment.label if analysis else fresh.get(post.id, "neutral") for post, analysis in items]


def collect_evidence(store: Store, settings: Settings, risk: Risk, now: datetime,
                     sentiments: _Sentiments) -> ReactionEvidence:
    links = [link for answer in risk.answers for link in answer.links]
    answers = store.posts_by_ids(i for link in links for i in answer_post_ids(link, settings))
    since = min((post.published_at for post, _ in answers),
                default=min((a.at for a in risk.answers), default=risk.updated_at))
    comments = [c for post, _ in answers for c in comments_of(store, post, now)]
    labels = sentiments.labels(comments)
    answer_ids = {post.id for post, _ in answers} | {post.id for post, _ in comments}
    story = store.get_story(risk.story_id)
    items = store.posts_by_ids(story.post_ids) if story else []
    # the administration's own posts are answers or context: never spread, never a negative reaction
    items = [(p, a) for p, a in items if p.id not in answer_ids and not settings.is_official(p)]
    before = {p.source for p, _ in items if p.published_at <= since}
    after = [(p, a) for p, a in items if since < p.published_at <= now]
    new_posts = [p for p, _ in after if not p.is_comment]
    story_comments = [(p, a) for p, a in after if p.is_comment]
    return ReactionEvidence(
        since=since, answer_posts=len(answers), comments=len(comments),
        negative=labels.count("negative"), positive=labels.count("positive"),
        likes=sum(p.engagement.likes for p, _ in answers), reposts=sum(p.engagement.reposts for p, _ in answers),
        views=sum(p.engagement.views for p, _ in answers),
        story_negative=sentiments.labels(story_comments).count("negative"),
        new_posts=len(new_posts),
        new_sources=sorted({p.source for p in new_posts} - before),
        last_activity=max([since, *(p.published_at for p in new_posts)]),
    )


def judge(evidence: ReactionEvidence, settings: Settings, now: datetime) -> tuple[str, str]:
    """(outcome, reason): «reescalated», «handled» or still «watching»."""
    rules = settings.alerts.reactions
    negative = evidence.negative + evidence.story_negative
    if evidence.net_negative >= rules.net_negative:
        reason = "после ответа " + counted(negative, "новый негативный комментарий", "новых негативных комментария",
                                           "новых негативных комментариев")
        return "reescalated", reason + (f" (позитивных: {evidence.positive})" if evidence.positive else "")
    if evidence.new_posts >= rules.new_posts:
        names = {s.key: s.name for s in settings.sources}
        reason = ("после ответа история продолжает распространяться: "
                  + counted(evidence.new_posts, "новая публикация", "новые публикации", "новых публикаций"))
        if evidence.new_sources:
            reason += ", новые источники: " + ", ".join(names.get(k, k) for k in evidence.new_sources)
        return "reescalated", reason
    quiet = timedelta(hours=rules.quiet_hours)
    tally = (f"комментариев под ответом {evidence.comments}: негативных {evidence.negative}, "
             f"позитивных {evidence.positive}")
    if now - evidence.last_activity >= quiet:
        return "handled", (f"за {rules.quiet_hours:g} ч после ответа история не распространялась, "
                           f"негативной реакции нет ({tally})")
    left = quiet - (now - evidence.last_activity)
    hours = max(1, round(left.total_seconds() / 3600))
    return "watching", f"новых публикаций нет, негативной реакции нет; решение через {hours} ч ({tally})"


def track_risk(store: Store, settings: Settings, risk: Risk, now: datetime,
               sentiments: _Sentiments) -> tuple[ReactionReport, str | None]:
    """The verdict on one risk, stored; returns the report and a notice for the chat."""
    evidence = collect_evidence(store, settings, risk, now, sentiments)
    outcome, reason = judge(evidence, settings, now)

    def change(current: Risk):
        if current.status not in TRACKED:
            return None  # someone acted meanwhile
        previous = current.verdict
        if current.status == RiskStatus.answer_published:
            current.move_to(RiskStatus.watching, SYSTEM, now, note="наблюдение за реакцией на ответ", action="watch")
        current.verdict = Verdict(outcome=outcome, reason=reason, evidence=evidence, at=now)
        if outcome == "reescalated":
            current.move_to(RiskStatus.in_work, SYSTEM, now, note=reason, action="reescalate")
            return f"риск {current.label} снова в работе", f"↩️ Риск {current.label} снова в работе: {reason}"
        if outcome == "handled":
            current.move_to(RiskStatus.handled, SYSTEM, now, note=reason, action="handled")
            return f"риск {current.label} отработан", f"✅ Риск {current.label} отработан: {reason}"
        if previous and previous.outcome == outcome and previous.evidence == evidence:
            current.verdict = previous  # nothing new (only the countdown moved): no write, no card edit
        return f"риск {current.label}: наблюдение продолжается"

    result = change_risk(store, risk.id, change)
    return ReactionReport(result.risk, outcome, reason, result.changed), result.notice


def track_reactions(store: Store, settings: Settings, now: datetime, *, sinks: list[AlertSink] = (),
                    sentiment_of: SentimentOf | None = None) -> list[ReactionReport]:
    """Judge the reaction to every published answer; changed risks refresh their cards.
    ``sentiment_of`` labels posts stored without an analysis."""
    sentiments = _Sentiments(sentiment_of)
    reports = []
    for risk in store.list_risks(TRACKED):
        try:
            report, notice = track_risk(store, settings, risk, now, sentiments)
        except StoreError as exc:  # one risk's trouble must not stop the others
            log.error("reaction tracking of risk %s failed: %s", risk.id, exc)
            continue
        reports.append(report)
        if report.changed:
            notify_refresh(list(sinks), report.risk, notice)
    return reports
