"""Whatever a client sends to any endpoint, shenpi answers like Feishu: a JSON envelope with the log id header, a
code the endpoint's contract lists with the HTTP status it lists (or a gateway code with a 4xx), never 1395001 or
a 5xx, and a refused request changes nothing.

Requests are generated from each endpoint's contract (``shenpi/contract/endpoints``): bodies and query values that
follow its schemas, the same with one field broken or missing, arbitrary JSON, and bytes that are not JSON at all;
identifiers are drawn now and then from real ones (an instance, its tasks, a definition, a user) so that requests
get past lookups and into the handlers. Every request carries a valid token of the kind the route takes, for an app
holding every scope, so the answers are the handlers' own: the test counts, per endpoint, how many got past
authentication, and a run where most did not proves nothing.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from shenpi.api.app import ROUTES
from shenpi.contract import load
from shenpi.testing import ShenpiProcess
from tests.api.helpers import create_instance, pending_task
from tests.conftest import start_server
from tests.seeds import test_seed

EXAMPLES = 40  # per endpoint; 64 endpoints x 40 requests stay well inside the suite's budget
# The suite draws the same requests on every run, so that CI is repeatable; SHENPI_FUZZ_RANDOM=1 draws new ones (and
# a failure there prints the example that reproduces it).
DERANDOMIZE = os.environ.get("SHENPI_FUZZ_RANDOM") != "1"
APP = "cli_fuzz"
AUTH_CODES = {99991661, 99991663, 99991664, 99991668, 99991671, 99991672}
# Codes any endpoint may answer: the gateway's (no such path, another method, rate limit, body limits) besides
# authentication's.
PLATFORM_CODES = AUTH_CODES | {99991201, 99991301, 99991400, 99992402}
VOLATILE_TABLES = {"rate_counters", "tokens"}  # every request counts against a limit; tokens are issued at setup

CONTRACT = load()


def _all_scopes() -> list[str]:
    named: set[str] = set()
    for ep in CONTRACT.values():
        named.update(ep.scopes)
        named.update(s for scopes in ep.field_scopes.values() for s in scopes)
    return sorted(named)


def _fuzz_seed() -> dict[str, Any]:
    seed = copy.deepcopy(test_seed())
    acme = next(t for t in seed["tenants"] if t["tenant_key"] == "acme")
    acme["apps"].append({"app_id": APP, "app_secret": "fuzz", "scopes": _all_scopes()})
    return seed


class Target:
    """The server under fuzz, its tokens, and real identifiers to draw from."""

    def __init__(self, srv: ShenpiProcess) -> None:
        self.srv = srv
        self.http = httpx.Client(base_url=srv.base_url, timeout=30)
        self.tokens = {
            "tenant": self._token("tenant"),
            "app": self._token("app"),
            "user": subprocess.run([sys.executable, "-m", "shenpi", "token", "user", "alice", "--app", APP,
                                    "--db", srv.db_url], check=True, capture_output=True, text=True).stdout.strip(),
        }
        client = srv.client(APP)
        instances = [create_instance(client, "LEAVE", "alice") for _ in range(3)]
        self.pools: dict[str, list[Any]] = {
            "approval_code": ["LEAVE", "SIGNED", "NOPE"],
            "definition_code": ["LEAVE"],
            "instance_code": instances,
            "instance_id": instances,
            "approval_instance_id": instances,
            "task_id": [pending_task(client, i, "bob") for i in instances],
            "approval_task_id": [],
            "user_id": ["alice", "bob", "ou_alice", "nobody"],
            "comment_id": ["1", "2"],
            "locale": ["zh-CN", "en-US"],
            "user_id_type": ["user_id", "open_id", "union_id"],
        }
        self.pools["approval_task_id"] = self.pools["task_id"]

    def _token(self, kind: str) -> str:
        answer = self.http.post(f"/open-apis/auth/v3/{kind}_access_token/internal",
                                json={"app_id": APP, "app_secret": "fuzz"}).json()
        return str(answer[f"{kind}_access_token"])

    def state(self) -> dict[str, Any]:
        tables = self.srv.export_state()["shenpi_snapshot"]["tables"]
        return {k: v for k, v in tables.items() if k not in VOLATILE_TABLES}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    srv = start_server(tmp_path_factory.mktemp("fuzz"), "fuzz", seed=_fuzz_seed())
    t = Target(srv)
    yield t
    t.http.close()
    srv.close()


# -- strategies ---------------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
ODD_TEXT = st.sampled_from(["", "0", "-1", "9" * 25, "١٢٣", "1e308", "abc", "null", "%00", "💥" * 3, "a" * 5000])


def _schema_values(schema: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    if not schema:
        return st.fixed_dictionaries({})
    try:
        return from_schema(schema)
    except Exception:  # a schema hypothesis-jsonschema cannot draw from: arbitrary objects still probe it
        return st.dictionaries(st.text(max_size=12), JSON, max_size=6)


def _with_pools(draw: st.DrawFn, value: Any, pools: dict[str, list[Any]]) -> Any:
    """``value`` with some of its known identifiers swapped for real ones."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in pools and pools[k] and draw(st.booleans()):
                v = draw(st.sampled_from(pools[k]))
                if isinstance(value.get(k), list):
                    v = [v]
            out[k] = _with_pools(draw, v, pools)
        return out
    if isinstance(value, list):
        return [_with_pools(draw, v, pools) for v in value]
    return value


def _broken(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with one member replaced by arbitrary JSON, or dropped."""
    if not isinstance(value, dict) or not value:
        return draw(JSON)
    key = draw(st.sampled_from(sorted(value)))
    out = dict(value)
    if draw(st.booleans()):
        del out[key]
    else:
        out[key] = draw(JSON)
    return out


@st.composite
def requests(draw: st.DrawFn, endpoint: str, pools: dict[str, list[Any]]) -> tuple[dict[str, str], dict[str, str],
                                                                                   bytes | None]:
    ep = CONTRACT.get(endpoint)
    query_schema = ep.query if ep else {}
    path_schema = ep.path_params if ep else {}
    route = next(r for r in ROUTES if r.endpoint == endpoint)
    path_names = [part[1:] for part in route.path.split("/") if part.startswith(":")]
    path = {}
    for name in path_names:
        pool = pools.get(name) or []
        prop = (path_schema.get("properties") or {}).get(name)
        path[name] = str(draw(st.sampled_from(pool) if pool and draw(st.booleans()) else
                              st.one_of(ODD_TEXT, st.text(min_size=1, max_size=30), _scalar(prop))))
    query: dict[str, str] = {}
    for name, prop in (query_schema.get("properties") or {}).items():
        choice = draw(st.integers(0, 3))
        if choice == 0:
            continue
        pool = pools.get(name) or []
        value = draw(st.sampled_from(pool)) if choice == 1 and pool else draw(_scalar(prop)) if choice < 3 else \
            draw(ODD_TEXT)
        query[name] = value if isinstance(value, str) else json.dumps(value)
    if route.method == "GET":
        return path, query, None
    kind = draw(st.integers(0, 9))
    valid = _with_pools(draw, draw(_schema_values(ep.body if ep else None)), pools)
    if kind < 5:
        body: Any = valid
    elif kind < 8:
        body = _broken(draw, valid)
    elif kind == 8:
        body = draw(JSON)
    else:
        return path, query, draw(st.binary(max_size=40))
    return path, query, json.dumps(body).encode()


def _scalar(schema: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    if not schema:
        return st.text(max_size=20)
    try:
        return from_schema(schema).map(lambda v: v if isinstance(v, str) else json.dumps(v))
    except Exception:
        return st.text(max_size=20)


# -- the test -----------------------------------------------------------------------------------------------------

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
READS_BY_POST = {"query", "search", "search_cc", "check", "preview", "rollback_points", "batch_get_id"}


def _changes_state(endpoint: str, method: str) -> bool:
    return method in WRITES and endpoint.rsplit(".", 1)[-1] not in READS_BY_POST


@pytest.mark.parametrize("endpoint", sorted(r.endpoint for r in ROUTES))
def test_any_request_answers_a_documented_envelope(target: Target, endpoint: str) -> None:
    route = next(r for r in ROUTES if r.endpoint == endpoint)
    ep = CONTRACT.get(endpoint)
    documented = {} if ep is None else {e.code: e.http for e in ep.errors}
    token = target.tokens[route.tokens[0]]
    seen: Counter[int] = Counter()
    undocumented: dict[tuple[int, int], str] = {}  # (code, status) -> one request that got it

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(requests(endpoint, target.pools))
    def one(request: tuple[dict[str, str], dict[str, str], bytes | None]) -> None:
        path_values, query, body = request
        url = route.path
        for name, value in path_values.items():
            url = url.replace(f":{name}", quote(value, safe="") or "x")
        guard = _changes_state(endpoint, route.method)
        before = target.state() if guard else None
        answer = target.http.request(route.method, url, params=query, content=body,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json; charset=utf-8"})
        where = f"{route.method} {url} {query} {body!r:.300} -> {answer.status_code} {answer.text[:300]}"
        assert answer.headers.get("X-Tt-Logid"), where
        assert answer.headers.get("content-type", "").startswith("application/json"), where
        envelope = answer.json()
        assert isinstance(envelope, dict) and isinstance(envelope.get("code"), int), where
        assert isinstance(envelope.get("msg"), str), where
        code = envelope["code"]
        seen[code] += 1
        assert answer.status_code < 500 and code != 1395001, where
        if code == 0:
            assert answer.status_code == 200, where
        elif code in documented:
            assert answer.status_code == documented[code], f"the contract gives HTTP {documented[code]}: {where}"
        elif code in PLATFORM_CODES:
            assert 400 <= answer.status_code < 500, where
        else:
            undocumented.setdefault((code, answer.status_code), where)
        if code != 0 and before is not None:
            assert target.state() == before, f"a refused request changed the state: {where}"

    one()
    assert not undocumented, f"{endpoint} answered codes its contract does not list: " + "\n".join(
        f"{code} (HTTP {status}) for {where}" for (code, status), where in sorted(undocumented.items()))
    total = sum(seen.values())
    past_auth = total - sum(n for code, n in seen.items() if code in AUTH_CODES)
    assert past_auth >= 0.8 * total, f"{endpoint}: only {past_auth} of {total} answers got past authentication {seen}"
