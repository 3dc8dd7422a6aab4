"""The pytest fixture: a real server, an SDK client in one line, and a clean state for every test."""

from __future__ import annotations

import time

import httpx

from tests.testing.helpers import approve, get_approval, get_instance, pending_task, submit_leave


def test_a_test_is_three_lines_long(shenpi_server):
    resp = get_approval(shenpi_server.client())
    assert (resp.code, resp.data.approval_name) == (0, "Leave request")


def test_the_server_is_a_real_http_server_on_loopback(shenpi_server):
    assert shenpi_server.base_url.startswith("http://127.0.0.1:")
    assert httpx.get(shenpi_server.base_url + "/healthz").json()["status"] == "ok"


def test_the_client_takes_its_secret_from_the_seed(shenpi_server):
    client = shenpi_server.client("cli_demo_app")
    assert client._config.app_secret == "demo_secret"  # noqa: SLF001 - what the builder was given


def test_reset_wipes_what_a_test_did_and_costs_milliseconds(shenpi_server):
    client = shenpi_server.client()
    code = submit_leave(client)
    assert shenpi_server.outbox()
    started = time.perf_counter()
    shenpi_server.reset()
    took = time.perf_counter() - started
    assert get_instance(client, code).code == 1390003  # gone, as if never submitted
    assert shenpi_server.outbox() == []
    assert took < 0.1, f"reset took {took * 1000:.1f} ms"


def test_each_test_starts_clean_part_1(shenpi_server):
    submit_leave(shenpi_server.client())
    assert len(shenpi_server.outbox()) > 0


def test_each_test_starts_clean_part_2(shenpi_server):
    assert shenpi_server.outbox() == []  # part 1's instance did not leak in


def test_serial_numbers_start_over_after_reset(shenpi_server):
    client = shenpi_server.client()
    first = get_instance(client, submit_leave(client)).data.serial_number
    shenpi_server.reset()
    again = get_instance(client, submit_leave(client)).data.serial_number
    assert first == again


def test_tokens_survive_reset_so_running_clients_keep_working(shenpi_server):
    token = httpx.post(shenpi_server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_demo_app", "app_secret": "demo_secret"}).json()["tenant_access_token"]
    shenpi_server.reset()
    r = httpx.get(shenpi_server.base_url + "/open-apis/approval/v4/approvals/DEMO-LEAVE",
                  headers={"Authorization": f"Bearer {token}"})
    assert r.json()["code"] == 0


def test_an_sdk_client_built_before_reset_keeps_working(shenpi_server):
    client = shenpi_server.client()
    code = submit_leave(client)
    shenpi_server.reset()
    code = submit_leave(client)
    assert approve(client, code, "bob", pending_task(client, code, "bob")).code == 0
    assert get_instance(client, code).data.status == "APPROVED"


def test_the_session_server_is_the_one_the_fixture_resets(shenpi_server, shenpi_session_server):
    assert shenpi_server is shenpi_session_server
