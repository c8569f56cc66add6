"""A stand-in for api.ok.ru on 127.0.0.1 that speaks the OK REST API's wire format.

``/fb.do`` takes the form-encoded POST (or GET) with ``application_key``, ``method``, ``format``,
``access_token`` and ``sig``, checks the application key, the token and the signature the way OK
does (``md5(sorted k=v pairs + md5(access_token + secret_key))``, computed here independently of
the collector's code) and answers the method's JSON, or OK's error object
``{"error_code", "error_msg", "error_data"}`` with HTTP 200, exactly like OK.

:class:`OkServer` answers from recordings ``{"calls": [{"method", "params", "response" | "error" |
"http_status", "times"?}]}``: a call matches when every recorded parameter equals the request's;
``times`` limits how often an entry answers (so an error can come first and the real answer after).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import parse_qs

from testing.fakes.http import LocalServer, Reply, Request

APP_KEY = "CBAFKEHGEBABABABA"
SECRET_KEY = "0123456789ABCDEF0123456789ABCDEF"
TOKEN = "tkn1-ok-test-token-not-real"
ERRORS = {100: "PARAM", 102: "PARAM_SESSION_EXPIRED", 103: "PARAM_SESSION_KEY", 104: "PARAM_SIGNATURE",
          101: "PARAM_API_KEY", 2: "SERVICE", 9: "LIMIT_REACHED", 300: "NOT_FOUND", 8: "PERMISSION_DENIED"}
PAGED = {"mediatopic.getTopics": "media_topics", "discussions.getComments": "comments"}


def expected_sig(form: dict[str, str], token: str, secret_key: str) -> str:
    pairs = sorted((k, v) for k, v in form.items() if k not in ("sig", "access_token", "session_key"))
    session = hashlib.md5(f"{token}{secret_key}".encode()).hexdigest().lower()
    return hashlib.md5(("".join(f"{k}={v}" for k, v in pairs) + session).encode()).hexdigest().lower()


def error(code: int, message: str) -> dict:
    return {"error_code": code, "error_msg": f"{ERRORS.get(code, 'UNKNOWN')} : {message}", "error_data": None}


class OkServer(LocalServer):
    def __init__(self, calls: list[dict], token: str = TOKEN, app_key: str = APP_KEY, secret_key: str = SECRET_KEY):
        super().__init__()
        self.calls = [dict(c) for c in calls]
        self.token, self.app_key, self.secret_key = token, app_key, secret_key
        self.methods: list[tuple[str, dict]] = []
        self.routes["/fb.do"] = self._route

    def _route(self, request: Request) -> Reply:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8")).items()}
        form.update({k: v[-1] for k, v in request.query.items()})
        if form.get("application_key") != self.app_key:
            return _json(error(101, "Parameter application_key not specified or invalid"))
        if form.get("access_token") != self.token:
            return _json(error(102, "Session expired"))
        if form.get("sig") != expected_sig(form, self.token, self.secret_key):
            return _json(error(104, "Invalid signature"))
        method = form.get("method", "")
        params = {k: v for k, v in form.items() if k not in ("application_key", "method", "format", "sig",
                                                              "access_token")}
        self.methods.append((method, params))
        entry = self.answer(method, params)
        if "http_status" in entry:
            return Reply(entry["http_status"], b"<html>Bad Gateway</html>", {"Content-Type": "text/html"})
        return _json(error(entry["error"]["error_code"], entry["error"]["error_msg"]) if "error" in entry
                     else entry["response"])

    def answer(self, method: str, params: dict[str, str]) -> dict:
        """The first recording of ``method`` whose parameters all equal the request's and whose ``times``
        are not used up; pages past the recorded ones are empty, anything else is OK's error 100."""
        entry = next((e for e in self.calls if _matches(e, method, params)), None)
        if entry is None:
            return ({"response": {PAGED[method]: [], "has_more": False}} if method in PAGED
                    else {"error": {"error_code": 100, "error_msg": f"no recording for {method} {params}"}})
        if "times" in entry:
            entry["times"] -= 1
        return entry

    def calls_of(self, method: str) -> list[dict]:
        return [params for name, params in self.methods if name == method]


def _matches(entry: dict, method: str, params: dict[str, str]) -> bool:
    return entry.get("method") == method and entry.get("times", 1) > 0 and \
        all(str(params.get(k)) == str(v) for k, v in entry.get("params", {}).items())


def load_calls(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["calls"]


def _json(body) -> Reply:
    return Reply(200, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                 {"Content-Type": "application/json;charset=utf-8"})


def shift_times(value, seconds: int):
    """The recording moved in time by ``seconds`` (``created_ms``, ``date_ms`` and the Moscow ``date``
    strings of comments), so that windows relative to the real clock see it as recent."""
    from datetime import datetime, timedelta

    if isinstance(value, list):
        return [shift_times(v, seconds) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key in ("created_ms", "date_ms") and isinstance(item, int):
            out[key] = item + seconds * 1000
        elif key == "date" and isinstance(item, str):
            out[key] = (datetime.strptime(item, "%Y-%m-%d %H:%M:%S") + timedelta(seconds=seconds)).strftime(
                "%Y-%m-%d %H:%M:%S")
        else:
            out[key] = shift_times(item, seconds)
    return out
