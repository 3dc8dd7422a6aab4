"""user_id_type: open_id (default), union_id, user_id — on input and on every user id in answers."""

from __future__ import annotations

import pytest

from tests.api.helpers import create_instance, get_instance, pending_task, reject


@pytest.fixture
def pending(client):
    code = create_instance(client)
    return code, pending_task(client, code, "bob")


def test_default_id_type_is_open_id(client, pending):
    code, task_id = pending
    bob_open_id = get_instance(client, code, "open_id").task_list[0].user_id
    assert bob_open_id.startswith("ou_")
    assert reject(client, "LEAVE", code, "bob", task_id, user_id_type=None).code == 1390009  # 'bob' is no open_id
    assert reject(client, "LEAVE", code, bob_open_id, task_id, user_id_type=None).code == 0


def test_union_id(client, pending):
    code, task_id = pending
    bob_union_id = get_instance(client, code, "union_id").task_list[0].user_id
    assert bob_union_id.startswith("on_")
    assert reject(client, "LEAVE", code, bob_union_id, task_id, user_id_type="union_id").code == 0


def test_user_id(client, pending):
    code, task_id = pending
    assert reject(client, "LEAVE", code, "bob", task_id, user_id_type="user_id").code == 0


def test_seeded_ids_are_used_as_given(client):
    code = create_instance(client)
    for id_type, expected in (("open_id", "ou_alice"), ("union_id", "on_alice"), ("user_id", "alice")):
        data = get_instance(client, code, id_type)
        assert data.user_id == expected
        assert data.open_id == "ou_alice"
        assert data.timeline[0].user_id == expected


def test_every_user_id_in_the_answer_follows_the_type(client, pending):
    code, task_id = pending
    assert reject(client, "LEAVE", code, "bob", task_id, comment="no").code == 0
    for id_type, prefix in (("open_id", "ou_"), ("union_id", "on_")):
        data = get_instance(client, code, id_type)
        assert data.user_id.startswith(prefix)
        assert all(t.user_id.startswith(prefix) for t in data.task_list)
        assert all(e.user_id.startswith(prefix) for e in data.timeline)
        assert all(t.open_id.startswith("ou_") for t in data.task_list)


def test_derived_ids_are_stable(client):
    a = get_instance(client, create_instance(client), "open_id").task_list[0].user_id
    b = get_instance(client, create_instance(client), "open_id").task_list[0].user_id
    assert a == b
