"""Add-sign (加签): the approver of a pending task brings more approvers into its node."""

from __future__ import annotations

from collections.abc import Callable

from shenpi.engine import errors, worktree
from shenpi.engine.commands.guards import dedupe, newcomer_refusal, task_and_node, task_refusal
from shenpi.engine.commands.requests import AddSign
from shenpi.engine.directory import Directory
from shenpi.engine.errors import DomainError
from shenpi.engine.flow import join_of, settle_node, tree_of
from shenpi.engine.model import APPROVED, DONE, Aggregate
from shenpi.engine.transition import Transition

BEFORE, AFTER, ALONGSIDE = 1, 2, 3
_TIMELINE = {BEFORE: "ADD_APPROVER_BEFORE", AFTER: "ADD_APPROVER_AFTER", ALONGSIDE: "ADD_APPROVER"}


def add_sign_refusal(agg: Aggregate, directory: Directory, cmd: AddSign) -> DomainError | None:
    """Why the add-sign would be refused, or None. Errors: as for approve; 1390001 for an empty
    ``add_sign_user_ids``, an ``add_sign_type`` other than 1–3, an ``approval_method`` other than 1/2 on types
    1/2, or an added user who is the acting user or already has a pending task at the node; 1390004 for an
    unknown added user."""
    refusal = task_refusal(agg, cmd.task_id, cmd.user_id)
    if refusal is not None:
        return refusal
    task, node = task_and_node(agg, cmd.task_id)
    users = dedupe(cmd.add_sign_user_ids)
    if not users:
        return errors.ParamInvalid("add_sign_user_ids is required", field="add_sign_user_ids")
    if cmd.add_sign_type not in _TIMELINE:
        return errors.ParamInvalid("add_sign_type must be 1 (before), 2 (after) or 3 (alongside)",
                                   field="add_sign_type")
    if cmd.add_sign_type in (BEFORE, AFTER) and cmd.approval_method not in (1, 2):
        return errors.ParamInvalid("approval_method must be 1 (OR) or 2 (AND) for add_sign_type 1 and 2",
                                   field="approval_method")
    return newcomer_refusal(agg, directory, task, node.key, users, "add_sign_user_ids",
                            oneself="the acting approver cannot add themself")


def add_sign(
    agg: Aggregate, directory: Directory, cmd: AddSign, *, now: int, new_id: Callable[[], str]
) -> Transition:
    """Add approvers around the acting task (all at the task's node, in the current round):

    * type 1, before (前加签): the task closes as DONE; the added users get PENDING tasks now (``approval_method``
      1 = any one of them, 2 = all of them); once they have approved, the acting user gets a new PENDING task.
      Timeline ADD_APPROVER_BEFORE. Events: the task DONE, the added tasks PENDING.
    * type 2, after (后加签): the task is APPROVED (the acting user's approval); the added users get PENDING
      tasks and the node does not move on until they have approved (per ``approval_method``). Timeline
      ADD_APPROVER_AFTER (no separate PASS). Events: the task APPROVED, the added tasks PENDING.
    * type 3, alongside (并加签): the added users get PENDING tasks beside the acting task, in the same group;
      a group that held only the acting task takes the node's rule (AND: all approve, OR: one approves,
      SEQUENTIAL: all approve before the next in order). Timeline ADD_APPROVER. Events: the added tasks PENDING.

    Every timeline entry carries ``user_id_list`` = the added users. Errors: :func:`add_sign_refusal`.
    """
    refusal = add_sign_refusal(agg, directory, cmd)
    if refusal is not None:
        raise refusal
    task, node = task_and_node(agg, cmd.task_id)
    users = dedupe(cmd.add_sign_user_ids)
    tr = Transition(agg, now, new_id)
    tree = tree_of(tr, node)
    found, parent = worktree.find(tree, task.id)
    if found is None or parent is None:
        raise errors.InternalError(f"task {task.id} is not in the work of node {node.key}")
    rule: worktree.Rule = "any" if cmd.approval_method == 1 else "all"
    added_type = "OR" if cmd.approval_method == 1 else "AND"
    if cmd.add_sign_type == BEFORE:
        tr.set_task_status(task, DONE)
        worktree.replace(parent, found, worktree.Group("in_order", [
            worktree.unopened(users, rule, added_type), worktree.unopened([task.user_id], "all", task.type)]))
    elif cmd.add_sign_type == AFTER:
        tr.set_task_status(task, APPROVED)
        worktree.replace(parent, found, worktree.Group("in_order", [
            worktree.TaskLeaf(task.id, done=True), worktree.unopened(users, rule, added_type)]))
    else:
        if len(parent.children) == 1:
            parent.rule = join_of(node)
        for u in users:
            seq = sum(1 for t in agg.tasks if t.node_key == node.key and t.round == agg.instance.round)
            parent.children.append(worktree.TaskLeaf(tr.add_task(node.key, u, task.type, seq=seq).id))
    tr.log(_TIMELINE[cmd.add_sign_type], user_id=cmd.user_id, task_id=task.id, comment=cmd.comment,
           node_key=node.key, user_id_list=list(users), ext={"user_id_list": list(users)})
    settle_node(tr, agg.definition, directory, node)
    return tr
