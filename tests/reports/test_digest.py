"""The daily digest: today's counts from the store, as plain text, written to the day file."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from reports.digest import daily_digest, render_digest, write_digest
from store import SearchQuery, open_store


def test_digest_counts_the_store_and_writes_the_day_file(demo, tmp_path):
    settings = demo.settings()
    with open_store(settings.store, str.split) as db:
        latest = max(h.post.published_at for h in db.search(SearchQuery(limit=100_000)))
        now = latest + timedelta(minutes=1)  # the demo's last day is «today»
        local = now.astimezone(ZoneInfo("Europe/Moscow"))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        today = db.count(SearchQuery(since=midnight, until=now))
        open_risks = [r for r in db.list_risks() if r.is_open]
        summary = daily_digest(db, settings, now)
    text = render_digest(summary, settings.municipality)
    path = write_digest(text, summary.day, tmp_path / "digests")
    assert path == tmp_path / "digests" / f"{local:%Y-%m-%d}.txt"
    assert path.read_text(encoding="utf-8") == text
    assert today > 0
    assert f"Публикаций за сегодня: {today}," in text
    assert f"Открытых рисков: {len(open_risks)}" in text and open_risks
    assert text.startswith(f"Сводка МЦУ · Пестовский муниципальный округ · {local:%d.%m.%Y}")
