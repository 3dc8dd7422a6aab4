"""The leave app, tested against shenpi: no conftest, no Feishu tenant — installing shenpi gives the fixtures
(``pip install /path/to/shenpi``, from a checkout of its repository).

Bob (Alice's manager in the demo seed) decides through the same API the Feishu client uses; the app learns the
outcome from the pushed ``approval_instance`` event, as it would in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from lark_oapi.api.approval.v4 import (
    ApproveTaskRequest,
    GetInstanceRequest,
    RejectTaskRequest,
    TaskApprove,
)
from leave_app import Booking, EventEndpoint, FeishuError, LeaveApp

TOKEN = "leave-app-verification-token"


@pytest.fixture(scope="session")
def endpoint() -> Iterator[EventEndpoint]:
    """One event URL for the session (so the seed, and shenpi's fast reset, stay the same); each test plugs in
    its own app."""
    with EventEndpoint(lambda body: None) as ep:
        yield ep


@pytest.fixture
def shenpi_seed(shenpi_seed, endpoint):
    """The demo seed, with our app's event URL and verification token, as set in the Feishu console."""
    app = shenpi_seed["tenants"][0]["apps"][0]
    app.update(event_url=endpoint.url, verification_token=TOKEN)
    return shenpi_seed


@pytest.fixture
def leave_app(shenpi_server, endpoint) -> LeaveApp:
    app = LeaveApp(client=shenpi_server.client(), verification_token=TOKEN)
    endpoint.handler = app.on_event
    app.start()
    return app


def decide(shenpi_server, instance_code: str, approve: bool) -> None:
    """Bob acts on his task, through the API (as the Feishu client would)."""
    client = shenpi_server.client()
    data = client.approval.v4.instance.get(
        GetInstanceRequest.builder().instance_id(instance_code).user_id_type("user_id").build()).data
    task = next(t for t in data.task_list if t.user_id == "bob" and t.status == "PENDING")
    body = (TaskApprove.builder().approval_code("DEMO-LEAVE").instance_code(instance_code).user_id("bob")
            .task_id(task.id).build())
    if approve:
        resp = client.approval.v4.task.approve(
            ApproveTaskRequest.builder().user_id_type("user_id").request_body(body).build())
    else:
        resp = client.approval.v4.task.reject(
            RejectTaskRequest.builder().user_id_type("user_id").request_body(body).build())
    assert resp.code == 0, resp.msg


def eventually(check: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "the event did not arrive"
        time.sleep(0.02)


def test_an_approved_request_is_booked(shenpi_server, leave_app):
    code = leave_app.request_leave("alice", days=2, reason="family")
    decide(shenpi_server, code, approve=True)
    eventually(lambda: bool(leave_app.calendar))
    assert leave_app.calendar == [Booking("alice", 2, code)] and leave_app.notices == []


def test_a_rejected_request_is_reported_to_the_employee(shenpi_server, leave_app):
    code = leave_app.request_leave("alice", days=5, reason="travel")
    decide(shenpi_server, code, approve=False)
    eventually(lambda: bool(leave_app.notices))
    assert leave_app.notices == [("alice", "Your 5-day leave request was declined.")] and leave_app.calendar == []


def test_a_transient_error_is_retried_once_and_files_one_request(shenpi_server, leave_app):
    shenpi_server.fault("approval.v4.instance.create", 1395001, times=1)
    code = leave_app.request_leave("alice", days=1, reason="dentist")
    calls = shenpi_server.journal(endpoint="approval.v4.instance.create")
    assert [c["code"] for c in calls] == [1395001, 0]
    assert {e["instance_code"] for e in shenpi_server.outbox()} == {code}


def test_a_persistent_error_reaches_the_caller(shenpi_server, leave_app):
    shenpi_server.fault("approval.v4.instance.create", 99991400)
    with pytest.raises(FeishuError) as e:
        leave_app.request_leave("alice", days=1, reason="dentist")
    assert e.value.code == 99991400


def test_a_lost_push_arrives_with_feishus_retry(shenpi_server, leave_app):
    code = leave_app.request_leave("alice", days=3, reason="moving")
    shenpi_server.drop_events(times=1)
    decide(shenpi_server, code, approve=True)
    time.sleep(0.5)
    assert leave_app.calendar == []  # the push was lost; Feishu retries 15 s later
    shenpi_server.advance_clock(15)
    eventually(lambda: bool(leave_app.calendar))
    assert leave_app.calendar == [Booking("alice", 3, code)]
