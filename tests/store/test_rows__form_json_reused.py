"""The instance row's form JSON is encoded once and reused while the form is unchanged (rows.form_json), and what
is written is always what encoding the form afresh would give — after a create, a read, and a form replaced.

The JSON is kept beside the list it encodes (``Instance.form_json``); a form that changed is a new list (the
engine never edits one in place: tests/engine/test_form__never_edited_in_place.py), so it is encoded again.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shenpi.engine import commands
from shenpi.engine.model import Instance
from shenpi.engine.state import FlowState, encode_flow_state
from shenpi.store import rows
from shenpi.store.base import Store
from tests.store.contract import NOW, create, run, seeded, sequential_ids

text = st.text(st.characters(codec="utf-8"), max_size=8)  # no lone surrogates: JSON text is UTF-8
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
forms = st.lists(st.fixed_dictionaries({"id": text, "type": st.sampled_from(
    ["input", "number", "checkboxV2", "dateInterval"]), "value": values}), max_size=4)


def instance(form: list[dict[str, Any]]) -> Instance:
    return Instance("acme", "INST", "LEAVE", "alice", "eng", "PENDING", form, 5, uuid="u", serial_number="1",
                    state=FlowState(next_node_index=1), version=2)


def encoded_afresh(i: Instance) -> tuple[Any, ...]:
    """instance_values as it was before the JSON was kept: the form encoded at every call."""
    return (i.code, i.tenant_key, i.approval_code, i.user_id, i.department_id, i.status, rows.dumps(i.form), i.uuid,
            i.serial_number, i.start_time, i.end_time, i.node_index, i.round, i.title, int(i.reverted),
            encode_flow_state(i.state), i.version)


@settings(max_examples=200, deadline=None)
@given(form=forms, other=forms)
def test_the_values_written_are_the_form_encoded_afresh(form: list[dict[str, Any]],
                                                        other: list[dict[str, Any]]) -> None:
    inst = instance(form)
    assert rows.instance_values(inst) == encoded_afresh(inst)
    assert rows.instance_values(inst) == encoded_afresh(inst)  # the second time, from the kept JSON
    inst.form = other  # a changed form is a new list: encoded again, never the JSON kept for the old one
    assert rows.instance_values(inst) == encoded_afresh(inst)
    assert rows.form_json(inst) == rows.dumps(other)


@settings(max_examples=200, deadline=None)
@given(form=forms, other=forms)
def test_a_form_read_from_its_row_writes_back_the_text_it_was_read_from(form: list[dict[str, Any]],
                                                                        other: list[dict[str, Any]]) -> None:
    stored = json.dumps(form, indent=1)  # a row written by any encoder: what is read is what goes back
    row = list(encoded_afresh(instance(form)))
    row[6] = stored
    loaded = rows.instance_from(row)
    assert loaded.form == form
    assert rows.form_json(loaded) == stored
    loaded.form = other
    assert rows.form_json(loaded) == rows.dumps(other)


def test_the_store_writes_a_changed_form_and_keeps_an_unchanged_one(store_url: str) -> None:
    async def step(store: Store, user_id: str, form: str | None, now: int) -> list[dict[str, Any]]:
        async with store.transaction() as tx:
            agg = await tx.load_aggregate("acme", "INST-1")
            assert agg is not None
            task = next(t for t in agg.tasks if t.user_id == user_id and t.status == "PENDING")
            directory = await tx.load_directory("acme")
            tr = commands.approve(agg, directory, commands.TaskAction(task.id, user_id, "", form), now=now,
                                  new_id=sequential_ids(f"T{now}-"))
            await tx.save_transition(tr, created=False)
        async with store.transaction() as tx:
            loaded = await tx.load_aggregate("acme", "INST-1")
            assert loaded is not None
            assert loaded.instance.form == agg.instance.form
            return loaded.instance.form

    async def body(store: Store) -> None:
        await seeded(store)
        agg, _ = await create(store)
        created = agg.instance.form
        changed = await step(store, "bob", json.dumps([{"id": "days", "type": "number", "value": 3}]), NOW + 10)
        assert changed == [*created, {"id": "days", "type": "number", "value": 3, "name": "@i18n@days"}]
        assert await step(store, "dana", None, NOW + 20) == changed

    run(store_url, body)
