"""One YAML file, validated by pydantic, read once and passed down.

Secrets never live in the file: they come from the environment (or a Prefect
Secret block) through :func:`secret`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from mcu.domain import LEVEL_ORDER, RiskLevel


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file, the key and the reason."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class SourceBase(Strict):
    key: str = Field(pattern=KEY_PATTERN, description="stable id of the source; part of every post id")
    name: str = Field(min_length=1, description="human-readable name, in Russian")
    enabled: bool = True
    reach: int | None = Field(None, ge=0, description="audience override when the platform does not report it")
    replay: Path | None = Field(None, description="recorded wire data to read instead of the network")


class VkSource(SourceBase):
    """A VK public or group wall, and/or keyword and geo search across VK (``newsfeed.search``).

    Posts found by search keep this source's key. Everything below ``comments`` has a
    default that suits one district on one token.
    """

    platform: Literal["vk"]
    search: list[str] = Field(default_factory=list, description="keyword queries for newsfeed.search")
    owner: str | None = Field(None, min_length=1, validate_default=True,
                              description="screen name or numeric id of the public or group")
    comments: bool = True
    latitude: float | None = Field(None, ge=-90, le=90, description="geo search: centre of the district")
    longitude: float | None = Field(None, ge=-180, le=180)
    search_days: float = Field(1.0, gt=0, le=30, description="how far back the first search looks")
    backfill_days: float | None = Field(None, gt=0, description="how far back the first read of the wall goes; "
                                        "empty: the whole wall")
    recheck_hours: float = Field(24.0, ge=0, le=24 * 14,
                                 description="posts this recent are re-read for edits, engagement and new comments")
    api_url: str | None = Field(None, pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
                                description="VK API base address (a proxy, or a local server in tests)")
    api_version: str = Field("5.199", pattern=r"^5\.\d+$")
    token_env: str = Field("MCU_VK_TOKEN", pattern=r"^[A-Z][A-Z0-9_]*$",
                           description="environment variable that holds the token")
    requests_per_second: float = Field(3.0, gt=0, le=100, description="shared by every source on the same token")
    daily_budget: dict[str, int] = Field(default_factory=lambda: {"wall.get": 5000, "newsfeed.search": 1000},
                                         description="calls per method per day, per token")
    budget_file: Path | None = Field(None, description="where daily budgets are counted; default next to the store")
    timeout: float = Field(20.0, gt=0, le=300, description="seconds per HTTP request")
    retries: int = Field(4, ge=1, le=10, description="attempts for rate limits and network errors")
    backoff: float = Field(1.0, ge=0, le=60, description="first back-off in seconds, doubled each retry")

    @field_validator("owner")
    @classmethod
    def _wall_or_search(cls, value: str | None, info) -> str | None:
        if value is None and not info.data.get("search"):
            raise ValueError("Field required: a wall to read, unless search queries are given")
        return value

    @model_validator(mode="after")
    def _coordinates_and_budget(self) -> "VkSource":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        for method, calls in self.daily_budget.items():
            if calls < 0:
                raise ValueError(f"daily_budget.{method}: must be >= 0")
        return self


class TelegramSource(SourceBase):
    """A public Telegram channel or chat (supergroup), with the comments under channel posts."""

    platform: Literal["telegram"]
    chat: str = Field(min_length=1, description="@username, t.me/username or numeric id of the channel or chat")
    comments: bool = Field(True, description="read the comments under channel posts")
    refresh_recent: int = Field(20, ge=0, le=100, description="newest channel posts re-read each scan for "
                                "edits, views, reactions and new comments (one request)")

    @field_validator("chat")
    @classmethod
    def _chat_address(cls, value: str) -> str:
        """``@name``, ``name``, ``t.me/name`` and ``https://t.me/name`` become ``@name``; ids stay numeric."""
        text = value.strip()
        if re.fullmatch(r"-?\d+", text):
            return text
        text = re.sub(r"^(https?://)?(www\.)?(t\.me|telegram\.me)/", "", text).strip("/")
        if text.startswith(("+", "joinchat")):
            raise ValueError(f"«{value}»: invite links of private chats are not supported; give a public @username")
        text = text.removeprefix("@").split("/")[0].split("?")[0]
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", text):
            raise ValueError(f"«{value}»: expected @username (letters, digits, _; 4-32 chars) or a numeric id")
        return f"@{text}"

    @property
    def username(self) -> str | None:
        return self.chat[1:] if self.chat.startswith("@") else None


class TelegramSettings(Strict):
    """Account-level Telegram options: one session (one account) serves every Telegram source.

    The session files may be overridden by ``MCU_TG_SESSION`` and ``MCU_TG_LISTEN_SESSION``;
    ``api_id``/``api_hash`` come only from ``MCU_TG_API_ID``/``MCU_TG_API_HASH``.
    """

    session: Path = Field(Path("data/telegram/mcu.session"), description="Telethon session file (a secret: "
                          "it logs in as the account); relative to the working folder")
    listen_session: Path | None = Field(None, description="session file of «mcu listen» (a second login, so "
                                        "that it runs beside the scans); default <session>-listen.session")
    flood_sleep_max: int = Field(60, ge=0, le=3600, description="FloodWait up to this many seconds is slept "
                                 "through; a longer one defers the chat to a later run")
    requests_per_minute: int = Field(20, ge=1, le=600, description="pace of API requests for the account")
    requests_per_run: int = Field(600, ge=1, description="API requests one run (one process) may make at most")
    pages_per_chat: int = Field(20, ge=1, le=1000, description="history pages (100 messages) per chat per run")
    backfill_days: float = Field(7.0, gt=0, le=3650, description="how far back the first read of a chat goes")
    resolve_retry_hours: float = Field(24.0, gt=0, description="an unresolvable @username is retried after this")


class RssSource(SourceBase):
    """An RSS 2.0 or Atom feed of a local news site."""

    platform: Literal["rss"]
    url: str = Field(min_length=1)
    full_text: bool = Field(False, description="fetch the article page when the feed gives only a teaser")
    teaser_chars: int = Field(600, ge=0, description="a feed text shorter than this counts as a teaser")
    max_articles: int = Field(30, ge=0, description="article pages fetched per scan at most")
    encoding: str | None = Field(None, description="override a charset the server declares wrongly")
    timeout: float = Field(20.0, gt=0, le=300, description="seconds per HTTP request")
    retries: int = Field(3, ge=1, le=10, description="attempts for network errors and 5xx answers")
    backoff: float = Field(1.0, ge=0, le=60, description="first back-off in seconds, doubled each retry")

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            import codecs

            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding «{value}»") from None
        return value


SourceConfig = Annotated[Union[VkSource, TelegramSource, RssSource], Field(discriminator="platform")]


class Person(Strict):
    position: str = Field(min_length=1, description="a position from the decree, not a personal name")
    telegram: str | None = None


class Block(Strict):
    code: str = Field(pattern=KEY_PATTERN)
    label: str
    head: Person
    members: list[Person] = Field(default_factory=list)


class Department(Strict):
    code: str = Field(pattern=KEY_PATTERN)
    label: str
    head: Person


class Topic(Strict):
    code: str = Field(pattern=KEY_PATTERN)
    label: str
    block: str
    criticality: float = Field(0.3, ge=0, le=1, description="how much the topic weighs in the risk score")
    keywords: list[str] = Field(default_factory=list, description="lemmas and phrases for the rule classifier")


class Rubricator(Strict):
    blocks: list[Block]
    topics: list[Topic]
    rural_block: str = Field("rural", description="block that receives posts about villages")
    departments: list[Department] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> "Rubricator":
        blocks = {b.code for b in self.blocks}
        for i, topic in enumerate(self.topics):
            if topic.block not in blocks:
                raise ValueError(f"topics.{i}.block: unknown block «{topic.block}»; known: {sorted(blocks)}")
        if "other" not in {t.code for t in self.topics}:
            raise ValueError("topics: the topic «other» is required")
        return self

    def topic(self, code: str) -> Topic:
        return next((t for t in self.topics if t.code == code), next(t for t in self.topics if t.code == "other"))

    def block(self, code: str) -> Block | None:
        return next((b for b in self.blocks if b.code == code), None)

    def department(self, code: str | None) -> Department | None:
        return next((d for d in self.departments if d.code == code), None)


class RiskThresholds(Strict):
    medium: float = Field(0.45, ge=0, le=1)
    high: float = Field(0.6, ge=0, le=1)
    critical: float = Field(0.75, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> "RiskThresholds":
        if not self.medium <= self.high <= self.critical:
            raise ValueError("thresholds must rise: medium <= high <= critical")
        return self

    def level(self, score: float) -> RiskLevel:
        for name in ("critical", "high", "medium"):
            if score >= getattr(self, name):
                return name  # type: ignore[return-value]
        return "none"


class ConsoleSink(Strict):
    type: Literal["console"]


class FileSink(Strict):
    type: Literal["file"]
    path: Path = Path("data/alerts.txt")


class TelegramSink(Strict):
    """The alert chat. The bot token comes from the environment (``MCU_BOT_TOKEN``); the chat
    and the members may too (``MCU_BOT_CHAT_ID``, ``MCU_BOT_MEMBERS``), which override the file."""

    type: Literal["telegram"]
    api_server: str = Field("https://api.telegram.org", description="Bot API server, also a self-hosted one")
    chat_id: int | None = Field(None, description="the alert chat (a group id is negative)")
    chats: list[int] = Field(default_factory=list, description="further chats where commands are accepted")
    members: list[int] = Field(default_factory=list, description="Telegram user ids allowed to act on risks")
    rate_per_minute: int = Field(20, ge=1, le=60, description="messages and edits per minute to one chat")
    polling_timeout: int = Field(10, ge=1, le=50, description="long-polling wait of getUpdates, seconds")

    @field_validator("api_server")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http(s) URL of a Bot API server, e.g. https://api.telegram.org")
        return value.rstrip("/")


SinkConfig = Annotated[Union[ConsoleSink, FileSink, TelegramSink], Field(discriminator="type")]


class ReactionSettings(Strict):
    """When a published answer counts as having worked («отработан») or the risk goes back in work."""

    quiet_hours: float = Field(24, gt=0, description="hours without new posts and negative reaction for «отработан»")
    net_negative: int = Field(3, ge=1, description="negative minus positive comments after the answer that re-escalate")
    new_posts: int = Field(1, ge=1, description="new posts in the story after the answer (or after «отработан») "
                                                "that re-escalate (or re-open) the risk")


class AlertSettings(Strict):
    min_level: RiskLevel = "medium"
    sinks: list[SinkConfig] = Field(default_factory=lambda: [ConsoleSink(type="console")])
    reactions: ReactionSettings = Field(default_factory=ReactionSettings)
    outbox: Path | None = Field(None, description="SQLite file of the alert chat's outbox and state; "
                                                  "default: outbox.sqlite next to a SQLite store, else data/")

    @field_validator("min_level")
    @classmethod
    def _not_none(cls, value: str) -> str:
        if LEVEL_ORDER[value] == 0:
            raise ValueError("min_level must be medium, high or critical")
        return value

    @property
    def telegram(self) -> TelegramSink | None:
        return next((sink for sink in self.sinks if isinstance(sink, TelegramSink)), None)


class Privacy(Strict):
    pseudonymize_authors: bool = True
    retention_days: int = Field(365, ge=1, description="posts older than this are deleted (152-ФЗ)")


class Settings(Strict):
    municipality: str
    timezone: str = "Europe/Moscow"
    store: str = Field("sqlite:///data/mcu.sqlite", description="sqlite:///path or elasticsearch://host:port")
    sources: list[SourceConfig]
    gazetteer: Path = Field(description="YAML gazetteer of the district")
    rubricator: Rubricator
    risk: RiskThresholds = Field(default_factory=RiskThresholds)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    privacy: Privacy = Field(default_factory=Privacy)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    base_dir: Path = Field(Path("."), exclude=True, description="folder of the config file")

    @field_validator("store")
    @classmethod
    def _store_url(cls, value: str) -> str:
        if not re.match(r"^(sqlite:///.+|elasticsearch(\+https?)?://.+)$", value):
            raise ValueError("expected sqlite:///path, elasticsearch://host:port or elasticsearch+https://host:port")
        return value

    @model_validator(mode="after")
    def _unique_sources(self) -> "Settings":
        seen: set[str] = set()
        for i, source in enumerate(self.sources):
            if source.key in seen:
                raise ValueError(f"sources.{i}.key: duplicate source key «{source.key}»")
            seen.add(source.key)
        return self

    def resolve(self, path: Path) -> Path:
        """Paths in the file are relative to the file's folder."""
        return path if path.is_absolute() else (self.base_dir / path)

    def source(self, key: str):
        for source in self.sources:
            if source.key == key:
                return source
        raise KeyError(f"no source «{key}» in config; known: {[s.key for s in self.sources]}")


def _include(value: Any, base_dir: Path, key: str, config_path: Path) -> Any:
    """A string value for a mapping key names a YAML file next to the config."""
    if not isinstance(value, str):
        return value
    path = base_dir / value
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{config_path}: {key}: cannot read included file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc


def _format_errors(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: invalid configuration ({error.error_count()} problem(s))"]
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"]) or "(top level)"
        got = item.get("input")
        shown = "" if isinstance(got, (dict, list)) or got is None else f" (got {got!r})"
        lines.append(f"  {path}: {loc}: {item['msg']}{shown}")
    return "\n".join(lines)


def load_config(path: str | Path, store: str | None = None) -> Settings:
    """Read and validate the config file; a bad value raises ConfigError naming file, key and reason."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys")
    base_dir = path.resolve().parent
    raw["rubricator"] = _include(raw.get("rubricator"), base_dir, "rubricator", path)
    if store:
        raw["store"] = store
    raw["base_dir"] = base_dir
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, exc)) from None


PLACEHOLDERS = {"", "changeme", "change-me", "xxx", "token", "your-token", "todo"}


def secret(name: str, required: bool = True) -> SecretStr | None:
    """A secret from the environment, or else from a Prefect Secret block of the same name.

    ``MCU_VK_TOKEN`` is looked up as the env var, then as the block ``mcu-vk-token``.
    """
    value = os.environ.get(name)
    if value is None and os.environ.get("PREFECT_API_URL"):
        value = _prefect_secret(name.lower().replace("_", "-"))
    if value is not None and value.strip().lower() in PLACEHOLDERS:
        raise ConfigError(f"environment: {name}: placeholder value, set the real secret")
    if value is None and required:
        raise ConfigError(f"environment: {name}: not set (secrets come from the environment, never the config file)")
    return SecretStr(value) if value is not None else None


def _prefect_secret(block_name: str) -> str | None:
    try:
        from prefect.blocks.system import Secret

        return Secret.load(block_name).get()
    except Exception:  # no such block, or no server: the caller reports the missing secret
        return None
