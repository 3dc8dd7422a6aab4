"""shenpi.server: one configuration object, carried to worker processes intact; the admin API and the hooks exist
only with an admin token; any object with the hook methods can plug into the Open API."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from shenpi.api.app import OpenApi
from shenpi.hooks import ASGIApp, Poster, Receive, Scope, Send
from shenpi.platform import errors as perr
from shenpi.server import ServerConfig, build_app
from tests.seeds import test_seed


def test_the_configuration_reaches_worker_processes_unchanged():
    config = ServerConfig(db="postgresql://u@h/db", seed_path="/srv/seed.yaml", demo=True, admin_token="t",
                          events=False, event_retry_scale=0.001, rate_limit_scale=0.0, workers=4)
    assert ServerConfig.from_env(config.to_env()) == config
    assert ServerConfig.from_env({}) == ServerConfig()


def test_an_in_memory_seed_cannot_reach_worker_processes():
    with pytest.raises(ValueError, match="seed_path"):
        ServerConfig(seed={"tenants": []}).to_env()


def test_demo_turns_the_admin_api_on_behind_a_random_token_and_counters_are_shared_across_processes():
    first, second = (ServerConfig(demo=True).with_demo_admin_token().admin_token for _ in range(2))
    assert first != second and len(first) >= 20 and "demo" not in (first, second)
    assert ServerConfig(demo=True, admin_token="mine").with_demo_admin_token().admin_token == "mine"
    assert ServerConfig().with_demo_admin_token().admin_token == ""  # no demo: the admin API stays off
    assert not ServerConfig().shared_rate_limits
    assert ServerConfig(workers=2).shared_rate_limits and ServerConfig(db="postgresql://h/db").shared_rate_limits


def test_without_an_admin_token_there_are_no_hooks_and_no_admin_api(tmp_path):
    app = build_app(ServerConfig(db=f"sqlite:///{tmp_path / 'a.db'}"))
    assert app.hooks is None and app.admin is None
    with_admin = build_app(ServerConfig(db=f"sqlite:///{tmp_path / 'b.db'}", admin_token="t"))
    assert with_admin.hooks is not None and with_admin.admin is not None


def test_starting_from_the_seed_needs_the_control_plane(tmp_path):
    with pytest.raises(ValueError, match="admin token"):
        build_app(ServerConfig(db=f"sqlite:///{tmp_path / 'a.db'}", start_from_seed=True))


class _Refusing:
    """A plug-in that is not shenpi.testing: it refuses one endpoint and notes every call it sees."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    async def serve_http(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        await app(scope, receive, send)

    async def before_call(self, scope: Scope, tenant_key: str, app_id: str, endpoint: str) -> None:
        self.calls.append((tenant_key, app_id, endpoint))
        if endpoint == "approval.v4.approval.get":
            raise perr.RateLimited()

    def delivery_poster(self) -> Poster | None:
        return None

    async def aclose(self) -> None:
        pass


def test_any_object_with_the_hook_methods_can_plug_into_the_open_api(tmp_path):
    from shenpi.app import Shenpi
    from shenpi.seed import apply_seed
    from shenpi.store import open_store

    hooks = _Refusing()
    svc = Shenpi(open_store(f"sqlite:///{tmp_path / 'x.db'}"))

    async def run() -> dict[str, Any]:
        await svc.open()
        try:
            await apply_seed(svc, test_seed())
            transport = httpx.ASGITransport(app=OpenApi(svc, hooks))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                token = (await c.post("/open-apis/auth/v3/tenant_access_token/internal",
                                      json={"app_id": "cli_acme", "app_secret": "s3cret"})).json()
                r = await c.get("/open-apis/approval/v4/approvals/LEAVE",
                                headers={"Authorization": f"Bearer {token['tenant_access_token']}"})
                return dict(r.json())
        finally:
            await svc.close()

    body = asyncio.run(run())
    assert body["code"] == perr.RateLimited.code
    assert hooks.calls == [("acme", "cli_acme", "approval.v4.approval.get")]
