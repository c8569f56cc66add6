"""The ``digest`` flow: the daily summary at 08:30, before the morning meeting.

The numbers come from ``alerts.digest.daily_digest(store, settings, now)`` (today so
far in the municipality's time zone: posts, negative posts, topics, new risks, alerts,
workflow steps, open risks). The text is printed, written to ``data/digests/YYYY-MM-DD.txt`` and
queued in the alert chat (``flows/notice.py``).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.common import load_settings, limited_tags, retry_transient, store_tags
from flows.notice import post_notice
from alerts.digest import Digest, daily_digest
from mcu.domain import RISK_STATUS_RU
from mcu.pipeline import Pipeline

LEVEL_RU = {"critical": "критических", "high": "высоких", "medium": "средних"}


def render_digest(summary: Digest, municipality: str) -> str:
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
def summarize_day_task(pipeline: Pipeline, now: datetime) -> Digest:
    return daily_digest(pipeline.store, pipeline.settings, now)


@flow(name="digest", retries=2, retry_delay_seconds=60, timeout_seconds=15 * 60, log_prints=True)
def digest(config: str | None = None, store: str | None = None, now: datetime | None = None,
           out_dir: str = "data/digests") -> str:
    """Today's summary: printed, written to ``out_dir/YYYY-MM-DD.txt`` and sent to the alert chat."""
    settings = load_settings(config, store)
    pipeline = Pipeline.open(settings)
    try:
        summarize = summarize_day_task.with_options(tags=store_tags(settings, limited_tags()))
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
