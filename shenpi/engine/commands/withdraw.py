"""The submitter takes their request back: cancel (撤回) a PENDING instance, revert (撤销) an APPROVED one."""

from __future__ import annotations

from collections.abc import Callable

from shenpi.engine import errors
from shenpi.engine.commands.requests import Cancel
from shenpi.engine.directory import Directory
from shenpi.engine.flow import close_open_work
from shenpi.engine.model import APPROVED, CANCELED, PENDING, REVERTED, START_NODE, Aggregate
from shenpi.engine.transition import Transition


def _first_node_passed(agg: Aggregate) -> bool:
    return any(t.status == APPROVED and t.user_id and t.node_key != START_NODE and t.type != "AUTO_PASS"
               for t in agg.tasks)


def _submitter_only(agg: Aggregate, user_id: str) -> None:
    if user_id != agg.instance.user_id:
        raise errors.NoOperationPermission(f"only the submitter {agg.instance.user_id} can cancel this instance",
                                           field="user_id")


def cancel(agg: Aggregate, directory: Directory, cmd: Cancel, *, now: int, new_id: Callable[[], str]) -> Transition:
    """``POST /instances/cancel``: a PENDING instance is canceled; an APPROVED one is reverted (:func:`revert`).

    Cancel: timeline CANCEL by the submitter; every pending task DONE; the instance CANCELED with ``end_time``.
    Events: the tasks DONE, then the instance CANCELED.

    Errors: 1390009 when ``user_id`` is not the submitter, when the definition does not allow canceling
    (``settings.cancel_enabled`` false), or when ``settings.revert_option`` is 0 and a person already approved a
    node; 1395210 when the instance is already CANCELED (or reverted); 1390001 for a REJECTED / DELETED instance.
    """
    inst = agg.instance
    _submitter_only(agg, cmd.user_id)
    if inst.status == APPROVED:
        return revert(agg, directory, cmd, now=now, new_id=new_id)
    if inst.status == CANCELED or inst.reverted:
        raise errors.InstanceReverted("the instance has already been canceled")
    if inst.status != PENDING:
        raise errors.ParamInvalid(f"a {inst.status} instance cannot be canceled", field="instance_code")
    settings = agg.definition.settings
    if not settings.cancel_enabled:
        raise errors.NoOperationPermission("the approval does not allow canceling a pending request")
    if settings.revert_option == 0 and _first_node_passed(agg):
        raise errors.NoOperationPermission("the approval does not allow canceling once the first node has passed")
    tr = Transition(agg, now, new_id)
    tr.log("CANCEL", user_id=cmd.user_id, comment=cmd.comment)
    close_open_work(tr)
    inst.status = CANCELED
    inst.end_time = now
    inst.state.pop("resume", None)
    tr.instance_event(CANCELED)
    return tr


def revert(agg: Aggregate, directory: Directory, cmd: Cancel, *, now: int, new_id: Callable[[], str]) -> Transition:
    """Revert an APPROVED instance within ``settings.revert_interval`` seconds of its approval: ``reverted`` =
    True, status CANCELED (the API never shows REVERTED), ``end_time`` = now; timeline CANCEL by the submitter;
    one event, instance REVERTED.

    Errors: 1390009 when ``user_id`` is not the submitter, when ``revert_interval`` is 0 (never), when the window
    has passed, or when the instance was created with ``forbid_revoke``; 1395210 when it is already reverted or
    canceled; 1390001 for an instance that is not APPROVED.
    """
    inst = agg.instance
    _submitter_only(agg, cmd.user_id)
    if inst.reverted or inst.status == CANCELED:
        raise errors.InstanceReverted("the instance has already been reverted")
    if inst.status != APPROVED:
        raise errors.ParamInvalid(f"only an APPROVED instance can be reverted, not a {inst.status} one",
                                  field="instance_code")
    interval = agg.definition.settings.revert_interval
    if inst.state.get("forbid_revoke"):
        raise errors.NoOperationPermission("the instance was created with forbid_revoke")
    if interval <= 0:
        raise errors.NoOperationPermission("the approval does not allow reverting approved requests")
    if now - inst.end_time > interval * 1000:
        raise errors.NoOperationPermission(f"the revert window of {interval} s after approval has passed")
    tr = Transition(agg, now, new_id)
    tr.log("CANCEL", user_id=cmd.user_id, comment=cmd.comment)
    inst.reverted = True
    inst.status = CANCELED
    inst.end_time = now
    tr.instance_event(REVERTED)
    return tr
