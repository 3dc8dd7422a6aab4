"""GET /_shenpi/export leaves secrets out unless ?include_secrets=1; a redacted export still imports and resets."""

from __future__ import annotations

import json

import httpx
import pytest

from shenpi.demo import DEMO_APP_ID, DEMO_APP_SECRET
from shenpi.testing import AdminCallError
from tests.testing.helpers import get_instance, submit_leave


def _export(shenpi_server, query: str = "") -> dict:
    r = httpx.get(f"{shenpi_server.base_url}/_shenpi/export{query}",
                  headers={"Authorization": f"Bearer {shenpi_server.admin_token}"})
    assert r.status_code == 200
    return dict(r.json())


def test_the_export_has_no_secret_unless_asked_for(shenpi_server):
    issued = httpx.post(f"{shenpi_server.base_url}/open-apis/auth/v3/tenant_access_token/internal",
                        json={"app_id": DEMO_APP_ID, "app_secret": DEMO_APP_SECRET}).json()["tenant_access_token"]
    redacted = json.dumps(_export(shenpi_server))
    assert DEMO_APP_SECRET not in redacted and issued not in redacted and "$argon2" not in redacted
    assert '"secrets": "redacted"' in redacted

    full = json.dumps(_export(shenpi_server, "?include_secrets=1"))
    assert DEMO_APP_SECRET in full and issued in full and "$argon2" in full


def test_a_redacted_export_imports_and_resets_with_the_secrets_the_server_has(shenpi_server):
    client = shenpi_server.client()
    code = submit_leave(client)
    snapshot = shenpi_server.export_state()
    shenpi_server.reset()
    shenpi_server.import_state(snapshot)
    assert get_instance(client, code).code == 0
    shenpi_server.reset(seed=snapshot)
    fresh = httpx.post(f"{shenpi_server.base_url}/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": DEMO_APP_ID, "app_secret": DEMO_APP_SECRET}).json()
    assert fresh["code"] == 0
    assert get_instance(shenpi_server.client(), code).code == 0


def test_a_redacted_export_with_an_app_the_server_lacks_is_refused_naming_the_field(shenpi_server):
    client = shenpi_server.client()
    code = submit_leave(client)
    snapshot = shenpi_server.export_state()
    apps = snapshot["shenpi_snapshot"]["tables"]["apps"]
    apps["rows"][0][apps["columns"].index("app_id")] = "cli_brand_new"
    with pytest.raises(AdminCallError) as e:
        shenpi_server.import_state(snapshot)
    assert e.value.status == 400
    assert "table apps, app_id cli_brand_new: app_secret was redacted" in e.value.msg
    assert get_instance(client, code).code == 0  # nothing changed
