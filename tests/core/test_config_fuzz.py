"""Fuzzing the config loader: any YAML text, and the demo config with one value replaced by junk.

Invariant: ``load_config`` returns settings or raises ``ConfigError`` naming the file (and, for a
bad value, the key); never a traceback of another kind (``mcu config`` and ``mcu scan`` show
ConfigError as one Russian line).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from core.config import ConfigError, Settings, load_config
from testing import strategies as s

pytestmark = pytest.mark.fuzz
ROOT = Path(__file__).resolve().parents[2]
DEMO = yaml.safe_load((ROOT / "config/demo.yaml").read_text(encoding="utf-8"))
for _source in DEMO["sources"]:  # the replay files need not exist for the loader
    _source["replay"] = str(ROOT / "config" / _source["replay"])
DEMO["gazetteer"] = str(ROOT / "config/gazetteer/pestovo.yaml")
DEMO["rubricator"] = str(ROOT / "config/rubricator.yaml")

YAML_PIECES = ["key: value\n", "- item\n", "sources:\n", "  - {key: a, platform: vk}\n", "store: ", "risk:\n  high: ",
               "&a [*a]\n", "!!python/object:os.system\n", "{", "[", "'", '"', ": ", "\t", "---\n", "...\n", "%YAML 1.1\n",
               "? ", "|\n  ", "alerts: {min_level: none}\n", "privacy: {retention_days: -1}\n", "0x1F", ".inf", "~"]
yaml_texts = st.lists(st.one_of(st.sampled_from(YAML_PIECES), s.texts), max_size=20).map("".join)


def load(tmp_path: Path, text: str) -> Settings | None:
    path = tmp_path / "mcu.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        return load_config(path)
    except ConfigError as exc:
        assert str(path) in str(exc), exc
        return None


@given(yaml_texts)
def test_any_yaml_text_is_settings_or_a_config_error(tmp_path_factory, text):
    load(tmp_path_factory.mktemp("config"), text)


def paths(value, prefix=()):
    """Every key path of a nested config, lists by index."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield prefix + (key,)
        yield from paths(child, prefix + (key,))


PATHS = [p for p in paths(DEMO) if p[0] not in ("rubricator", "gazetteer")]


@given(st.sampled_from(PATHS), s.junk)
def test_one_junk_value_in_the_demo_config_is_named(tmp_path_factory, path, junk):
    data = yaml.safe_load(yaml.safe_dump(DEMO, allow_unicode=True))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = junk
    text = yaml.safe_dump(data, allow_unicode=True)
    settings = load(tmp_path_factory.mktemp("config"), text)
    if settings is None:
        return
    assert settings.store  # accepted junk still gives a usable config (an empty source list is allowed)
    assert 0 <= settings.risk.medium <= settings.risk.high <= settings.risk.critical <= 1
