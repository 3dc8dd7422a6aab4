"""Event bodies in Feishu's shapes, built from the store's outbox rows (docs/feishu-behaviour.md, "Event payloads").

v1 (``"type":"event_callback"``): ``approval_instance``, ``approval_task``, ``approval_cc``.
v2 (``"schema":"2.0"``): ``approval.instance.status_changed_v4``, ``approval.task.status_changed_v4`` and
``approval.approval.updated_v4`` (definition changes: delivery rows written in the transaction that saves the
definition, not outbox rows).

Event ids are derived, not random: the same outbox row rendered for the same app and event type always gets the
same id, so a retry, a replay, or re-routing after a crash repeats the id receivers deduplicate on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from shenpi.engine.definitions import node_system_id
from shenpi.engine.model import Definition, DomainEvent
from shenpi.events.crypto import dumps
from shenpi.store.records import App

APPROVAL_INSTANCE = "approval_instance"
APPROVAL_TASK = "approval_task"
APPROVAL_CC = "approval_cc"
INSTANCE_STATUS_CHANGED_V4 = "approval.instance.status_changed_v4"
TASK_STATUS_CHANGED_V4 = "approval.task.status_changed_v4"
APPROVAL_UPDATED_V4 = "approval.approval.updated_v4"

V1_TYPES = frozenset({APPROVAL_INSTANCE, APPROVAL_TASK, APPROVAL_CC})
V2_TYPES = frozenset({INSTANCE_STATUS_CHANGED_V4, TASK_STATUS_CHANGED_V4, APPROVAL_UPDATED_V4})
ALL_TYPES = V1_TYPES | V2_TYPES

# Which event types an outbox row of each kind can become. There is no v2 CC event.
TYPES_BY_KIND: dict[str, tuple[str, ...]] = {
    "instance": (APPROVAL_INSTANCE, INSTANCE_STATUS_CHANGED_V4),
    "task": (APPROVAL_TASK, TASK_STATUS_CHANGED_V4),
    "cc": (APPROVAL_CC,),
}

# What an app receives when nothing says otherwise: the events Feishu documents for approval (v1 for instance,
# task and CC; v2 only for definition changes). The v2 status_changed_v4 pair is opt-in, because a receiver
# built with the official SDK answers 500 for a type it did not register, which would stall the instance's queue.
DEFAULT_EVENT_TYPES = frozenset({APPROVAL_INSTANCE, APPROVAL_TASK, APPROVAL_CC, APPROVAL_UPDATED_V4})


class UserIds(Protocol):
    """Maps a tenant user_id to another id type; ``shenpi.engine.directory.Directory`` satisfies it."""

    def external_id(self, user_id: str, id_type: str) -> str: ...


class OutboxEvent(DomainEvent, kw_only=True):
    """One outbox row: a DomainEvent as ``save_transition`` wrote it, with the instance it belongs to and the
    row's id and time."""

    id: int
    tenant_key: str
    approval_code: str
    instance_code: str
    created_at: int = 0

    @classmethod
    def from_row(cls, row: Mapping[str, Any], tenant_key: str = "") -> OutboxEvent:
        """Accepts the raw table row (``payload`` as JSON text or dict) or the flattened dict ``Tx.outbox()`` returns."""
        payload: Any = row.get("payload")
        if isinstance(payload, str | bytes):
            payload = json.loads(payload)
        fields: Mapping[str, Any] = payload if isinstance(payload, Mapping) else row
        created_at = int(row.get("created_at") or 0)
        return cls(
            id=int(row["id"]),
            tenant_key=str(row.get("tenant_key") or tenant_key),
            approval_code=str(row["approval_code"]),
            instance_code=str(row["instance_code"]),
            kind=row["kind"],
            status=str(row["status"]),
            operate_time=int(fields.get("operate_time") or created_at),
            task_id=str(fields.get("task_id") or ""),
            user_id=str(fields.get("user_id") or ""),
            node_key=str(fields.get("node_key") or ""),
            extra=dict(fields.get("extra") or {}),
            created_at=created_at,
        )


@dataclass(frozen=True, slots=True)
class RenderedEvent:
    event_id: str
    event_type: str
    payload: dict[str, Any]

    def body(self) -> bytes:
        return dumps(self.payload)


def event_id(*parts: object) -> str:
    """32 hex chars (the shape of Feishu's ``uuid`` / ``event_id``), a pure function of ``parts``."""
    return hashlib.sha256("/".join(str(p) for p in ("shenpi-event", *parts)).encode("utf-8")).hexdigest()[:32]


def outbox_event_id(ev: OutboxEvent, app_id: str, event_type: str) -> str:
    return event_id(ev.tenant_key, ev.instance_code, ev.id, app_id, event_type)


def _ts(ms: int) -> str:
    """v1 ``ts``: seconds with a fraction, as a string (Feishu's example has 7 fractional digits)."""
    return f"{ms // 1000}.{ms % 1000:03d}0000"


def _user(users: UserIds, user_id: str) -> dict[str, str]:
    return {
        "user_id": user_id,
        "open_id": users.external_id(user_id, "open_id"),
        "union_id": users.external_id(user_id, "union_id"),
    }


def _v1(eid: str, ms: int, app: App, event: dict[str, Any]) -> dict[str, Any]:
    return {"ts": _ts(ms), "uuid": eid, "token": app.verification_token, "type": "event_callback", "event": event}


def _v2(eid: str, event_type: str, ms: int, app: App, tenant_key: str, event: dict[str, Any]) -> dict[str, Any]:
    header = {
        "event_id": eid,
        "token": app.verification_token,
        "create_time": str(ms),
        "event_type": event_type,
        "tenant_key": tenant_key,
        "app_id": app.app_id,
    }
    return {"schema": "2.0", "header": header, "event": event}


def render(
    event_type: str,
    ev: OutboxEvent,
    app: App,
    users: UserIds,
    *,
    instance_uuid: str = "",
    start_user_id: str = "",
) -> RenderedEvent:
    """Build one event of ``event_type`` for ``app`` from an outbox row.

    ``instance_uuid`` is the uuid the instance was created with (v1 ``event.uuid``, v2 ``external_id``);
    ``start_user_id`` is the submitter (v2 ``start_user``). ``users`` maps user_id to open_id/union_id.
    """
    if event_type not in TYPES_BY_KIND.get(ev.kind, ()):
        raise ValueError(f"an outbox row of kind {ev.kind!r} cannot become {event_type!r}")
    eid = outbox_event_id(ev, app.app_id, event_type)
    ms = ev.operate_time
    event: dict[str, Any]
    base = {"app_id": app.app_id, "tenant_key": ev.tenant_key, "type": event_type,
            "approval_code": ev.approval_code, "instance_code": ev.instance_code}
    if event_type == APPROVAL_INSTANCE:
        # The Chinese event page types operate_time as int64 for REVERTED only; every other status gets a string.
        operate_time: str | int = ms if ev.status == "REVERTED" else str(ms)
        event = {**base, "status": ev.status, "operate_time": operate_time, "instance_operate_time": str(ms),
                 "uuid": instance_uuid}
        return RenderedEvent(eid, event_type, _v1(eid, ms, app, event))
    if event_type == APPROVAL_TASK:
        event = {
            **base,
            "open_id": users.external_id(ev.user_id, "open_id") if ev.user_id else "",
            "task_id": ev.task_id,
            "user_id": ev.user_id,
            "status": ev.status,
            "operate_time": str(ms),
            "custom_key": ev.node_key,
            "def_key": node_system_id(ev.approval_code, ev.node_key) if ev.node_key else "",
        }
        if ev.extra:  # Feishu sends ``extra`` (a JSON string) only when there is something in it, e.g. a rollback
            event["extra"] = json.dumps(ev.extra, separators=(",", ":"), ensure_ascii=False)
        return RenderedEvent(eid, event_type, _v1(eid, ms, app, event))
    if event_type == APPROVAL_CC:
        event = {**base, "id": str(ev.extra.get("id") or ""), "user_id": ev.user_id, "create_time": ms,
                 "operate": ev.status or "CREATE", "from": str(ev.extra.get("from") or "")}
        return RenderedEvent(eid, event_type, _v1(eid, ms, app, event))
    if event_type == INSTANCE_STATUS_CHANGED_V4:
        event = {"approval_code": ev.approval_code, "instance_code": ev.instance_code, "status": ev.status,
                 "operate_time": str(ms), "subscriber_id_list": []}
        if instance_uuid:
            event["external_id"] = instance_uuid
        if start_user_id:
            event["start_user"] = _user(users, start_user_id)
        return RenderedEvent(eid, event_type, _v2(eid, event_type, ms, app, ev.tenant_key, event))
    # TASK_STATUS_CHANGED_V4
    event = {"approval_code": ev.approval_code, "instance_code": ev.instance_code, "task_id": ev.task_id,
             "status": ev.status, "operate_time": str(ms), "subscriber_id_list": []}
    if ev.user_id:  # auto-pass tasks have nobody assigned
        event["assigned_user"] = _user(users, ev.user_id)
    return RenderedEvent(eid, event_type, _v2(eid, event_type, ms, app, ev.tenant_key, event))


def approval_updated(
    app: App,
    *,
    tenant_key: str,
    approval_code: str,
    approval_id: str,
    version_id: str,
    form_definition_id: str,
    process_obj: str,
    changed_at_ms: int,
    extra: str = "",
) -> RenderedEvent:
    """``approval.approval.updated_v4``; the id is stable per (approval, version, app)."""
    eid = event_id(tenant_key, "approval", approval_code, version_id, app.app_id, APPROVAL_UPDATED_V4)
    obj = {
        "approval_id": approval_id,
        "approval_code": approval_code,
        "version_id": version_id,
        "widget_group_type": 0,  # documented as "0 = unused"
        "form_definition_id": form_definition_id,
        "process_obj": process_obj,
        "timestamp": str(changed_at_ms // 1000),  # seconds, unlike every other time field
        "extra": extra,
    }
    payload = _v2(eid, APPROVAL_UPDATED_V4, changed_at_ms, app, tenant_key, {"object": obj})
    return RenderedEvent(eid, APPROVAL_UPDATED_V4, payload)


def approval_updated_from_definition(app: App, definition: Definition, changed_at_ms: int) -> RenderedEvent:
    """``approval.approval.updated_v4`` for a saved definition version.

    Feishu does not document what ``form_definition_id`` and ``process_obj`` hold; we give a stable id derived from
    the form and the node list as compact JSON, which is what a receiver would want to diff.
    """
    form = definition.body.get("form", "")
    form_text = form if isinstance(form, str) else dumps(form).decode("utf-8")
    form_id = str(int(hashlib.sha256(f"{definition.code}/{form_text}".encode()).hexdigest()[:15], 16))
    process = dumps({"node_list": definition.body.get("node_list", [])}).decode("utf-8")
    return approval_updated(
        app,
        tenant_key=definition.tenant_key,
        approval_code=definition.code,
        approval_id=str(definition.approval_id),
        version_id=str(definition.version),
        form_definition_id=form_id,
        process_obj=process,
        changed_at_ms=changed_at_ms,
    )
