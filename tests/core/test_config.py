"""Config errors name the file, the key and the reason; secrets never come from the file."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from core.config import ConfigError, load_config, secret

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load((ROOT / "config/demo.yaml").read_text(encoding="utf-8"))
    data["gazetteer"] = str(ROOT / "config/gazetteer/pestovo.yaml")
    data["rubricator"] = str(ROOT / "config/rubricator.yaml")
    mutate(data)
    path = tmp_path / "mcu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_demo_config_loads():
    settings = load_config(ROOT / "config/demo.yaml")
    assert {s.platform for s in settings.sources} == {"vk", "telegram", "rss", "ok", "site"}
    assert settings.rubricator.topic("utilities").block == "infrastructure"
    assert settings.resolve(settings.gazetteer).is_file()


def test_production_template_loads():
    assert load_config(ROOT / "config/pestovo.yaml").store.startswith("sqlite:///")


@pytest.mark.parametrize(
    "mutate, key, reason",
    [
        (lambda d: d["sources"][1].update(platform="myspace"), "sources.1", "неизвестное значение 'myspace' поля 'platform'"),
        (lambda d: d["sources"][0].pop("owner"), "sources.0.vk.owner", "обязательное поле: стена для чтения"),
        (lambda d: d["sources"][2].update(key=d["sources"][0]["key"]), "sources.2.key", "повторяется"),
        (lambda d: d.update(store="mysql://x"), "store", "ожидается sqlite:///путь"),
        (lambda d: d["risk"].update(high=0.9, critical=0.8), "risk", "пороги должны расти"),
        (lambda d: d["alerts"].update(min_level="none"), "alerts.min_level", "допустимы medium, high или critical"),
        (lambda d: d["alerts"].update(min_level="extreme"), "alerts.min_level", "допустимые значения: 'none', 'medium', 'high' или 'critical'"),
        (lambda d: d.update(colour="red"), "colour", "неизвестный ключ"),
        (lambda d: d["privacy"].update(retention_days=0), "privacy.retention_days", "должно быть не меньше 1 (получено 0)"),
    ],
)
def test_bad_value_names_file_key_and_reason(tmp_path, mutate, key, reason):
    path = write_config(tmp_path, mutate)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert key in message
    assert reason in message


def test_unknown_block_in_rubricator(tmp_path):
    def mutate(d):
        rubricator = yaml.safe_load((ROOT / "config/rubricator.yaml").read_text(encoding="utf-8"))
        rubricator["topics"][0]["block"] = "nowhere"
        d["rubricator"] = rubricator

    with pytest.raises(ConfigError, match=r"rubricator.*неизвестный блок «nowhere»"):
        load_config(write_config(tmp_path, mutate))


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="не удаётся прочитать конфигурацию: нет такого файла или папки"):
        load_config(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="ошибка в YAML"):
        load_config(bad)


def test_secrets_come_from_environment(monkeypatch):
    monkeypatch.setenv("MCU_TEST_TOKEN", "s3cr3t-value")
    value = secret("MCU_TEST_TOKEN")
    assert value.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t" not in repr(value) and "s3cr3t" not in str(value)
    monkeypatch.setenv("MCU_TEST_TOKEN", "changeme")
    with pytest.raises(ConfigError, match="значение-заглушка"):
        secret("MCU_TEST_TOKEN")
    monkeypatch.delenv("MCU_TEST_TOKEN")
    with pytest.raises(ConfigError, match="MCU_TEST_TOKEN: не задано"):
        secret("MCU_TEST_TOKEN")
    assert secret("MCU_TEST_TOKEN", required=False) is None


def test_a_missing_gazetteer_is_a_config_error_not_a_scan_crash(tmp_path):
    path = write_config(tmp_path, lambda d: d.update(gazetteer=str(tmp_path / "absent.yaml")))
    with pytest.raises(ConfigError, match=r"gazetteer: файл газеттира .*absent.yaml не найден"):
        load_config(path)


def test_absurd_nesting_and_bad_bytes_are_config_errors(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("municipality: x\nsources: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="слишком глубокая вложенность"):
        load_config(deep)
    nested = tmp_path / "nested.yaml"
    nested.write_text("municipality: x\nextra: " + "{a: " * 60 + "1" + "}" * 60 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="слишком глубокая вложенность"):
        load_config(nested)
    cp1251 = tmp_path / "cp1251.yaml"
    cp1251.write_bytes("municipality: Пестово\n".encode("cp1251"))
    with pytest.raises(ConfigError, match="не в кодировке UTF-8"):
        load_config(cp1251)


def test_mcu_config_lists_the_files_it_needs(tmp_path):
    from typer.testing import CliRunner

    from cli.app import app

    path = write_config(tmp_path, lambda d: d["sources"][0].update(replay=str(tmp_path / "missing.json")))
    result = CliRunner().invoke(app, ["config", "-c", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    # The console width is fixed when cli.options is first imported, so the
    # table may wrap cells: read the text without borders and line breaks.
    flat = re.sub(r"[\s│┃┏┓┗┛┡┩└┘├┤┼━─╇╈┳┻┬┴]+", " ", result.output)
    assert "Файлы и папки" in flat and "газеттир" in flat
    assert "pestovo_online" in flat and "не найден" in flat


# --- what the loader reads besides the file, and where local state lives ---

def minimal(tmp_path: Path, **extra) -> Path:
    data = {"municipality": "Пестово", "sources": [], "gazetteer": str(ROOT / "config/gazetteer/pestovo.yaml"),
            "rubricator": str(ROOT / "config/rubricator.yaml"), **extra}
    path = tmp_path / "mcu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


ENVIRONMENT = ("MCU_PSEUDONYM_SALT", "MCU_BOT_CHAT_ID", "MCU_BOT_MEMBERS", "MCU_BOT_CHATS", "MCU_ACTOR",
               "MCU_SHARED_DATA", "MCU_LIMITS", "PREFECT_API_URL", "MCU_CONFIG")


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_environment_is_read_once_by_the_loader(tmp_path, clean_env):
    import collectors  # noqa: F401  (registers the platforms)

    values = {"MCU_PSEUDONYM_SALT": "соль-ключ", "MCU_BOT_CHAT_ID": "-100555", "MCU_BOT_MEMBERS": "1,2",
              "MCU_BOT_CHATS": "-100777", "MCU_ACTOR": "Анна", "MCU_SHARED_DATA": "/srv/shared/data",
              "MCU_LIMITS": "vk=1,es=4", "PREFECT_API_URL": "http://127.0.0.1:4200/api"}
    for name, value in values.items():
        clean_env.setenv(name, value)
    settings = load_config(minimal(tmp_path))
    env = settings.environment
    assert env.pseudonym_salt.get_secret_value() == "соль-ключ" and "соль" not in repr(env)
    assert settings.pseudonym_salt == "соль-ключ".encode("utf-8")
    assert (env.bot_chat_id, env.bot_members, env.bot_chats, env.actor, env.shared_data, env.limits,
            env.prefect_api_url) == ("-100555", "1,2", "-100777", "Анна", Path("/srv/shared/data"), "vk=1,es=4",
                                     "http://127.0.0.1:4200/api")
    for name in values:
        clean_env.delenv(name)
    assert settings.environment.actor == "Анна"  # read once: later changes do not reach loaded settings
    for name in ("MCU_PSEUDONYM_SALT", "MCU_SHARED_DATA", "PREFECT_API_URL"):
        clean_env.setenv(name, "")  # set but empty: as if unset
    bare = load_config(minimal(tmp_path)).environment
    assert bare.model_dump() == {"pseudonym_salt": None, "bot_chat_id": None, "bot_members": None, "bot_chats": None,
                                 "actor": None, "shared_data": None, "limits": None, "prefect_api_url": None}
    assert load_config(minimal(tmp_path)).pseudonym_salt is None


def test_local_state_lives_beside_the_store_or_where_configured(tmp_path, clean_env):
    import collectors  # noqa: F401

    store = tmp_path / "db" / "mcu.sqlite"
    assert load_config(minimal(tmp_path, store=f"sqlite:///{store}")).data_dir == tmp_path / "db"
    assert load_config(minimal(tmp_path, store="elasticsearch://127.0.0.1:9250")).data_dir == Path("data")
    assert load_config(minimal(tmp_path, data_dir="state")).data_dir == tmp_path / "state"  # beside the file
    assert load_config(minimal(tmp_path, data_dir="/var/lib/mcu")).data_dir == Path("/var/lib/mcu")
    override = load_config(minimal(tmp_path), store="elasticsearch+https://es.example:9200")
    assert override.store == "elasticsearch+https://es.example:9200" and override.data_dir == Path("data")
    (tmp_path / "gaz.yaml").write_text((ROOT / "config/gazetteer/pestovo.yaml").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    settings = load_config(minimal(tmp_path, gazetteer="gaz.yaml"))
    assert settings.resolve(settings.gazetteer) == tmp_path / "gaz.yaml"  # relative to the config file
    assert settings.base_dir == tmp_path and settings.config_file == tmp_path / "mcu.yaml"


def test_the_config_file_comes_from_the_argument_then_mcu_config_then_the_demo(tmp_path, clean_env):
    from core.config import config_path

    assert config_path() == Path("config/demo.yaml")
    clean_env.setenv("MCU_CONFIG", str(tmp_path / "from-env.yaml"))
    assert config_path() == tmp_path / "from-env.yaml"
    assert config_path(tmp_path / "given.yaml") == tmp_path / "given.yaml"
    assert config_path("") == tmp_path / "from-env.yaml"


def test_every_error_is_listed_with_the_file_and_counted(tmp_path, clean_env):
    import collectors  # noqa: F401

    path = minimal(tmp_path, store="mysql://x", privacy={"retention_days": 0})
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}: ошибки в конфигурации (2)"
    assert len(lines) == 3 and all(line.startswith(f"  {path}: ") for line in lines[1:])
    assert any("store" in line for line in lines[1:]) and any("retention_days" in line for line in lines[1:])


def test_a_top_level_that_is_not_a_mapping_and_a_missing_rubricator(tmp_path, clean_env):
    import collectors  # noqa: F401

    listed = tmp_path / "list.yaml"
    listed.write_text("- municipality\n- sources\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(listed))}: на верхнем уровне должны быть ключи"):
        load_config(listed)
    path = minimal(tmp_path, rubricator="absent-rubricator.yaml")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: rubricator: .*absent-rubricator.yaml"):
        load_config(path)


def test_rubricator_people_and_the_bot_api_address_are_checked(tmp_path, clean_env):
    import collectors  # noqa: F401

    rubricator = yaml.safe_load((ROOT / "config/rubricator.yaml").read_text(encoding="utf-8"))
    without_other = dict(rubricator, topics=[t for t in rubricator["topics"] if t["code"] != "other"])
    with pytest.raises(ConfigError, match="rubricator: topics: нужна тема «other» \\(прочее\\)"):
        load_config(minimal(tmp_path, rubricator=without_other))
    with pytest.raises(ConfigError, match="people.Главный садовник: такой должности нет в рубрикаторе"):
        load_config(minimal(tmp_path, people={"Главный садовник": {"name": "Иванов"}}))
    sink = {"type": "telegram", "api_server": "http://127.0.0.1:8081/", "chat_id": -100}
    settings = load_config(minimal(tmp_path, alerts={"sinks": [{"type": "console"}, sink]}))
    assert settings.alerts.telegram.api_server == "http://127.0.0.1:8081"
    assert load_config(minimal(tmp_path)).alerts.telegram is None
    with pytest.raises(ConfigError, match="ожидается http\\(s\\)-адрес сервера Bot API"):
        load_config(minimal(tmp_path, alerts={"sinks": [dict(sink, api_server="127.0.0.1:8081")]}))


def test_a_registered_platform_is_accepted_and_an_unregistered_one_named(tmp_path, clean_env):
    from typing import Literal

    import collectors  # noqa: F401
    from core import config

    clean_env.setattr(config, "SOURCE_TYPES", dict(config.SOURCE_TYPES))
    clean_env.setattr(config, "_SETTINGS_MODELS", {})  # as in a fresh process: the models are built here

    @config.register_source
    class MastodonSource(config.SourceBase):
        platform: Literal["mastodon"]
        account: str

    assert config.SOURCE_TYPES["mastodon"] is MastodonSource
    path = minimal(tmp_path, sources=[{"key": "masto", "platform": "mastodon", "name": "Пестово", "account": "@p"},
                                      {"key": "news", "platform": "rss", "name": "Вести", "url": "https://v.example/r"}])
    sources = load_config(path).sources
    assert [type(s).__name__ for s in sources] == ["MastodonSource", "RssSource"] and sources[0].account == "@p"
    assert config.settings_model() is config.settings_model()  # built once per set of platforms
    (tmp_path / "feed").mkdir()
    unknown = minimal(tmp_path / "feed", sources=[{"key": "x", "platform": "myspace", "name": "Х"}])
    with pytest.raises(ConfigError, match="sources.0: неизвестное значение 'myspace' поля 'platform'"):
        load_config(unknown)
    two = {"rss": config.SOURCE_TYPES["rss"], "vk": config.SOURCE_TYPES["vk"]}
    clean_env.setattr(config, "SOURCE_TYPES", two)
    pair = minimal(tmp_path / "feed", sources=[{"key": "news", "platform": "rss", "name": "Вести",
                                                 "url": "https://v.example/r"},
                                                {"key": "wall", "platform": "vk", "name": "Стена", "owner": "p"}])
    assert [type(s).__name__ for s in load_config(pair).sources] == ["RssSource", "VkSource"]
    clean_env.setattr(config, "SOURCE_TYPES", {"rss": two["rss"]})  # one platform: no union
    feed_only = minimal(tmp_path / "feed", sources=[{"key": "news", "platform": "rss", "name": "Вести",
                                                     "url": "https://v.example/r"}])
    only_feeds = load_config(feed_only)
    assert [type(s).__name__ for s in only_feeds.sources] == ["RssSource"] and only_feeds.municipality == "Пестово"
    assert config.settings_model().__name__ == "Settings"
    with pytest.raises(ConfigError, match="sources.0.platform"):
        load_config(path)
    clean_env.setattr(config, "SOURCE_TYPES", {})
    with pytest.raises(ConfigError, match="^не зарегистрировано ни одной платформы источников: импортируйте "
                                          "collectors до чтения конфигурации$"):
        load_config(path)


def test_people_may_be_named_for_any_position_of_the_rubricator(tmp_path, clean_env):
    import collectors  # noqa: F401

    people = {"Заведующий отделом жилищно-коммунального хозяйства, руководитель блока": {"name": "Иванов И.И."},
              "Заведующий отделом благоустройства": {"name": "Петрова П.П.", "telegram": "@petrova"},
              "Глава Лаптевского территориального отдела": {"name": "Сидоров С.С."}}
    settings = load_config(minimal(tmp_path, people=people))
    assert set(settings.people) == set(people)
    assert set(people) <= settings.rubricator.positions()
    rubricator = yaml.safe_load((ROOT / "config/rubricator.yaml").read_text(encoding="utf-8"))
    rubricator["topics"][2]["block"] = "nowhere"
    with pytest.raises(ConfigError) as caught:
        load_config(minimal(tmp_path, rubricator=rubricator))
    assert ("rubricator: topics.2.block: неизвестный блок «nowhere»; есть: "
            "['economy', 'head', 'infrastructure', 'rural', 'social']") in str(caught.value)


def test_thresholds_may_be_equal_but_never_fall(tmp_path, clean_env):
    import collectors  # noqa: F401

    equal = load_config(minimal(tmp_path, risk={"medium": 0.5, "high": 0.5, "critical": 0.5})).risk
    assert equal.level(0.5) == "critical" and equal.level(0.49) == "none"
    with pytest.raises(ConfigError, match="risk: пороги должны расти: medium <= high <= critical"):
        load_config(minimal(tmp_path, risk={"medium": 0.6, "high": 0.5}))
    for store in ("elasticsearch://es:9200", "elasticsearch+http://es:9200", "sqlite:///mcu.sqlite"):
        assert load_config(minimal(tmp_path, store=store)).store == store
    for store in ("sqlite:///", "elasticsearch://", "elasticsearch+ftp://es", "postgres://db"):
        with pytest.raises(ConfigError, match="store: ожидается sqlite:///путь"):
            load_config(minimal(tmp_path, store=store))
