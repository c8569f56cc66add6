"""Where the store lives: the store URL, the client built from it, and what errors mean.

URL forms (options are query parameters)::

    elasticsearch://host:9200                       plain HTTP
    elasticsearch+https://host:9200                 TLS
    elasticsearch+https://es1:9200,es2:9200?prefix=mcu&ca_certs=/etc/mcu/ca.pem&verify_certs=true
    ...&outbox=data/outbox                          spool folder during outages (default), or "off"
    ...&timeout=30                                  seconds per request

Credentials never go in the URL: they come from the environment (or Prefect Secret
blocks) through ``core.config.secret``: ``MCU_ES_API_KEY``, or ``MCU_ES_USERNAME`` with
``MCU_ES_PASSWORD``. Nothing here logs or formats a secret.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from elasticsearch import ApiError, Elasticsearch
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import TlsError, TransportError

from core.config import ConfigError, secret
from core.store import StoreError
from store.elasticsearch.names import check_prefix

SCHEMES: dict[str, str] = {"elasticsearch": "http", "elasticsearch+http": "http", "elasticsearch+https": "https"}
OPTIONS = ("prefix", "ca_certs", "verify_certs", "outbox", "timeout")
DEFAULT_OUTBOX_DIR = Path("data/outbox")
TRANSIENT_STATUS = frozenset({408, 429, 502, 503, 504})


class StoreUnavailable(StoreError):
    """Elasticsearch could not be reached or is overloaded: worth retrying, and a write may be spooled."""


@dataclass(frozen=True)
class EsLocation:
    """A parsed store URL, without credentials (safe to log)."""

    scheme: str
    hosts: tuple[tuple[str, int], ...]
    prefix: str = "mcu"
    ca_certs: Path | None = None
    verify_certs: bool = True
    outbox_dir: Path | None = DEFAULT_OUTBOX_DIR
    timeout: float = 30.0

    @property
    def node_urls(self) -> list[str]:
        return [f"{self.scheme}://{host}:{port}" for host, port in self.hosts]

    @property
    def display(self) -> str:
        return f"{','.join(self.node_urls)} (prefix {self.prefix})"

    @property
    def outbox_path(self) -> Path | None:
        """One outbox file per store (nodes + prefix), e.g. ``data/outbox/es1_9200_mcu-1a2b3c4d.sqlite``."""
        if self.outbox_dir is None:
            return None
        host, port = self.hosts[0]
        key = f"{self.scheme}://{','.join(f'{h}:{p}' for h, p in self.hosts)}/{self.prefix}"
        slug = re.sub(r"[^A-Za-z0-9]+", "_", f"{host}_{port}_{self.prefix}")
        return self.outbox_dir / f"{slug}-{hashlib.sha1(key.encode()).hexdigest()[:8]}.sqlite"


def parse_store_url(url: str, data_dir: Path | None = None) -> EsLocation:
    parts = urlsplit(url)
    scheme = SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise StoreError(f"store url: scheme «{parts.scheme}»; expected one of {sorted(SCHEMES)}")
    netloc = parts.netloc
    if "@" in netloc:
        raise StoreError(
            "store url: credentials do not belong in the URL; set MCU_ES_API_KEY or MCU_ES_USERNAME/MCU_ES_PASSWORD"
        )
    if parts.path not in ("", "/"):
        raise StoreError(f"store url {_shown(parts)}: unexpected path «{parts.path}»; options go in ?prefix=...")
    hosts = tuple(_host_port(item, url) for item in netloc.split(",") if item)
    if not hosts:
        raise StoreError(f"store url {_shown(parts)}: no host")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - set(OPTIONS))
    if unknown:
        raise StoreError(f"store url {_shown(parts)}: unknown option(s) {unknown}; known: {list(OPTIONS)}")
    option = {key: values[-1] for key, values in query.items()}
    outbox = option.get("outbox", str(data_dir / "outbox" if data_dir else DEFAULT_OUTBOX_DIR))
    try:
        timeout = float(option.get("timeout", "30"))
    except ValueError:
        raise StoreError(f"store url {_shown(parts)}: timeout must be a number of seconds") from None
    return EsLocation(
        scheme=scheme,
        hosts=hosts,
        prefix=check_prefix(option.get("prefix", "mcu")),
        ca_certs=Path(option["ca_certs"]) if option.get("ca_certs") else None,
        verify_certs=_boolean(option.get("verify_certs", "true"), "verify_certs"),
        outbox_dir=None if outbox.lower() in ("off", "false", "none", "") else Path(outbox),
        timeout=timeout,
    )


def build_client(location: EsLocation) -> Elasticsearch:
    """A client for the location, authenticated from the environment."""
    api_key = _secret("MCU_ES_API_KEY")
    username, password = _secret("MCU_ES_USERNAME"), _secret("MCU_ES_PASSWORD")
    if (username is None) != (password is None):
        raise StoreError("environment: set both MCU_ES_USERNAME and MCU_ES_PASSWORD, or neither")
    options: dict = {
        "request_timeout": location.timeout,
        "max_retries": 2,
        "retry_on_timeout": True,
        "verify_certs": location.verify_certs,
    }
    if location.ca_certs is not None:
        options["ca_certs"] = str(location.ca_certs)
    if api_key is not None:
        options["api_key"] = api_key
    elif username is not None and password is not None:
        options["basic_auth"] = (username, password)
    return Elasticsearch(location.node_urls, **options)


@contextmanager
def translate_errors(what: str, where: str, *, passthrough: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Client exceptions → ``StoreUnavailable`` (unreachable, timeouts, 429/5xx) or ``StoreError``;
    exceptions in ``passthrough`` (e.g. a 409 the caller handles) are left alone."""
    try:
        yield
    except passthrough:
        raise
    except TlsError as exc:  # a certificate problem does not heal by waiting
        raise StoreError(f"Elasticsearch ({where}, {what}): ошибка TLS: {exc}") from exc
    except TransportConnectionError as exc:
        raise StoreUnavailable(f"Elasticsearch ({where}, {what}): нет соединения с кластером{_node(exc)}") from exc
    except TransportError as exc:
        if type(exc).__name__ == "ConnectionTimeout":
            raise StoreUnavailable(f"Elasticsearch ({where}, {what}): кластер не ответил вовремя{_node(exc)}") from exc
        raise StoreError(f"elasticsearch {where}: {what}: {type(exc).__name__}: {exc}") from exc
    except ApiError as exc:
        status = exc.meta.status if exc.meta is not None else 0
        kind = StoreUnavailable if status in TRANSIENT_STATUS else StoreError
        raise kind(f"elasticsearch {where}: {what}: HTTP {status}: {describe(exc)}") from exc


def _node(exc: Exception) -> str:
    """`` на 127.0.0.1:9200`` when the client's message names the node, else nothing."""
    found = re.search(r"host='([^']+)', port=(\d+)", str(exc))
    return f" на {found.group(1)}:{found.group(2)}" if found else ""


def describe(exc: ApiError) -> str:
    """``type: reason`` of an Elasticsearch error body, or the message."""
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    if isinstance(error, dict):
        root = (error.get("root_cause") or [error])[0]
        return f"{root.get('type', error.get('type'))}: {root.get('reason', error.get('reason'))}"
    return str(error or exc.message)


def _secret(name: str) -> str | None:
    try:
        value = secret(name, required=False)
    except ConfigError as exc:
        raise StoreError(str(exc)) from None
    return value.get_secret_value() if value is not None else None


def _host_port(item: str, url: str) -> tuple[str, int]:
    host, sep, port = item.strip().rpartition(":")
    if not sep:
        return item.strip(), 9200
    if not port.isdigit() or not host:
        raise StoreError(f"store url: bad host:port «{item}»")
    return host, int(port)


def _boolean(value: str, name: str) -> bool:
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise StoreError(f"store url: {name} must be true or false, got «{value}»")


def _shown(parts) -> str:
    return f"{parts.scheme}://{parts.netloc}"
