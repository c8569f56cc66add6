"""Reading one export of an appeals source: the file's rows mapped to masked appeals, with
every problem by row and column. The pipeline stores what this yields (``pipeline/appeals.py``)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from collectors.appeals.config import AppealsSource
from collectors.appeals.mapping import RowMapper, RowProblem
from collectors.appeals.reader import ExportError, read_table
from core.appeals import Appeal

EXPORT_SUFFIXES = (".csv", ".csv.gz", ".xlsx", ".tsv", ".txt")


@dataclass
class ExportRead:
    """What reading a file gave so far (filled while ``appeals()`` is consumed)."""

    source: str
    path: Path
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    masked: Counter = field(default_factory=Counter)
    duplicates: int = 0


class ExportReader:
    def __init__(self, source: AppealsSource, path: Path, default_tz: str, now: datetime) -> None:
        self.source = source
        self.path = path
        table = read_table(path, fmt=source.format, encoding=source.encoding, delimiter=source.delimiter,
                           sheet=source.sheet, skip_rows=source.skip_rows, header_rows=source.resolved_header_rows())
        self._table = table
        self._mapper = RowMapper(source, table.columns, ZoneInfo(source.timezone or default_tz), now)
        self.result = ExportRead(source.key, path, notes=list(table.notes), problems=list(self._mapper.problems))
        self.total_bytes = path.stat().st_size

    def appeals(self) -> Iterator[Appeal]:
        """Masked appeals in file order; a number seen twice in the file keeps its last row."""
        seen: set[str] = set()
        for row, values in self._table.rows:
            self.result.rows += 1
            appeal, problems = self._mapper.map(row, values)
            self.result.problems += problems
            if appeal is None:
                self.result.rejected += 1
                continue
            if appeal.id in seen:
                self.result.duplicates += 1
                self.result.problems.append(RowProblem(self.source.key, row, None,
                                                       f"номер {appeal.number} уже встречался в файле; взята эта строка"))
            seen.add(appeal.id)
            yield appeal
        self.result.masked = self._mapper.masked


def export_files(folder: Path) -> list[Path]:
    """The export files of a folder, oldest first (a later export updates an earlier one)."""
    if not folder.is_dir():
        raise ExportError(f"{folder}: папка не найдена")
    files = [p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(EXPORT_SUFFIXES)]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))
