"""What the account remembers between runs, in a small JSON file next to the session file.

* resolved chats: ``@username`` → id, access_hash and a few facts, so that a
  username is resolved once (repeated ``ResolveUsername`` calls get accounts banned);
  an unresolvable username is remembered too and retried only after a while;
* flood blocks: request type → the time Telegram allowed it again, so that a run
  started before that time does not ask (and prolong the ban).

The file holds access hashes of this account; it is written with mode 0600, like
the session file.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
VERSION = 1


@dataclass
class ChatInfo:
    """A resolved channel or supergroup (``id`` is the bare channel id, as in ``PeerChannel``)."""

    id: int
    access_hash: int | None
    title: str
    username: str | None = None
    broadcast: bool = False
    megagroup: bool = False
    participants_count: int | None = None
    linked_chat_id: int | None = None
    left: bool = False
    resolved_at: float = 0.0
    full_at: float = 0.0

    @property
    def peer_id(self) -> int:
        """The "marked" id Telethon uses for channels: ``-100`` followed by the bare id."""
        return int(f"-100{self.id}")

    @property
    def kind(self) -> str:
        return "канал" if self.broadcast else "чат"

    def input_peer(self):
        from telethon.tl.types import InputPeerChannel

        return InputPeerChannel(channel_id=self.id, access_hash=self.access_hash or 0)

    def input_channel(self):
        from telethon.tl.types import InputChannel

        return InputChannel(channel_id=self.id, access_hash=self.access_hash or 0)

    def as_chat(self) -> dict[str, Any]:
        """The chat dictionary the mapping reads, shaped like Telethon's ``Channel.to_dict()``."""
        return {"_": "Channel", "id": self.id, "title": self.title, "username": self.username,
                "broadcast": self.broadcast, "megagroup": self.megagroup,
                "participants_count": self.participants_count}

    @classmethod
    def from_dict(cls, data: dict) -> "ChatInfo":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Missing:
    """A chat address that could not be resolved, and why."""

    reason: str
    checked_at: float


def state_path(session: Path) -> Path:
    """``data/telegram/mcu.session`` → ``data/telegram/mcu.state.json``."""
    return session.with_name(session.name.removesuffix(".session") + ".state.json")


class AccountState:
    def __init__(self, path: Path | None):
        self.path = path
        self.chats: dict[str, ChatInfo] = {}
        self.missing: dict[str, Missing] = {}
        self.flood_until: dict[str, float] = {}
        self._touched: set[str] = set()  # addresses this process changed: its version wins on save
        if path is not None and path.exists():
            self._load(path)

    @staticmethod
    def address_key(address: str) -> str:
        return address.strip().lower()

    def chat(self, address: str) -> ChatInfo | Missing | None:
        key = self.address_key(address)
        return self.chats.get(key) or self.missing.get(key)

    def put_chat(self, address: str, info: ChatInfo) -> None:
        key = self.address_key(address)
        self.chats[key] = info
        self.missing.pop(key, None)
        self._touched.add(key)
        self.save()

    def put_missing(self, address: str, reason: str, now: float) -> None:
        key = self.address_key(address)
        self.missing[key] = Missing(reason, now)
        self.chats.pop(key, None)
        self._touched.add(key)
        self.save()

    def forget(self, address: str) -> None:
        key = self.address_key(address)
        if self.chats.pop(key, None) or self.missing.pop(key, None):
            self._touched.add(key)
            self.save()

    def block(self, request: str, until: float) -> None:
        self.flood_until[request] = max(until, self.flood_until.get(request, 0.0))
        self.save()

    def blocked_until(self, request: str, now: float) -> float | None:
        until = self.flood_until.get(request)
        return until if until and until > now else None

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.chats = {k: ChatInfo.from_dict(v) for k, v in data.get("chats", {}).items()}
            self.missing = {k: Missing(**v) for k, v in data.get("missing", {}).items()}
            self.flood_until = {k: float(v) for k, v in data.get("flood_until", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # Starting empty costs one ResolveUsername per chat; refusing to run would cost the scan.
            log.warning("telegram: state file %s unreadable (%s); chats will be resolved again", path, exc)
            self.chats, self.missing, self.flood_until = {}, {}, {}

    def save(self) -> None:
        """Write the file, merged with what another process (a scan beside ``mcu listen``) wrote since."""
        if self.path is None:
            return
        if self.path.exists():
            disk = AccountState(self.path)
            for key in (set(disk.chats) | set(disk.missing)) - self._touched:
                self.chats.pop(key, None)
                self.missing.pop(key, None)
                if key in disk.chats:
                    self.chats[key] = disk.chats[key]
                else:
                    self.missing[key] = disk.missing[key]
            for request, until in disk.flood_until.items():
                self.flood_until[request] = max(until, self.flood_until.get(request, 0.0))
        data = {"version": VERSION,
                "chats": {k: asdict(v) for k, v in sorted(self.chats.items())},
                "missing": {k: asdict(v) for k, v in sorted(self.missing.items())},
                "flood_until": dict(sorted(self.flood_until.items()))}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)
