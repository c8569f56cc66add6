"""One writer per store at a time, with a lock the operating system releases when its holder dies.

Two scans (a daily ``scan`` and a ``watch``, or two ``mcu scan`` by hand) that wrote the same
store at once would each keep their own copy of the stories. :func:`store_lock` makes their
commit phases take turns. The lock is ``flock`` on a file named after the store's *identity*
(the resolved SQLite path; the Elasticsearch nodes and index prefix), so two spellings of one
store share a lock and two stores never do; ``kill -9`` of the holder frees it at once.

* SQLite: ``<store>.lock`` next to the database file, so every process on the machine that can
  write the store meets it.
* Elasticsearch: a file in the data folder for the processes of one machine; workers on several
  machines also take a Prefect lease keyed by the same identity (``flows.common.store_lease``).
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

from core.config import Settings
from pipeline.stop import STOP, StopRequested

log = logging.getLogger(__name__)
WAIT_SECONDS = 3600
POLL_SECONDS = 0.2


class StoreBusy(TimeoutError):
    """The store stayed locked by another scan for the whole wait."""


def store_identity(settings: Settings) -> str:
    """``sqlite:/abs/path`` or ``elasticsearch:host1:9200,host2:9200/prefix`` — one name per store."""
    url = settings.store
    if url.startswith("sqlite:///"):
        return "sqlite:" + str(Path(url.removeprefix("sqlite:///")).expanduser().resolve())
    parts = urlsplit(url)
    hosts = sorted(h.strip().lower() if ":" in h else f"{h.strip().lower()}:9200"
                   for h in parts.netloc.split(",") if h.strip())
    prefix = (parse_qs(parts.query).get("prefix") or ["mcu"])[-1]
    return f"elasticsearch:{','.join(hosts)}/{prefix}"


def lock_path(settings: Settings) -> Path:
    identity = store_identity(settings)
    if identity.startswith("sqlite:"):
        database = Path(identity.removeprefix("sqlite:"))
        return database.with_name(database.name + ".lock")
    digest = hashlib.sha1(identity.encode("utf-8")).hexdigest()[:12]
    return settings.data_dir / "locks" / f"store-{digest}.lock"


@contextmanager
def store_lock(settings: Settings, wait: float = WAIT_SECONDS,
               waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the store's write lock; waits up to ``wait`` seconds (``waiting`` hears why, once),
    and gives up at once when a stop is requested."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline, told = time.monotonic() + wait, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if STOP.is_set():
                raise StopRequested("остановка до записи: хранилище было занято другим сканом")
            if time.monotonic() > deadline:
                raise StoreBusy(f"хранилище {store_identity(settings)} занято другим сканом дольше {wait:.0f} с "
                                f"(процесс {_holder(path)})")
            if not told:
                message = f"хранилище занято другим сканом (процесс {_holder(path)}), жду…"
                log.warning("%s", message)
                if waiting is not None:
                    waiting(message)
                told = True
            time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock; so does the death of the process


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip() or "?"
    except OSError:
        return "?"
