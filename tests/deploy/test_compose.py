"""The production compose file, env templates and systemd units agree with the code.

Docker cannot run here, so the files are parsed and checked: pinned images that match the
versions the code is tested with, environment variable names the code really reads,
commands that exist, and services, volumes and health checks that fit together.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
ENV_DIR = DEPLOY / "env"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
CODE_DIRS = ("core", "collectors", "nlp", "store", "alerts", "reports", "pipeline", "cli", "flows", "demo", "web")
APP_IMAGE = "mcu-monitor"


@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@cache
def code_text() -> str:
    """The Python packages, and prefect.yaml (its pull step reads MCU_HOME)."""
    files = [p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py")] + [ROOT / "prefect.yaml"]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def names_read_by_code() -> set[str]:
    return set(re.findall(r"\bMCU_[A-Z0-9_]*[A-Z0-9]\b", code_text()))


def secrets_read_by_code() -> set[str]:
    """Every name passed to ``secret(...)`` (and the salt, read with os.environ)."""
    found = set(re.findall(r"secret\(\s*[\"'](MCU_[A-Z0-9_]+)[\"']", code_text()))
    return found | {"MCU_PSEUDONYM_SALT"}


def env_template(name: str) -> dict[str, str]:
    pairs = {}
    for line in (ENV_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def services() -> dict[str, dict]:
    return compose()["services"]


def app_services() -> dict[str, dict]:
    return {name: s for name, s in services().items() if s.get("image", "").startswith(APP_IMAGE + ":")}


def shell_commands(command) -> list[list[str]]:
    """The programs a compose command runs: a list as is, ``sh -c`` scripts split at && and ;."""
    if isinstance(command, str):
        command = shlex.split(command)
    if command[:2] in (["sh", "-c"], ["bash", "-c"]):
        return [shlex.split(part) for part in re.split(r"&&|;|\n", command[2]) if part.strip()]
    return [list(command)]


def unit_commands(unit: Path) -> list[list[str]]:
    lines = [line.split("=", 1)[1] for line in unit.read_text(encoding="utf-8").splitlines()
             if line.startswith("ExecStart=")]
    return [shlex.split(line) for line in lines]


def test_compose_has_the_production_services():
    assert set(services()) >= {"postgres", "prefect-server", "elasticsearch", "kibana", "setup", "worker", "bot", "web"}
    assert set(app_services()) >= {"setup", "worker", "bot", "web"}


def test_the_web_is_published_on_loopback_and_checked_where_it_listens():
    web = services()["web"]
    port = web["command"][web["command"].index("--port") + 1]
    assert web["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert f"http://localhost:{port}/healthz" in web["healthcheck"]["test"][-1]
    unit = (DEPLOY / "systemd" / "mcu-web.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/mcu/.venv/bin/mcu web --host 127.0.0.1 --port" in unit


def test_images_are_pinned_to_the_tested_versions():
    import prefect

    for name, service in services().items():
        image = service["image"]
        repo, _, tag = image.rpartition(":")
        assert repo and re.match(r"^\d+(\.\d+)+", tag), f"{name}: image {image} is not pinned to a version"
        assert tag != "latest"
    assert services()["prefect-server"]["image"] == f"prefecthq/prefect:{prefect.__version__}-python3.11"
    pom = (DEPLOY / "elasticsearch/testnode/pom.xml").read_text(encoding="utf-8")
    tested = re.search(r"<es.version>([\d.]+)</es.version>", pom).group(1)
    assert services()["elasticsearch"]["image"] == f"docker.elastic.co/elasticsearch/elasticsearch:{tested}"
    assert services()["kibana"]["image"] == f"docker.elastic.co/kibana/kibana:{tested}"
    import importlib.metadata

    client_major = importlib.metadata.version("elasticsearch").split(".")[0]
    assert tested.split(".")[0] == client_major, "the Elasticsearch client and server majors differ"
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
    for name, service in app_services().items():
        assert service["image"] == f"{APP_IMAGE}:{version}", f"{name}: the image tag is not the project version"


def test_the_app_image_is_built_from_the_pinned_dependency_set():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM (\S+)", dockerfile, re.M).group(1)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base), base
    assert "pip install -c constraints.txt" in dockerfile
    for service in app_services().values():
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    for folder in re.findall(r"^COPY (\S+)/ ", dockerfile, re.M):
        assert (ROOT / folder).is_dir(), f"Dockerfile copies {folder}/, which does not exist"


def test_env_names_in_deploy_files_are_read_by_the_code():
    used = set()
    for path in [COMPOSE, *ENV_DIR.glob("*.example"), *UNITS]:
        used |= set(re.findall(r"\bMCU_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    unknown = used - names_read_by_code()
    assert not unknown, f"deploy files set variables no code reads (a typo?): {sorted(unknown)}"
    assert used >= {"MCU_CONFIG", "MCU_VK_TOKEN", "MCU_BOT_TOKEN", "MCU_PSEUDONYM_SALT"}


def test_every_secret_the_code_reads_is_in_the_env_template_and_empty():
    template = env_template("mcu.env.example")
    missing = secrets_read_by_code() - set(template)
    assert not missing, f"mcu.env.example lacks secrets the code reads: {sorted(missing)}"
    required = {"MCU_VK_TOKEN", "MCU_TG_API_ID", "MCU_TG_API_HASH", "MCU_TG_SESSION", "MCU_BOT_TOKEN",
                "MCU_PSEUDONYM_SALT", "MCU_ES_API_KEY", "MCU_ES_USERNAME", "MCU_ES_PASSWORD", "MCU_KIBANA_URL",
                "MCU_CONFIG"}
    assert required <= set(template)
    secrets = {k for k in template if re.search(r"TOKEN|HASH|PASSWORD|API_KEY|SALT|API_ID", k)}
    assert all(template[k] == "" for k in secrets), "an env template holds a secret value"
    for name in ("postgres.env.example", "elasticsearch.env.example"):
        assert all(v == "" for k, v in env_template(name).items() if "PASSWORD" in k)


def test_compose_env_files_exist_as_templates():
    for name, service in services().items():
        for env_file in service.get("env_file", []):
            assert (DEPLOY / (env_file + ".example")).is_file(), f"{name}: no template for {env_file}"


def test_app_services_reach_the_prefect_server_and_run_from_the_checkout():
    server = services()["prefect-server"]
    port = server["command"][server["command"].index("--port") + 1]
    for name, service in app_services().items():
        env = service["environment"]
        assert env["PREFECT_API_URL"] == f"http://prefect-server:{port}/api", name
        assert env["MCU_HOME"] == "/app" and env["MCU_CONFIG"].startswith("/app/config/")
        assert "mcu-data:/app/data" in service["volumes"]
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "WORKDIR /app" in dockerfile and "COPY prefect.yaml" not in dockerfile or "prefect.yaml" in dockerfile


def test_dependencies_volumes_and_health_checks_fit_together():
    declared = set(compose().get("volumes") or {})
    for name, service in services().items():
        for target, rule in (service.get("depends_on") or {}).items():
            assert target in services(), f"{name} depends on unknown {target}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services()[target], f"{name} waits for {target}'s health, which has no check"
            if rule["condition"] == "service_completed_successfully":
                assert services()[target].get("restart") == "no", f"{target} must be one-shot"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"
    prefect_db = env_template("prefect.env.example")["PREFECT_API_DATABASE_CONNECTION_URL"]
    postgres = env_template("postgres.env.example")
    assert prefect_db.startswith(f"postgresql+asyncpg://{postgres['POSTGRES_USER']}:")
    assert prefect_db.endswith(f"@postgres:5432/{postgres['POSTGRES_DB']}")


@cache
def mcu_commands() -> dict[str, set[str]]:
    """``mcu`` sub-commands, and the commands of each sub-group."""
    import typer.main

    from cli.app import app

    group = typer.main.get_command(app)
    return {name: set(getattr(cmd, "commands", {}) or {}) for name, cmd in group.commands.items()}


@cache
def prefect_command_exists(words: tuple[str, ...]) -> bool:
    result = subprocess.run([sys.executable, "-m", "prefect", *words, "--help"], capture_output=True, text=True,
                            timeout=120)
    return result.returncode == 0


def deploy_commands() -> list[tuple[str, list[str]]]:
    found = []
    for name, service in app_services().items():
        found += [(f"compose {name}", argv) for argv in shell_commands(service["command"])]
    found += [(f"systemd {unit.name}", argv) for unit in UNITS for argv in unit_commands(unit)]
    return found


@pytest.mark.parametrize("where,argv", deploy_commands(), ids=lambda v: v if isinstance(v, str) else " ".join(v)[:60])
def test_every_command_exists(where, argv):
    program = Path(argv[0]).name
    words = [w for w in argv[1:] if not w.startswith("-")]
    if program == "mcu":
        commands = mcu_commands()
        assert words[0] in commands, f"{where}: `mcu {words[0]}` is not a command"
        if commands[words[0]]:
            assert words[1] in commands[words[0]], f"{where}: `mcu {words[0]} {words[1]}` is not a command"
    elif program == "prefect":
        flags = [w for w in argv[1:] if w == "--no-prompt"]
        sub = [w for w in argv[1:] if w != "--no-prompt"][:2]
        assert prefect_command_exists(tuple(flags + sub)), f"{where}: `prefect {' '.join(sub)}` does not exist"
    else:
        pytest.fail(f"{where}: unexpected program {argv[0]}")


def test_systemd_units_are_complete():
    assert {u.name for u in UNITS} >= {"mcu-prefect-server.service", "mcu-worker@.service", "mcu-bot.service",
                                       "mcu-setup.service", "mcu-serve.service", "mcu-web.service"}
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8")
        for section in ("[Unit]", "[Service]", "[Install]"):
            assert section in text, f"{unit.name}: no {section}"
        assert re.search(r"^User=mcu$", text, re.M), f"{unit.name} must not run as root"
        assert re.search(r"^ExecStart=/opt/mcu/\.venv/bin/", text, re.M)
        env_files = re.findall(r"^EnvironmentFile=/etc/mcu/(\S+)$", text, re.M)
        assert all((ENV_DIR / f"{f}.example").is_file() for f in env_files), unit.name


def test_prefect_yaml_work_pool_is_the_one_deployed():
    prefect_yaml = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    pools = {d["work_pool"]["name"] for d in prefect_yaml["deployments"]}
    assert pools == {"mcu-process"}
    setup = " ".join(" ".join(a) for _, a in deploy_commands())
    assert "work-pool create mcu-process" in setup and "worker start --pool mcu-process" in setup
