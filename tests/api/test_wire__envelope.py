"""The envelope every answer shares: JSON, code/msg/data, X-Tt-Logid in that exact case, never HTML."""

from __future__ import annotations

import httpx
import pytest

from shenpi.api.app import OpenApi
from shenpi.api.wire import Route, Router
from shenpi.app import Shenpi
from shenpi.store import open_store


def test_log_id_header_is_readable_by_the_sdk(client):
    from lark_oapi.api.approval.v4 import GetApprovalRequest

    resp = client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code("LEAVE").build())
    assert resp.code == 0
    assert resp.get_log_id() and len(resp.get_log_id()) > 20
    assert resp.raw.headers["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/open-apis/approval/v4/nowhere", 404, 99991201),
    ("GET", "/open-apis/approval/v4/tasks/reject", 405, 99991301),
    ("DELETE", "/open-apis/approval/v4/instances/X", 405, 99991301),
    ("GET", "/not-an-api", 404, 99991201),
])
def test_unknown_paths_and_methods_answer_json(server, method, path, status, code):
    r = httpx.request(method, server.base_url + path)
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert r.headers["X-Tt-Logid"]


def test_unexpected_errors_answer_1395001_without_a_traceback(tmp_path):
    async def boom(call):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    svc = Shenpi(open_store(f"sqlite:///{tmp_path / 'x.db'}"))
    app = OpenApi(svc)
    app.router = Router([Route("POST", "/open-apis/approval/v4/tasks/reject", "approval.v4.task.reject", boom)])

    async def run() -> httpx.Response:
        from shenpi.seed import apply_seed
        from tests.seeds import test_seed

        await svc.open()
        await apply_seed(svc, test_seed())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            token = (await c.post("/open-apis/auth/v3/tenant_access_token/internal",
                                  json={"app_id": "cli_acme", "app_secret": "s3cret"})).json()["tenant_access_token"]
            body = {"approval_code": "LEAVE", "instance_code": "I", "user_id": "bob", "task_id": "1"}  # well formed
            return await c.post("/open-apis/approval/v4/tasks/reject", json=body,
                                headers={"Authorization": f"Bearer {token}"})

    import asyncio

    r = asyncio.run(run())
    assert (r.status_code, r.json()["code"]) == (400, 1395001)
    assert r.json()["msg"] == "There have been some errors. Please try again later"
    assert "secret" not in r.text and "Traceback" not in r.text
