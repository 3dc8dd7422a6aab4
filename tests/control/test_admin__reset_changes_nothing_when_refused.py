"""A reset or import the server refuses changes nothing, also before any reset has succeeded since the start."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from shenpi.demo import demo_seed
from shenpi.testing import AdminCallError, ShenpiProcess
from tests.conftest import start_server
from tests.testing.helpers import get_approval, get_instance, submit_leave


@pytest.fixture(scope="module")
def fresh(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    """A server started with its seed and never reset: the state it has is the one --seed made."""
    srv = start_server(tmp_path_factory.mktemp("badreset"), "badreset", backend, demo_seed())
    yield srv
    srv.close()


def _tables(srv: ShenpiProcess) -> dict[str, Any]:
    """Every table's rows, but the rate-limit windows (PostgreSQL counts the test's own SDK calls there)."""
    tables = dict(srv.export_state()["shenpi_snapshot"]["tables"])
    tables.pop("rate_counters", None)
    return tables


def _bad_seeds(snapshot: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    builder_refuses = demo_seed()
    builder_refuses["tenants"][0]["approvals"][0]["node_list"] = "not a list"
    user_without_id = demo_seed()
    user_without_id["tenants"][0]["users"].append({"name": "Nobody"})
    bad_table = copy.deepcopy(snapshot)
    bad_table["shenpi_snapshot"]["tables"]["apps"]["rows"][0][1] = "no-such-tenant"
    unknown_table = copy.deepcopy(snapshot)
    unknown_table["shenpi_snapshot"]["tables"]["no_such_table"] = {"columns": ["a"], "rows": [[1]]}
    approver_nobody = demo_seed()
    approver_nobody["tenants"][0]["approvals"][0]["node_list"][1]["approver"] = [{"type": "Personal",
                                                                                 "user_id": "nobody"}]
    misspelled = demo_seed()
    misspelled["tenants"][0]["users"][0]["nmae"] = misspelled["tenants"][0]["users"][0].pop("name")
    second_bad = {"tenants": [demo_seed()["tenants"][0], {"name": "no key"}]}  # the first tenant would apply
    return [
        ("bad shape", {"tenants": "not a list"}),
        ("a tenant without a key", {"tenants": [{"name": "no key"}]}),
        ("an app without a secret", {"tenants": [{"tenant_key": "t", "apps": [{"app_id": "cli_x"}]}]}),
        ("a good tenant, then a bad one", second_bad),
        ("a definition the builder refuses", builder_refuses),
        ("a user without a user_id", user_without_id),
        ("a Personal approver who is nobody", approver_nobody),
        ("a misspelled key", misspelled),
        ("a snapshot with a broken reference", bad_table),
        ("a snapshot with an unknown table", unknown_table),
    ]


def test_a_refused_reset_or_import_leaves_every_table_as_it_was(fresh):
    client = fresh.client()
    code = submit_leave(client)
    before = _tables(fresh)
    assert before["tenants"]["rows"] and before["instances"]["rows"]
    for name, seed in _bad_seeds(fresh.export_state()):
        with pytest.raises(AdminCallError) as refused:
            fresh.admin("POST", "reset", {"seed": seed})
        assert refused.value.status == 400, name
        assert _tables(fresh) == before, name
        assert get_approval(client).code == 0, name
        assert get_instance(client, code).code == 0, name
        if "snapshot" in name:
            with pytest.raises(AdminCallError) as refused:
                fresh.import_state(seed)
            assert refused.value.status == 400, name
            assert _tables(fresh) == before, name
    fresh.reset()  # the configured seed still resets: the state it makes has the seed's rows and no instance
    assert get_approval(client).code == 0
    assert get_instance(client, code).code == 1390003
