"""The operations on an instance. Each is a function of (aggregate, command, directory, clock value) that
changes the aggregate and returns the Transition describing the change; none of them touches I/O, and each
raises its DomainError before it changes anything. Where a UI must know beforehand whether an operation would
pass, the rule is a predicate that returns the error the command raises, or None: ``task_refusal`` (approve,
reject, and the task part of transfer, add-sign and rollback), ``transfer_refusal``, ``add_sign_refusal``,
``rollback_refusal`` (with ``rollback_target_keys``), ``resubmit_refusal``, ``withdraw_refusal`` (cancel) and
``revert_refusal``.

Timeline types and what produces them: START (create), PASS (approve; resubmit, at node START),
REJECT (reject), AUTO_PASS / AUTO_REJECT (a node whose approvers resolve to nobody, per ``empty_approver``),
TRANSFER (transfer), ADD_APPROVER_BEFORE / ADD_APPROVER_AFTER / ADD_APPROVER (add_sign 1/2/3), ROLLBACK_SELECTED
(specified_rollback), CANCEL (cancel and revert), CC (cc, CC nodes, ccers). Not produced, as no operation of this
engine implies them: REMOVE_REPEAT (Feishu's dedup of an approver across nodes; within a node a repeated approver
is silently kept once), DELETE_APPROVER (减签 has no open API), ROLLBACK (全部回退: a rejection back to the
submitter logs REJECT, a rollback to START logs ROLLBACK_SELECTED), DELETE (instances end DELETED only when an
admin deletes the definition, which is not an engine operation).
"""

from __future__ import annotations

from typing import Any

from shenpi.engine.commands.add_sign import add_sign, add_sign_refusal
from shenpi.engine.commands.cc import cc, list_ccs, mark_cc_read
from shenpi.engine.commands.create import create_instance
from shenpi.engine.commands.decide import approve, reject, resubmit, resubmit_refusal
from shenpi.engine.commands.guards import task_refusal
from shenpi.engine.commands.requests import (
    AddSign,
    Cancel,
    Cc,
    CcRead,
    CreateInstance,
    SpecifiedRollback,
    TaskAction,
    Transfer,
)
from shenpi.engine.commands.rollback import passed_node_keys, rollback_refusal, rollback_target_keys, specified_rollback
from shenpi.engine.commands.transfer import transfer, transfer_refusal
from shenpi.engine.commands.withdraw import cancel, revert, revert_refusal, withdraw_refusal
from shenpi.engine.model import Aggregate
from shenpi.engine.state import CcRecord

__all__ = [
    "AddSign",
    "Cancel",
    "Cc",
    "CcRead",
    "CcRecord",
    "CreateInstance",
    "SpecifiedRollback",
    "TaskAction",
    "Transfer",
    "add_sign",
    "add_sign_refusal",
    "approve",
    "cancel",
    "cc",
    "create_instance",
    "describe",
    "list_ccs",
    "mark_cc_read",
    "passed_node_keys",
    "reject",
    "resubmit",
    "resubmit_refusal",
    "revert",
    "revert_refusal",
    "rollback_refusal",
    "rollback_target_keys",
    "specified_rollback",
    "task_refusal",
    "transfer",
    "transfer_refusal",
    "withdraw_refusal",
]


def describe(agg: Aggregate) -> dict[str, Any]:
    """A compact picture of an aggregate, for logs and test failure messages."""
    return {
        "instance": agg.instance.code,
        "status": agg.instance.status,
        "tasks": [(t.id, t.node_key, t.user_id, t.status) for t in agg.tasks],
    }
