"""The demo's appeals export goes through the same collector as a real one."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from collectors.appeals.collector import ExportReader
from collectors.appeals.config import AppealsSource
from demo.appeals import DEMO_SOURCE, render_appeals
from testing.configs import DEMO_ANCHOR


def test_the_demo_export_is_cp1251_and_reads_in_full_with_personal_data_masked(tmp_path: Path) -> None:
    path = render_appeals(tmp_path, DEMO_ANCHOR)
    assert path.read_bytes().decode("cp1251").startswith("Номер;Дата поступления;Канал")
    reader = ExportReader(AppealsSource(**DEMO_SOURCE), path, "Europe/Moscow", DEMO_ANCHOR)
    appeals = {a.number: a for a in reader.appeals()}
    assert (reader.result.rows, reader.result.rejected, reader.result.problems) == (14, 0, [])
    assert reader.result.notes == ["кодировка cp1251, разделитель «;»"]
    assert dict(reader.result.masked) == {"телефон": 1, "ФИО": 2, "квартира": 3, "email": 1}
    water = appeals["ПОС-2026-0415"]
    assert water.text == "Третий день нет холодной воды в деревне Лаптево, звоните мне [телефон], [ФИО]."
    assert water.address == "д. Лаптево, ул. Центральная, д. 3, кв. [№]"
    assert (water.state, water.rating, water.channel) == ("answered", 2.0, "Платформа обратной связи")
    assert water.created_at == datetime(2026, 11, 8, 15, 3, tzinfo=timezone.utc)  # 12 days before 20.11, 18:03 Moscow
    assert {a.channel for a in appeals.values()} == {"Платформа обратной связи", "Инцидент Менеджмент",
                                                     "Письменное обращение"}
    assert all(a.received_at <= DEMO_ANCHOR for a in appeals.values())
