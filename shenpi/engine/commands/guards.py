"""Checks several operations share, in Feishu's order (domain.md §5.3). They raise before anything changes."""

from __future__ import annotations

from collections.abc import Iterable

from shenpi.engine import errors
from shenpi.engine.directory import Directory
from shenpi.engine.model import PENDING, START_NODE, Aggregate, Definition, Node, Task


def actionable(agg: Aggregate, task_id: str, user_id: str, *, check_signature: bool = True) -> tuple[Task, Node]:
    """The PENDING task ``task_id`` of a PENDING instance, acted on by its own approver, and its node."""
    task = agg.task(task_id)
    # An acted-on task, or one of an ended instance, is "task not found" (the FAQ on repeated approvals).
    if task is None or task.status != PENDING or agg.instance.status != PENDING:
        raise errors.TaskNotFound(f"task {task_id} is not a pending task of this instance", field="task_id")
    if task.user_id != user_id:
        raise errors.NoOperationPermission(f"user {user_id} is not the approver of task {task.id}", field="user_id")
    if task.node_key == START_NODE:
        raise errors.ParamInvalid(
            f"task {task_id} hands the instance back to its submitter: resubmit it (or cancel the instance)",
            field="task_id",
        )
    node = agg.definition.node(task.node_key)
    if node is None:  # the definition was overwritten and lost this node
        raise errors.TaskNotFound(f"task {task_id} belongs to a node that no longer exists", field="task_id")
    if check_signature and node.require_signature:
        raise errors.HandwrittenSignatureRequired("this node requires a handwritten signature")
    return task, node


def dedupe(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for i in ids:
        if i and i not in seen:
            seen.add(i)
            out.append(i)
    return out


def existing_users(directory: Directory, user_ids: list[str], field: str) -> None:
    for u in user_ids:
        if directory.user(u) is None:
            raise errors.UserNotFound(f"{field}: user {u} not found", field=field)


def node_keyed(definition: Definition, chosen: dict[str, list[str]], what: str) -> dict[str, list[str]]:
    """Users chosen per node, keyed by the node's key whichever id (custom or system) the caller used."""
    out: dict[str, list[str]] = {}
    for key, users in chosen.items():
        node = definition.node(key)
        if node is None:
            raise errors.ParamInvalid(f"{what}: '{key}' is not a node of the approval", field=what)
        out.setdefault(node.key, []).extend(users)
    return {k: dedupe(v) for k, v in out.items()}


def pending_users_at(agg: Aggregate, node_key: str) -> set[str]:
    inst = agg.instance
    return {t.user_id for t in agg.tasks if t.node_key == node_key and t.status == PENDING and t.round == inst.round}
