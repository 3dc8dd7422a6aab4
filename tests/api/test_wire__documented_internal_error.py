"""A server fault (here: the database failing as the call starts) answers each endpoint's documented internal error,
at the HTTP status the endpoint's page lists it with, and nothing of the fault itself. Written from the pages:

- approval v4: 1395001 "There have been some errors. Please try again later", HTTP 400 on the definition,
  instance and external pages (e.g. https://open.feishu.cn/document/server-docs/approval-v4/instance/create),
  and 1395001 "system error" at HTTP 500 on the district pages
  (https://open.feishu.cn/document/server-docs/approval-v4/district/list and .../district/search)
- authen v1: 20050 "system error" at HTTP 500 (https://open.feishu.cn/document/server-docs/authentication-management/
  access-token/create-2, .../access-token/create, .../login-state-management/get)
- contact v3: 40003 "internal error" at HTTP 400 (https://open.feishu.cn/document/server-docs/contact-v3/user/get)
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

APPROVAL = (1395001, "There have been some errors. Please try again later", 400)
DISTRICT = (1395001, "system error", 500)
AUTHEN = (20050, "system error", 500)
PAGE_ANSWER = {
    "approval.v4.approval.create": APPROVAL, "approval.v4.approval.get": APPROVAL,
    "approval.v4.approval.subscribe": APPROVAL, "approval.v4.approval.unsubscribe": APPROVAL,
    "approval.v4.district.list": DISTRICT, "approval.v4.district.search": DISTRICT,
    "approval.v4.external_approval.create": APPROVAL, "approval.v4.external_instance.check": APPROVAL,
    "approval.v4.external_instance.create": APPROVAL, "approval.v4.instance.cancel": APPROVAL,
    "approval.v4.instance.cc": APPROVAL, "approval.v4.instance.create": APPROVAL, "approval.v4.instance.get": APPROVAL,
    "approval.v4.instance.list": APPROVAL, "approval.v4.instance.query": APPROVAL,
    "approval.v4.instance.search_cc": APPROVAL,
    "authen.v1.access_token.create": AUTHEN, "authen.v1.refresh_access_token.create": AUTHEN,
    "authen.v1.user_info.get": AUTHEN,
    "contact.v3.user.get": (40003, "internal error", 400),
}
ROUTE_OF = {r.endpoint: r for r in ROUTES}


class FailingDatabase(ServerHooks):
    async def before_call(self, scope: Any, tenant_key: str, app_id: str, endpoint: str) -> None:
        raise sqlite3.OperationalError("disk I/O error at /var/lib/secret.db")  # what a full disk raises


async def token_for(svc: Shenpi, c: httpx.AsyncClient, kinds: tuple[str, ...]) -> str:
    """A token of a kind the route takes: cli_acme's tenant or app token, or alice's user token."""
    if "tenant" in kinds or "app" in kinds:
        kind = "tenant" if "tenant" in kinds else "app"
        r = await c.post(f"/open-apis/auth/v3/{kind}_access_token/internal",
                         json={"app_id": "cli_acme", "app_secret": "s3cret"})
        return str(r.json()[f"{kind}_access_token"])
    app = await svc.registry.app("cli_acme")
    assert app is not None
    return (await svc.tokens.issue(app, "user", "alice", reuse=False)).token


@pytest.mark.parametrize("endpoint", sorted(PAGE_ANSWER))
def test_a_server_fault_answers_the_pages_internal_error(tmp_path, endpoint):
    route = ROUTE_OF[endpoint]
    path = "/".join("X" if part.startswith(":") else part for part in route.path.split("/"))
    svc = Shenpi(open_store(f"sqlite:///{tmp_path / 'x.db'}"))

    async def run() -> httpx.Response:
        await svc.open()
        await apply_seed(svc, test_seed())
        transport = httpx.ASGITransport(app=OpenApi(svc, FailingDatabase()), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            try:
                token = await token_for(svc, c, route.tokens)
                return await c.request(route.method, path, json={} if route.method == "POST" else None,
                                       headers={"Authorization": f"Bearer {token}"})
            finally:
                await svc.close()

    r = asyncio.run(run())
    code, msg, status = PAGE_ANSWER[endpoint]
    assert (r.status_code, r.json()["code"], r.json()["msg"]) == (status, code, msg)
    assert "secret" not in r.text and r.headers["X-Tt-Logid"]
