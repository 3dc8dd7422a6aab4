"""The happy path: a reject ends the whole instance as REJECTED at once (every other pending task becomes DONE,
later nodes never start), with the comment and the actor on the timeline; approve moves the flow on."""

from __future__ import annotations

import json

from tests.api.helpers import approve, create_instance, get_instance, pending_task, reject


def test_reject_ends_instance_and_records_comment_and_actor(client):
    code = create_instance(client)
    task_id = pending_task(client, code, "bob")  # alice's supervisor

    resp = reject(client, "LEAVE", code, "bob", task_id, comment="not this week")

    assert (resp.code, resp.msg) == (0, "success")
    assert resp.raw.status_code == 200
    assert json.loads(resp.raw.content)["data"] == {}
    data = get_instance(client, code)
    assert data.status == "REJECTED"
    assert int(data.end_time) >= int(data.start_time) > 0
    [task] = data.task_list
    assert (task.id, task.status, task.user_id) == (task_id, "REJECTED", "bob")
    assert int(task.end_time) > 0
    entry = data.timeline[-1]
    assert (entry.type, entry.comment, entry.user_id, entry.task_id) == ("REJECT", "not this week", "bob", task_id)


def test_reject_marks_every_other_pending_task_done(client):
    code = create_instance(client, "AND2")
    bob_task = pending_task(client, code, "bob")
    carol_task = pending_task(client, code, "carol")

    assert reject(client, "AND2", code, "carol", carol_task, comment="no").code == 0

    statuses = {t.id: t.status for t in get_instance(client, code).task_list}
    assert statuses == {bob_task: "DONE", carol_task: "REJECTED"}


def test_reject_at_a_later_node_after_approvals(client):
    code = create_instance(client)
    assert approve(client, "LEAVE", code, "bob", pending_task(client, code, "bob")).code == 0
    data = get_instance(client, code)
    fin = {t.user_id: t.id for t in data.task_list if t.status == "PENDING"}
    assert set(fin) == {"dana", "carol"}  # the OR node opened for both

    assert reject(client, "LEAVE", code, "dana", fin["dana"], comment="budget").code == 0

    data = get_instance(client, code)
    assert data.status == "REJECTED"
    assert {t.user_id: t.status for t in data.task_list} == {"bob": "APPROVED", "dana": "REJECTED", "carol": "DONE"}
    assert [e.type for e in data.timeline] == ["START", "PASS", "REJECT"]


def test_reject_without_comment_is_fine(client):
    code = create_instance(client)
    assert reject(client, "LEAVE", code, "bob", pending_task(client, code, "bob")).code == 0
    assert get_instance(client, code).timeline[-1].comment in (None, "")


def test_approve_moves_the_flow_to_approved(client):
    code = create_instance(client)
    assert approve(client, "LEAVE", code, "bob", pending_task(client, code, "bob"), comment="ok").code == 0
    assert approve(client, "LEAVE", code, "carol", pending_task(client, code, "carol")).code == 0

    data = get_instance(client, code)
    assert data.status == "APPROVED"
    assert {t.user_id: t.status for t in data.task_list} == {"bob": "APPROVED", "carol": "APPROVED", "dana": "DONE"}


def test_and_node_waits_for_every_approver(client):
    code = create_instance(client, "AND2")
    assert approve(client, "AND2", code, "bob", pending_task(client, code, "bob")).code == 0
    assert get_instance(client, code).status == "PENDING"
    assert approve(client, "AND2", code, "carol", pending_task(client, code, "carol")).code == 0
    assert get_instance(client, code).status == "APPROVED"
