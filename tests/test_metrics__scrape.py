"""``GET /metrics`` read back as Prometheus reads it, after lark-oapi calls (a success, an error code, a rate-limit
rejection) and event deliveries (acknowledged, retried, dead-lettered): every count is the one driven, labelled by the
contract endpoint, never by a raw path. ``--metrics-token`` guards the scrape; ``--no-metrics`` removes it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import lark_oapi as lark
from lark_oapi.api.approval.v4 import GetApprovalRequest, SubscribeApprovalRequest
from prometheus_client.parser import text_string_to_metric_families

from shenpi.testing import forget_sdk_tokens
from shenpi.testing.process import free_port
from tests.api.helpers import create_instance
from tests.conftest import start_server
from tests.events.receiver import KEY, TOKEN, ReceiverThread
from tests.seeds import test_seed

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
GET = "approval.v4.approval.get"


def scrape(base_url: str, token: str = "") -> Samples:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.get(base_url + "/metrics", headers=headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain"), answer.text
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(answer.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every series of ``name`` whose labels include ``labels``."""
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= ls)


def wait_for(check: Callable[[], Samples | None], timeout_s: float = 60,
             between: Callable[[], object] = lambda: None) -> Samples:
    """``check``'s samples once it returns some; ``between`` runs before each next look (to move a clock)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (found := check()) is not None:
            return found
        between()
        time.sleep(0.1)
    raise AssertionError("the metrics never showed it")


def settled(samples: Samples) -> Samples | None:
    """``samples`` once every delivery is acknowledged or dead (one dead at least): nothing waits any more."""
    done = value(samples, "shenpi_outbox_depth") == 0 and value(samples, "shenpi_event_dead_letters_waiting") > 0
    return samples if done else None


def _client(base_url: str, app_id: str, secret: str) -> lark.Client:
    return (lark.Client.builder().app_id(app_id).app_secret(secret).domain(base_url)
            .log_level(lark.LogLevel.ERROR).build())


def _get(client: lark.Client, code: str) -> lark.BaseResponse:
    return client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code(code).build())


def test_requests_rate_limits_and_deliveries_are_counted(backend, tmp_path):
    rx = ReceiverThread()
    seed = test_seed()
    acme, slow = seed["tenants"][0], next(t for t in seed["tenants"] if t["tenant_key"] == "slow")
    slow["rate_limit_scale"] = 0.01  # one call of a kind a minute
    for app in acme["apps"]:
        if app["app_id"] == "cli_acme":
            app.update(event_url=rx.receiver.url, encrypt_key=KEY, verification_token=TOKEN)
    acme["apps"].append({"app_id": "cli_acme_gone", "app_secret": "gone", "scopes": ["approval:approval"],
                         "event_url": f"http://127.0.0.1:{free_port()}/events"})  # nothing listens there
    srv = start_server(tmp_path, "metrics", backend, seed, args=["--event-retry-scale", "0.00005"])
    forget_sdk_tokens()
    try:
        acme_client = _client(srv.base_url, "cli_acme", "s3cret")
        gone_client = _client(srv.base_url, "cli_acme_gone", "gone")
        slow_client = _client(srv.base_url, "cli_slow", "slow")
        assert _get(acme_client, "LEAVE").code == 0
        assert _get(acme_client, "NOPE").code == 1390002
        assert _get(slow_client, "SLOW").code == 0
        limited = _get(slow_client, "SLOW")
        assert (limited.code, limited.raw.status_code) == (99991400, 429)
        for client in (acme_client, gone_client):
            assert client.approval.v4.approval.subscribe(
                SubscribeApprovalRequest.builder().approval_code("AND2").build()).code == 0
        create_instance(acme_client, "AND2")
        # The retries to the app nobody listens for come due as the server's clock moves a second at a time (each
        # move wakes the delivery worker) rather than at the scaled schedule's pace; a second is far less than a
        # lease (10 s), so no send in flight loses its claim.
        samples = wait_for(lambda: settled(scrape(srv.base_url)), between=lambda: srv.advance_clock(1))
        dead = srv.admin("GET", "deliveries", params={"state": "dead"})["items"]
        delivered = srv.admin("GET", "deliveries", params={"state": "delivered"})["items"]
    finally:
        srv.close()
        rx.close()
        forget_sdk_tokens()

    assert value(samples, "shenpi_api_requests_total", endpoint=GET, code="0", status="200") == 2
    assert value(samples, "shenpi_api_requests_total", endpoint=GET, code="1390002", status="400") == 1
    assert value(samples, "shenpi_api_requests_total", endpoint=GET, code="99991400", status="429") == 1
    assert value(samples, "shenpi_rate_limit_rejections_total", endpoint=GET) == 1
    assert value(samples, "shenpi_api_requests_total", endpoint="approval.v4.approval.subscribe", code="0",
                 status="200") == 2
    assert value(samples, "shenpi_api_request_duration_seconds_count", endpoint=GET) == 4
    assert value(samples, "shenpi_api_requests_total", endpoint="auth.v3.tenant_access_token", code="0",
                 status="200") == 3
    # labels are contract names: no path, no app id, no instance code
    labels = {v for (_, ls) in samples for k, v in ls if k == "endpoint"}
    assert not [v for v in labels if "/" in v] and "cli_acme" not in str(samples)

    assert dead and delivered
    assert value(samples, "shenpi_event_dead_letters_waiting") == len(dead)
    assert value(samples, "shenpi_event_delivery_attempts_total", result="dead") == len(dead)
    assert value(samples, "shenpi_event_dead_letters_total") == len(dead)
    retries = sum(d["attempts"] for d in dead) - len(dead)  # every attempt but the last
    assert value(samples, "shenpi_event_delivery_attempts_total", result="retry") == retries
    assert value(samples, "shenpi_event_delivery_retries_total") == retries
    assert value(samples, "shenpi_event_delivery_attempts_total", result="delivered") == len(delivered)
    assert value(samples, "shenpi_event_delivery_latency_seconds_count") == len(delivered)
    assert value(samples, "shenpi_event_delivery_latency_seconds_sum") > 0


def test_a_metrics_token_guards_the_scrape(tmp_path):
    srv = start_server(tmp_path, "guarded", args=["--no-events", "--metrics-token", "scrape-me"])
    try:
        posted = httpx.post(srv.base_url + "/metrics", headers={"Authorization": "Bearer scrape-me"})
        refused = httpx.get(srv.base_url + "/metrics")
        wrong = httpx.get(srv.base_url + "/metrics", headers={"Authorization": "Bearer scrape-you"})
        samples = scrape(srv.base_url, "scrape-me")
    finally:
        srv.close()
    assert (refused.status_code, refused.json()["code"]) == (401, 401)
    assert posted.status_code == 405 and "shenpi_" not in posted.text
    assert wrong.status_code == 401 and "shenpi_" not in wrong.text
    assert value(samples, "shenpi_outbox_depth") == 0


def test_no_metrics_means_no_scrape(tmp_path: Path):
    srv = start_server(tmp_path, "unmetered", args=["--no-events", "--no-metrics"])
    try:
        answer = httpx.get(srv.base_url + "/metrics")
    finally:
        srv.close()
    assert answer.status_code == 404 and "shenpi_" not in answer.text
