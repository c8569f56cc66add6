"""Sub-commands of ``mcu``, one module per area.

Every module here defines ``register(app: typer.Typer) -> None`` and is found by
:func:`register_all`, so a new area is one new module and no edit elsewhere.
"""
from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{module.name}").register(app)
