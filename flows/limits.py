"""Concurrency limits per external API, as Prefect tag limits.

Tasks carry the tag of the API they call: ``collect-source`` its source's platform
(``vk``, ``telegram``, ``rss``) when that tag has a limit, ``store-source`` and the other
store tasks ``es`` when the store is Elasticsearch. A tag limit is kept by the Prefect server, so it holds across
every flow run, thread and worker: at most N task runs with the tag run at once, the
others wait for a slot.

=========  =======  =========================================================================
tag        default  why
=========  =======  =========================================================================
vk         1        One token: VK allows 3 requests/s per token, and the VK client paces its
                    own requests. Two VK tasks on one token at once would double the rate.
                    Raise only with more tokens, one per concurrently running partition.
telegram   1        One account, one Telethon session file: a session cannot be shared by
                    two clients, and flood waits are per account.
es         4        Bulk writers per Elasticsearch cluster; about 2 per data node.
=========  =======  =========================================================================

``mcu limits`` (or ``mcu serve``) writes them; ``MCU_LIMITS=vk=2,es=8`` overrides defaults.
"""
from __future__ import annotations

import re

from core.config import ConfigError

DEFAULT_LIMITS: dict[str, int] = {"vk": 1, "telegram": 1, "es": 4}
LIMITS_ENV = "MCU_LIMITS"


def parse_limits(items: list[str] | str | None) -> dict[str, int]:
    """``["vk=2", "es=8"]`` or ``"vk=2,es=8"`` → ``{"vk": 2, "es": 8}``."""
    if isinstance(items, str):
        items = [part for part in items.split(",") if part.strip()]
    limits: dict[str, int] = {}
    for item in items or []:
        match = re.fullmatch(r"\s*([a-z0-9][a-z0-9_.-]*)\s*=\s*(\d+)\s*", item)
        if not match:
            raise ConfigError(f"limits: «{item}»: ожидается тег=N, например vk=1")
        limits[match.group(1)] = int(match.group(2))
    return limits


def wanted_limits(overrides: list[str] | None = None, from_environment: str | None = None) -> dict[str, int]:
    """Defaults, then ``MCU_LIMITS`` (read by the kernel: ``Environment.read().limits``), then the command line."""
    return {**DEFAULT_LIMITS, **parse_limits(from_environment), **parse_limits(overrides)}


def apply_limits(limits: dict[str, int], client=None) -> dict[str, int]:
    """Create or update one tag limit per entry on the Prefect server; returns what is set."""
    if client is None:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as owned:
            return apply_limits(limits, owned)
    for tag, value in limits.items():
        client.create_concurrency_limit(tag=tag, concurrency_limit=value)  # an upsert on the tag
    return read_limits(client, list(limits))


def read_limits(client, tags: list[str]) -> dict[str, int]:
    from prefect.exceptions import ObjectNotFound

    found = {}
    for tag in tags:
        try:
            found[tag] = client.read_concurrency_limit_by_tag(tag).concurrency_limit
        except ObjectNotFound:
            continue
    return found
