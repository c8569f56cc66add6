"""Sub-commands of ``mcu``, one module per area.

Every module here defines ``register(app: typer.Typer) -> None`` and is found by
:func:`register_all`, so a new area is one new module and no edit elsewhere. ``ORDER`` puts
the everyday commands first in ``mcu --help``; other modules follow alphabetically.
"""
from __future__ import annotations

import importlib
import pkgutil

import typer

ORDER = ("demo", "scan", "search", "risk", "config", "sources")


def register_all(app: typer.Typer) -> None:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__))
    for name in sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n)):
        importlib.import_module(f"{__name__}.{name}").register(app)
