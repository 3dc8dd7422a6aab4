"""Where an instance goes next: resolve a node's approvers, open its tasks, and close it when it is done."""

from __future__ import annotations

from typing import Any

from shenpi.engine.directory import Directory
from shenpi.engine.model import APPROVED, PENDING, Condition, Definition, Instance, Node
from shenpi.engine.transition import Transition


def _form_value(instance: Instance, widget_id: str) -> Any:
    for entry in instance.form:
        if entry.get("id") == widget_id:
            value = entry.get("value")
            if isinstance(value, dict) and "interval" in value:  # a date interval compares by its length
                return value["interval"]
            return value
    return None


def condition_holds(cond: Condition, instance: Instance, directory: Directory) -> bool:
    if cond.widget == "__submitter__":
        user = directory.user(instance.user_id)
        actual: Any = [instance.user_id, *(user.department_ids if user else [])]
    else:
        actual = _form_value(instance, cond.widget)
    expected = cond.value
    try:
        if cond.op == "in":
            if isinstance(actual, list):
                return any(a in expected for a in actual)
            return bool(actual in expected)
        if cond.op == "not_in":
            if isinstance(actual, list):
                return not any(a in expected for a in actual)
            return bool(actual not in expected)
        if cond.op == "contains":
            return isinstance(actual, list) and expected in actual
        if actual is None:
            return False
        if cond.op == "==":
            return bool(actual == expected)
        if cond.op == "!=":
            return bool(actual != expected)
        if cond.op == ">":
            return bool(actual > expected)
        if cond.op == ">=":
            return bool(actual >= expected)
        if cond.op == "<":
            return bool(actual < expected)
        if cond.op == "<=":
            return bool(actual <= expected)
    except TypeError:
        return False
    return False


def node_applies(node: Node, instance: Instance, directory: Directory) -> bool:
    return all(condition_holds(c, instance, directory) for c in node.conditions)


def _dedupe(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    return [i for i in ids if i and not (i in seen or seen.add(i))]  # type: ignore[func-returns-value]


def resolve_people(
    specs: list[Any], node: Node, instance: Instance, directory: Directory, *, chosen_key: str
) -> list[str]:
    """Turn approver/ccer specs into user ids, in order, without repeats."""
    out: list[str] = []
    submitter = instance.user_id
    for spec in specs:
        if spec.type == "Personal":
            out.append(spec.user_id)
        elif spec.type == "Free":
            out.extend(instance.state.get(chosen_key, {}).get(node.key, []))
        elif spec.type in ("Supervisor", "SupervisorTopDown"):
            chain = directory.supervisor_chain(submitter)
            if spec.type == "SupervisorTopDown":
                chain = list(reversed(chain))
            if len(chain) >= spec.level:
                out.append(chain[spec.level - 1])
        elif spec.type in ("DepartmentManager", "DepartmentManagerTopDown"):
            chain = [d.leader_user_id for d in directory.department_chain(instance.department_id)]
            if spec.type == "DepartmentManagerTopDown":
                chain = list(reversed(chain))
            if len(chain) >= spec.level and chain[spec.level - 1]:
                out.append(chain[spec.level - 1])
    return _dedupe(out)


def resolve_approvers(node: Node, instance: Instance, directory: Directory) -> list[str]:
    approvers = resolve_people(node.approvers, node, instance, directory, chosen_key="free")
    submitter = instance.user_id
    if submitter in approvers and node.starter_assignee not in ("", "STARTER"):
        idx = approvers.index(submitter)
        replacement: list[str] = []
        if node.starter_assignee == "SUPERVISOR":
            replacement = directory.supervisor_chain(submitter)[:1]
        elif node.starter_assignee == "DEPARTMENT_MANAGER":
            chain = directory.department_chain(instance.department_id)
            replacement = [d.leader_user_id for d in chain if d.leader_user_id and d.leader_user_id != submitter][:1]
        approvers[idx : idx + 1] = replacement  # AUTO_PASS: the submitter simply drops out
        approvers = _dedupe(approvers)
    return approvers


def cc_node(tr: Transition, node: Node, users: list[str], from_user: str = "") -> None:
    inst = tr.agg.instance
    if not users:
        return
    ccs: list[dict[str, str]] = inst.state.setdefault("cc", [])
    for u in users:
        cc_id = f"{inst.code}-cc-{len(ccs) + 1}"
        ccs.append({"user_id": u, "cc_id": cc_id, "from": from_user, "read": "", "time": str(tr.now)})
        tr.cc_event(u, from_user, cc_id)
    tr.log("CC", user_id=from_user, node_key=node.key, cc_user_ids=list(users), user_id_list=list(users),
           ext={"user_id": users[0]})


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
        ccers = resolve_people(node.ccers, node, inst, directory, chosen_key="free_cc")
        if node.node_type == "CC_NODE":
            cc_node(tr, node, ccers)
            idx += 1
            continue
        approvers = resolve_approvers(node, inst, directory)
        if not approvers:
            # Feishu passes a node whose approver set is empty, and says so in the timeline.
            task = tr.add_task(node.key, "", "AUTO_PASS", status=APPROVED)
            tr.task_event(task)
            tr.log("AUTO_PASS", task_id=task.id, node_key=node.key)
            cc_node(tr, node, ccers)
            idx += 1
            continue
        if node.node_type == "SEQUENTIAL":
            tr.add_task(node.key, approvers[0], "SEQUENTIAL", seq=0)
            inst.state.setdefault("queue", {})[node.key] = approvers[1:]
        else:
            for seq, user_id in enumerate(approvers):
                tr.add_task(node.key, user_id, node.node_type, seq=seq)
        if ccers:
            inst.state.setdefault("pending_cc", {})[node.key] = ccers
        return
    inst.node_index = len(definition.nodes)
    tr.end_instance(APPROVED)


def node_tasks(tr: Transition, node_key: str) -> list[Any]:
    inst = tr.agg.instance
    return [t for t in tr.agg.tasks if t.node_key == node_key and t.round == inst.round]


def after_approval(tr: Transition, definition: Definition, directory: Directory, node: Node) -> None:
    """A task of ``node`` was approved: open the next sequential task, or finish the node and move on."""
    inst = tr.agg.instance
    siblings = [t for t in node_tasks(tr, node.key) if t.status == PENDING]
    if node.node_type == "SEQUENTIAL":
        queue: list[str] = inst.state.get("queue", {}).get(node.key, [])
        if queue:
            nxt = queue.pop(0)
            seq = max(t.seq for t in node_tasks(tr, node.key)) + 1
            tr.add_task(node.key, nxt, "SEQUENTIAL", seq=seq)
            return
    elif node.node_type == "AND" and siblings:
        for t in siblings:  # domain.md §5.2: the node's remaining tasks are pushed as PENDING again
            tr.task_event(t)
        return
    for t in siblings:  # OR: one approval decides; the rest are done
        tr.set_task_status(t, "DONE")
    pending_cc = inst.state.get("pending_cc", {}).pop(node.key, [])
    cc_node(tr, node, pending_cc)
    open_from(tr, definition, directory, definition.nodes.index(node) + 1)
