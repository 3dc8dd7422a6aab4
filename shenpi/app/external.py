"""External (三方) approvals: definitions, instances and tasks kept by other systems, stored as sent.

An external instance's ``update_mode`` is ``REPLACE`` (the default: the new body replaces the stored one) or
``UPDATE`` (only a newer ``update_time`` overwrites, and its tasks merge into the stored ones by ``task_id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shenpi.app.context import Context
from shenpi.engine.errors import ApprovalNotFound, ParamInvalid
from shenpi.store.base import Tx
from shenpi.store.records import Cursor, Page


def ms(value: Any) -> int:
    """A millisecond timestamp as external systems send it (number or numeric string); anything else is 0."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True, slots=True)
class ExternalFilter:
    """The external instances a search reads whole (to filter them itself): those of these approvals and with these
    ids; neither given, all of the tenant's."""

    approval_codes: list[str]
    instance_ids: list[str]


# The external instances a search read (their bodies as stored) and their approvals' bodies by code.
Searchable = tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]


def _task_times(tasks: Any, time_key: str = "update_time") -> dict[Any, int]:
    return {t.get("task_id"): ms(t.get(time_key)) for t in tasks or []}


class External:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def put_approval(self, tenant_key: str, approval_code: str, body: dict[str, Any]) -> None:
        """Create or replace an external approval; a body without group_code keeps the stored group, and a
        group_code that names no group yet needs its group_name."""
        async with self._ctx.store.transaction() as tx:
            group_code = body.get("group_code")
            if not group_code:
                stored = await tx.get_external_approval(tenant_key, approval_code) or {}
                group = {k: stored[k] for k in ("group_code", "group_name") if stored.get(k)}
                body = {**body, **group}
            elif not body.get("group_name"):
                # A new group needs its name; an existing one lends it to the approval that joins it.
                name = await tx.external_group_name(tenant_key, str(group_code))
                if name is None:
                    raise ParamInvalid(f"group_name is required: group_code {group_code} names no group yet",
                                       field="group_name")
                if name:
                    body = {**body, "group_name": name}
            await tx.put_external_approval(tenant_key, approval_code, body, self._ctx.clock.now_ms())

    async def get_approval(self, tenant_key: str, approval_code: str) -> dict[str, Any]:
        async with self._ctx.store.transaction() as tx:
            body = await tx.get_external_approval(tenant_key, approval_code)
        if body is None:
            raise ApprovalNotFound(f"external approval {approval_code} not found", field="approval_code")
        return body

    async def put_instance(self, tenant_key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Store an instance of an external approval; the body as stored afterwards."""
        code, instance_id = body["approval_code"], body["instance_id"]
        async with self._ctx.store.transaction() as tx:
            if await tx.get_external_approval(tenant_key, code) is None:
                raise ApprovalNotFound(f"external approval {code} not found", field="approval_code")
            stored = await tx.get_external_instance(tenant_key, code, instance_id)
            if stored is not None and body.get("update_mode") == "UPDATE":
                if ms(body.get("update_time")) < ms(stored.get("update_time")):
                    return stored  # an older update never overwrites a newer one
                tasks = {t["task_id"]: t for t in stored.get("task_list") or []}
                tasks.update({t["task_id"]: t for t in body.get("task_list") or []})
                body = {**stored, **body, "task_list": list(tasks.values())}
            await tx.put_external_instance(tenant_key, code, instance_id, body["status"], body,
                                           ms(body.get("update_time")) or self._ctx.clock.now_ms())
        return body

    async def check_instances(self, tenant_key: str, given: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The instances (and tasks) whose stored ``update_time`` differs from the caller's, as stored."""
        diff = []
        async with self._ctx.store.transaction() as tx:
            for i, entry in enumerate(given):
                instance_id = entry.get("instance_id")
                if not isinstance(instance_id, str) or not instance_id:
                    raise ParamInvalid(f"instances[{i}].instance_id is required", field=f"instances[{i}].instance_id")
                found = await tx.list_external_instances(tenant_key, instance_ids=[instance_id], limit=1)
                stored = found.items[0] if found.items else None
                if stored is None or ms(stored.get("update_time")) != ms(entry.get("update_time")):
                    diff.append({"instance_id": instance_id,
                                 "update_time": ms(stored.get("update_time")) if stored else 0,
                                 "tasks": [{"task_id": t.get("task_id"), "update_time": ms(t.get("update_time"))}
                                           for t in (stored or {}).get("task_list") or []]})
                    continue
                stored_tasks = _task_times(stored.get("task_list"))
                if stored_tasks != _task_times(entry.get("tasks")):
                    diff.append({"instance_id": instance_id, "update_time": ms(stored.get("update_time")),
                                 "tasks": [{"task_id": k, "update_time": v} for k, v in stored_tasks.items()]})
        return diff

    async def instances(self, tenant_key: str, *, approval_codes: list[str], instance_ids: list[str],
                        after: Cursor | None, limit: int) -> Page:
        """Stored external instances (``page.items``: their bodies)."""
        async with self._ctx.store.transaction() as tx:
            return await tx.list_external_instances(tenant_key, approval_codes=approval_codes,
                                                    instance_ids=instance_ids, after=after, limit=limit)

    async def searchable(self, tenant_key: str, wanted: ExternalFilter) -> Searchable:
        """Every stored external instance ``wanted`` names, as stored, for the search APIs to filter; and their
        approvals' bodies by code."""
        async with self._ctx.store.transaction() as tx:
            return await read_searchable(tx, tenant_key, wanted)


async def read_searchable(tx: Tx, tenant_key: str, wanted: ExternalFilter) -> Searchable:
    """:meth:`External.searchable` inside a transaction already open (a search reads its native page in the same
    one)."""
    bodies: list[dict[str, Any]] = []
    after: Cursor | None = None
    while True:
        found = await tx.list_external_instances(tenant_key, approval_codes=wanted.approval_codes,
                                                 instance_ids=wanted.instance_ids, after=after, limit=500)
        bodies.extend(found.items)
        if found.next is None:
            break
        after = found.next
    approvals = {code: await tx.get_external_approval(tenant_key, code) for code in {b["approval_code"] for b in bodies}}
    return bodies, {code: a for code, a in approvals.items() if a is not None}
