"""Dropping event deliveries: the rule the delivery worker consults through ``should_drop_delivery``."""

from __future__ import annotations

from shenpi.app import Shenpi
from shenpi.control.plane import install_control, should_drop_delivery
from shenpi.store import open_store


def test_a_drop_rule_is_listed_and_cleared_by_reset(shenpi_server):
    rule = shenpi_server.drop_events(tenant_key="demo", times=2)
    assert shenpi_server.faults() == [rule]
    assert rule["drop_events"] is True and rule["remaining"] == 2
    shenpi_server.reset()
    assert shenpi_server.faults() == []


def test_the_worker_hook_drops_the_next_n_pushes_of_that_tenant_only():
    svc = Shenpi(open_store("sqlite:///:memory:"))
    assert should_drop_delivery(svc, "demo", "cli_demo_app") is False  # no admin API: never
    control = install_control(svc)
    control.faults.add({"drop_events": True, "tenant_key": "demo", "times": 2})
    assert [should_drop_delivery(svc, "demo", "cli_demo_app") for _ in range(3)] == [True, True, False]
    control.faults.add({"drop_events": True, "tenant_key": "demo", "app_id": "cli_other"})
    assert should_drop_delivery(svc, "demo", "cli_demo_app") is False
    assert should_drop_delivery(svc, "acme", "cli_other") is False
    assert should_drop_delivery(svc, "demo", "cli_other") is True


def test_a_drop_rule_does_not_fault_api_calls(shenpi_server):
    from tests.testing.helpers import get_approval

    shenpi_server.drop_events()
    assert get_approval(shenpi_server.client()).code == 0
