"""What the flows share: where the config comes from, which errors deserve a retry, and the
store lock that keeps two flow runs from writing the same store at once.

Nothing here runs at import time: the config is read when a flow starts, never in a
decorator argument.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import Iterator

from collectors.base import BadPayload, CollectorError
from core.config import ConfigError, Settings
from pipeline.lock import store_identity, store_lock as plain_store_lock
from pipeline.wiring import load_settings as _load_settings

PERMANENT = (CollectorError, ConfigError, BadPayload, KeyError)
"""Errors another try cannot fix: a bad token, a bad config, an unreadable payload."""
TRANSIENT_NAMES = frozenset({"StoreUnavailable", "TransportError", "TimeoutException", "OperationalError"})
"""Exception classes (by name, so that no client library is imported here) worth another try:
Elasticsearch unreachable or overloaded, an HTTP transport failure, a locked SQLite file."""
LOCK_WAIT_SECONDS = 3600


def load_settings(config: str | None = None, store: str | None = None) -> Settings:
    """The config a flow run uses: its parameter, else ``MCU_CONFIG`` (set on the worker), else the demo."""
    return _load_settings(config, store)


def is_transient(exc: BaseException) -> bool:
    """Network and availability trouble: yes. Bad config, bad data, bugs: no."""
    if isinstance(exc, PERMANENT):
        return False
    flag = getattr(exc, "transient", None)
    if isinstance(flag, bool):
        return flag
    return isinstance(exc, (OSError, TimeoutError)) or any(c.__name__ in TRANSIENT_NAMES for c in type(exc).__mro__)


def retry_transient(task, task_run, state) -> bool:
    """A task's retry condition: another try only for transient trouble (the clients retry
    single requests themselves; this retries the whole source a little later)."""
    try:
        state.result()
    except Exception as exc:
        return is_transient(exc)
    return False


def store_lock_name(settings: Settings) -> str:
    """One Prefect global concurrency limit per store, named after its resolved identity (never a
    secret): two spellings of one store share it."""
    return "mcu-store-" + hashlib.sha1(store_identity(settings).encode("utf-8")).hexdigest()[:12]


def backend_tag(settings: Settings) -> str:
    """The concurrency tag of the store's API: ``es`` for Elasticsearch, ``sqlite`` otherwise."""
    return "es" if settings.store.startswith("elasticsearch") else "sqlite"


def store_tags(settings: Settings, limited: set[str] | None = None) -> list[str]:
    """Tags of a task that talks to the store: ``["es"]`` on Elasticsearch when the ``es`` limit
    exists (``limited``: the tags with a limit, None when unknown), none on SQLite. A tag costs
    a slot request to the Prefect server per task run, and store tasks run one after another."""
    tag = backend_tag(settings)
    return [tag] if tag == "es" and (limited is None or tag in limited) else []


def limited_tags() -> set[str] | None:
    """Tags that have a concurrency limit on the server (None: unknown, so tag everything)."""
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            limits = client.read_global_concurrency_limits(limit=200)
    except Exception:  # the limits still hold for tagged tasks; this only saves requests
        return None
    return {limit.name.removeprefix("tag:") for limit in limits if limit.name.startswith("tag:") and limit.active}


LEASE_SECONDS = 60
"""A Prefect lease on the store lock lapses this long after its holder stops renewing it (it died)."""


@contextmanager
def store_lock(settings: Settings) -> Iterator[None]:
    """Hold the store's write lock across flow runs.

    ``scan`` and ``watch`` both assign stories and raise alerts; two runs doing it at the same
    time on one store would each keep their own copy of the stories. Every process takes the
    store's OS lock (``pipeline.lock``: freed at once when its holder dies). An Elasticsearch
    store may have writers on several machines, so they also take a Prefect global concurrency
    limit of 1, as a lease that lapses ``LEASE_SECONDS`` after a dead holder's last renewal.
    """
    with plain_store_lock(settings):
        if not settings.store.startswith("elasticsearch"):
            yield
            return
        from prefect.client.orchestration import get_client
        from prefect.concurrency.sync import concurrency
        from prefect.exceptions import ObjectAlreadyExists

        name = store_lock_name(settings)
        with get_client(sync_client=True) as client:
            try:
                client.upsert_global_concurrency_limit_by_name(name, 1)
            except ObjectAlreadyExists:  # another run created it a moment ago
                pass
        with concurrency(name, occupy=1, timeout_seconds=LOCK_WAIT_SECONDS, strict=True,
                         lease_duration=LEASE_SECONDS, raise_on_lease_renewal_failure=False):
            yield
