"""payloads: an event id is a function of (outbox row, app, event type) and nothing else."""

from __future__ import annotations

from shenpi.events.payloads import render
from tests.events.helpers import app, directory, outbox


def test_same_row_app_and_type_give_the_same_id_and_body() -> None:
    ev = outbox("task", "PENDING", task_id="1", user_id="alice", oid=10)
    a, b = render("approval_task", ev, app(), directory()), render("approval_task", ev, app(), directory())
    assert a.event_id == b.event_id and a.body() == b.body()


def test_ids_differ_by_row_app_and_type() -> None:
    ev = outbox("task", "PENDING", task_id="1", user_id="alice", oid=10)
    base = render("approval_task", ev, app(), directory()).event_id
    assert render("approval_task", outbox("task", "PENDING", task_id="1", oid=11), app(), directory()).event_id != base
    assert render("approval_task", ev, app(app_id="cli_other"), directory()).event_id != base
    assert render("approval.task.status_changed_v4", ev, app(), directory()).event_id != base


def test_v1_uuid_and_v2_event_id_are_the_event_id() -> None:
    ev = outbox("instance", "PENDING", oid=12)
    v1 = render("approval_instance", ev, app(), directory())
    v2 = render("approval.instance.status_changed_v4", ev, app(), directory())
    assert v1.payload["uuid"] == v1.event_id and v2.payload["header"]["event_id"] == v2.event_id
