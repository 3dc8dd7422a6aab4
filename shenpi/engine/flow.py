"""Where an instance goes next: open a node's tasks, settle a node when its tasks move, close it and move on.

Flow state in ``Instance.state`` (JSON):

* ``free`` / ``free_cc``: node key -> users the submitter chose at creation.
* ``active``: node key -> the work tree (worktree.py) of each node visit in progress in the current round. One
  node normally; several after a rollback to several nodes, which then run side by side.
* ``resume``: the index into ``Definition.nodes`` the flow opens once every active visit is done.
* ``pending_cc``: node key -> users an approval node CCs once it is done.
* ``cc``: the instance's CC records (cc.py).

``Instance.round`` counts visits: a rollback, a rejection back to the submitter and a resubmit each start a new
round, and every task carries the round it was opened in.
"""

from __future__ import annotations

from typing import Any

from shenpi.engine import worktree
from shenpi.engine.approvers import approver_lanes, resolve_approvers, resolve_ccers
from shenpi.engine.conditions import condition_holds, node_applies
from shenpi.engine.directory import Directory
from shenpi.engine.model import (
    APPROVED,
    DONE,
    PENDING,
    REJECTED,
    START_NODE,
    Definition,
    Node,
    Task,
)
from shenpi.engine.transition import Transition

__all__ = [
    "after_approval",
    "close_open_work",
    "cc_users",
    "condition_holds",
    "node_applies",
    "open_from",
    "open_nodes",
    "resolve_approvers",
    "return_to_submitter",
    "settle_node",
]

JOIN = {"AND": "all", "OR": "any", "SEQUENTIAL": "all"}


def cc_users(tr: Transition, node_key: str, users: list[str], from_user: str = "", comment: str = "") -> None:
    """CC ``users``: one CC record and one cc CREATE event each, one CC timeline entry for all of them."""
    inst = tr.agg.instance
    if not users:
        return
    ccs: list[dict[str, Any]] = inst.state.setdefault("cc", [])
    for u in users:
        cc_id = f"{inst.code}-cc-{len(ccs) + 1}"
        ccs.append({"cc_id": cc_id, "user_id": u, "from": from_user, "create_time": tr.now, "read_time": 0})
        tr.cc_event(u, from_user, cc_id)
    tr.log("CC", user_id=from_user, node_key=node_key, comment=comment, cc_user_ids=list(users),
           user_id_list=list(users), ext={"user_id": users[0], "user_id_list": list(users)})


def _tree_ops(tr: Transition, node: Node) -> tuple[worktree.OpenTask, worktree.CloseTask]:
    def open_task(user_id: str, task_type: str) -> str:
        seq = sum(1 for t in tr.agg.tasks if t.node_key == node.key and t.round == tr.agg.instance.round)
        return tr.add_task(node.key, user_id, task_type, seq=seq).id

    def close_task(task_id: str) -> None:
        task = tr.agg.task(task_id)
        if task is not None and task.status == PENDING:
            tr.set_task_status(task, DONE)

    return open_task, close_task


def _open_node(tr: Transition, definition: Definition, directory: Directory, node: Node) -> str:
    """Open one approval node. Returns "open" (tasks wait), "passed" (AUTO_PASS) or "rejected" (AUTO_REJECT)."""
    inst = tr.agg.instance
    lanes = approver_lanes(node, inst, directory)
    ccers = resolve_ccers(node, inst, directory)
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
    task_type = "SEQUENTIAL" if node.node_type == "SEQUENTIAL" else node.node_type
    tree = worktree.node_tree(lanes, JOIN.get(node.node_type, "all"), task_type)
    if ccers:
        inst.state.setdefault("pending_cc", {})[node.key] = ccers
    inst.state.setdefault("active", {})[node.key] = tree
    open_task, close_task = _tree_ops(tr, node)
    worktree.settle(tree, open_task, close_task)
    return "open"


def open_from(tr: Transition, definition: Definition, directory: Directory, start: int) -> None:
    """Advance the instance to the first node at or after ``start`` that needs a person, or finish it."""
    inst = tr.agg.instance
    idx = start
    while idx < len(definition.nodes):
        node = definition.nodes[idx]
        if not node_applies(node, inst, directory):
            idx += 1
            continue
        inst.node_index = idx
        if node.node_type == "CC_NODE":
            cc_users(tr, node.key, resolve_ccers(node, inst, directory))
            idx += 1
            continue
        inst.state["resume"] = idx + 1
        outcome = _open_node(tr, definition, directory, node)
        if outcome == "open":
            return
        if outcome == "rejected":
            inst.state.pop("active", None)
            return
        idx += 1
    inst.node_index = len(definition.nodes)
    inst.state.pop("active", None)
    inst.state.pop("resume", None)
    tr.end_instance(APPROVED)


def open_nodes(tr: Transition, definition: Definition, directory: Directory, nodes: list[Node]) -> None:
    """Open several nodes side by side (a rollback to them); once all are done the flow goes on after the last."""
    inst = tr.agg.instance
    indexes = [definition.nodes.index(n) for n in nodes]
    inst.node_index = max(indexes)
    inst.state["resume"] = max(indexes) + 1
    for node in sorted(nodes, key=definition.nodes.index):
        if _open_node(tr, definition, directory, node) == "rejected":
            inst.state.pop("active", None)
            return
    if not inst.state.get("active"):
        open_from(tr, definition, directory, inst.state["resume"])


def tree_of(tr: Transition, node: Node) -> dict[str, Any]:
    """The work tree of ``node``'s visit; rebuilt from its pending tasks for an instance saved without one."""
    inst = tr.agg.instance
    active: dict[str, Any] = inst.state.setdefault("active", {})
    tree = active.get(node.key)
    if tree is None:
        pending = [t for t in tr.agg.tasks if t.node_key == node.key and t.status == PENDING and t.round == inst.round]
        lanes: list[dict[str, Any]] = [{"k": "all", "c": [worktree.leaf(t.id)]} for t in pending]
        queue = inst.state.get("queue", {}).pop(node.key, [])
        if queue:
            lanes = [{"k": "seq", "c": [{"k": "all", "c": lanes}, *(worktree.wait([u], "all", "SEQUENTIAL")
                                                                    for u in queue)]}]
        tree = {"k": JOIN.get(node.node_type, "all"), "c": lanes}
        active[node.key] = tree
    return tree


def settle_node(tr: Transition, definition: Definition, directory: Directory, node: Node) -> bool:
    """Open what became reachable in ``node``'s visit; when it is done, send its CCs and move on. True if done."""
    inst = tr.agg.instance
    tree = tree_of(tr, node)
    open_task, close_task = _tree_ops(tr, node)
    if not worktree.settle(tree, open_task, close_task):
        return False
    inst.state["active"].pop(node.key, None)
    cc_users(tr, node.key, inst.state.get("pending_cc", {}).pop(node.key, []))
    if not inst.state["active"]:
        open_from(tr, definition, directory, int(inst.state.get("resume", definition.nodes.index(node) + 1)))
    return True


def after_approval(tr: Transition, definition: Definition, directory: Directory, node: Node, task: Task) -> None:
    """``task`` of ``node`` was approved: mark it in the work tree and let the node move on."""
    inst = tr.agg.instance
    tree = tree_of(tr, node)
    found, _ = worktree.find(tree, task.id)
    if found is not None:
        found["done"] = True
    before = {t.id for t in tr.agg.tasks if t.status == PENDING}
    if not settle_node(tr, definition, directory, node) and node.node_type == "AND":
        # domain.md §5.2: in an AND node the remaining tasks are pushed as PENDING again.
        for t in tr.agg.tasks:
            if t.id in before and t.status == PENDING and t.node_key == node.key and t.round == inst.round:
                tr.task_event(t)


def close_open_work(tr: Transition, *, event_status: str = "", **extra: Any) -> None:
    """Close every pending task as DONE (its event saying ``event_status``) and forget the open visits."""
    inst = tr.agg.instance
    for t in tr.agg.tasks:
        if t.status == PENDING:
            tr.set_task_status(t, DONE, event_status=event_status, **extra)
    inst.state.pop("active", None)
    inst.state.pop("pending_cc", None)
    inst.state.pop("queue", None)


def return_to_submitter(tr: Transition) -> Task:
    """Hand the instance back to its submitter: a new round with one PENDING task for them at the START node
    (type AND). The instance stays PENDING; the submitter resubmits (or cancels) it."""
    inst = tr.agg.instance
    inst.round += 1
    inst.node_index = -1
    inst.state.pop("resume", None)
    return tr.add_task(START_NODE, inst.user_id, "AND")
