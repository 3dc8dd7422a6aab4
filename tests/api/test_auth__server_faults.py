"""The token and OAuth endpoints answer by themselves, outside the dispatcher; a fault under them (a database
that fails) still answers the Feishu envelope with a log id, never a plain-text 500."""

from __future__ import annotations

import asyncio
import sqlite3

import httpx
import pytest

from shenpi.api.app import OpenApi
from shenpi.app import Shenpi
from shenpi.seed import apply_seed
from shenpi.store import open_store
from tests.seeds import test_seed


@pytest.mark.parametrize("path, body", [
    ("/open-apis/auth/v3/tenant_access_token/internal", {"app_id": "cli_acme", "app_secret": "s3cret"}),
    ("/open-apis/auth/v3/app_access_token/internal", {"app_id": "cli_acme", "app_secret": "s3cret"}),
    ("/open-apis/authen/v2/oauth/token", {"grant_type": "authorization_code", "client_id": "cli_acme",
                                          "client_secret": "s3cret", "code": "x"}),
])
def test_a_failing_database_answers_the_internal_error_envelope(tmp_path, path, body):
    svc = Shenpi(open_store(f"sqlite:///{tmp_path / 'x.db'}"))

    async def failing_app(app_id: str) -> None:
        raise sqlite3.OperationalError("disk I/O error")  # what a cut connection or a full disk raises

    async def run() -> httpx.Response:
        await svc.open()
        await apply_seed(svc, test_seed())
        svc.registry.app = failing_app  # type: ignore[method-assign]
        transport = httpx.ASGITransport(app=OpenApi(svc), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            try:
                return await c.post(path, json=body)
            finally:
                await svc.close()

    r = asyncio.run(run())
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert (r.status_code, r.json()["code"]) == (400, 1395001)
    assert r.headers["X-Tt-Logid"] and "disk" not in r.text
