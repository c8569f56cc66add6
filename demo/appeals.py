"""The demo's appeals: ``demo/appeals.yaml`` rendered as a «Платформа обратной связи»-style export
(cp1251 CSV with «;», as an administration downloads it), read back by the same collector as a
real export through :data:`DEMO_SOURCE`'s column mapping."""
from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from pathlib import Path

import yaml

from demo.corpus import MSK

CORPUS = Path(__file__).with_name("appeals.yaml")
EXPORT = "appeals/pestovo_appeals.csv"
HEADER = ["Номер", "Дата поступления", "Канал", "Категория", "Текст обращения", "Адрес", "Ответственный", "Статус",
          "Текст ответа", "Дата ответа", "Оценка"]
DEMO_SOURCE = {
    "key": "pestovo_appeals", "platform": "appeals", "name": "Обращения Пестовского округа (ПОС, ИМ, письменные)",
    "encoding": "cp1251", "answered_statuses": ["Ответ направлен"],
    "columns": {"number": "Номер", "created_at": "Дата поступления", "channel": "Канал", "category": "Категория",
                "text": "Текст обращения", "address": "Адрес", "responsible": "Ответственный", "status": "Статус",
                "answer": "Текст ответа", "answered_at": "Дата ответа", "rating": "Оценка"},
}  # fmt: skip
"""The config entry of the demo export (a real district writes the same under ``sources:``)."""


def _moment(anchor: datetime, day: int, clock: str) -> str:
    date = anchor.astimezone(MSK).date() - timedelta(days=day)
    moment = datetime.combine(date, time.fromisoformat(clock), tzinfo=MSK)
    return min(moment, anchor.astimezone(MSK)).strftime("%d.%m.%Y %H:%M")


def render_appeals(out_dir: Path, anchor: datetime) -> Path:
    """Write the export for ``anchor`` into ``out_dir``; days count back from the anchor's Moscow date."""
    rows = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        answered = row.get("answered")
        writer.writerow([row["n"], _moment(anchor, row["day"], row["time"]), row["channel"], row["category"],
                         row["text"], row["address"], row["responsible"], row["status"], row.get("answer", ""),
                         _moment(anchor, *answered) if answered else "", row.get("rating", "")])
    path = Path(out_dir) / EXPORT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("cp1251"))
    return path
