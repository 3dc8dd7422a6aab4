"""Whole processes through the SDK: a supervisor chain with branches and CCs, transfer, add-sign before, after and
alongside, rollback, reject back to the submitter and resubmit, cancel and revoke, each with its errors."""

from __future__ import annotations

import json

from tests.api.helpers import approve, create_instance, get_instance, pending_task, reject
from tests.api.helpers_ops import add_sign, cancel, resubmit, rollback, transfer


def amount_form(amount: float) -> list[dict]:
    return [{"id": "reason", "type": "textarea", "value": "offsite"},
            {"id": "amount", "type": "amount", "value": amount, "currency": "CNY"}]


def pending_users(client, inst: str) -> list[str]:
    return sorted(t.user_id for t in get_instance(client, inst).task_list if t.status == "PENDING")


def test_expense_with_supervisor_chain_branch_and_node_cc(client):
    # alice → lead: her supervisor bob → director (only from 1000): the chain up to level 2, bottom-up, bob
    # then erin → finance: dana AND carol → CC alice
    big = create_instance(client, "EXPENSE", "alice", amount_form(5000))
    small = create_instance(client, "EXPENSE", "alice", amount_form(100))
    assert pending_users(client, big) == ["bob"]
    assert approve(client, "EXPENSE", big, "bob", pending_task(client, big, "bob")).code == 0
    assert pending_users(client, big) == ["bob"]
    assert approve(client, "EXPENSE", big, "bob", pending_task(client, big, "bob")).code == 0
    assert pending_users(client, big) == ["erin"]
    assert approve(client, "EXPENSE", big, "erin", pending_task(client, big, "erin")).code == 0
    assert pending_users(client, big) == ["carol", "dana"]
    assert approve(client, "EXPENSE", big, "dana", pending_task(client, big, "dana")).code == 0
    assert pending_users(client, big) == ["carol"]  # AND waits for both
    assert approve(client, "EXPENSE", big, "carol", pending_task(client, big, "carol")).code == 0
    data = get_instance(client, big)
    assert data.status == "APPROVED"
    assert [e.type for e in data.timeline] == ["START", "PASS", "PASS", "PASS", "PASS", "PASS", "CC"]
    assert data.timeline[-1].cc_user_list[0].user_id == "alice"

    assert approve(client, "EXPENSE", small, "bob", pending_task(client, small, "bob")).code == 0
    assert pending_users(client, small) == ["carol", "dana"]  # the director's branch is skipped


def test_transfer_then_approve(client):
    inst = create_instance(client, "AND2")
    resp = transfer(client, "AND2", inst, "bob", pending_task(client, inst, "bob"), "erin", comment="on leave")
    assert resp.code == 0, (resp.msg, resp.error)
    data = get_instance(client, inst)
    assert {t.user_id: t.status for t in data.task_list} == {"bob": "TRANSFERRED", "carol": "PENDING",
                                                              "erin": "PENDING"}
    entry = data.timeline[-1]
    assert (entry.type, entry.user_id, entry.user_id_list, entry.comment) == ("TRANSFER", "bob", ["erin"], "on leave")
    assert approve(client, "AND2", inst, "erin", pending_task(client, inst, "erin")).code == 0
    assert approve(client, "AND2", inst, "carol", pending_task(client, inst, "carol")).code == 0
    assert get_instance(client, inst).status == "APPROVED"


def test_transfer_errors(client):
    inst = create_instance(client, "AND2")
    task = pending_task(client, inst, "bob")
    assert transfer(client, "AND2", inst, "carol", task, "erin").code == 1390009
    assert transfer(client, "AND2", inst, "bob", task, "ghost").code == 1390004
    assert transfer(client, "AND2", inst, "bob", "999", "erin").code == 1390010


def test_add_sign_before(client):
    inst = create_instance(client, "TWOSTEP")
    bob = pending_task(client, inst, "bob")
    resp = add_sign(client, "TWOSTEP", inst, "bob", bob, ["erin"], 1, 1)
    assert resp.code == 0, (resp.msg, resp.error)
    assert pending_users(client, inst) == ["erin"]
    assert get_instance(client, inst).timeline[-1].type == "ADD_APPROVER_BEFORE"
    assert approve(client, "TWOSTEP", inst, "erin", pending_task(client, inst, "erin")).code == 0
    assert pending_users(client, inst) == ["bob"]  # then back to the one who added
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    assert pending_users(client, inst) == ["carol"]


def test_add_sign_after(client):
    inst = create_instance(client, "TWOSTEP")
    resp = add_sign(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob"), ["erin", "dana"], 2, 2)
    assert resp.code == 0, (resp.msg, resp.error)
    data = get_instance(client, inst)
    assert {t.user_id: t.status for t in data.task_list if t.user_id == "bob"} == {"bob": "APPROVED"}
    assert pending_users(client, inst) == ["dana", "erin"] and data.timeline[-1].type == "ADD_APPROVER_AFTER"
    assert approve(client, "TWOSTEP", inst, "erin", pending_task(client, inst, "erin")).code == 0
    assert pending_users(client, inst) == ["dana"]  # AND (会签): both added approvers
    assert approve(client, "TWOSTEP", inst, "dana", pending_task(client, inst, "dana")).code == 0
    assert pending_users(client, inst) == ["carol"]


def test_add_sign_alongside(client):
    inst = create_instance(client, "TWOSTEP")
    resp = add_sign(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob"), ["erin"], 3)
    assert resp.code == 0, (resp.msg, resp.error)
    assert pending_users(client, inst) == ["bob", "erin"]
    assert get_instance(client, inst).timeline[-1].type == "ADD_APPROVER"
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    assert approve(client, "TWOSTEP", inst, "erin", pending_task(client, inst, "erin")).code == 0
    assert pending_users(client, inst) == ["carol"]


def test_add_sign_errors(client):
    inst = create_instance(client, "TWOSTEP")
    bob = pending_task(client, inst, "bob")
    assert add_sign(client, "TWOSTEP", inst, "bob", bob, ["erin"], 9).code == 1390001
    assert add_sign(client, "TWOSTEP", inst, "carol", bob, ["erin"], 3).code == 1390009


def test_rollback_to_an_earlier_node_and_on_to_approval(client):
    inst = create_instance(client, "TWOSTEP")
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    assert [e.node_key for e in get_instance(client, inst).timeline if e.type == "PASS"] == ["one"]
    resp = rollback(client, "carol", pending_task(client, inst, "carol"), ["one"], reason="redo")
    assert resp.code == 0, (resp.msg, resp.error)
    data = get_instance(client, inst)
    assert data.timeline[-1].type == "ROLLBACK_SELECTED" and pending_users(client, inst) == ["bob"]
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    assert approve(client, "TWOSTEP", inst, "carol", pending_task(client, inst, "carol")).code == 0
    assert get_instance(client, inst).status == "APPROVED"


def test_rollback_to_a_node_not_passed_is_1390001(client):
    inst = create_instance(client, "TWOSTEP")
    assert rollback(client, "bob", pending_task(client, inst, "bob"), ["two"]).code == 1390001


def test_reject_back_to_the_submitter_then_resubmit(client):
    inst = create_instance(client, "SENDBACK")
    assert reject(client, "SENDBACK", inst, "bob", pending_task(client, inst, "bob"), comment="fix it").code == 0
    data = get_instance(client, inst)
    assert data.status == "PENDING" and pending_users(client, inst) == ["alice"]
    back = pending_task(client, inst, "alice")
    form = json.dumps([{"id": "reason", "type": "textarea", "value": "fixed"}])
    assert resubmit(client, "SENDBACK", inst, "bob", back, form).code == 1390009  # only the submitter
    resp = resubmit(client, "SENDBACK", inst, "alice", back, form)
    assert resp.code == 0, (resp.msg, resp.error)
    assert pending_users(client, inst) == ["bob"]
    assert approve(client, "SENDBACK", inst, "bob", pending_task(client, inst, "bob")).code == 0
    data = get_instance(client, inst)
    assert data.status == "APPROVED" and json.loads(data.form)[0]["value"] == "fixed"


def test_cancel_by_the_submitter_only(client):
    inst = create_instance(client, "AND2")
    assert cancel(client, "AND2", inst, "bob").code == 1390009
    assert cancel(client, "AND2", inst, "alice").code == 0
    data = get_instance(client, inst)
    assert data.status == "CANCELED" and {t.status for t in data.task_list} == {"DONE"}
    assert data.timeline[-1].type == "CANCEL"


def test_revoke_an_approved_instance_within_the_window(client, server):
    inst = create_instance(client, "TWOSTEP")
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    assert approve(client, "TWOSTEP", inst, "carol", pending_task(client, inst, "carol")).code == 0
    assert get_instance(client, inst).status == "APPROVED"
    assert cancel(client, "TWOSTEP", inst, "alice").code == 0
    data = get_instance(client, inst)
    assert data.status == "CANCELED" and data.reverted is True


def test_an_instance_created_with_forbid_revoke_cannot_be_revoked(client):
    inst = create_instance(client, "TWOSTEP", forbid_revoke=True)
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    assert approve(client, "TWOSTEP", inst, "carol", pending_task(client, inst, "carol")).code == 0
    assert cancel(client, "TWOSTEP", inst, "alice").code == 1390009
    data = get_instance(client, inst)
    assert data.status == "APPROVED" and not data.reverted
