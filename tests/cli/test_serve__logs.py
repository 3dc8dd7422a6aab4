"""What ``shenpi serve`` writes to stdout, read back from a real server: a start line also without ``--demo``, one
line per Open API request (plain ``key=value`` text, or one JSON object with exactly the documented keys), a line per
event delivery attempt (delivered, retried, dead-lettered), and never a secret."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import lark_oapi as lark
from lark_oapi.api.approval.v4 import SubscribeApprovalRequest

from shenpi.testing import forget_sdk_tokens
from shenpi.testing.process import free_port
from tests.api.helpers import create_instance
from tests.cli.serving import Served, serve
from tests.events.receiver import KEY, TOKEN, ReceiverThread
from tests.seeds import test_seed

ADMIN_TOKEN = "admin-token-never-logged"
QUERY_SECRET = "query-secret-never-logged"
PLAIN = re.compile(r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<method>[A-Z]+) (?P<path>\S+) "
                   r"status=(?P<status>\d+) code=(?P<code>\d+) duration_ms=(?P<duration_ms>\d+\.\d) "
                   r"log_id=(?P<log_id>\S+) app_id=(?P<app_id>\S+)$")
START = re.compile(r"^\S+Z shenpi \S+ serving on (?P<address>\S+) database=(?P<database>\S+) workers=(?P<workers>\d+) "
                   r"admin_api=(?P<admin>on|off) events=(?P<events>on|off) demo=(?P<demo>on|off)$")
REQUEST_KEYS = {"time", "method", "path", "status", "code", "duration_ms", "log_id", "app_id"}


def _serve(tmp: Path, *args: str, seed: dict[str, Any] | None = None) -> Served:
    seed_path = tmp / "seed.json"
    seed_path.write_text(json.dumps(seed or test_seed()), encoding="utf-8")
    return serve(["--db", f"sqlite:///{tmp / 'logs.db'}", "--seed", str(seed_path), "--admin-token", ADMIN_TOKEN,
                  *args], tmp)


def _calls(base: str) -> list[tuple[str, str, httpx.Response, str | None]]:
    """A token, a call that succeeds, one that fails, an unknown path: (method, path, answer, app id)."""
    token = httpx.post(base + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"})
    auth = {"Authorization": f"Bearer {token.json()['tenant_access_token']}"}
    ok = httpx.get(base + "/open-apis/approval/v4/approvals/LEAVE", headers=auth)
    missing = httpx.get(base + f"/open-apis/approval/v4/approvals/NOPE?user_id_type=open_id&secret={QUERY_SECRET}",
                        headers=auth)
    unknown = httpx.get(base + "/open-apis/approval/v4/nothing-here")
    assert (ok.json()["code"], token.json()["code"]) == (0, 0) and missing.json()["code"] != 0
    return [("POST", "/open-apis/auth/v3/tenant_access_token/internal", token, "cli_acme"),
            ("GET", "/open-apis/approval/v4/approvals/LEAVE", ok, "cli_acme"),
            ("GET", "/open-apis/approval/v4/approvals/NOPE", missing, "cli_acme"),
            ("GET", "/open-apis/approval/v4/nothing-here", unknown, None)]


def _secrets_absent(text: str, calls: list[tuple[str, str, httpx.Response, str | None]]) -> None:
    token = calls[0][2].json()["tenant_access_token"]
    for secret in (token, "s3cret", ADMIN_TOKEN, QUERY_SECRET):
        assert secret not in text


def test_plain_lines_name_each_request_with_its_status_code_log_id_and_app(tmp_path):
    srv = _serve(tmp_path, "--no-events")
    try:
        calls = _calls(srv.base_url)
    finally:
        out, err = srv.stop()
    lines = out.splitlines()
    start = START.match(lines[0])
    assert start, out
    assert (start["address"], start["workers"], start["admin"], start["events"], start["demo"]) == \
        (srv.base_url, "1", "on", "off", "off")
    requests = {m["log_id"]: m for m in map(PLAIN.match, lines) if m}
    assert len(requests) == len(calls), out
    for method, path, answer, app_id in calls:
        line = requests[answer.headers["X-Tt-Logid"]]
        assert (line["method"], line["path"], int(line["status"]), int(line["code"]), line["app_id"]) == \
            (method, path, answer.status_code, answer.json()["code"], app_id or "None")
        assert float(line["duration_ms"]) < 10_000
    _secrets_absent(out + err, calls)


def test_json_lines_have_exactly_the_documented_keys(tmp_path):
    srv = _serve(tmp_path, "--no-events", "--log-format", "json")
    try:
        calls = _calls(srv.base_url)
    finally:
        out, err = srv.stop()
    records = [json.loads(line) for line in out.splitlines()]  # every line of stdout is one JSON object
    start = records[0]
    assert (start["address"], start["workers"], start["admin_api"], start["events"], start["demo"]) == \
        (srv.base_url, 1, "on", "off", "off")
    requests = {r["log_id"]: r for r in records if "method" in r}
    assert len(requests) == len(calls), out
    for method, path, answer, app_id in calls:
        record = requests[answer.headers["X-Tt-Logid"]]
        assert set(record) == REQUEST_KEYS
        assert (record["method"], record["path"], record["status"], record["code"], record["app_id"]) == \
            (method, path, answer.status_code, answer.json()["code"], app_id)
        assert isinstance(record["duration_ms"], float) and re.fullmatch(r"\S+T\S+Z", record["time"])
    _secrets_absent(out + err, calls)


def _wait_for(srv: Served, pattern: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = srv.out.read_text(encoding="utf-8")
        if re.search(pattern, out, re.M):
            return out
        time.sleep(0.1)
    raise AssertionError(f"no line matching {pattern!r} in:\n{srv.out.read_text(encoding='utf-8')}")


def test_deliveries_and_dead_letters_are_logged_without_the_receivers_query(tmp_path):
    rx = ReceiverThread()
    seed = test_seed()
    apps = seed["tenants"][0]["apps"]
    for app in apps:
        if app["app_id"] == "cli_acme":
            app.update(event_url=rx.receiver.url, encrypt_key=KEY, verification_token=TOKEN)
    nobody = f"http://127.0.0.1:{free_port()}/events?token={QUERY_SECRET}"  # nothing listens there
    apps.append({"app_id": "cli_acme_gone", "app_secret": "gone", "scopes": ["approval:approval"], "event_url": nobody})
    srv = _serve(tmp_path, "--event-retry-scale", "0.00005", "--log-format", "json", seed=seed)
    forget_sdk_tokens()
    try:
        clients = {app_id: lark.Client.builder().app_id(app_id).app_secret(secret).domain(srv.base_url)
                   .log_level(lark.LogLevel.ERROR).build() for app_id, secret in (("cli_acme", "s3cret"),
                                                                                 ("cli_acme_gone", "gone"))}
        for client in clients.values():
            subscribe = SubscribeApprovalRequest.builder().approval_code("AND2").build()
            assert client.approval.v4.approval.subscribe(subscribe).code == 0
        create_instance(clients["cli_acme"], "AND2")
        _wait_for(srv, r'"delivery": "delivered".*"app_id": "cli_acme"')
        out = _wait_for(srv, r'"delivery": "dead".*"app_id": "cli_acme_gone"')
    finally:
        srv.stop()
        rx.close()
        forget_sdk_tokens()
    attempts = [json.loads(line) for line in out.splitlines() if '"delivery"' in line]
    gone = [a for a in attempts if a["app_id"] == "cli_acme_gone"]
    first = gone[0]["event_id"]
    assert [(a["delivery"], a["attempt"]) for a in gone if a["event_id"] == first] == \
        [("retry", 1), ("retry", 2), ("retry", 3), ("retry", 4), ("dead", 5)]
    assert all(a["error"] for a in gone)
    delivered = [a for a in attempts if a["app_id"] == "cli_acme"]
    assert delivered and all(a["delivery"] == "delivered" and a["error"] is None for a in delivered)
    assert set(attempts[0]) == {"time", "delivery", "event_id", "app_id", "attempt", "duration_ms", "error"}
    assert QUERY_SECRET not in out


HTTP_PLAIN = re.compile(r"^\S+Z (?P<method>[A-Z]+) (?P<path>\S+) status=(?P<status>\d+) "
                        r"duration_ms=\d+\.\d area=(?P<area>web|admin)$")


def test_web_and_admin_requests_have_a_line_without_secrets_and_health_checks_none(tmp_path):
    password = "password-never-logged"
    seed = test_seed()
    seed["tenants"][0]["users"][0]["password"] = password
    user = seed["tenants"][0]["users"][0]["user_id"]
    srv = _serve(tmp_path, "--no-events", seed=seed)
    try:
        with httpx.Client(base_url=srv.base_url) as web:
            web.get("/login", params={"next": f"/inbox?secret={QUERY_SECRET}"})
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/login").text)
            assert csrf
            signed_in = web.post("/login", data={"csrf_token": csrf[1], "tenant_key": "acme", "user_id": user,
                                                 "password": password})
            assert signed_in.status_code == 303, signed_in.text
            session = "; ".join(f"{k}={v}" for k, v in web.cookies.items())
            assert web.get("/inbox").status_code == 200
        admin = httpx.get(srv.base_url + "/_shenpi/health", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        refused = httpx.get(srv.base_url + "/_shenpi/health", headers={"Authorization": "Bearer guess"})
        assert (admin.status_code, refused.status_code) == (200, 401)
        assert httpx.get(srv.base_url + "/healthz").status_code == 200
        assert httpx.get(srv.base_url + "/metrics").status_code == 200
    finally:
        out, err = srv.stop()
    lines = [(m["method"], m["path"], int(m["status"]), m["area"]) for m in map(HTTP_PLAIN.match, out.splitlines()) if m]
    assert lines == [("GET", "/login", 200, "web"), ("GET", "/login", 200, "web"), ("POST", "/login", 303, "web"),
                     ("GET", "/inbox", 200, "web"), ("GET", "/_shenpi/health", 200, "admin"),
                     ("GET", "/_shenpi/health", 401, "admin")], out
    assert "/healthz" not in out and "/metrics" not in out
    for secret in (password, QUERY_SECRET, ADMIN_TOKEN, session, csrf[1]):
        assert secret not in out + err


def test_web_and_admin_json_lines_have_exactly_the_documented_keys(tmp_path):
    srv = _serve(tmp_path, "--no-events", "--log-format", "json")
    try:
        assert httpx.get(srv.base_url + "/login").status_code == 200
        assert httpx.get(srv.base_url + "/_shenpi/version", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).is_success
    finally:
        out, _ = srv.stop()
    records = [json.loads(line) for line in out.splitlines()]
    areas = [r for r in records if "area" in r]
    assert [(r["method"], r["path"], r["status"], r["area"]) for r in areas] == \
        [("GET", "/login", 200, "web"), ("GET", "/_shenpi/version", 200, "admin")]
    assert all(set(r) == {"time", "method", "path", "status", "duration_ms", "area"} for r in areas)
