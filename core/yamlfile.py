"""Reading a YAML file safely: unreadable, malformed, wrongly encoded or absurdly nested files
raise ConfigError naming the file, never a traceback."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.errors import ConfigError
from core.text import os_error

MAX_DEPTH = 50
"""Deeper nesting than any real config has: refused before the validator recurses into it."""


def read_yaml(path: Path, what: str = "не удаётся прочитать файл") -> Any:
    """A YAML file's data; ConfigError (not a traceback) for an unreadable, malformed or absurdly
    nested file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: {what}: {os_error(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: {what}: файл не в кодировке UTF-8 (байт {exc.start})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: ошибка в YAML: {exc}") from exc
    except RecursionError:
        raise ConfigError(f"{path}: слишком глубокая вложенность (больше {MAX_DEPTH} уровней)") from None
    if _depth(data) > MAX_DEPTH:
        raise ConfigError(f"{path}: слишком глубокая вложенность (больше {MAX_DEPTH} уровней)")
    return data


def _depth(value: Any, limit: int = MAX_DEPTH + 1) -> int:
    """Nesting depth of mappings and lists, counted without recursion and no further than ``limit``."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth >= limit:
            return depth
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest
