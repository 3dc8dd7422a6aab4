"""The operations on an instance. Each is a function of (aggregate, command, directory, clock value) that
changes the aggregate and returns the Transition describing the change; none of them touches I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shenpi.engine import errors
from shenpi.engine.directory import Directory
from shenpi.engine.flow import after_approval, open_from
from shenpi.engine.form import merge_form, parse_form
from shenpi.engine.model import APPROVED, PENDING, REJECTED, Aggregate, Definition, Instance, Node, Task
from shenpi.engine.transition import Transition


@dataclass(slots=True)
class CreateInstance:
    user_id: str  # tenant-scoped user id of the submitter
    form: str | None
    department_id: str = ""
    uuid: str = ""
    title: str = ""
    free_approvers: dict[str, list[str]] = field(default_factory=dict)  # node key or node id -> user ids
    free_ccs: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class TaskAction:
    task_id: str
    user_id: str  # the acting user (tenant-scoped)
    comment: str = ""
    form: str | None = None


def _node_keyed(definition: Definition, chosen: dict[str, list[str]], what: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, users in chosen.items():
        node = definition.node(key)
        if node is None:
            raise errors.ParamInvalid(f"{what}: '{key}' is not a node of the approval", field=what)
        out.setdefault(node.key, []).extend(users)
    return out


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
    free = _node_keyed(definition, cmd.free_approvers, "node_approver_user_id_list")
    for node in definition.nodes:
        if node.need_approver and not free.get(node.key) and node.node_type != "CC_NODE":
            raise errors.ParamInvalid(
                f"node_approver_user_id_list: node {node.key} needs approvers chosen at submission",
                field="node_approver_user_id_list",
            )
        for u in free.get(node.key, []):
            if directory.user(u) is None:
                raise errors.UserNotFound(f"approver {u} not found", field="node_approver_user_id_list")
    instance = Instance(
        tenant_key=definition.tenant_key,
        code=code,
        approval_code=definition.code,
        user_id=cmd.user_id,
        department_id=department_id,
        status=PENDING,
        form=form,
        start_time=now,
        uuid=cmd.uuid,
        serial_number=serial_number,
        title=cmd.title,
        state={"free": free, "free_cc": _node_keyed(definition, cmd.free_ccs, "node_cc_user_id_list")},
    )
    agg = Aggregate(definition=definition, instance=instance, tasks=[])
    tr = Transition(agg, now, new_id)
    tr.log("START", user_id=cmd.user_id, node_key="START")
    tr.instance_event(PENDING)
    open_from(tr, definition, directory, 0)
    return agg, tr


def _actionable(agg: Aggregate, cmd: TaskAction) -> tuple[Task, Node]:
    """The checks every task action shares (domain.md §5.3), in Feishu's order."""
    task = agg.task(cmd.task_id)
    # An acted-on task, or one of an ended instance, is "task not found" (the FAQ on repeated approvals).
    if task is None or task.status != PENDING or agg.instance.status != PENDING:
        raise errors.TaskNotFound(f"task {cmd.task_id} is not a pending task of this instance", field="task_id")
    if task.user_id != cmd.user_id:
        raise errors.NoOperationPermission(f"user {cmd.user_id} is not the approver of task {task.id}",
                                           field="user_id")
    node = agg.definition.node(task.node_key)
    if node is None:  # the definition was overwritten and lost this node
        raise errors.TaskNotFound(f"task {cmd.task_id} belongs to a node that no longer exists", field="task_id")
    if node.require_signature:
        raise errors.HandwrittenSignatureRequired("this node requires a handwritten signature")
    return task, node


def _apply_form(agg: Aggregate, form: str | None) -> None:
    updates = parse_form(agg.definition, form)
    agg.instance.form = merge_form(agg.instance.form, updates)


def approve(
    agg: Aggregate, directory: Directory, cmd: TaskAction, *, now: int, new_id: Callable[[], str]
) -> Transition:
    task, node = _actionable(agg, cmd)
    _apply_form(agg, cmd.form)
    tr = Transition(agg, now, new_id)
    tr.set_task_status(task, APPROVED)
    tr.log("PASS", user_id=cmd.user_id, task_id=task.id, comment=cmd.comment, node_key=node.key)
    after_approval(tr, agg.definition, directory, node)
    return tr


def reject(
    agg: Aggregate, directory: Directory, cmd: TaskAction, *, now: int, new_id: Callable[[], str]
) -> Transition:
    """Reject ends the flow: the task REJECTED, every other pending task DONE, the instance REJECTED."""
    task, node = _actionable(agg, cmd)
    _apply_form(agg, cmd.form)
    tr = Transition(agg, now, new_id)
    tr.set_task_status(task, REJECTED)
    tr.log("REJECT", user_id=cmd.user_id, task_id=task.id, comment=cmd.comment, node_key=node.key)
    tr.end_instance(REJECTED)
    return tr


def describe(agg: Aggregate) -> dict[str, Any]:
    """A compact picture of an aggregate, for logs and test failure messages."""
    return {
        "instance": agg.instance.code,
        "status": agg.instance.status,
        "tasks": [(t.id, t.node_key, t.user_id, t.status) for t in agg.tasks],
    }
