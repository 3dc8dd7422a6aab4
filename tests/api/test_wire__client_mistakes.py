"""Inputs a client gets wrong answer 1390001 (HTTP 400) naming the field, never 1395001 ("try again later"):
JSON nested too deep, arrays given as scalars, a non-string approval_code, page tokens and timestamps that no
database integer holds or that are digits of another script. Sent raw, as the SDKs cannot send most of them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.seeds import definition


def _token(server, kind: str = "tenant") -> str:
    r = httpx.post(f"{server.base_url}/open-apis/auth/v3/{kind}_access_token/internal",
                   json={"app_id": "cli_acme", "app_secret": "s3cret"})
    return str(r.json()[f"{kind}_access_token"])


@pytest.fixture(scope="module")
def tenant_headers(server) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(server)}"}


@pytest.fixture(scope="module")
def user_headers(server) -> dict[str, str]:
    """alice's user_access_token, through the OAuth flow (the authorize page skipped with ?user_id)."""
    r = httpx.get(f"{server.base_url}/open-apis/authen/v1/authorize",
                  params={"app_id": "cli_acme", "redirect_uri": "https://app.example/cb", "user_id": "alice"})
    code = parse_qs(urlparse(r.headers["location"]).query)["code"][0]
    r = httpx.post(f"{server.base_url}/open-apis/authen/v1/oidc/access_token",
                   headers={"Authorization": f"Bearer {_token(server, 'app')}"},
                   json={"grant_type": "authorization_code", "code": code})
    return {"Authorization": f"Bearer {r.json()['data']['access_token']}"}


def _assert_param_invalid(r: httpx.Response, field: str) -> None:
    body = r.json()
    assert (r.status_code, body["code"]) == (400, 1390001), body
    assert r.headers["X-Tt-Logid"]
    assert field in [v["field"] for v in body["error"]["field_violations"]], body


def _nested(depth: int) -> bytes:
    return b'{"approval_name":' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("depth", [150, 1_000, 100_000])
@pytest.mark.parametrize("path", ["/open-apis/approval/v4/approvals", "/open-apis/approval/v4/instances"])
def test_json_nested_too_deep_is_a_param_error(server, tenant_headers, path, depth):
    r = httpx.post(server.base_url + path, headers={**tenant_headers, "Content-Type": "application/json"},
                   content=_nested(depth))
    _assert_param_invalid(r, "body")


def test_json_nested_within_the_bound_is_read_as_usual(server, tenant_headers):
    body = json.dumps({**_definition_with(), "approval_name": "NESTED"}).encode()
    nested = body.replace(b'"NESTED"', b"[" * 90 + b"]" * 90)
    r = httpx.post(server.base_url + "/open-apis/approval/v4/approvals",
                   headers={**tenant_headers, "Content-Type": "application/json"}, content=nested)
    _assert_param_invalid(r, "approval_name")  # read, and refused for what it says, not for its depth


def _definition_with(**changes: Any) -> dict[str, Any]:
    body = definition("X", [{"id": "mgr", "name": "@i18n@mgr", "node_type": "AND",
                             "approver": [{"type": "Supervisor", "level": "1"}]}])
    body.pop("approval_code")
    for key, value in changes.items():
        if key == "approver":
            body["node_list"][1]["approver"] = value
        else:
            body[key] = value
    return body


@pytest.mark.parametrize("field, value, named", [
    ("viewers", 1, "viewers"), ("viewers", True, "viewers"),
    ("node_list", 1, "node_list"), ("node_list", True, "node_list"),
    ("approver", 1, "node_list[1].approver"), ("approver", True, "node_list[1].approver"),
    ("approval_code", 2**63, "approval_code"), ("approval_code", [1], "approval_code"),
    ("approval_code", {"a": 1}, "approval_code"),
])
def test_definition_fields_of_the_wrong_type_are_param_errors(server, tenant_headers, field, value, named):
    r = httpx.post(server.base_url + "/open-apis/approval/v4/approvals", headers=tenant_headers,
                   json=_definition_with(**{field: value}))
    _assert_param_invalid(r, named)


LISTS = [  # (path, token kind, extra query)
    ("/open-apis/approval/v4/instances", "tenant", {"approval_code": "LEAVE", "start_time": "0", "end_time": "1"}),
    ("/open-apis/approval/v4/tasks/query", "tenant", {"user_id": "alice", "topic": "1"}),
    ("/open-apis/approval/v4/external_tasks", "tenant", {}),
    ("/open-apis/approval/v4/districts", "tenant", {}),
    ("/open-apis/approval/v4/tasks", "user", {"topic": "1"}),
    ("/open-apis/approval/v4/instances/initiated", "user", {}),
]


@pytest.mark.parametrize("token", ["9" * 20, "1" * 40, "٣", "²"])
@pytest.mark.parametrize("path, kind, query", LISTS)
def test_page_tokens_no_server_issued_are_param_errors(server, tenant_headers, user_headers, path, kind, query,
                                                       token):
    r = httpx.get(server.base_url + path, params={**query, "page_token": token, "user_id_type": "user_id"},
                  headers=tenant_headers if kind == "tenant" else user_headers)
    _assert_param_invalid(r, "page_token")


@pytest.mark.parametrize("value", ["abc", "٣", "9" * 30])
@pytest.mark.parametrize("field", ["start_timestamp", "end_timestamp"])
@pytest.mark.parametrize("path, query", [("/open-apis/approval/v4/tasks", {"topic": "1"}),
                                         ("/open-apis/approval/v4/instances/initiated", {})])
def test_timestamps_that_are_not_integers_are_param_errors(server, user_headers, path, query, field, value):
    r = httpx.get(server.base_url + path, params={**query, field: value}, headers=user_headers)
    _assert_param_invalid(r, field)
