"""Reading an export file into a header and rows: CSV (UTF-8 or cp1251, any usual delimiter,
gzip-compressed or not) and XLSX (openpyxl, read-only), with header rows merged.

Row numbers are the ones staff see in Excel: the first line of the file is row 1, so with a
one-row header the first appeal is row 2.
"""
from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

DELIMITERS = ",;\t|"
SAMPLE = 256 * 1024
csv.field_size_limit(16 * 1024 * 1024)


class ExportError(ValueError):
    """The file cannot be read as an export at all (the message names the file and why)."""


@dataclass
class Table:
    columns: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    notes: list[str] = field(default_factory=list)


def file_format(path: Path, configured: str = "auto") -> str:
    if configured != "auto":
        return configured
    name = path.name.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        return "csv"
    raise ExportError(f"{path}: неизвестный формат файла (ожидается .csv, .csv.gz или .xlsx; или задайте format)")


def read_table(path: Path, *, fmt: str = "auto", encoding: str = "auto", delimiter: str | None = None,
               sheet: str | None = None, skip_rows: int = 0, header_rows: int = 1) -> Table:
    if not path.is_file():
        raise ExportError(f"{path}: файл не найден")
    if file_format(path, fmt) == "xlsx":
        return _xlsx(path, sheet, skip_rows, header_rows)
    return _csv(path, encoding, delimiter, skip_rows, header_rows)


def decode(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """The text and the encoding used: UTF-8 (with or without BOM) when it decodes, else cp1251."""
    if encoding != "auto":
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"


def _csv(path: Path, encoding: str, delimiter: str | None, skip_rows: int, header_rows: int) -> Table:
    try:
        data = gzip.decompress(path.read_bytes()) if path.name.lower().endswith(".gz") else path.read_bytes()
    except (OSError, EOFError) as exc:
        raise ExportError(f"{path}: не удаётся прочитать: {exc}") from exc
    text, used = decode(data, encoding)
    delimiter = delimiter or _sniff(text[:SAMPLE])
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    notes = [f"кодировка {used}, разделитель «{'TAB' if delimiter == chr(9) else delimiter}»"]
    return _assemble(path, enumerate(records, start=1), skip_rows, header_rows, notes)


def _sniff(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample.split("\n", 20)[0] if sample else ",", delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def _xlsx(path: Path, sheet: str | None, skip_rows: int, header_rows: int) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ExportError(f"{path}: не удаётся открыть как XLSX: {exc}") from exc
    if sheet is not None and sheet not in book.sheetnames:
        raise ExportError(f"{path}: нет листа «{sheet}»; есть: {book.sheetnames}")
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = ((n, list(values)) for n, values in enumerate(ws.iter_rows(values_only=True), start=1))
    return _assemble(path, rows, skip_rows, header_rows, [f"лист «{ws.title}»"])


def _assemble(path: Path, rows: Iterator[tuple[int, list[Any]]], skip_rows: int, header_rows: int,
              notes: list[str]) -> Table:
    header: list[list[Any]] = []
    first: tuple[int, list[Any]] | None = None  # the first data row, when there is no header
    for number, values in rows:
        if number <= skip_rows:
            continue
        if len(header) < header_rows:
            header.append(values)
            if len(header) == header_rows:
                break
            continue
        first = (number, values)
        break
    if len(header) < header_rows:
        raise ExportError(f"{path}: в файле нет строки заголовка")
    if header_rows:
        columns = merge_header(header)
    else:
        columns = [str(i) for i in range(1, len(first[1]) + 1)] if first else []

    def data() -> Iterator[tuple[int, list[Any]]]:
        for number, values in ([first] if first else []):
            yield number, values
        for number, values in rows:
            if any(v not in (None, "") for v in values):
                yield number, values

    return Table(columns, data(), notes)


def merge_header(rows: list[list[Any]]) -> list[str]:
    """One name per column from one or more header rows. A merged (or empty) cell of an upper row
    takes the value to its left when the row below has a name there: «Ответ» over «Текст» and
    «Дата» gives «Ответ / Текст» and «Ответ / Дата»."""
    if not rows:
        return []
    width = max(len(r) for r in rows)
    cells = [[_clean(r[i]) if i < len(r) else "" for i in range(width)] for r in rows]
    for level in range(len(cells) - 1):
        carried = ""
        for i in range(width):
            if cells[level][i]:
                carried = cells[level][i]
            elif carried and any(cells[lower][i] for lower in range(level + 1, len(cells))):
                cells[level][i] = carried
            else:
                carried = ""
    names = []
    for i in range(width):
        parts = list(dict.fromkeys(c[i] for c in cells if c[i]))
        names.append(" / ".join(parts))
    return names


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return re.sub(r"\s+", " ", str(value)).strip()
