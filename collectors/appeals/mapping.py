"""The pure map of one export row onto an :class:`core.appeals.Appeal`: columns resolved by the
source's mapping, values parsed (dates, numbers), personal data masked. A bad value is a
:class:`RowProblem` naming the source, the row and the column; the row is rejected only when the
appeal cannot exist without the value (its number, its text, its registration date)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from collectors.appeals.config import FIELDS, REQUIRED, AppealsSource, Column
from collectors.appeals.masking import mask
from collectors.appeals.reader import ExportError
from core.appeals import Appeal

DATE_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%y %H:%M", "%d.%m.%y",
                "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d")
MASKED_FIELDS = ("text", "answer", "address")
DATE_FIELDS = ("created_at", "deadline", "answered_at")
FLOAT_FIELDS = ("lat", "lon", "rating")
REJECTING = ("number", "text", "created_at")
EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class RowProblem:
    source: str
    row: int | None
    column: str | None
    message: str
    rejected: bool = False

    def __str__(self) -> str:
        where = [self.source] + ([f"строка {self.row}"] if self.row else []) + (
            [f"колонка «{self.column}»"] if self.column else [])
        return f"{', '.join(where)}: {self.message}" + (" — строка не загружена" if self.rejected else "")


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


def resolve_columns(source: AppealsSource, header: list[str]) -> tuple[dict[str, tuple[int, str]], list[RowProblem]]:
    """Field → (column index, column name as the file has it). A required field whose column is not
    in the file is an ExportError; a missing optional one is a problem for the whole file."""
    found: dict[str, tuple[int, str]] = {}
    problems: list[RowProblem] = []
    wanted: dict[str, Column] = {k: v for k, v in source.resolved_columns().model_dump().items() if v is not None}
    for name, column in wanted.items():
        index = _index(column, header)
        if index is None:
            shown = f"колонка {column}" if isinstance(column, int) else f"колонка «{column}»"
            if name in REQUIRED:
                raise ExportError(f"{source.key}: в файле нет колонки для поля «{FIELDS[name]}» ({shown}); "
                                  f"колонки файла: {header}")
            problems.append(RowProblem(source.key, None, str(column), f"нет в файле; поле «{FIELDS[name]}» не заполнено"))
            continue
        found[name] = (index, header[index] if index < len(header) else str(index + 1))
    return found, problems


def _index(column: Column, header: list[str]) -> int | None:
    if isinstance(column, int):
        return column - 1 if column <= len(header) else None
    wanted = _norm(column)
    names = [_norm(h) for h in header]
    if wanted in names:
        return names.index(wanted)
    for part in (lambda h: h.split(" / ")[-1], lambda h: h.split(" / ")[0]):  # «Дата» of «Ответ / Дата»
        hits = [i for i, h in enumerate(names) if part(h) == wanted]
        if len(hits) == 1:
            return hits[0]
    return None


class RowMapper:
    """Maps rows of one file; keeps the counts of what it masked."""

    def __init__(self, source: AppealsSource, header: list[str], tz: tzinfo, now: datetime) -> None:
        self.source = source
        self.columns, self.problems = resolve_columns(source, header)
        self.tz = tz
        self.now = now
        self.constants = source.resolved_constants()
        self.answered = {_norm(s) for s in source.resolved_answered_statuses()}
        self.formats = (*source.date_formats, *DATE_FORMATS)
        self.masked: Counter = Counter()
        self._last_format: str | None = None

    def map(self, row: int, values: list[Any]) -> tuple[Appeal | None, list[RowProblem]]:
        problems: list[RowProblem] = []
        fields: dict[str, Any] = dict(self.constants)
        rejected = False
        for name, (index, column) in self.columns.items():
            raw = values[index] if index < len(values) else None
            try:
                value = self._parse(name, raw)
            except ValueError as exc:
                rejected |= name in REJECTING
                problems.append(RowProblem(self.source.key, row, column, str(exc), name in REJECTING))
                continue
            if value in (None, "") and name in ("number", "text"):
                rejected = True
                problems.append(RowProblem(self.source.key, row, column, f"пусто: {FIELDS[name]}", True))
            elif value not in (None, ""):
                fields[name] = value
                if isinstance(value, str) and "\ufffd" in value:
                    problems.append(RowProblem(self.source.key, row, column,
                                               "нечитаемые символы (неверная кодировка файла?)"))
        if rejected:
            return None, problems
        for name in MASKED_FIELDS:
            if name in fields:
                masked = mask(fields[name])
                fields[name] = masked.text
                self.masked.update(masked.counts)
        answered = (_norm(fields.get("status", "")) in self.answered if self.answered
                    else bool(fields.get("answer") or fields.get("answered_at")))
        fields["state"] = "answered" if answered or fields.get("answered_at") else "open"
        try:
            return Appeal(source=self.source.key, first_seen=self.now, **fields), problems
        except ValueError as exc:  # a value out of range (a latitude of 500)
            problems.append(RowProblem(self.source.key, row, None, f"значения не подходят: {_first_error(exc)}", True))
            return None, problems

    def _parse(self, name: str, raw: Any) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if name in DATE_FIELDS:
            return self._date(raw)
        if name in FLOAT_FIELDS:
            if isinstance(raw, (int, float)):
                return float(raw)
            try:
                return float(str(raw).strip().replace(",", ".").replace(" ", ""))
            except ValueError:
                raise ValueError(f"не число: «{str(raw)[:40]}»") from None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = str(raw).strip()
        return text if name in ("text", "answer") else re.sub(r"\s+", " ", text)

    def _date(self, raw: Any) -> datetime:
        if isinstance(raw, datetime):
            value = raw
        elif isinstance(raw, (int, float)) and 1 < raw < 100_000:  # an Excel serial day number
            value = EXCEL_EPOCH + timedelta(days=float(raw))
        else:
            value = self._date_text(str(raw).strip())
        return value.replace(tzinfo=self.tz) if value.tzinfo is None else value

    def _date_text(self, text: str) -> datetime:
        """The configured formats, then ISO, then the usual Russian ones; the format that worked
        last is tried first (an export writes every date the same way)."""
        if not self.source.date_formats:
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                pass
        for fmt in ([self._last_format] if self._last_format else []) + list(self.formats):
            try:
                value = datetime.strptime(text, fmt)
            except ValueError:
                continue
            self._last_format = fmt
            return value
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"не дата: «{text[:40]}» (ожидается ДД.ММ.ГГГГ [ЧЧ:ММ] или ГГГГ-ММ-ДД)") from None


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)
