"""152-ФЗ: authors are citizens. Author ids are pseudonymised before anything is stored: the
post's author, and the same ids wherever they occur in the raw item the post was mapped from."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.domain import Post, RawItem

PREFIX = "anon-"


def id_text(value: Any) -> str | None:
    """A payload's user or community id as text: a non-empty string or a non-zero integer;
    anything else (a list, an object, a flag, 0, «») is no id. The mappers read authors with it
    and raw items are pseudonymised by it, so a remapped raw item gives the same author."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not value:
        return None
    return str(value)


def load_salt(key_file: Path, configured: bytes | None = None) -> bytes:
    """The configured salt (``MCU_PSEUDONYM_SALT``, read by the config loader), else a local key
    file created on first use (mode 0600)."""
    if configured:
        return configured
    if key_file.exists():
        return key_file.read_bytes().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32).encode("ascii")
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(salt)
    return salt


class Pseudonymizer:
    """Replaces an author id with a keyed hash: stable across scans, not reversible without the salt."""

    def __init__(self, salt: bytes | None):
        self._salt = salt

    def author(self, author: str | None) -> str | None:
        if author is None or self._salt is None or author.startswith(PREFIX):
            return author  # a pseudonym stays as it is (re-mapping stored raw items)
        digest = hmac.new(self._salt, author.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
        return f"{PREFIX}{digest}"

    def apply(self, post: Post) -> Post:
        if self._salt is None or post.author is None:
            return post
        return post.model_copy(update={"author": self.author(post.author)})

    def raw(self, item: RawItem, author_fields: Iterable[str]) -> RawItem:
        """``item`` with every author id of its payload pseudonymised, with the same keyed
        pseudonym as the post's author, so that re-mapping it gives the same post.

        ``author_fields`` are dotted key paths that the platform's mapping declares
        (``from_id``, ``from_id.user_id``, ``authors.name``); each is looked for in every
        object of the payload, at any depth and through lists. Scalar values are replaced
        (numbers as their decimal text); empty values, which the mappers treat as absent,
        are left as they are."""
        paths = [tuple(field.split(".")) for field in author_fields]
        if self._salt is None or not paths:
            return item
        return item.model_copy(update={"payload": self._walk(item.payload, paths)})

    def _walk(self, value: Any, paths: list[tuple[str, ...]]) -> Any:
        if isinstance(value, list):
            return [self._walk(v, paths) for v in value]
        if not isinstance(value, dict):
            return value
        node = {key: self._walk(child, paths) for key, child in value.items()}  # fresh copies
        for path in paths:
            self._replace(node, path)
        return node

    def _replace(self, node: dict, path: tuple[str, ...]) -> None:
        key, rest = path[0], path[1:]
        if key not in node:
            return
        value = node[key]
        if rest:
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, dict):
                    self._replace(child, rest)
        elif isinstance(value, list):
            node[key] = [self._scalar(v) for v in value]
        else:
            node[key] = self._scalar(value)

    def _scalar(self, value: Any) -> Any:
        text = id_text(value)
        return value if text is None else self.author(text)
