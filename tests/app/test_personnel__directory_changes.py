"""svc.personnel, the HR admin's operations: each is one transaction that changes all it says or nothing; a user
who leaves hands their open tasks to a named person through the engine's transfer, with the events the transfer
API writes; and another process sees each change (the directory version)."""

from __future__ import annotations

import pytest

from shenpi.app import Shenpi
from shenpi.app.personnel import PeopleInvalid, UserDraft
from shenpi.engine import commands
from shenpi.engine.directory import Department
from shenpi.store import open_store
from tests.app.helpers import with_app


async def _twostep(svc: Shenpi) -> str:
    """A TWOSTEP request of alice's: bob has its open task."""
    inst = await svc.instances.create("acme", "TWOSTEP", commands.CreateInstance(user_id="alice", form="[]"))
    return inst.code


def _kinds(rows: list[dict[str, object]], code: str) -> list[object]:
    return [(r["kind"], r["status"]) for r in rows if r["instance_code"] == code]


def test_a_user_added_and_edited_is_in_the_directory(db_url):
    async def body(svc: Shenpi) -> None:
        added = await svc.personnel.add_user("acme", UserDraft("gina", "Gina", "gina@acme.example", ["eng"], "erin"))
        assert added.open_id.startswith("ou_") and added.status == "active"
        await svc.personnel.edit_user("acme", UserDraft("gina", "Gina Ng", "", ["fin"], "dana"))
        gina = (await svc.directory("acme")).user("gina")
        assert gina is not None
        assert (gina.name, gina.email, gina.department_ids, gina.leader_user_id) == ("Gina Ng", "", ["fin"], "dana")
        assert gina.open_id == added.open_id

    with_app(db_url, body)


@pytest.mark.parametrize(("draft", "field"), [
    (UserDraft("bob", "Bob again"), "user_id"),
    (UserDraft("has space", "X"), "user_id"),
    (UserDraft("gina", " "), "name"),
    (UserDraft("gina", "Gina", department_ids=["nowhere"]), "department_ids"),
    (UserDraft("gina", "Gina", leader_user_id="nobody"), "leader_user_id"),
    (UserDraft("gina", "Gina", email="not-an-address"), "email"),
])
def test_a_wrong_user_is_refused_naming_the_field(db_url, draft, field):
    async def body(svc: Shenpi) -> None:
        before = await svc.directory("acme")
        with pytest.raises(PeopleInvalid) as refused:
            await svc.personnel.add_user("acme", draft)
        assert refused.value.field == field
        assert set((await svc.directory("acme")).users) == set(before.users)

    with_app(db_url, body)


def test_a_supervisor_loop_is_refused(db_url):
    async def body(svc: Shenpi) -> None:
        with pytest.raises(PeopleInvalid, match="reports to"):  # erin leads bob, who leads alice
            await svc.personnel.edit_user("acme", UserDraft("erin", "Erin", leader_user_id="alice"))

    with_app(db_url, body)


def test_leaving_hands_open_tasks_over_with_the_transfer_apis_events(db_url):
    async def body(svc: Shenpi) -> None:
        by_api, by_leaving = await _twostep(svc), await _twostep(svc)
        task = next(t for t in await svc.personnel.open_tasks("acme", "bob") if t.instance_code == by_api)
        await svc.instances.transfer("acme", commands.Transfer(task_id=task.id, user_id="bob", transfer_user_id="erin"))
        change = await svc.personnel.set_status("acme", "bob", "resigned", transfer_to="erin")
        assert len(change.transferred) == 1 and change.user.status == "resigned"
        assert await svc.personnel.open_tasks("acme", "bob") == []
        assert [t.instance_code for t in await svc.personnel.open_tasks("acme", "erin")] == sorted([by_api, by_leaving])
        rows = await svc.deliveries.outbox(tenant_key="acme", limit=1000)
        assert _kinds(rows, by_leaving) == _kinds(rows, by_api)
        timeline = (await svc.instances.get("acme", by_leaving)).timeline
        assert [(e.type, e.user_id, e.user_id_list) for e in timeline][-1] == ("TRANSFER", "bob", ["erin"])

    with_app(db_url, body)


@pytest.mark.parametrize(("transfer_to", "why"), [("", "name who"), ("bob", "another active"), ("nobody", "name who")])
def test_leaving_with_open_tasks_and_nobody_fit_to_take_them_changes_nothing(db_url, transfer_to, why):
    async def body(svc: Shenpi) -> None:
        await _twostep(svc)
        with pytest.raises(PeopleInvalid, match=why):
            await svc.personnel.set_status("acme", "bob", "frozen", transfer_to=transfer_to)
        bob = (await svc.directory("acme")).user("bob")
        assert bob is not None and bob.status == "active"
        assert len(await svc.personnel.open_tasks("acme", "bob")) == 1

    with_app(db_url, body)


def test_a_departed_user_cannot_sign_in_and_their_sessions_end(db_url):
    async def body(svc: Shenpi) -> None:
        assert await svc.people.set_password("acme", "dana", "dana-password")
        secret = await svc.people.start_session("acme", "dana")
        assert await svc.people.session(secret) is not None
        await svc.personnel.set_status("acme", "dana", "frozen")
        assert await svc.people.session(secret) is None
        assert await svc.people.check_password("acme", "dana", "dana-password") is None
        await svc.personnel.set_status("acme", "dana", "active")
        assert await svc.people.check_password("acme", "dana", "dana-password") is not None

    with_app(db_url, body)


def test_a_departments_leader_becomes_its_member_and_a_cycle_is_refused(db_url):
    async def body(svc: Shenpi) -> None:
        await svc.personnel.save_department("acme", Department("ops", "Ops", "carol", "eng"), new=True)
        directory = await svc.directory("acme")
        assert directory.departments["ops"].leader_user_id == "carol"
        assert [u.user_id for u in directory.members("ops")] == ["carol"]
        with pytest.raises(PeopleInvalid, match="under itself"):
            await svc.personnel.save_department("acme", Department("eng", "Engineering", "erin", "ops"), new=False)
        with pytest.raises(PeopleInvalid, match="exists already"):
            await svc.personnel.save_department("acme", Department("ops", "Ops"), new=True)

    with_app(db_url, body)


def test_admins_are_granted_and_revoked_but_the_last_one_stays(db_url):
    async def body(svc: Shenpi) -> None:
        assert not await svc.people.is_tenant_admin("acme", "carol")
        await svc.personnel.set_admin("acme", "carol", True)
        assert await svc.people.is_tenant_admin("acme", "carol")
        with pytest.raises(PeopleInvalid, match="last admin"):
            await svc.personnel.set_admin("acme", "carol", False)
        await svc.personnel.set_admin("acme", "dana", True)
        await svc.personnel.set_admin("acme", "carol", False)
        assert not await svc.people.is_tenant_admin("acme", "carol")

    with_app(db_url, body)


CSV_OK = "user_id,name,email,department_ids,leader_user_id\nhal,Hal,hal@acme.example,eng;fin,ivy\nivy,Ivy,,eng,\n"


def test_a_csv_adds_every_row_or_none(db_url):
    async def body(svc: Shenpi) -> None:
        bad = CSV_OK + "jo,,,,\n"
        with pytest.raises(PeopleInvalid, match="name is required") as refused:
            await svc.personnel.import_csv("acme", bad)
        assert "line 4" in refused.value.detail
        assert "hal" not in (await svc.directory("acme")).users
        added = await svc.personnel.import_csv("acme", CSV_OK)
        assert [u.user_id for u in added] == ["hal", "ivy"]
        hal = (await svc.directory("acme")).user("hal")
        assert hal is not None and (hal.department_ids, hal.leader_user_id) == (["eng", "fin"], "ivy")
        with pytest.raises(PeopleInvalid, match="Unknown column"):
            await svc.personnel.import_csv("acme", "user_id,name,phone\nx,X,1\n")

    with_app(db_url, body)


def test_another_process_sees_a_change_within_a_second(db_url, monkeypatch):
    """Two application objects on one database, as two server processes: the second one's cached directory and
    app are dropped once the store's directory version has moved."""
    from shenpi.app import registry

    monkeypatch.setattr(registry, "FRESH_FOR_S", 0.0)

    async def body(svc: Shenpi) -> None:
        other = Shenpi(open_store(db_url))
        await other.open()
        try:
            assert (await other.directory("acme")).user("bob").status == "active"  # type: ignore[union-attr]
            assert (await other.people.app("cli_acme")).enabled  # type: ignore[union-attr]
            await svc.personnel.set_status("acme", "bob", "frozen")
            await svc.personnel.set_app_enabled("cli_acme", False)
            assert (await other.directory("acme")).user("bob").status == "frozen"  # type: ignore[union-attr]
            assert not (await other.people.app("cli_acme")).enabled  # type: ignore[union-attr]
        finally:
            await other.close()

    with_app(db_url, body)


def test_a_seed_sets_states_an_export_keeps_them_and_a_wrong_state_is_refused(db_url):
    import copy

    from shenpi.seed import SeedError, apply_seed
    from tests.seeds import test_seed

    async def body(svc: Shenpi) -> None:
        seed = copy.deepcopy(test_seed())
        seed["tenants"][0]["users"][1]["status"] = "frozen"  # bob
        seed["tenants"][0]["apps"][0]["enabled"] = False  # cli_acme
        await apply_seed(svc, seed)
        assert (await svc.directory("acme")).user("bob").status == "frozen"  # type: ignore[union-attr]
        assert not (await svc.people.app("cli_acme")).enabled  # type: ignore[union-attr]
        exported = (await svc.snapshots.export())["tenants"][0]
        assert next(u for u in exported["users"] if u["user_id"] == "bob")["status"] == "frozen"
        assert "status" not in next(u for u in exported["users"] if u["user_id"] == "alice")
        assert next(a for a in exported["apps"] if a["app_id"] == "cli_acme")["enabled"] is False
        seed["tenants"][0]["users"][1]["status"] = "retired"
        with pytest.raises(SeedError, match="retired"):
            await apply_seed(svc, seed)

    with_app(db_url, body)


def test_a_hand_over_to_someone_already_at_the_step_changes_nothing(db_url):
    async def body(svc: Shenpi) -> None:
        inst = await svc.instances.create("acme", "AND2", commands.CreateInstance(user_id="alice", form="[]"))
        with pytest.raises(PeopleInvalid, match="cannot go to this person") as refused:
            await svc.personnel.set_status("acme", "bob", "resigned", transfer_to="carol")  # carol is at "both" too
        assert inst.code in refused.value.detail
        assert (await svc.directory("acme")).user("bob").status == "active"  # type: ignore[union-attr]
        assert [t.instance_code for t in await svc.personnel.open_tasks("acme", "bob")] == [inst.code]

    with_app(db_url, body)
