"""Faults on demand: the faulted answer is the real one (status, msg, headers, log id) and changes nothing."""

from __future__ import annotations

import copy
import json
import time

import httpx
import pytest

from shenpi.demo import demo_seed
from shenpi.testing import AdminCallError
from tests.testing.helpers import approve, create_leave, get_approval, get_instance, pending_task, submit_leave


@pytest.fixture
def shenpi_seed():
    """The demo tenant, and 'tight': the same, with rate limits scaled to one call a minute."""
    seed = demo_seed()
    tight = copy.deepcopy(seed["tenants"][0])
    tight.update(tenant_key="tight", rate_limit_scale=0.01)
    tight["apps"][0].update(app_id="cli_tight", app_secret="tight")
    seed["tenants"].append(tight)
    return seed


def _shape(resp) -> tuple:
    """What a client can see of an answer, minus the log id's value."""
    body = resp.json() if isinstance(resp, httpx.Response) else json.loads(resp.raw.content)
    status = resp.status_code if isinstance(resp, httpx.Response) else resp.raw.status_code
    headers = resp.headers if isinstance(resp, httpx.Response) else resp.raw.headers
    error = dict(body.get("error", {}))
    assert error.pop("log_id") == headers["X-Tt-Logid"]
    return (status, body["code"], body["msg"], body["data"], error, headers["Content-Type"],
            sorted(h.lower() for h in headers if h.lower().startswith("x-ogw")))


def test_a_faulted_1395001_is_feishus_internal_error_and_changes_nothing(shenpi_server):
    client = shenpi_server.client()
    code = submit_leave(client)
    task = pending_task(client, code, "bob")
    shenpi_server.fault("approval.v4.task.approve", 1395001, times=1)

    resp = approve(client, code, "bob", task)

    assert _shape(resp) == (400, 1395001, "There have been some errors. Please try again later", {}, {},
                            "application/json; charset=utf-8", [])
    assert get_instance(client, code).data.status == "PENDING"  # the approve did not happen
    assert approve(client, code, "bob", task).code == 0  # and the next call is served


def test_a_faulted_99991663_matches_a_real_one(shenpi_server):
    real = httpx.get(shenpi_server.base_url + "/open-apis/approval/v4/approvals/DEMO-LEAVE",
                     headers={"Authorization": "Bearer t-not-a-token"})
    shenpi_server.fault("approval.v4.approval.get", 99991663)
    faulted = get_approval(shenpi_server.client())
    assert _shape(faulted) == _shape(real)
    assert _shape(real)[:3] == (400, 99991663,
                                "Invalid access token for authorization. Please make a request with token attached.")


def test_a_faulted_99991400_matches_a_real_one(shenpi_server):
    tight = shenpi_server.client("cli_tight")
    assert get_approval(tight).code == 0
    real = get_approval(tight)  # the second call in a minute, over the limit of one
    shenpi_server.reset()
    shenpi_server.fault("approval.v4.approval.get", 99991400, tenant_key="tight")
    faulted = get_approval(shenpi_server.client("cli_tight"))
    assert _shape(faulted) == _shape(real)
    assert _shape(real)[:2] == (429, 99991400)
    assert faulted.raw.headers["x-ogw-ratelimit-limit"] == real.raw.headers["x-ogw-ratelimit-limit"] == "1"
    assert 1 <= int(faulted.raw.headers["x-ogw-ratelimit-reset"]) <= 60


def test_a_faulted_create_creates_nothing_so_the_retry_with_the_same_uuid_succeeds(shenpi_server):
    client = shenpi_server.client()
    shenpi_server.fault("approval.v4.instance.create", 1395001, times=1)
    assert create_leave(client, uuid="leave-42").code == 1395001
    retry = create_leave(client, uuid="leave-42")
    assert retry.code == 0  # not 60012: the faulted call left no instance behind
    assert len(shenpi_server.outbox()) == len(shenpi_server.outbox(instance_code=retry.data.instance_code))


def test_a_faulted_call_does_not_count_against_the_rate_limit(shenpi_server):
    tight = shenpi_server.client("cli_tight")
    shenpi_server.fault("approval.v4.approval.get", 1395001, times=3, tenant_key="tight")
    assert [get_approval(tight).code for _ in range(4)] == [1395001, 1395001, 1395001, 0]


def test_times_counts_down_then_the_rule_is_spent(shenpi_server):
    client = shenpi_server.client()
    rule = shenpi_server.fault("approval.v4.approval.get", 1395001, times=2)
    assert [get_approval(client).code for _ in range(3)] == [1395001, 1395001, 0]
    (listed,) = shenpi_server.faults()
    assert (listed["id"], listed["hits"], listed["remaining"]) == (rule["id"], 2, 0)


def test_probability_with_a_seed_is_reproducible(shenpi_server):
    client = shenpi_server.client()

    def codes() -> list[int]:
        shenpi_server.fault("approval.v4.approval.get", 1395001, probability=0.5, seed=7)
        return [get_approval(client).code for _ in range(16)]

    first = codes()
    shenpi_server.reset()
    assert codes() == first
    assert set(first) == {0, 1395001}


def test_latency_delays_the_answer_without_changing_it(shenpi_server):
    client = shenpi_server.client()
    get_approval(client)  # fetch the token first, so only the faulted call is timed
    shenpi_server.fault("approval.v4.approval.get", latency_ms=300, times=1)
    started = time.perf_counter()
    assert get_approval(client).code == 0
    assert time.perf_counter() - started >= 0.3


def test_faults_are_per_tenant(shenpi_server):
    shenpi_server.fault("approval.v4.*", 1395001, tenant_key="demo")
    assert get_approval(shenpi_server.client("cli_demo_app")).code == 1395001
    assert get_approval(shenpi_server.client("cli_tight")).code == 0


def test_a_wildcard_covers_every_endpoint_it_matches(shenpi_server):
    client = shenpi_server.client()
    shenpi_server.fault("approval.v4.*", 1395001)
    assert get_approval(client).code == 1395001
    assert create_leave(client).code == 1395001


def test_reset_and_delete_clear_faults(shenpi_server):
    client = shenpi_server.client()
    one = shenpi_server.fault("approval.v4.approval.get", 1395001)
    shenpi_server.clear_faults(one["id"])
    assert get_approval(client).code == 0
    shenpi_server.fault("approval.v4.approval.get", 1395001)
    shenpi_server.reset()
    assert shenpi_server.faults() == [] and get_approval(client).code == 0


@pytest.mark.parametrize("bad", [
    {"endpoint": "approval.v4.nothing.here", "code": 1395001},
    {"endpoint": "approval.v4.approval.get", "code": 12345},  # unknown code and no msg/http_status
    {"endpoint": "approval.v4.approval.get"},  # nothing to do
    {"endpoint": "approval.v4.approval.get", "code": 1395001, "probability": 2},
    {"endpoint": "approval.v4.approval.get", "code": 1395001, "times": 0},
    {"drop_events": True, "code": 1395001},
    {"endpoint": "approval.v4.approval.get", "code": 1395001, "colour": "red"},
])
def test_a_rule_that_makes_no_sense_is_refused(shenpi_server, bad):
    with pytest.raises(AdminCallError) as e:
        shenpi_server.admin("POST", "faults", bad)
    assert e.value.status == 400
    assert shenpi_server.faults() == []


def test_any_code_with_its_own_msg_and_status(shenpi_server):
    shenpi_server.fault("approval.v4.approval.get", 12345, msg="made up", http_status=503)
    resp = get_approval(shenpi_server.client())
    assert (resp.raw.status_code, resp.code, resp.msg) == (503, 12345, "made up")
