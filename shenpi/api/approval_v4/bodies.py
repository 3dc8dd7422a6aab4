"""What the tenant-token operations on an instance or task share: their bodies' common fields, the steps from
body to acting user, the call on ``svc.instances``, and the coercion of number fields sent as strings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec

from shenpi.api.approval_v4.users import actor
from shenpi.api.wire import Call, require
from shenpi.engine.errors import ParamInvalid


class InstanceBody(msgspec.Struct):
    """An operation on one instance, by the user the body names (``user_id`` in ``?user_id_type``)."""

    approval_code: str = ""
    instance_code: str = ""
    user_id: str = ""


class TaskBody(InstanceBody):
    """An operation on one task of the instance, with the operator's comment."""

    task_id: str = ""
    comment: str = ""


class TaskFormBody(TaskBody):
    """Approve, reject and resubmit: a task action that may carry the form (resubmit requires it)."""

    form: str = ""


B = TypeVar("B", bound=TaskBody)


async def task_body(call: Call, struct: type[B], *required: str) -> tuple[B, str]:
    """The decoded body with its required fields checked, and the acting user: the task's approver named in it
    (an unknown one is 1390009, as Feishu answers a user who cannot operate on the task)."""
    b: B = call.body(struct)
    require(b, "approval_code", "instance_code", "user_id", "task_id", *required)
    return b, actor(await call.directory(), b.user_id, call.user_id_type)


async def on_instance(operation: Callable[..., Awaitable[Any]], call: Call, cmd: Any,
                      b: InstanceBody) -> dict[str, Any]:
    """Run ``operation`` (a method of ``svc.instances``) on the instance the body names; the answer is empty."""
    await operation(call.tenant_key, cmd, approval_code=b.approval_code, instance_code=b.instance_code)
    return {}


def whole_number(value: int | str, field: str, what: str = "a number") -> int:
    """Feishu sends ids and timestamps as a number or a numeric string; anything else is 1390001."""
    try:
        out = int(value or 0)
    except ValueError:
        raise ParamInvalid(f"{field} must be {what}", field=field) from None
    if not -(2**63) <= out < 2**63:  # what the database's 64-bit integers hold
        raise ParamInvalid(f"{field} must be {what}", field=field)
    return out
