"""Checks several operations share, in the order Feishu makes them: the task (it exists, is PENDING, on a PENDING
instance), then the actor (the task's own approver), then the node (e.g. a handwritten signature it requires).

``task_refusal`` returns the error instead of raising it, so that a UI can ask the rule the command enforces.
"""

from __future__ import annotations

from collections.abc import Iterable

from shenpi.engine import errors
from shenpi.engine.directory import Directory
from shenpi.engine.errors import DomainError
from shenpi.engine.model import PENDING, START_NODE, Aggregate, Definition, Node, Task
from shenpi.engine.plan import plan_of


def task_refusal(agg: Aggregate, task_id: str, user_id: str, *, check_signature: bool = True) -> DomainError | None:
    """Why ``user_id`` may not act on task ``task_id`` (approve, reject, transfer, add-sign; roll back with
    ``check_signature=False``), or None when they may: it must be a PENDING task of a PENDING instance, theirs,
    at an approval node that still exists, and (unless ``check_signature`` is off) not at a node that requires a
    handwritten signature, which the open API cannot take."""
    task = agg.task(task_id)
    # An acted-on task, or one of an ended instance, is "task not found": Feishu answers a repeated approval so.
    if task is None or task.status != PENDING or agg.instance.status != PENDING:
        return errors.TaskNotFound(f"task {task_id} is not a pending task of this instance", field="task_id")
    if task.user_id != user_id:
        return errors.NoOperationPermission(f"user {user_id} is not the approver of task {task.id}", field="user_id")
    if task.node_key == START_NODE:
        return errors.ParamInvalid(
            f"task {task_id} hands the instance back to its submitter: resubmit it (or cancel the instance)",
            field="task_id",
        )
    node = plan_of(agg.definition).node(task.node_key)
    if node is None:  # the definition was overwritten and lost this node
        return errors.TaskNotFound(f"task {task_id} belongs to a node that no longer exists", field="task_id")
    if check_signature and node.require_signature:
        return errors.HandwrittenSignatureRequired("this node requires a handwritten signature")
    return None


def task_and_node(agg: Aggregate, task_id: str) -> tuple[Task, Node]:
    """The task ``task_id`` and its node, for a task :func:`task_refusal` let through."""
    task = agg.task(task_id)
    node = plan_of(agg.definition).node(task.node_key) if task is not None else None
    assert task is not None and node is not None, f"task {task_id} was not checked with task_refusal"
    return task, node


def actionable(agg: Aggregate, task_id: str, user_id: str, *, check_signature: bool = True) -> tuple[Task, Node]:
    """The task ``task_id`` and its node, once :func:`task_refusal` has nothing against them (else its error)."""
    task = agg.task(task_id)
    if task is not None and task.status == PENDING and agg.instance.status == PENDING and task.user_id == user_id \
            and task.node_key != START_NODE:
        node = plan_of(agg.definition).node(task.node_key)
        if node is not None and not (check_signature and node.require_signature):
            return task, node  # what task_refusal lets through, found once
    refusal = task_refusal(agg, task_id, user_id, check_signature=check_signature)
    assert refusal is not None
    raise refusal


def dedupe(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for i in ids:
        if i and i not in seen:
            seen.add(i)
            out.append(i)
    return out


def unknown_user(directory: Directory, user_ids: list[str], field: str) -> DomainError | None:
    """UserNotFound for the first of ``user_ids`` the directory does not know, or None."""
    for u in user_ids:
        if directory.user(u) is None:
            return errors.UserNotFound(f"{field}: user {u} not found", field=field)
    return None


def existing_users(directory: Directory, user_ids: list[str], field: str) -> None:
    refusal = unknown_user(directory, user_ids, field)
    if refusal is not None:
        raise refusal


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


def newcomer_refusal(agg: Aggregate, directory: Directory, acting: Task, node_key: str, users: list[str], field: str,
                     *, oneself: str) -> DomainError | None:
    """Why ``users`` may not be given tasks at ``node_key`` beside the ``acting`` task (a transfer, an add-sign), or
    None: 1390004 for a user the directory does not know; 1390001 for a user who is not active, for the acting
    approver (``oneself`` says why) or for a user who already has a pending task at the node in this round."""
    unknown = unknown_user(directory, users, field)
    if unknown is not None:
        return unknown
    for u in users:
        found = directory.user(u)
        if found is not None and not found.is_active:  # frozen, resigned or unactivated: given no task
            return errors.ParamInvalid(f"user {u} is {found.status} and can be given no task", field=field)
    busy = pending_users_at(agg, node_key)
    for u in users:
        if u == acting.user_id:
            return errors.ParamInvalid(oneself, field=field)
        if u in busy:
            return errors.ParamInvalid(f"user {u} already has a pending task at node {node_key}", field=field)
    return None
