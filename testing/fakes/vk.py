"""A stand-in for api.vk.ru on 127.0.0.1 that speaks VK's wire format.

``/method/<name>`` takes the form-encoded POST that vk_api sends and answers
``{"response": …}`` or ``{"error": {"error_code", "error_msg", …}}``, exactly like VK.
``execute`` runs the two VKScript forms vk_api's ``VkRequestsPool`` generates, one inner
call at a time, with VK's ``execute_errors``. :class:`VkApi` is that wire format; a subclass
says which tokens it accepts and answers single calls:

* :class:`VkServer` answers from recordings ``{"calls": [{"method", "params", "response" | "error" |
  "http_status", "times"?, "delay"?}]}``: a call matches when every recorded parameter equals the
  request's; ``times`` limits how often an entry answers (so an error can come first and the
  real answer after);
* the scan benchmark's district (``bench/district.py``) answers from a generated district.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs

from testing.fakes.http import LocalServer, Reply, Request

TOKEN = "vk1.a.test-token-not-real"
EMPTY_PAGES = {"wall.get", "wall.getComments", "newsfeed.search"}
WHOLE_REQUEST_ERRORS = (5, 6)  # authorization and rate: VK fails the whole execute, not one slot


class VkApi(LocalServer):
    """The VK API's wire format; subclasses implement :meth:`authorized` and :meth:`answer`."""

    def __init__(self) -> None:
        super().__init__()
        self.fallback = self._route

    def authorized(self, token: str | None) -> bool:
        raise NotImplementedError

    def answer(self, method: str, params: dict[str, str]) -> dict:
        """One call: ``{"response": …}`` or ``{"error": {"error_code", "error_msg"}}``; a recording may
        also ask for an ``http_status`` page or a ``delay`` in seconds."""
        raise NotImplementedError

    def requests_of(self, method: str) -> list[Request]:
        return [r for r in self.log if r.path == f"/method/{method}"]

    def _route(self, request: Request) -> Reply:
        match = re.fullmatch(r"/method/([\w.]+)", request.path)
        if not match:
            return Reply(404, b"not found")
        params = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8")).items()}
        params.update({k: v[-1] for k, v in request.query.items()})
        method = match.group(1)
        if not self.authorized(params.pop("access_token", None)):
            return _json({"error": _error(5, "User authorization failed: invalid access_token (4).", method)})
        params.pop("v", None)
        if method == "execute":
            return self._execute(params.get("code", ""))
        entry = self.answer(method, params)
        if "http_status" in entry:
            return Reply(entry["http_status"], b"<html>Bad Gateway</html>", {"Content-Type": "text/html"},
                         entry.get("delay", 0))
        return Reply(200, json.dumps(_envelope(entry, method), ensure_ascii=False).encode("utf-8"),
                     {"Content-Type": "application/json; charset=utf-8"}, entry.get("delay", 0))

    def _execute(self, code: str) -> Reply:
        responses, errors = [], []
        for method, params in parse_vkscript(code):
            entry = self.answer(method, {k: str(v) for k, v in params.items()})
            if "error" in entry:
                if entry["error"]["error_code"] in WHOLE_REQUEST_ERRORS:
                    return _json({"error": _error(entry["error"]["error_code"], entry["error"]["error_msg"], "execute")})
                responses.append(False)
                errors.append({"method": method, **entry["error"]})
            else:
                responses.append(entry["response"])
        body = {"response": responses}
        if errors:
            body["execute_errors"] = errors
        return _json(body)


class VkServer(VkApi):
    """The VK API answering from recorded calls, for one token."""

    def __init__(self, calls: list[dict], token: str = TOKEN):
        super().__init__()
        self.calls = [dict(c) for c in calls]
        self.token = token
        self.methods: list[tuple[str, dict]] = []  # every API call, execute's inner calls included

    def authorized(self, token: str | None) -> bool:
        return token == self.token

    def answer(self, method: str, params: dict[str, str]) -> dict:
        self.methods.append((method, params))
        for entry in self.calls:
            if entry.get("method") != method or entry.get("times", 1) <= 0:
                continue
            if all(str(params.get(k)) == str(v) for k, v in entry.get("params", {}).items()):
                if "times" in entry:
                    entry["times"] -= 1
                return entry
        if method in EMPTY_PAGES:
            return {"response": {"count": 0, "items": []}}
        return {"error": {"error_code": 100, "error_msg": f"One of the parameters specified was missing or invalid: "
                                                          f"no recording for {method} {params}"}}


def load_calls(path: Path) -> list[dict]:
    """The calls of a recording file."""
    return json.loads(path.read_text(encoding="utf-8"))["calls"]


def parse_vkscript(code: str) -> list[tuple[str, dict]]:
    """The calls of the two scripts vk_api's pool sends: ``return [API.m({...}),…];`` and the loop
    over ``var values = [...]``."""
    decoder = json.JSONDecoder()
    loop = re.search(r"API\.([\w.]+)\(values\[i\]\)", code)
    if loop:
        start = code.index("var values = ") + len("var values = ")
        values, _ = decoder.raw_decode(code, start)
        return [(loop.group(1), dict(v)) for v in values]
    calls = []
    for match in re.finditer(r"API\.([\w.]+)\(", code):
        params, _ = decoder.raw_decode(code, match.end())
        calls.append((match.group(1), params))
    if not calls:
        raise ValueError(f"unsupported VKScript: {code[:120]}")
    return calls


def _error(code: int, message: str, method: str) -> dict:
    error = {"error_code": code, "error_msg": message,
             "request_params": [{"key": "method", "value": method}, {"key": "v", "value": "5.199"}]}
    if code == 14:
        error.update(captcha_sid="483226862219", captcha_img="https://api.vk.ru/captcha.php?sid=483226862219")
    return error


def _envelope(entry: dict, method: str) -> dict:
    if "error" in entry:
        return {"error": _error(entry["error"]["error_code"], entry["error"]["error_msg"], method)}
    return {"response": entry["response"]}


def _json(body: dict) -> Reply:
    return Reply(200, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                 {"Content-Type": "application/json; charset=utf-8"})


def shift_dates(value, delta: int):
    """The recording moved in time by ``delta`` seconds (every ``date``), so that windows relative to
    the real clock (re-read window, first search) see it as recent."""
    if isinstance(value, dict):
        return {k: (v + delta if k == "date" and isinstance(v, int) and not isinstance(v, bool) else shift_dates(v, delta))
                for k, v in value.items()}
    if isinstance(value, list):
        return [shift_dates(v, delta) for v in value]
    return value
