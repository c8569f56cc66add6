"""152-ФЗ: authors are citizens. Author ids are pseudonymised before anything is stored."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from core.domain import Post

PREFIX = "anon-"


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
