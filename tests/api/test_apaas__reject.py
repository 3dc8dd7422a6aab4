"""aPaaS v1 reject on the same engine: it takes the v4 task id and the user's aPaaS user id, and the opinion
becomes the comment."""

from __future__ import annotations

import pytest

from shenpi.ids import derived_apaas_user_id
from tests.api.helpers import apaas_reject, create_instance, get_instance, pending_task, reject

ALICE_APAAS = "1783981209205788"  # seeded explicitly


def bob() -> str:
    return derived_apaas_user_id("acme", "bob")


def test_reject_by_task_id_ends_the_flow_with_the_opinion(client):
    code = create_instance(client)
    task_id = pending_task(client, code, "bob")

    resp = apaas_reject(client, task_id, bob(), opinion="拒绝")

    assert (resp.code, resp.msg, resp.raw.status_code) == (0, "success", 200)
    assert resp.get_log_id()
    data = get_instance(client, code)
    assert data.status == "REJECTED"
    entry = data.timeline[-1]
    assert (entry.type, entry.comment, entry.user_id, entry.task_id) == ("REJECT", "拒绝", "bob", task_id)


def test_derived_apaas_ids_are_numeric(client):
    assert bob().isdigit() and len(bob()) == 16


@pytest.mark.parametrize("case", ["unknown task", "non-numeric user", "unknown user", "not the approver",
                                  "missing user", "already rejected"])
def test_every_caller_error_is_2320001(client, case):
    code = create_instance(client)
    task_id = pending_task(client, code, "bob")
    if case == "already rejected":
        assert reject(client, "LEAVE", code, "bob", task_id).code == 0
    args = {
        "unknown task": ("9999999", bob()),
        "non-numeric user": (task_id, "bob"),
        "unknown user": (task_id, "1700000000000000"),
        "not the approver": (task_id, ALICE_APAAS),
        "missing user": (task_id, ""),
        "already rejected": (task_id, bob()),
    }[case]
    resp = apaas_reject(client, *args, opinion="no")
    assert (resp.code, resp.msg, resp.raw.status_code) == (2320001, "param is invalid", 400), resp.error
    if case != "already rejected":
        assert get_instance(client, code).status == "PENDING"


def test_the_v4_dialect_sees_the_aapas_rejection(client):
    code = create_instance(client, "AND2")
    carol_task = pending_task(client, code, "carol")
    assert apaas_reject(client, carol_task, derived_apaas_user_id("acme", "carol"), opinion="no").code == 0
    assert {t.user_id: t.status for t in get_instance(client, code).task_list} == {"bob": "DONE", "carol": "REJECTED"}
