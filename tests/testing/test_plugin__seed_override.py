"""Overriding ``shenpi_seed`` the usual pytest way: a fixture of that name, here or in a conftest."""

from __future__ import annotations

import json

import pytest

from tests.testing.helpers import get_approval

SEED = {"tenants": [{
    "tenant_key": "acme",
    "apps": [{"app_id": "cli_acme_hr", "app_secret": "s3cret", "scopes": ["approval:approval"]}],
    "users": [{"user_id": "ann"}, {"user_id": "ben"}],
    "approvals": [{"approval_code": "EXPENSE", "approval_name": "Expense",
                   "form": {"form_content": json.dumps([{"id": "amount", "type": "amount", "name": "Amount"}])},
                   "node_list": [{"id": "START"},
                                 {"id": "ok", "name": "OK", "node_type": "AND",
                                  "approver": [{"type": "Personal", "user_id": "ben"}]},
                                 {"id": "END"}]}],
}]}


@pytest.fixture
def shenpi_seed():
    return SEED


def test_the_overriding_seed_is_the_state(shenpi_server):
    client = shenpi_server.client()  # the seed's first app: cli_acme_hr
    assert get_approval(client, "EXPENSE").code == 0
    assert get_approval(client, "DEMO-LEAVE").code == 1390002  # the demo seed is not there


def test_client_names_an_unknown_app_clearly(shenpi_server):
    with pytest.raises(LookupError, match="cli_demo_app"):
        shenpi_server.client("cli_demo_app")


@pytest.mark.parametrize("rate_limit_scale", [0.5, 2.0])
def test_a_seed_can_be_derived_per_test(shenpi_server, rate_limit_scale):
    seed = {"tenants": [{**SEED["tenants"][0], "rate_limit_scale": rate_limit_scale}]}
    shenpi_server.reset(seed)
    snapshot = shenpi_server.export_state()
    assert snapshot["tenants"][0]["rate_limit_scale"] == rate_limit_scale
