"""The house reads in one direction: application → stages → kernel (``pyproject.toml``,
``[tool.importlinter]``). Imports inside functions count too: grimp reads every import."""
from __future__ import annotations

import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = {"tests", "bench", "testing", "deploy", "docs", "config", "scripts", "build", "dist"}
"""Folders that are not part of the installed program: tests, benchmarks, test support, material."""


def contracts() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_every_package_has_a_place_in_the_layers():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - OUTSIDE
    assert packages == set(contracts()["root_packages"]), "a new top-level package needs a layer in pyproject.toml"
    layered = {name.strip() for layer in contracts()["contracts"][0]["layers"] for name in layer.split("|")}
    assert layered == packages


def test_the_kernel_is_at_the_bottom_and_the_stages_are_independent():
    layers = contracts()["contracts"][0]["layers"]
    assert layers[-1] == "core"
    assert {s.strip() for s in layers[-2].split("|")} >= {"collectors", "nlp", "store", "alerts", "reports"}


def test_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0, \
        "an import breaks the layers; run .venv/bin/lint-imports to see which"
