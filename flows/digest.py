"""The ``digest`` flow: the daily summary at 08:30, before the morning meeting.

The numbers come from ``alerts.digest.daily_digest(store, settings, now)`` (today so
far in the municipality's time zone: posts, negative posts, topics, new risks, alerts,
workflow steps, open risks). The import is lazy; without it the flow counts the
store itself. The text is printed, written to ``data/digests/YYYY-MM-DD.txt`` and
queued in the alert chat (``flows/notice.py``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.common import load_settings, retry_transient, store_tags
from flows.notice import post_notice
from mcu.config import Settings
from mcu.domain import LEVEL_ORDER, OPEN_STATUSES, RISK_STATUS_RU
from mcu.pipeline import Pipeline
from store.base import SearchQuery, Store

LEVEL_RU = {"critical": "критических", "high": "высоких", "medium": "средних"}


@dataclass
class DaySummary:
    """The fallback digest: the same fields as ``alerts.digest.Digest`` that the text uses."""

    day: date
    posts: int = 0
    negative: int = 0
    topics: list[tuple[str, int]] = field(default_factory=list)
    new_risks: Counter = field(default_factory=Counter)
    alerts: int = 0
    steps: Counter = field(default_factory=Counter)
    open: list = field(default_factory=list)


def summarize_day(store: Store, settings: Settings, now: datetime):
    """Today so far: ``alerts.digest.daily_digest`` when present, else plain counts from the store."""
    try:
        from alerts.digest import daily_digest
    except ImportError:
        return _count_day(store, settings, now)
    return daily_digest(store, settings, now)


def _count_day(store: Store, settings: Settings, now: datetime) -> DaySummary:
    tz = ZoneInfo(settings.timezone)
    local_day = now.astimezone(tz).date()
    since = datetime.combine(local_day, time(0), tzinfo=tz).astimezone(timezone.utc)
    query = SearchQuery(since=since, until=now)
    labels = {t.code: t.label for t in settings.rubricator.topics}
    topics = store.aggregate("topic", query)
    summary = DaySummary(day=local_day, posts=store.count(query),
                         negative=store.aggregate("sentiment", query).get("negative", 0),
                         topics=[(labels.get(c, c), n) for c, n in topics.items() if c != "other"][:5],
                         alerts=sum(1 for a in store.list_alerts() if since <= a.created_at <= now))
    for risk in store.list_risks():
        if since <= risk.created_at <= now:
            summary.new_risks[risk.level] += 1
        if risk.status in OPEN_STATUSES:
            summary.open.append(risk)
    summary.open.sort(key=lambda r: (-LEVEL_ORDER[r.level], r.created_at))
    return summary


def render_digest(summary, municipality: str) -> str:
    """The digest as plain Russian text (the alert chat gets the same text)."""
    lines = [f"Сводка МЦУ · {municipality} · {summary.day:%d.%m.%Y}",
             f"Публикаций за сегодня: {summary.posts}, из них негативных: {summary.negative}"]
    if summary.topics:
        lines.append("Главные темы: " + ", ".join(f"{label} — {n}" for label, n in summary.topics))
    new = ", ".join(f"{LEVEL_RU[level]} {summary.new_risks[level]}"
                    for level in ("critical", "high", "medium") if summary.new_risks.get(level))
    lines.append(f"Новых рисков: {sum(summary.new_risks.values())}" + (f" ({new})" if new else ""))
    lines.append(f"Алертов: {summary.alerts}")
    if summary.steps:
        lines.append("Действий по рискам: " + str(sum(summary.steps.values())))
    lines.append(f"Открытых рисков: {len(summary.open)}")
    for risk in summary.open[:10]:
        label = getattr(risk, "label", risk.id)
        lines.append(f"  • {label} · {', '.join(risk.places) or 'место не определено'} · "
                     f"{RISK_STATUS_RU.get(risk.status.value, risk.status.value)}")
    return "\n".join(lines) + "\n"


def write_digest(text: str, day: date, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day:%Y-%m-%d}.txt"
    path.write_text(text, encoding="utf-8")
    return path


@task(name="summarize-day", retries=2, retry_delay_seconds=30, retry_condition_fn=retry_transient,
      timeout_seconds=600, cache_policy=NO_CACHE)
def summarize_day_task(pipeline: Pipeline, now: datetime):
    return summarize_day(pipeline.store, pipeline.settings, now)


@flow(name="digest", retries=2, retry_delay_seconds=60, timeout_seconds=15 * 60, log_prints=True)
def digest(config: str | None = None, store: str | None = None, now: datetime | None = None,
           out_dir: str = "data/digests") -> str:
    """Today's summary: printed, written to ``out_dir/YYYY-MM-DD.txt`` and sent to the alert chat."""
    settings = load_settings(config, store)
    pipeline = Pipeline.open(settings)
    try:
        summarize = summarize_day_task.with_options(tags=store_tags(settings))
        summary = summarize(pipeline, now or datetime.now(timezone.utc))
        text = render_digest(summary, settings.municipality)
        path = write_digest(text, summary.day, Path(out_dir))
        print(text)
        print(f"Сводка записана: {path}")
        # printed and filed above; the alert chat (and any sink with notify()) gets it too
        post_notice(pipeline.sinks, text, key=f"digest:{summary.day:%Y-%m-%d}", skip=("ConsoleSink", "FileSink"))
    finally:
        pipeline.close()
    return text
