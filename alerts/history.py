"""The risks' history for reports: every step with who and when, as CSV or JSON."""
from __future__ import annotations

import csv
import json
from typing import Iterable, TextIO

from core.text import clean, local
from core.domain import ACTION_RU, RISK_STATUS_RU, Risk

COLUMNS = ["risk", "risk_id", "story_id", "level", "topic", "block", "department", "places",
           "at", "at_local", "action", "action_ru", "from_status", "status", "status_ru", "actor", "note"]


def history_rows(risks: Iterable[Risk], tz: str) -> list[dict[str, str]]:
    """One row per step, oldest first within a risk; risks by number."""
    rows = []
    for risk in sorted(risks, key=lambda r: (r.number or 10**9, r.created_at, r.id)):
        for step in risk.history:
            rows.append({
                "risk": str(risk.number or ""), "risk_id": risk.id, "story_id": risk.story_id,
                "level": risk.level, "topic": risk.topic, "block": risk.block,
                "department": risk.department or "", "places": "; ".join(risk.places),
                "at": step.at.isoformat(), "at_local": local(step.at, tz, "%Y-%m-%d %H:%M"),
                "action": step.action, "action_ru": ACTION_RU.get(step.action, step.action),
                "from_status": step.previous.value if step.previous else "", "status": step.status.value,
                "status_ru": RISK_STATUS_RU[step.status], "actor": clean(step.actor), "note": clean(step.note),
            })
    return rows


def export_history(risks: Iterable[Risk], fmt: str, out: TextIO, tz: str) -> int:
    """Write the history as ``csv`` (one row per step) or ``json`` (whole risks with their answers
    and verdicts); returns how many steps or risks were written."""
    risks = list(risks)
    if fmt == "csv":
        rows = history_rows(risks, tz)
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return len(rows)
    if fmt == "json":
        data = [json.loads(clean(r.model_dump_json())) for r in sorted(risks, key=lambda r: (r.number, r.id))]
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return len(data)
    raise ValueError(f"формат «{fmt}» не поддерживается: csv или json")
