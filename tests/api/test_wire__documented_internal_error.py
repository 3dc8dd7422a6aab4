"""A server fault (here: the database failing as the call starts) answers each endpoint's documented internal error:
1395001 "There have been some errors. Please try again later", at the HTTP status the endpoint's page lists it
with, and nothing of the fault itself. The statuses are written from the pages:

- HTTP 400 on the approval definition, instance and external pages, e.g.
  https://open.feishu.cn/document/server-docs/approval-v4/instance/create
- HTTP 500 on the district pages: https://open.feishu.cn/document/server-docs/approval-v4/district/list and
  https://open.feishu.cn/document/server-docs/approval-v4/district/search
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import httpx
import pytest

from shenpi.api.app import ROUTES, OpenApi
from shenpi.app import Shenpi
from shenpi.hooks import ServerHooks
from shenpi.seed import apply_seed
from shenpi.store import open_store
from tests.seeds import test_seed

PAGE_STATUS = {
    "approval.v4.approval.create": 400, "approval.v4.approval.get": 400, "approval.v4.approval.subscribe": 400,
    "approval.v4.approval.unsubscribe": 400, "approval.v4.district.list": 500, "approval.v4.district.search": 500,
    "approval.v4.external_approval.create": 400, "approval.v4.external_instance.check": 400,
    "approval.v4.external_instance.create": 400, "approval.v4.instance.cancel": 400, "approval.v4.instance.cc": 400,
    "approval.v4.instance.create": 400, "approval.v4.instance.get": 400, "approval.v4.instance.list": 400,
    "approval.v4.instance.query": 400, "approval.v4.instance.search_cc": 400,
}
ROUTE_OF = {r.endpoint: r for r in ROUTES}


class FailingDatabase(ServerHooks):
    async def before_call(self, scope: Any, tenant_key: str, app_id: str, endpoint: str) -> None:
        raise sqlite3.OperationalError("disk I/O error at /var/lib/secret.db")  # what a full disk raises


@pytest.mark.parametrize("endpoint", sorted(PAGE_STATUS))
def test_a_server_fault_answers_1395001_at_the_pages_status(tmp_path, endpoint):
    route = ROUTE_OF[endpoint]
    path = "/".join("X" if part.startswith(":") else part for part in route.path.split("/"))
    svc = Shenpi(open_store(f"sqlite:///{tmp_path / 'x.db'}"))

    async def run() -> httpx.Response:
        await svc.open()
        await apply_seed(svc, test_seed())
        transport = httpx.ASGITransport(app=OpenApi(svc, FailingDatabase()), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            try:
                token = (await c.post("/open-apis/auth/v3/tenant_access_token/internal", json={
                    "app_id": "cli_acme", "app_secret": "s3cret"})).json()["tenant_access_token"]
                return await c.request(route.method, path, json={} if route.method == "POST" else None,
                                       headers={"Authorization": f"Bearer {token}"})
            finally:
                await svc.close()

    r = asyncio.run(run())
    assert (r.status_code, r.json()["code"]) == (PAGE_STATUS[endpoint], 1395001)
    assert r.json()["msg"] == "There have been some errors. Please try again later"
    assert "secret" not in r.text and r.headers["X-Tt-Logid"]
