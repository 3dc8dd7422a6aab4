"""Transfer (转交): the approver hands their task to someone else at the same node."""

from __future__ import annotations

from collections.abc import Callable

from shenpi.engine import errors, worktree
from shenpi.engine.commands.guards import dedupe, newcomer_refusal, task_and_node, task_refusal
from shenpi.engine.commands.requests import Transfer
from shenpi.engine.directory import Directory
from shenpi.engine.errors import DomainError
from shenpi.engine.flow import tree_of
from shenpi.engine.model import TRANSFERRED, Aggregate
from shenpi.engine.transition import Transition


def transfer_refusal(agg: Aggregate, directory: Directory, cmd: Transfer) -> DomainError | None:
    """Why the transfer would be refused, or None. Errors: 1390010 / 1390009 / 1390018 as for approve; 1390001
    without ``transfer_user_id``, for a transfer to oneself or to someone who already has a pending task at this
    node; 1390004 for an unknown transferee."""
    refusal = task_refusal(agg, cmd.task_id, cmd.user_id)
    if refusal is not None:
        return refusal
    task, node = task_and_node(agg, cmd.task_id)
    if not cmd.transfer_user_id:
        return errors.ParamInvalid("transfer_user_id is required", field="transfer_user_id")
    return newcomer_refusal(agg, directory, task, node.key, _targets(cmd), "transfer_user_id",
                            oneself="a task cannot be transferred to its own approver")


def _targets(cmd: Transfer) -> list[str]:
    return dedupe([cmd.transfer_user_id, *cmd.also_to])


def transfer(
    agg: Aggregate, directory: Directory, cmd: Transfer, *, now: int, new_id: Callable[[], str]
) -> Transition:
    """The task becomes TRANSFERRED and the transferee gets a new PENDING task at the same node, in the same
    place of the node's order (same type and seq); with several transferees (``also_to``) each gets one, and the
    first of them to act decides for all (an OR in the task's place). Timeline TRANSFER with ``user_id_list`` =
    the transferees.
    Events: the task TRANSFERRED, then the new task PENDING. Errors: :func:`transfer_refusal`.
    """
    refusal = transfer_refusal(agg, directory, cmd)
    if refusal is not None:
        raise refusal
    task, node = task_and_node(agg, cmd.task_id)
    targets = _targets(cmd)
    tr = Transition(agg, now, new_id)
    tree = tree_of(tr, node)
    tr.set_task_status(task, TRANSFERRED)
    new_tasks = [tr.add_task(node.key, target, task.type, seq=task.seq) for target in targets]
    found, parent = worktree.find(tree, task.id)
    if found is not None and len(new_tasks) == 1:
        found.task_id = new_tasks[0].id
    elif found is not None and parent is not None:  # several transferees: the first one to act decides
        worktree.replace(parent, found, worktree.Group("any", [worktree.TaskLeaf(t.id) for t in new_tasks]))
    tr.log("TRANSFER", user_id=cmd.user_id, task_id=task.id, comment=cmd.comment, node_key=node.key,
           user_id_list=targets, ext={"user_id_list": targets})
    return tr
