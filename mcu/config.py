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
    platform: Literal["vk"]
    owner: str = Field(min_length=1, description="screen name or numeric id of the public or group")
    comments: bool = True


class TelegramSource(SourceBase):
    platform: Literal["telegram"]
    chat: str = Field(min_length=1, description="@username or numeric id of the channel or chat")


class RssSource(SourceBase):
    platform: Literal["rss"]
    url: str = Field(min_length=1)


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


SinkConfig = Annotated[Union[ConsoleSink, FileSink], Field(discriminator="type")]


class AlertSettings(Strict):
    min_level: RiskLevel = "medium"
    sinks: list[SinkConfig] = Field(default_factory=lambda: [ConsoleSink(type="console")])

    @field_validator("min_level")
    @classmethod
    def _not_none(cls, value: str) -> str:
        if LEVEL_ORDER[value] == 0:
            raise ValueError("min_level must be medium, high or critical")
        return value


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
    base_dir: Path = Field(Path("."), exclude=True, description="folder of the config file")

    @field_validator("store")
    @classmethod
    def _store_url(cls, value: str) -> str:
        if not re.match(r"^(sqlite:///.+|elasticsearch://.+)$", value):
            raise ValueError("expected sqlite:///path or elasticsearch://host:port")
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
