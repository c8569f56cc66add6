"""One YAML file, validated by pydantic, read once and passed down.

Secrets never live in the file: they come from the environment (or a Prefect
Secret block) through :func:`secret` (``core/secrets.py``). ``ConfigError``, ``secret`` and
``read_yaml`` are imported from here by the stages.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (BaseModel, ConfigDict, Field, SecretStr, ValidationError, create_model, field_validator,
                      model_validator)

from core import validation
from core.errors import ConfigError  # re-exported: raised by every loader
from core.secrets import secret  # noqa: F401 (re-exported: stages import it from core.config)
from core.yamlfile import read_yaml
from core.appeals import AppealSettings
from core.domain import LEVEL_ORDER, RiskLevel
from core.service_levels import Contact, SlaSettings
from core.webconfig import WebSettings


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class SourceBase(Strict):
    """What every source has. Each platform's model (``collectors/<platform>/config.py``) adds a
    ``platform: Literal[...]`` field and its options, and registers itself with
    :func:`register_source`."""

    key: str = Field(pattern=KEY_PATTERN, description="stable id of the source; part of every post id")
    name: str = Field(min_length=1, description="human-readable name, in Russian")
    enabled: bool = True
    reach: int | None = Field(None, ge=0, description="audience override when the platform does not report it")
    replay: Path | None = Field(None, description="recorded wire data to read instead of the network")
    official: bool = Field(False, description="a page of the administration or one of its institutions: its "
                           "posts are answers or context, never the spread of a risk or a negative reaction")

    scanned: ClassVar[bool] = True
    """Whether ``mcu scan`` collects it; a file import (appeals) sets False."""


SOURCE_TYPES: dict[str, type[SourceBase]] = {}
"""Platform name → source model, filled by the platforms' config modules as they are imported
(``import collectors`` registers them all)."""


def register_source(model: type[SourceBase]) -> type[SourceBase]:
    """Class decorator: make ``model`` the config of the platform named by its ``platform`` literal."""
    (platform,) = model.model_fields["platform"].annotation.__args__
    SOURCE_TYPES[platform] = model
    return model



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
                raise ValueError(f"topics.{i}.block: неизвестный блок «{topic.block}»; есть: {sorted(blocks)}")
        if "other" not in {t.code for t in self.topics}:
            raise ValueError("topics: нужна тема «other» (прочее)")
        return self

    def topic(self, code: str) -> Topic:
        return next((t for t in self.topics if t.code == code), next(t for t in self.topics if t.code == "other"))

    def block(self, code: str) -> Block | None:
        return next((b for b in self.blocks if b.code == code), None)

    def department(self, code: str | None) -> Department | None:
        return next((d for d in self.departments if d.code == code), None)

    def positions(self) -> set[str]:
        """Every position named in the rubricator (block heads and members, department heads)."""
        people = [p for b in self.blocks for p in (b.head, *b.members)] + [d.head for d in self.departments]
        return {p.position for p in people}


class RiskThresholds(Strict):
    medium: float = Field(0.45, ge=0, le=1)
    high: float = Field(0.6, ge=0, le=1)
    critical: float = Field(0.75, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> "RiskThresholds":
        if not self.medium <= self.high <= self.critical:
            raise ValueError("пороги должны расти: medium <= high <= critical")
        return self

    def level(self, score: float) -> RiskLevel:
        for name in ("critical", "high", "medium"):
            if score >= getattr(self, name):
                return name  # type: ignore[return-value]
        return "none"


class ConsoleSinkConfig(Strict):
    type: Literal["console"]


class FileSinkConfig(Strict):
    type: Literal["file"]
    path: Path = Path("data/alerts.txt")


class TelegramSinkConfig(Strict):
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
            raise ValueError("ожидается http(s)-адрес сервера Bot API, например https://api.telegram.org")
        return value.rstrip("/")


SinkConfig = Annotated[Union[ConsoleSinkConfig, FileSinkConfig, TelegramSinkConfig], Field(discriminator="type")]


class ReactionSettings(Strict):
    """When a published answer counts as having worked («отработан») or the risk goes back in work."""

    quiet_hours: float = Field(24, gt=0, description="hours without new posts and negative reaction for «отработан»")
    net_negative: int = Field(3, ge=1, description="negative minus positive comments after the answer that re-escalate")
    new_posts: int = Field(1, ge=1, description="new posts in the story after the answer (or after «отработан») "
                                                "that re-escalate (or re-open) the risk")


class AlertSettings(Strict):
    min_level: RiskLevel = "medium"
    sinks: list[SinkConfig] = Field(default_factory=lambda: [ConsoleSinkConfig(type="console")])
    reactions: ReactionSettings = Field(default_factory=ReactionSettings)
    outbox: Path | None = Field(None, description="SQLite file of the alert chat's outbox and state; "
                                                  "default: outbox.sqlite next to a SQLite store, else data/")

    @field_validator("min_level")
    @classmethod
    def _not_none(cls, value: str) -> str:
        if LEVEL_ORDER[value] == 0:
            raise ValueError("min_level: допустимы medium, high или critical")
        return value

    @property
    def telegram(self) -> TelegramSinkConfig | None:
        return next((sink for sink in self.sinks if isinstance(sink, TelegramSinkConfig)), None)


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


class OfficialPages(Strict):
    """How the administration's own pages (sources with ``official: true``) are watched: residents'
    questions and complaints in their comments should get the page's answer within ``answer_hours``."""

    answer_hours: float = Field(24, gt=0, le=24 * 30, description="hours after which a question or a "
                                "complaint without the page's answer is listed as unanswered")
    lookback_days: float = Field(7, gt=0, le=90, description="how far back the daily list of unanswered "
                                 "questions looks, and the period of the digest's figures")


class Privacy(Strict):
    pseudonymize_authors: bool = True
    retention_days: int = Field(365, ge=1, description="posts and appeals older than this are deleted (152-ФЗ)")


class Environment(Strict):
    """What the environment may set besides secrets, read once by :func:`load_config`."""

    pseudonym_salt: SecretStr | None = Field(None, description="MCU_PSEUDONYM_SALT: the key of author pseudonyms")
    bot_chat_id: str | None = Field(None, description="MCU_BOT_CHAT_ID: the alert chat, over the config's")
    bot_members: str | None = Field(None, description="MCU_BOT_MEMBERS: ids allowed to act, added to the config's")
    bot_chats: str | None = Field(None, description="MCU_BOT_CHATS: further chats where commands are accepted")
    actor: str | None = Field(None, description="MCU_ACTOR: who acts in «mcu risk» commands")
    shared_data: Path | None = Field(None, description="MCU_SHARED_DATA: the labelled data sets (../shared/data)")
    limits: str | None = Field(None, description="MCU_LIMITS: Prefect tag limits, e.g. vk=1,telegram=1,es=4")
    prefect_api_url: str | None = Field(None, description="PREFECT_API_URL: a Prefect server; the CLI then runs "
                                        "the flows there instead of the plain functions")

    @classmethod
    def read(cls) -> "Environment":
        get = os.environ.get
        salt = get("MCU_PSEUDONYM_SALT")
        shared = get("MCU_SHARED_DATA")
        return cls(pseudonym_salt=SecretStr(salt) if salt else None, bot_chat_id=get("MCU_BOT_CHAT_ID"),
                   bot_members=get("MCU_BOT_MEMBERS"), bot_chats=get("MCU_BOT_CHATS"), actor=get("MCU_ACTOR"),
                   shared_data=Path(shared) if shared else None, limits=get("MCU_LIMITS"),
                   prefect_api_url=get("PREFECT_API_URL") or None)


class Settings(Strict):
    municipality: str
    timezone: str = "Europe/Moscow"
    store: str = Field("sqlite:///data/mcu.sqlite", description="sqlite:///path or elasticsearch://host:port")
    data_dir: Path | None = Field(None, description="folder of local state (pseudonym key, outbox, budgets); "
                                  "default: the SQLite store's folder, else data/ in the working folder")
    sources: list[SourceBase]
    gazetteer: Path = Field(description="YAML gazetteer of the district")
    rubricator: Rubricator
    risk: RiskThresholds = Field(default_factory=RiskThresholds)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    privacy: Privacy = Field(default_factory=Privacy)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    sla: SlaSettings = Field(default_factory=SlaSettings)
    official_pages: OfficialPages = Field(default_factory=OfficialPages)
    appeals: AppealSettings = Field(default_factory=AppealSettings)
    people: dict[str, Contact] = Field(default_factory=dict, description="position of the rubricator → the person")
    web: WebSettings = Field(default_factory=WebSettings)
    base_dir: Path = Field(Path("."), exclude=True, description="folder of the config file")
    config_file: Path = Field(Path("config.yaml"), exclude=True, description="the config file itself")
    environment: Environment = Field(default_factory=Environment, exclude=True,
                                     description="what the environment set, read once by the loader")

    @field_validator("store")
    @classmethod
    def _store_url(cls, value: str) -> str:
        if not re.match(r"^(sqlite:///.+|elasticsearch(\+https?)?://.+)$", value):
            raise ValueError("ожидается sqlite:///путь, elasticsearch://хост:порт или elasticsearch+https://хост:порт")
        return value

    @model_validator(mode="after")
    def _unique_sources(self) -> "Settings":
        seen: set[str] = set()
        for i, source in enumerate(self.sources):
            if source.key in seen:
                raise ValueError(f"sources.{i}.key: ключ источника «{source.key}» повторяется")
            seen.add(source.key)
        return self

    @model_validator(mode="after")
    def _known_positions(self) -> "Settings":
        known = self.rubricator.positions()
        for position in self.people:
            if position not in known:
                raise ValueError(f"people.{position}: такой должности нет в рубрикаторе (опечатка?)")
        return self

    def resolve(self, path: Path) -> Path:
        """Paths in the file are relative to the file's folder."""
        return path if path.is_absolute() else (self.base_dir / path)

    @model_validator(mode="after")
    def _gazetteer_exists(self) -> "Settings":
        found = self.resolve(self.gazetteer)
        if not found.is_file():
            raise ValueError(f"gazetteer: файл газеттира {found} не найден")
        return self

    @model_validator(mode="after")
    def _data_dir(self) -> "Settings":
        """Local state (pseudonym key, outbox, budgets) lives in ``data_dir`` (relative to the
        config file), else next to a SQLite store, else in ``data/`` of the working folder."""
        if self.data_dir is not None:
            self.data_dir = self.resolve(self.data_dir)
        elif self.store.startswith("sqlite:///"):
            self.data_dir = Path(self.store.removeprefix("sqlite:///")).parent
        else:
            self.data_dir = Path("data")
        return self

    @property
    def pseudonym_salt(self) -> bytes | None:
        salt = self.environment.pseudonym_salt
        return salt.get_secret_value().encode("utf-8") if salt else None

    @property
    def official_sources(self) -> frozenset[str]:
        """Keys of the administration's own pages (``official: true``)."""
        return frozenset(s.key for s in self.sources if s.official)

    def is_official(self, post) -> bool:
        """A post (not a comment) that an official page published: an answer or context."""
        return not post.is_comment and post.source in self.official_sources

    def source(self, key: str):
        for source in self.sources:
            if source.key == key:
                return source
        raise KeyError(f"no source «{key}» in config; known: {[s.key for s in self.sources]}")


_SETTINGS_MODELS: dict[tuple[str, ...], type[Settings]] = {}


def settings_model() -> type[Settings]:
    """``Settings`` whose ``sources`` accept every registered platform (a tagged union on ``platform``)."""
    platforms = tuple(sorted(SOURCE_TYPES))
    if not platforms:
        raise ConfigError("не зарегистрировано ни одной платформы источников: импортируйте collectors до чтения конфигурации")
    if platforms not in _SETTINGS_MODELS:
        models = tuple(SOURCE_TYPES[p] for p in platforms)
        item = Annotated[Union[models], Field(discriminator="platform")] if len(models) > 1 else models[0]
        _SETTINGS_MODELS[platforms] = create_model("Settings", __base__=Settings, __module__=__name__,
                                                   sources=(list[item], ...))
    return _SETTINGS_MODELS[platforms]


def _include(value: Any, base_dir: Path, key: str, config_path: Path) -> Any:
    """A string value for a mapping key names a YAML file next to the config."""
    if not isinstance(value, str):
        return value
    try:
        return read_yaml(base_dir / value)
    except ConfigError as exc:
        raise ConfigError(f"{config_path}: {key}: {exc}") from None


def _format_errors(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: ошибки в конфигурации ({error.error_count()})"]
    lines += [f"  {path}: {line}" for line in validation.lines(error)]
    return "\n".join(lines)


DEFAULT_CONFIG = Path("config/demo.yaml")


def config_path(path: str | Path | None = None) -> Path:
    """The config to use: the one given, else ``MCU_CONFIG``, else the demo config."""
    return Path(path or os.environ.get("MCU_CONFIG") or DEFAULT_CONFIG)


def load_config(path: str | Path | None = None, store: str | None = None) -> Settings:
    """Read and validate the config file (``config_path``), with the environment read once;
    a bad value raises ConfigError naming file, key and reason."""
    path = config_path(path)
    raw = read_yaml(path, "не удаётся прочитать конфигурацию")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: на верхнем уровне должны быть ключи со значениями")
    base_dir = path.resolve().parent
    raw["rubricator"] = _include(raw.get("rubricator"), base_dir, "rubricator", path)
    if store:
        raw["store"] = store
    raw["base_dir"] = base_dir
    raw["config_file"] = path
    raw["environment"] = Environment.read()
    try:
        return settings_model().model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, exc)) from None
