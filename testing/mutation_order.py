"""A pytest plugin for ``make mutation`` (``scripts/mutation.py`` loads it with ``-p``): the tests
chosen for a mutant run cheapest first.

mutmut runs the tests that reach a mutated function with ``-x``, in no particular order, so a
mutant that a 0.1 s test kills could first wait for a test whose fixture scans the whole demo
district (tens of seconds). During mutmut's first, unmutated run («stats») this plugin measures
what each test costs: its own setup, call and teardown, plus the setup of every fixture it uses
(a session fixture's setup is charged to each test that needs it, since a mutant's run starts
with none set up). Later runs sort the tests by that cost. It changes the order only, never
which tests run, so the score is the same; only killing is faster.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

COSTS = Path("mutation-test-costs.json")  # in mutmut's working folder (``mutants/``)
_fixture_seconds: dict[str, float] = {}
_test_seconds: dict[str, float] = {}
_uses: dict[str, list[str]] = {}


def _measuring() -> bool:
    return os.environ.get("MUTANT_UNDER_TEST") == "stats"


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    started = time.perf_counter()
    yield
    if _measuring():
        name = fixturedef.argname
        _fixture_seconds[name] = max(_fixture_seconds.get(name, 0.0), time.perf_counter() - started)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    yield
    if _measuring():
        _test_seconds[item.nodeid] = time.perf_counter() - started
        _uses[item.nodeid] = list(getattr(item, "fixturenames", []))


def pytest_sessionfinish(session):
    if not _measuring() or not _test_seconds:
        return
    costs = {test: seconds + sum(_fixture_seconds.get(name, 0.0) for name in _uses[test])
             for test, seconds in _test_seconds.items()}
    COSTS.write_text(json.dumps(costs, indent=0), encoding="utf-8")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    if _measuring() or not COSTS.exists():
        return
    costs = json.loads(COSTS.read_text(encoding="utf-8"))
    items.sort(key=lambda item: costs.get(item.nodeid, float("inf")))
