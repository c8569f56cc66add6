"""What ``mcu config`` checks beyond the config's own validation: that every file it refers to is
there and every folder it writes to is writable, so a scan does not fail half-way."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.config import Settings

Status = str  # "ok", "warning" or "error"


@dataclass(frozen=True)
class FileCheck:
    what: str
    path: Path
    status: Status
    detail: str


def _readable(what: str, path: Path, missing: Status = "error", hint: str = "") -> FileCheck:
    if path.is_file() and os.access(path, os.R_OK):
        return FileCheck(what, path, "ok", "есть")
    if path.exists():
        return FileCheck(what, path, "error", "нет прав на чтение")
    return FileCheck(what, path, missing, "не найден" + (f": {hint}" if hint else ""))


def _writable(what: str, folder: Path) -> FileCheck:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if os.access(probe, os.W_OK):
        return FileCheck(what, folder, "ok", "запись возможна" if folder.exists() else "будет создана")
    return FileCheck(what, folder, "error", "нет прав на запись")


def check_files(settings: Settings) -> list[FileCheck]:
    """Every referenced file and written folder, in the order a scan meets them."""
    checks = [_readable("газеттир", settings.resolve(settings.gazetteer)),
              _writable("папка данных (ключ псевдонимов, очереди, бюджеты)", settings.data_dir)]
    if settings.store.startswith("sqlite:///"):
        checks.append(_writable("хранилище SQLite", Path(settings.store.removeprefix("sqlite:///")).parent))
    for source in settings.sources:
        if source.replay is not None:
            checks.append(_readable(f"запись источника «{source.key}»", settings.resolve(source.replay),
                                    "warning", "для демо её создаёт mcu demo"))
    for sink in settings.alerts.sinks:
        if sink.type == "file":
            checks.append(_writable("файл алертов", Path(sink.path).parent))
    if any(s.platform == "telegram" and s.enabled and s.replay is None for s in settings.sources):
        checks.append(_readable("сессия Telegram", settings.telegram.session, "warning",
                                "войдите один раз: mcu telegram login"))
    return checks
