"""Where an instance goes next: open a node's tasks, settle a node when its tasks move, close it and move on.

The flow state it keeps is ``Instance.state`` (state.py's FlowState): the open visit of each node in progress
(``open_visits``, a work tree each), the node the flow opens once they are done (``next_node_index``), the CCs an
approval node sends once it is done (``ccs_when_done``) and the CC records (``cc_records``).

``Instance.round`` counts visits: a rollback, a rejection back to the submitter and a resubmit each start a new
round, and every task carries the round it was opened in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shenpi.engine import worktree
from shenpi.engine.approvers import approver_lanes, may_approve, resolve_ccers
from shenpi.engine.conditions import node_applies
from shenpi.engine.directory import Directory
from shenpi.engine.model import (
    APPROVED,
    DONE,
    PENDING,
    REJECTED,
    START_NODE,
    Definition,
    Instance,
    Node,
    Task,
)
from shenpi.engine.plan import NodePlan, join_of, plan_of
from shenpi.engine.state import CcRecord
from shenpi.engine.transition import Transition

__all__ = [
    "after_approval",
    "cc_users",
    "close_open_work",
    "join_of",
    "open_from",
    "open_nodes",
    "return_to_submitter",
    "settle_node",
    "tree_of",
]


def cc_users(tr: Transition, node_key: str, users: list[str], from_user: str = "", comment: str = "") -> None:
    """CC ``users``: one CC record and one cc CREATE event each, one CC timeline entry for all of them."""
    inst = tr.agg.instance
    if not users:
        return
    records = inst.state.cc_records
    for u in users:
        cc_id = f"{inst.code}-cc-{len(records) + 1}"
        records.append(CcRecord(cc_id, u, from_user, tr.now))
        tr.cc_event(u, from_user, cc_id)
    tr.log("CC", user_id=from_user, node_key=node_key, comment=comment, cc_user_ids=list(users),
           user_id_list=list(users), ext={"user_id": users[0], "user_id_list": list(users)})


def _tree_ops(tr: Transition, node: Node) -> tuple[worktree.OpenTask, worktree.CloseTask]:
    def open_task(user_id: str, task_type: str) -> str:
        key, current = node.key, tr.agg.instance.round
        seq = 0  # the node's tasks so far in this round (a loop: a generator cost more than the count)
        for t in tr.agg.tasks:
            if t.node_key == key and t.round == current:
                seq += 1
        return tr.add_task(key, user_id, task_type, seq=seq).id

    def close_task(task_id: str) -> None:
        task = tr.agg.task(task_id)
        if task is not None and task.status == PENDING:
            tr.set_task_status(task, DONE)

    return open_task, close_task


def _lanes(np: NodePlan, inst: Instance, directory: Directory) -> Sequence[Sequence[str]]:
    """approvers.approver_lanes, from the plan when the node's approvers are all Personal and active and the
    submitter is not one of them, or is but stays (no starter_assignee stand-in)."""
    node = np.node
    if np.personal_lanes is not None and (
        inst.user_id not in np.personal_users or node.starter_assignee in ("", "STARTER")
    ):
        for u in np.personal_users:
            if not may_approve(directory, u):  # a user who left is worked out afresh
                break
        else:
            return np.personal_lanes  # read only: the tree copies the users it keeps
    return approver_lanes(node, inst, directory)


def _open_node(tr: Transition, definition: Definition, directory: Directory, np: NodePlan) -> str:
    """Open one approval node. Returns "open" (tasks wait), "passed" (AUTO_PASS) or "rejected" (AUTO_REJECT)."""
    inst = tr.agg.instance
    node = np.node
    lanes = _lanes(np, inst, directory)
    ccers = resolve_ccers(node, inst, directory) if node.ccers or inst.state.chosen_ccs else []
    if not lanes:
        if node.empty_approver == "AUTO_REJECT":
            task = tr.add_task(node.key, "", "AUTO_REJECT", status=REJECTED)
            tr.task_event(task)
            tr.log("AUTO_REJECT", task_id=task.id, node_key=node.key)
            tr.end_instance(REJECTED)
            return "rejected"
        # Feishu passes a node whose approver set is empty, and says so in the timeline.
        task = tr.add_task(node.key, "", "AUTO_PASS", status=APPROVED)
        tr.task_event(task)
        tr.log("AUTO_PASS", task_id=task.id, node_key=node.key)
        cc_users(tr, node.key, ccers)
        return "passed"
    if ccers:
        inst.state.ccs_when_done[node.key] = ccers
    inst.state.open_visits[node.key] = worktree.open_node_tree(lanes, np.join, node.node_type, *_tree_ops(tr, node))
    return "open"


def open_from(tr: Transition, definition: Definition, directory: Directory, start: int) -> None:
    """Advance the instance to the first node at or after ``start`` that needs a person, or finish it."""
    inst = tr.agg.instance
    plan = plan_of(definition).nodes
    idx = start
    while idx < len(plan):
        np = plan[idx]
        node = np.node
        if np.conditional and not node_applies(node, inst, directory):
            idx += 1
            continue
        inst.node_index = idx
        if node.node_type == "CC_NODE":
            cc_users(tr, node.key, resolve_ccers(node, inst, directory))
            idx += 1
            continue
        inst.state.next_node_index = idx + 1
        outcome = _open_node(tr, definition, directory, np)
        if outcome == "open":
            return
        if outcome == "rejected":
            inst.state.open_visits.clear()
            return
        idx += 1
    inst.node_index = len(definition.nodes)
    inst.state.open_visits.clear()
    inst.state.next_node_index = None
    tr.end_instance(APPROVED)


def open_nodes(tr: Transition, definition: Definition, directory: Directory, nodes: list[Node]) -> None:
    """Open several nodes side by side (a rollback to them); once all are done the flow goes on after the last."""
    inst = tr.agg.instance
    plan = plan_of(definition)
    indexes = [plan.index(n) for n in nodes]
    inst.node_index = max(indexes)
    inst.state.next_node_index = max(indexes) + 1
    for node in sorted(nodes, key=plan.index):
        if _open_node(tr, definition, directory, plan.nodes[plan.index(node)]) == "rejected":
            inst.state.open_visits.clear()
            return
    if not inst.state.open_visits:
        open_from(tr, definition, directory, max(indexes) + 1)


def tree_of(tr: Transition, node: Node) -> worktree.Group:
    """The work tree of ``node``'s visit; rebuilt from its pending tasks for an instance saved without one."""
    inst = tr.agg.instance
    tree = inst.state.open_visits.get(node.key)
    if tree is None:
        pending = [t for t in tr.agg.tasks if t.node_key == node.key and t.status == PENDING and t.round == inst.round]
        lanes: list[worktree.WorkItem] = [worktree.Group("all", [worktree.TaskLeaf(t.id)]) for t in pending]
        tree = worktree.Group(join_of(node), lanes)
        inst.state.open_visits[node.key] = tree
    return tree


def settle_node(tr: Transition, definition: Definition, directory: Directory, node: Node,
                tree: worktree.Group | None = None) -> bool:
    """Open what became reachable in ``node``'s visit (``tree``, when the caller has it at hand); when it is done,
    send its CCs and move on. True if done."""
    inst = tr.agg.instance
    if tree is None:
        tree = tree_of(tr, node)
    open_task, close_task = _tree_ops(tr, node)
    if not worktree.settle(tree, open_task, close_task):
        return False
    inst.state.open_visits.pop(node.key, None)
    ccs = inst.state.ccs_when_done.pop(node.key, None)
    if ccs:
        cc_users(tr, node.key, ccs)
    if not inst.state.open_visits:
        resume = inst.state.next_node_index
        open_from(tr, definition, directory, plan_of(definition).index(node) + 1 if resume is None else resume)
    return True


def after_approval(tr: Transition, definition: Definition, directory: Directory, node: Node, task: Task) -> None:
    """``task`` of ``node`` was approved: mark it in the work tree and let the node move on."""
    inst = tr.agg.instance
    tree = tree_of(tr, node)
    found, _ = worktree.find(tree, task.id)
    if found is not None:
        found.done = True
    tasks = tr.agg.tasks
    known = len(tasks)  # settling only appends tasks, and never reopens one
    if not settle_node(tr, definition, directory, node, tree) and node.node_type == "AND":
        # Feishu announces an AND node's remaining tasks again (events PENDING) after each approval in it: the
        # tasks that were pending before the node settled and still are.
        for t in tasks[:known]:
            if t.status == PENDING and t.node_key == node.key and t.round == inst.round:
                tr.task_event(t)


def close_open_work(tr: Transition, *, event_status: str = "", **extra: Any) -> None:
    """Close every pending task as DONE (its event saying ``event_status``) and forget the open visits."""
    inst = tr.agg.instance
    for t in tr.agg.tasks:
        if t.status == PENDING:
            tr.set_task_status(t, DONE, event_status=event_status, **extra)
    inst.state.open_visits.clear()
    inst.state.ccs_when_done.clear()


def return_to_submitter(tr: Transition) -> Task:
    """Hand the instance back to its submitter: a new round with one PENDING task for them at the START node
    (type AND). The instance stays PENDING; the submitter resubmits (or cancels) it."""
    inst = tr.agg.instance
    inst.round += 1
    inst.node_index = -1
    inst.state.next_node_index = None
    return tr.add_task(START_NODE, inst.user_id, "AND")
