"""Create an instance: validate the submission, log START, and open the first node that needs a person."""

from __future__ import annotations

from collections.abc import Callable

from shenpi.engine import errors
from shenpi.engine.commands.guards import existing_users, node_keyed
from shenpi.engine.commands.requests import CreateInstance
from shenpi.engine.directory import Directory
from shenpi.engine.flow import open_from
from shenpi.engine.form import parse_form
from shenpi.engine.model import PENDING, START_NODE, Aggregate, Definition, Instance
from shenpi.engine.plan import plan_of
from shenpi.engine.state import FlowState
from shenpi.engine.transition import Transition


def create_instance(
    definition: Definition,
    directory: Directory,
    cmd: CreateInstance,
    *,
    code: str,
    serial_number: str,
    now: int,
    new_id: Callable[[], str],
) -> tuple[Aggregate, Transition]:
    """Events: instance PENDING, then the first node's tasks PENDING (or AUTO_PASS ... APPROVED)."""
    if definition.status != "ACTIVE":
        raise errors.ApprovalNotActive("the approval definition is not active")
    user = directory.user(cmd.user_id)
    if user is None:
        raise errors.UserNotFound(f"user {cmd.user_id} not found", field="user_id")
    department_id = cmd.department_id or (user.department_ids[0] if user.department_ids else "")
    if cmd.department_id and cmd.department_id not in user.department_ids:
        raise errors.ParamInvalid(
            f"department_id {cmd.department_id} is not a department of the submitter", field="department_id"
        )
    form = parse_form(definition, cmd.form)
    free = node_keyed(definition, cmd.free_approvers, "node_approver_user_id_list") if cmd.free_approvers else {}
    free_cc = node_keyed(definition, cmd.free_ccs, "node_cc_user_id_list") if cmd.free_ccs else {}
    # With nothing chosen, only a node whose approvers must be chosen can fail the checks: walk just those.
    for node in definition.nodes if free or free_cc else plan_of(definition).nodes_to_choose_for:
        if node.need_approver and not free.get(node.key) and node.node_type != "CC_NODE":
            raise errors.ParamInvalid(
                f"node_approver_user_id_list: node {node.key} needs approvers chosen at submission",
                field="node_approver_user_id_list",
            )
        existing_users(directory, free.get(node.key, []), "node_approver_user_id_list")
        existing_users(directory, free_cc.get(node.key, []), "node_cc_user_id_list")
    state = FlowState(chosen_approvers=free, chosen_ccs=free_cc, revert_forbidden=cmd.forbid_revoke,
                      definition_version=definition.version)
    # positional (the keyword construction cost twice as much): (tenant_key, code, approval_code, user_id,
    # department_id, status, form, start_time, uuid, serial_number, end_time, node_index, round, title, reverted, state)
    instance = Instance(definition.tenant_key, code, definition.code, cmd.user_id, department_id, PENDING, form, now,
                        cmd.uuid, serial_number, 0, -1, 0, cmd.title, False, state)
    agg = Aggregate(definition, instance, [])
    tr = Transition(agg, now, new_id)
    tr.log("START", user_id=cmd.user_id, node_key=START_NODE)
    tr.instance_event(PENDING)
    open_from(tr, definition, directory, 0)
    return agg, tr
