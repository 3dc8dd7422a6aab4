"""The submitter takes their request back: cancel (撤回) a PENDING instance, revert (撤销) an APPROVED one."""

from __future__ import annotations

from collections.abc import Callable

from shenpi.engine import errors
from shenpi.engine.commands.requests import Cancel
from shenpi.engine.directory import Directory
from shenpi.engine.errors import DomainError
from shenpi.engine.flow import close_open_work
from shenpi.engine.model import APPROVED, CANCELED, PENDING, REVERTED, START_NODE, Aggregate
from shenpi.engine.transition import Transition


def _first_node_passed(agg: Aggregate) -> bool:
    return any(t.status == APPROVED and t.user_id and t.node_key != START_NODE and t.type != "AUTO_PASS"
               for t in agg.tasks)


def _not_the_submitter(agg: Aggregate, user_id: str) -> DomainError | None:
    if user_id != agg.instance.user_id:
        return errors.NoOperationPermission(f"only the submitter {agg.instance.user_id} can cancel this instance",
                                            field="user_id")
    return None


def withdraw_refusal(agg: Aggregate, user_id: str, now: int) -> DomainError | None:
    """Why ``POST /instances/cancel`` by ``user_id`` at ``now`` would be refused, or None. It cancels a PENDING
    instance and reverts an APPROVED one (then :func:`revert_refusal` decides).

    Errors: 1390009 when ``user_id`` is not the submitter, when the definition does not allow canceling
    (``settings.cancel_enabled`` false), or when ``settings.revert_option`` is 0 and a person already approved a
    node; 1395210 when the instance is already CANCELED (or reverted); 1390001 for a REJECTED / DELETED instance.
    """
    inst = agg.instance
    refusal = _not_the_submitter(agg, user_id)
    if refusal is not None:
        return refusal
    if inst.status == APPROVED:
        return revert_refusal(agg, user_id, now)
    if inst.status == CANCELED or inst.reverted:
        return errors.InstanceReverted("the instance has already been canceled")
    if inst.status != PENDING:
        return errors.ParamInvalid(f"a {inst.status} instance cannot be canceled", field="instance_code")
    settings = agg.definition.settings
    if not settings.cancel_enabled:
        return errors.NoOperationPermission("the approval does not allow canceling a pending request")
    if settings.revert_option == 0 and _first_node_passed(agg):
        return errors.NoOperationPermission("the approval does not allow canceling once the first node has passed")
    return None


def revert_refusal(agg: Aggregate, user_id: str, now: int) -> DomainError | None:
    """Why reverting the instance by ``user_id`` at ``now`` would be refused, or None.

    Errors: 1390009 when ``user_id`` is not the submitter, when ``revert_interval`` is 0 (never), when the window
    has passed, or when the instance was created with ``forbid_revoke``; 1395210 when it is already reverted or
    canceled; 1390001 for an instance that is not APPROVED.
    """
    inst = agg.instance
    refusal = _not_the_submitter(agg, user_id)
    if refusal is not None:
        return refusal
    if inst.reverted or inst.status == CANCELED:
        return errors.InstanceReverted("the instance has already been reverted")
    if inst.status != APPROVED:
        return errors.ParamInvalid(f"only an APPROVED instance can be reverted, not a {inst.status} one",
                                   field="instance_code")
    interval = agg.definition.settings.revert_interval
    if inst.state.revert_forbidden:
        return errors.NoOperationPermission("the instance was created with forbid_revoke")
    if interval <= 0:
        return errors.NoOperationPermission("the approval does not allow reverting approved requests")
    if now - inst.end_time > interval * 1000:
        return errors.NoOperationPermission(f"the revert window of {interval} s after approval has passed")
    return None


def cancel(agg: Aggregate, directory: Directory, cmd: Cancel, *, now: int, new_id: Callable[[], str]) -> Transition:
    """``POST /instances/cancel``: a PENDING instance is canceled; an APPROVED one is reverted (:func:`revert`).

    Cancel: timeline CANCEL by the submitter; every pending task DONE; the instance CANCELED with ``end_time``.
    Events: the tasks DONE, then the instance CANCELED. Errors: :func:`withdraw_refusal`.
    """
    inst = agg.instance
    refusal = withdraw_refusal(agg, cmd.user_id, now)
    if refusal is not None:
        raise refusal
    if inst.status == APPROVED:
        return revert(agg, directory, cmd, now=now, new_id=new_id)
    tr = Transition(agg, now, new_id)
    tr.log("CANCEL", user_id=cmd.user_id, comment=cmd.comment)
    close_open_work(tr)
    inst.status = CANCELED
    inst.end_time = now
    inst.state.next_node_index = None
    tr.instance_event(CANCELED)
    return tr


def revert(agg: Aggregate, directory: Directory, cmd: Cancel, *, now: int, new_id: Callable[[], str]) -> Transition:
    """Revert an APPROVED instance within ``settings.revert_interval`` seconds of its approval: ``reverted`` =
    True, status CANCELED (the API never shows REVERTED), ``end_time`` = now; timeline CANCEL by the submitter;
    one event, instance REVERTED. Errors: :func:`revert_refusal`.
    """
    inst = agg.instance
    refusal = revert_refusal(agg, cmd.user_id, now)
    if refusal is not None:
        raise refusal
    tr = Transition(agg, now, new_id)
    tr.log("CANCEL", user_id=cmd.user_id, comment=cmd.comment)
    inst.reverted = True
    inst.status = CANCELED
    inst.end_time = now
    tr.instance_event(REVERTED)
    return tr
