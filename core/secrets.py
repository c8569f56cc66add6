"""Secrets come from the environment or a Prefect Secret block, never from the config file."""
from __future__ import annotations

import os

from pydantic import SecretStr

from core.errors import ConfigError

PLACEHOLDERS = {"", "changeme", "change-me", "xxx", "token", "your-token", "todo"}


def secret(name: str, required: bool = True) -> SecretStr | None:
    """A secret from the environment, or else from a Prefect Secret block of the same name.

    ``MCU_VK_TOKEN`` is looked up as the env var, then as the block ``mcu-vk-token``.
    """
    value = os.environ.get(name)
    if value is None and os.environ.get("PREFECT_API_URL"):
        value = _prefect_secret(name.lower().replace("_", "-"))
    if value is not None and value.strip().lower() in PLACEHOLDERS:
        raise ConfigError(f"окружение: {name}: значение-заглушка, задайте настоящий секрет")
    if value is None and required:
        raise ConfigError(f"окружение: {name}: не задано (секреты задаются только в окружении, не в файле конфигурации)")
    return SecretStr(value) if value is not None else None


def _prefect_secret(block_name: str) -> str | None:
    try:
        from prefect.blocks.system import Secret

        return Secret.load(block_name).get()
    except Exception:  # no such block, or no server: the caller reports the missing secret
        return None
