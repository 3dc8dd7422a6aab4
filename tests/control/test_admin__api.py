"""The admin API under /_shenpi/: token-guarded, off by default; reset, export/import, journal, outbox."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from shenpi.testing import AdminCallError
from tests.testing.helpers import approve, get_approval, get_instance, pending_task, submit_leave


def test_every_admin_call_needs_the_admin_token(shenpi_server):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": shenpi_server.admin_token},
                    {"Authorization": f"Token {shenpi_server.admin_token}"}):
        r = httpx.get(shenpi_server.base_url + "/_shenpi/health", headers=headers)
        assert (r.status_code, r.json()["code"]) == (401, 401)
        assert r.headers["X-Tt-Logid"]


def test_the_admin_api_is_off_without_an_admin_token(tmp_path):
    from shenpi.server import ServerConfig, build_app

    async def call() -> httpx.Response:
        app = build_app(ServerConfig(db=f"sqlite:///{tmp_path / 'off.db'}"))
        await app.svc.open()
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
                return await c.post("/_shenpi/reset", headers={"Authorization": "Bearer anything"})
        finally:
            await app.svc.close()

    r = asyncio.run(call())
    assert (r.status_code, r.json()["code"]) == (404, 99991201)  # like any path that does not exist


def test_health_and_version(shenpi_server):
    health = shenpi_server.health()
    assert health["status"] == "ok" and health["version"] == shenpi_server.admin("GET", "version")["version"]
    assert health["schema_version"] >= 3 and health["offset_ms"] == 0


def test_unknown_admin_paths_answer_404(shenpi_server):
    with pytest.raises(AdminCallError) as e:
        shenpi_server.admin("GET", "nowhere")
    assert e.value.status == 404


def test_export_then_import_brings_back_the_whole_state(shenpi_server):
    client = shenpi_server.client()
    code = submit_leave(client)
    assert approve(client, code, "bob", pending_task(client, code, "bob")).code == 0
    before = get_instance(client, code).data
    snapshot = shenpi_server.export_state()

    shenpi_server.reset()
    assert get_instance(client, code).code == 1390003
    answer = shenpi_server.import_state(snapshot)

    assert answer["tables"]["instances"] == 1
    after = get_instance(client, code).data
    assert (after.status, after.serial_number, [t.type for t in after.timeline]) == (
        "APPROVED", before.serial_number, [t.type for t in before.timeline])
    assert shenpi_server.outbox() == [{**e, "redeliver_requested_at": 0} for e in shenpi_server.outbox()]


def test_a_snapshot_with_its_secrets_is_also_a_seed_file(shenpi_server, tmp_path):
    from shenpi.app import Shenpi
    from shenpi.seed import apply_seed, load_seed
    from shenpi.store import open_store

    submit_leave(shenpi_server.client())
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(shenpi_server.export_state(include_secrets=True)), encoding="utf-8")

    async def apply() -> list[str]:
        svc = Shenpi(open_store("sqlite:///:memory:"))
        await svc.open()
        try:
            await apply_seed(svc, load_seed(path))  # exactly what `shenpi serve --seed snapshot.json` does
            async with svc.store.transaction() as tx:
                return [d.code for d in await tx.list_definitions("demo")] + [a.app_id for a in await tx.list_apps()]
        finally:
            await svc.close()

    assert sorted(asyncio.run(apply())) == ["DEMO-EXPENSE", "DEMO-LEAVE", "cli_demo_app"]


def test_reset_to_a_snapshot_makes_it_the_baseline(shenpi_server):
    client = shenpi_server.client()
    kept = submit_leave(client)
    shenpi_server.reset(seed=shenpi_server.export_state())
    dropped = submit_leave(client)
    shenpi_server.reset()
    assert get_instance(client, kept).code == 0
    assert get_instance(client, dropped).code == 1390003


def test_import_refuses_what_is_not_a_snapshot_and_changes_nothing(shenpi_server):
    client = shenpi_server.client()
    code = submit_leave(client)
    snapshot = shenpi_server.export_state()
    newer = json.loads(json.dumps(snapshot))
    newer["shenpi_snapshot"]["schema_version"] = 10_000
    broken = json.loads(json.dumps(snapshot))
    broken["shenpi_snapshot"]["tables"]["apps"]["rows"][0][1] = "no-such-tenant"
    for bad in ({"tenants": []}, newer, broken):
        with pytest.raises(AdminCallError) as e:
            shenpi_server.import_state(bad)
        assert e.value.status == 400
    assert get_instance(client, code).code == 0


def test_the_journal_keeps_requests_with_their_answers(shenpi_server):
    client = shenpi_server.client()
    resp = get_approval(client)
    entries = shenpi_server.journal()
    token_call, get_call = entries[-2], entries[-1]
    assert token_call["path"] == "/open-apis/auth/v3/tenant_access_token/internal"
    assert token_call["request"] == {"app_id": "cli_demo_app", "app_secret": "***"}  # secrets are not kept
    assert (get_call["endpoint"], get_call["tenant_key"], get_call["app_id"]) == (
        "approval.v4.approval.get", "demo", "cli_demo_app")
    assert (get_call["status"], get_call["code"], get_call["log_id"]) == (200, 0, resp.get_log_id())
    assert get_call["response"]["data"]["approval_name"] == "Leave request"
    assert shenpi_server.journal(endpoint="approval.v4.approval.get", limit=1) == [get_call]
    assert shenpi_server.journal(tenant_key="nobody") == []
    shenpi_server.admin("DELETE", "journal")
    assert shenpi_server.journal() == []


def test_the_outbox_lists_events_and_redeliver_marks_them(shenpi_server):
    code = submit_leave(shenpi_server.client())
    events = shenpi_server.outbox(instance_code=code)
    assert events and {e["tenant_key"] for e in events} == {"demo"}
    assert {e["kind"] for e in events} >= {"instance", "task"}
    first = events[0]["id"]
    answer = shenpi_server.redeliver([first, 999_999])
    assert (answer["marked"], answer["unknown"]) == ([first], [999_999])  # the worker takes it from there
    assert shenpi_server.outbox(after_id=first, limit=1)[0]["id"] > first
    assert shenpi_server.redeliver([first], tenant_key="someone-else")["marked"] == []


@pytest.mark.parametrize("seed", [
    {"tenants": [{"name": "no key"}]},
    {"tenants": [{"tenant_key": "t", "apps": [{"app_id": "cli_x"}]}]},  # no app_secret
    {"tenants": "not a list"},
])
def test_a_bad_seed_is_refused_and_the_last_good_state_stays(shenpi_server, seed):
    with pytest.raises(AdminCallError) as e:
        shenpi_server.reset(seed)
    assert e.value.status == 400 and "invalid seed" in e.value.msg
    assert get_approval(shenpi_server.client()).code == 0  # the demo seed is still there
    shenpi_server.reset()
    assert get_approval(shenpi_server.client()).code == 0
