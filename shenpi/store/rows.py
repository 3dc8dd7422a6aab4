"""Mapping between database rows and domain objects, shared by every backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from shenpi.engine.definitions import build_definition
from shenpi.engine.directory import Department, User
from shenpi.engine.model import Definition, DomainEvent, Instance, Task, TimelineEntry
from shenpi.engine.state import decode_flow_state, encode_flow_state

_enc = msgspec.json.Encoder()
_dec = msgspec.json.Decoder()


def dumps(value: Any) -> str:
    return _enc.encode(value).decode()


def loads(text: str | bytes) -> Any:
    return _dec.decode(text)


Row = Sequence[Any]  # sqlite3 rows and asyncpg Records both index by position

INSTANCE_COLS = (
    "code, tenant_key, approval_code, user_id, department_id, status, form, uuid, serial_number, "
    "start_time, end_time, node_index, round, title, reverted, state, version"
)
TASK_COLS = "id, instance_code, node_key, user_id, status, type, start_time, end_time, seq, round"
TIMELINE_COLS = "type, create_time, user_id, task_id, comment, node_key, user_id_list, cc_user_ids, ext"
USER_COLS = "user_id, name, open_id, union_id, apaas_user_id, department_ids, leader_user_id, email, status"


def instance_from(r: Row) -> Instance:
    form = loads(r[6])
    return Instance(
        code=r[0], tenant_key=r[1], approval_code=r[2], user_id=r[3], department_id=r[4], status=r[5],
        form=form, uuid=r[7], serial_number=r[8], start_time=r[9], end_time=r[10], node_index=r[11],
        round=r[12], title=r[13], reverted=bool(r[14]), state=decode_flow_state(r[15]), version=r[16],
        form_json=(form, r[6]) if isinstance(r[6], str) else None,
    )


def form_json(i: Instance) -> str:
    """The JSON of the instance's form: the text last read or written while the form is still that list (a step
    that leaves the form alone writes it back unchanged), else encoded afresh and kept for the next write."""
    known = i.form_json
    if known is not None and known[0] is i.form:
        return known[1]
    text = dumps(i.form)
    i.form_json = (i.form, text)
    return text


def instance_values(i: Instance) -> tuple[Any, ...]:
    return (
        i.code, i.tenant_key, i.approval_code, i.user_id, i.department_id, i.status, form_json(i), i.uuid,
        i.serial_number, i.start_time, i.end_time, i.node_index, i.round, i.title, int(i.reverted),
        encode_flow_state(i.state), i.version,
    )


def task_from(r: Row) -> Task:
    return Task(
        id=r[0], instance_code=r[1], node_key=r[2], user_id=r[3], status=r[4], type=r[5], start_time=r[6],
        end_time=r[7], seq=r[8], round=r[9],
    )


def task_values(t: Task) -> tuple[Any, ...]:
    return (t.id, t.instance_code, t.node_key, t.user_id, t.status, t.type, t.start_time, t.end_time, t.seq,
            t.round)


def timeline_from(r: Row) -> TimelineEntry:
    return TimelineEntry(
        type=r[0], create_time=r[1], user_id=r[2], task_id=r[3], comment=r[4], node_key=r[5],
        user_id_list=loads(r[6]), cc_user_ids=loads(r[7]), ext=loads(r[8]),
    )


def timeline_values(e: TimelineEntry) -> tuple[Any, ...]:
    # Most entries have no user lists and no ext: their JSON is a constant.
    return (e.type, e.create_time, e.user_id, e.task_id, e.comment, e.node_key,
            dumps(e.user_id_list) if e.user_id_list else "[]", dumps(e.cc_user_ids) if e.cc_user_ids else "[]",
            dumps(e.ext) if e.ext else "{}")


class _EventPayload(msgspec.Struct):
    """An outbox row's payload, field for field in the order it is written: a struct encodes in half the time of
    the dict it stands for, and each step writes a few events."""

    task_id: str
    user_id: str
    node_key: str
    operate_time: int
    extra: dict[str, Any]


def event_payload(e: DomainEvent) -> str:
    """``{"task_id", "user_id", "node_key", "operate_time", "extra"}`` as JSON."""
    return _enc.encode(_EventPayload(e.task_id, e.user_id, e.node_key, e.operate_time, e.extra)).decode()


def user_from(r: Row) -> User:
    return User(
        user_id=r[0], name=r[1], open_id=r[2], union_id=r[3], apaas_user_id=r[4], department_ids=loads(r[5]),
        leader_user_id=r[6], email=r[7], status=r[8],
    )


def department_from(r: Row) -> Department:
    return Department(department_id=r[0], name=r[1], leader_user_id=r[2], parent_department_id=r[3])


def definition_from(tenant_key: str, code: str, approval_id: int, status: str, version: int, body: str) -> Definition:
    d = build_definition(loads(body), tenant_key=tenant_key, approval_code=code, approval_id=approval_id,
                         version=version)
    d.status = status
    return d
