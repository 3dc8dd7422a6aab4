"""svc.snapshots: seeding, export, import and reset each change everything or nothing."""

from __future__ import annotations

import copy

import pytest

from shenpi.app import Shenpi
from shenpi.app.snapshots import SnapshotError
from shenpi.seed import SeedError, apply_seed
from tests.app.helpers import with_app
from tests.seeds import test_seed


def test_a_seed_with_one_bad_entry_writes_nothing(db_url):
    seed = test_seed()
    seed["tenants"][2]["approvals"][0]["node_list"] = "not a list"

    async def body(svc: Shenpi) -> None:
        with pytest.raises(SeedError, match=r"tenants\[2\]\.approvals\[0\]"):
            await apply_seed(svc, seed)
        assert await svc.people.tenants() == []
        assert await svc.definitions.list("acme") == []

    with_app(db_url, body, seeded=False)


def test_seeding_twice_changes_nothing_and_a_changed_approval_is_a_new_version(db_url):
    async def body(svc: Shenpi) -> None:
        first = {d.code: d.version for d in await svc.definitions.list("acme")}
        await apply_seed(svc, test_seed())
        assert {d.code: d.version for d in await svc.definitions.list("acme")} == first
        changed = test_seed()
        changed["tenants"][0]["approvals"][0]["approval_name"] = "Leave (v2)"
        await apply_seed(svc, changed)
        after = {d.code: d.version for d in await svc.definitions.list("acme")}
        assert after == {**first, "LEAVE": first["LEAVE"] + 1}

    with_app(db_url, body)


def test_export_then_import_brings_the_state_back(db_url):
    async def body(svc: Shenpi) -> None:
        snapshot = await svc.snapshots.export(include_secrets=True)
        assert snapshot["shenpi_snapshot"]["schema_version"] == await svc.snapshots.schema_version()
        await svc.people.set_password("acme", "bob", "pw")
        await svc.snapshots.restore({})
        assert await svc.people.tenants() == []
        answer = await svc.snapshots.import_snapshot(snapshot)
        assert answer["tables"]["tenants"] == 3
        assert [t.tenant_key for t in await svc.people.tenants()] == ["acme", "other", "slow"]
        assert await svc.people.check_password("acme", "bob", "pw") is None  # the password came after the export

    with_app(db_url, body)


def test_a_bad_snapshot_changes_nothing(db_url):
    async def body(svc: Shenpi) -> None:
        snapshot = await svc.snapshots.export()
        newer = copy.deepcopy(snapshot)
        newer["shenpi_snapshot"]["schema_version"] += 1
        for bad in ({"tenants": []}, newer):
            with pytest.raises(SnapshotError):
                await svc.snapshots.import_snapshot(bad)
        assert len(await svc.people.tenants()) == 3

    with_app(db_url, body)


def test_reset_to_a_baseline_drops_the_tokens_of_apps_gone_from_it(db_url):
    async def body(svc: Shenpi) -> None:
        app = await svc.people.app("cli_other")
        assert app is not None
        token = await svc.tokens.issue(app, "tenant")
        kept = await svc.snapshots.dump_tables()
        kept.pop("tokens", None)
        smaller = test_seed()
        smaller["tenants"] = smaller["tenants"][:1]
        await svc.snapshots.restore({})
        await apply_seed(svc, smaller)
        baseline = await svc.snapshots.dump_tables()
        baseline.pop("tokens", None)
        assert await svc.snapshots.reset_to(baseline) == ["cli_other"]
        assert await svc.tokens.lookup(token.token, "tenant") is None
        assert await svc.snapshots.reset_to(kept) == []

    with_app(db_url, body)
