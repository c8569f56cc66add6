"""The Kibana saved objects (cli/kibana/mcu.ndjson, built by deploy/kibana/build.py) and ``mcu kibana install``.

There is no Kibana here: the objects are checked for structure, for references that
resolve, and for fields that exist in our index templates; ``install`` talks to a small
HTTP server on 127.0.0.1 that speaks the saved-objects import API.
"""
from __future__ import annotations

import importlib.util
import json
import re
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from typer.testing import CliRunner

from cli.commands.index import kibana_app
from store.elasticsearch.templates import TemplateSet, field_paths

ROOT = Path(__file__).resolve().parents[2]
NDJSON = ROOT / "cli" / "kibana" / "mcu.ndjson"
KIND_OF_VIEW = {"mcu-posts": "posts", "mcu-risks": "risks", "mcu-appeals": "appeals"}
Json = dict[str, Any]


def load_build():
    spec = importlib.util.spec_from_file_location("kibana_build", ROOT / "deploy" / "kibana" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def objects() -> list[Json]:
    return [json.loads(line) for line in NDJSON.read_text(encoding="utf-8").splitlines()]


def by_title(objects: list[Json], title: str) -> Json:
    return next(o for o in objects if o["attributes"].get("title") == title)


def kql_fields(query: str) -> set[str]:
    """Field names a KQL query uses, nested ``a:{ b : x }`` as ``a.b``."""
    fields: set[str] = set()
    nested = re.compile(r"([A-Za-z_][\w.]*)\s*:\s*\{([^}]*)\}")
    for match in nested.finditer(query):
        fields |= {f"{match[1]}.{inner}" for inner in kql_fields(match[2])}
    rest = re.sub(r'"[^"]*"', '""', nested.sub(" ", query))
    return fields | set(re.findall(r"([A-Za-z_][\w.]*)\s*(?::|>=|<=|>|<)", rest))


def used_fields(item: Json) -> dict[str, set[str]]:
    """Data view id → fields this object reads from it."""
    attributes, refs = item["attributes"], {r["name"]: r["id"] for r in item["references"]}
    used: dict[str, set[str]] = {}

    def add(view: str, *fields: str) -> None:
        used.setdefault(view, set()).update(f for f in fields if f and f != "___records___")

    if item["type"] == "index-pattern":
        add(item["id"], attributes.get("timeFieldName", ""), *json.loads(attributes["fieldAttrs"]),
            *json.loads(attributes["fieldFormatMap"]))
        for spec in json.loads(attributes["fieldFormatMap"]).values():
            template = spec["params"].get("urlTemplate", "")
            if "index:'" in template:  # a link into Discover on another data view
                add(template.split("index:'")[1].split("'")[0], *kql_fields(template.split("query:'")[1]))
    elif item["type"] == "search":
        source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
        add(refs[source["indexRefName"]], *attributes["columns"], *(s[0] for s in attributes["sort"]),
            *kql_fields(source["query"]["query"]))
    elif item["type"] == "lens":
        for layer_id, layer in attributes["state"]["datasourceStates"]["formBased"]["layers"].items():
            view = refs[f"indexpattern-datasource-layer-{layer_id}"]
            add(view, *(c.get("sourceField", "") for c in layer["columns"].values()),
                *kql_fields(attributes["state"]["query"]["query"]))
    elif item["type"] == "map":
        for layer in json.loads(attributes["layerListJSON"]):
            source = layer["sourceDescriptor"]
            if "indexPatternRefName" in source:
                add(refs[source["indexPatternRefName"]], source["geoField"], source.get("sortField", ""),
                    *source.get("tooltipProperties", []))
    return used


# the file -----------------------------------------------------------------
def test_the_file_is_what_build_py_writes() -> None:
    assert NDJSON.read_text(encoding="utf-8") == load_build().render(), "run python deploy/kibana/build.py"


def test_every_line_is_a_kibana_8_saved_object(objects) -> None:
    for item in objects:
        assert {"id", "type", "attributes", "references", "coreMigrationVersion", "typeMigrationVersion"} <= set(item)
        assert item["coreMigrationVersion"].startswith("8.")
    assert len({(o["type"], o["id"]) for o in objects}) == len(objects)
    views = {o["attributes"]["title"]: o for o in objects if o["type"] == "index-pattern"}
    assert views["mcu-posts"]["attributes"]["timeFieldName"] == "published_at"
    assert "timeFieldName" not in views["mcu-risks"]["attributes"]  # open risks regardless of the time picker
    titles = {o["attributes"]["title"] for o in objects}
    assert {"Негатив за сутки", "Риски в работе", "Упоминания сёл", "МЦУ: обзор"} <= titles
    for item in objects:
        if item["type"] != "index-pattern":  # staff read these: Russian
            assert re.search(r"[А-Яа-яЁё]", item["attributes"]["title"]), item["attributes"]["title"]


def test_every_reference_resolves(objects) -> None:
    present = {(o["type"], o["id"]) for o in objects}
    for item in objects:
        names = {r["name"] for r in item["references"]}
        for ref in item["references"]:
            assert (ref["type"], ref["id"]) in present, (item["id"], ref)
        attributes = item["attributes"]
        if "kibanaSavedObjectMeta" in attributes and item["type"] == "search":
            assert json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])["indexRefName"] in names
        if item["type"] == "dashboard":
            panels = json.loads(attributes["panelsJSON"])
            assert {f"{p['panelIndex']}:{p['panelRefName']}" for p in panels} == names
            assert all(next(r for r in item["references"] if r["name"].startswith(p["panelIndex"] + ":"))["type"]
                       == p["type"] for p in panels)
        if item["type"] == "lens":
            layers = attributes["state"]["datasourceStates"]["formBased"]["layers"]
            assert {f"indexpattern-datasource-layer-{layer}" for layer in layers} <= names
            for layer in attributes["state"]["visualization"]["layers"]:
                columns = layers[layer["layerId"]]["columns"]
                assert {layer["xAccessor"], *layer["accessors"], layer.get("splitAccessor", layer["xAccessor"])} <= set(
                    columns)
        if item["type"] == "map":
            for layer in json.loads(attributes["layerListJSON"]):
                ref = layer["sourceDescriptor"].get("indexPatternRefName")
                assert ref is None or ref in names


def test_every_field_used_exists_in_our_mapping(objects) -> None:
    templates = TemplateSet.load()
    mapped = {kind: field_paths(templates.properties(kind)) for kind in set(KIND_OF_VIEW.values())}
    checked = 0
    for item in objects:
        for view, fields in used_fields(item).items():
            paths = mapped[KIND_OF_VIEW[view]]
            missing = sorted(f for f in fields if f not in paths)
            assert not missing, f"{item['type']} «{item['attributes'].get('title')}» uses unmapped {missing}"
            checked += len(fields)
    assert checked > 50
    assert mapped["posts"]["toponyms"] == "nested"  # what the KQL toponyms:{ kind : ... } needs
    assert mapped["posts"]["location"] == "geo_point" and mapped["posts"]["published_at"] == "date_nanos"


def test_the_dashboard_has_what_analysts_asked_for(objects) -> None:
    board = by_title(objects, "МЦУ: обзор")
    shown = {(r["type"], r["id"]) for r in board["references"]}
    over_time = by_title(objects, "Публикации по тональности")
    columns = over_time["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]["posts"]["columns"]
    assert {(c["operationType"], c.get("sourceField")) for c in columns.values()} >= {
        ("date_histogram", "published_at"), ("terms", "sentiment.label")}
    for title in ("Публикации по тональности", "Главные темы", "Места в публикациях", "Карта упоминаний мест",
                  "Риски в работе"):
        target = by_title(objects, title)
        assert (target["type"], target["id"]) in shown, title
    geo = json.loads(by_title(objects, "Карта упоминаний мест")["attributes"]["layerListJSON"])
    assert any(layer["sourceDescriptor"].get("geoField") == "location" for layer in geo)
    risks_view = next(o for o in objects if o["id"] == "mcu-risks")
    link = json.loads(risks_view["attributes"]["fieldFormatMap"])["story_id"]
    assert link["id"] == "url" and "story_id" in link["params"]["urlTemplate"]


# mcu kibana install -------------------------------------------------------
class KibanaImportApi(BaseHTTPRequestHandler):
    """``POST [/s/<space>]/api/saved_objects/_import``, with Kibana's kbn-xsrf check."""

    uploads: list[Json] = []
    fail_with: list[Json] = []

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        if not parts.path.endswith("/api/saved_objects/_import"):
            return self.answer(404, {"statusCode": 404, "error": "Not Found"})
        if "kbn-xsrf" not in self.headers:
            return self.answer(400, {"statusCode": 400, "error": "Bad Request",
                                     "message": "Request must contain a kbn-xsrf header."})
        body = self.rfile.read(int(self.headers["Content-Length"]))
        message = message_from_bytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body, policy=HTTP)
        files = {part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
                 for part in message.iter_parts()}
        lines = [json.loads(line) for line in files["file"].decode("utf-8").splitlines() if line.strip()]
        self.uploads.append({"path": parts.path, "query": parse_qs(parts.query),
                             "authorization": self.headers.get("Authorization"), "objects": lines})
        if self.fail_with:
            return self.answer(200, {"success": False, "successCount": 0, "errors": self.fail_with})
        self.answer(200, {"success": True, "successCount": len(lines),
                          "successResults": [{"type": o["type"], "id": o["id"]} for o in lines]})

    def answer(self, status: int, body: Json) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def kibana() -> Iterator[str]:
    KibanaImportApi.uploads, KibanaImportApi.fail_with = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), KibanaImportApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def config(tmp_path) -> Path:
    data = yaml.safe_load((ROOT / "config/demo.yaml").read_text(encoding="utf-8"))
    data["gazetteer"] = str(ROOT / "config/gazetteer/pestovo.yaml")
    data["rubricator"] = str(ROOT / "config/rubricator.yaml")
    data["store"] = "elasticsearch://es.example:9200?prefix=pestovo"
    path = tmp_path / "mcu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_install_imports_every_object_and_can_run_again(kibana, config, monkeypatch) -> None:
    monkeypatch.setenv("MCU_KIBANA_API_KEY", "c2VjcmV0LWtpYmFuYS1rZXk=")
    runner = CliRunner()
    for _ in range(2):  # overwrite=true and stable ids: a second run replaces, adds nothing
        result = runner.invoke(kibana_app, ["install", "--url", kibana, "-c", str(config)])
        assert result.exit_code == 0, result.output
        assert "загружено объектов: 12" in result.output and "c2VjcmV0" not in result.output
    first, second = KibanaImportApi.uploads
    assert first == second
    assert first["path"] == "/api/saved_objects/_import" and first["query"] == {"overwrite": ["true"]}
    assert first["authorization"] == "ApiKey c2VjcmV0LWtpYmFuYS1rZXk="
    sent = {(o["type"], o["id"]) for o in first["objects"]}
    assert sent == {(o["type"], o["id"]) for o in load_build().objects()}
    views = {o["id"]: o["attributes"] for o in first["objects"] if o["type"] == "index-pattern"}
    assert views["mcu-posts"]["title"] == "pestovo-posts" and views["mcu-risks"]["title"] == "pestovo-risks"
    assert views["mcu-appeals"]["title"] == "pestovo-appeals" and views["mcu-appeals"]["timeFieldName"] == "received_at"
    appeal_topics = json.loads(views["mcu-appeals"]["fieldFormatMap"])["analysis.topic"]["params"]["lookupEntries"]
    assert {"key": "waste", "value": "Вывоз ТКО"} in appeal_topics
    topics = json.loads(views["mcu-posts"]["fieldFormatMap"])["topic.code"]["params"]["lookupEntries"]
    assert {"key": "roads", "value": "Дороги"} in topics  # labels from the config's rubricator


def test_install_into_a_space_with_basic_auth(kibana, config, monkeypatch) -> None:
    for name in ("MCU_KIBANA_API_KEY", "MCU_KIBANA_USERNAME", "MCU_KIBANA_PASSWORD", "MCU_ES_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MCU_ES_USERNAME", "mcu_analyst")
    monkeypatch.setenv("MCU_ES_PASSWORD", "pa55word")
    monkeypatch.setenv("MCU_KIBANA_URL", kibana)
    result = CliRunner().invoke(kibana_app, ["install", "--space", "mcu", "-c", str(config)])
    assert result.exit_code == 0, result.output
    upload, = KibanaImportApi.uploads
    assert upload["path"] == "/s/mcu/api/saved_objects/_import"
    assert upload["authorization"] == "Basic bWN1X2FuYWx5c3Q6cGE1NXdvcmQ="  # mcu_analyst:pa55word
    assert "pa55word" not in result.output


def test_install_reports_what_kibana_refused(kibana, config) -> None:
    KibanaImportApi.fail_with = [{"type": "lens", "id": "mcu-lens-top-topics",
                                  "error": {"type": "missing_references"}}]
    result = CliRunner().invoke(kibana_app, ["install", "--url", kibana, "-c", str(config)])
    assert result.exit_code == 2
    assert "mcu-lens-top-topics" in result.output and "missing_references" in result.output


def test_install_needs_an_address(config, monkeypatch) -> None:
    monkeypatch.delenv("MCU_KIBANA_URL", raising=False)
    result = CliRunner().invoke(kibana_app, ["install", "-c", str(config)])
    assert result.exit_code == 2 and "MCU_KIBANA_URL" in result.output
