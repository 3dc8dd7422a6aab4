"""An approver decides: approve, reject; and the submitter resubmits what came back to them.

Events, in the order Feishu sends them:

* approve: the task APPROVED; then in an AND node the node's remaining tasks PENDING again, in an OR node the
  remaining tasks DONE; then the next node's tasks PENDING (or AUTO_PASS tasks APPROVED), CC CREATEs, and the
  instance APPROVED when the last node passed.
* reject: the task REJECTED, every other pending task DONE, the instance REJECTED. With ``reject_option=1`` the
  instance stays PENDING instead and the submitter gets a PENDING task at the START node (after the DONEs).
* resubmit: the submitter's START task APPROVED, then the first node's tasks PENDING (as on create).
"""

from __future__ import annotations

from collections.abc import Callable

from shenpi.engine import errors
from shenpi.engine.commands.guards import actionable
from shenpi.engine.commands.requests import TaskAction
from shenpi.engine.directory import Directory
from shenpi.engine.errors import DomainError
from shenpi.engine.flow import after_approval, close_open_work, open_from, return_to_submitter
from shenpi.engine.form import merge_form, parse_form
from shenpi.engine.model import APPROVED, PENDING, REJECTED, START_NODE, Aggregate
from shenpi.engine.transition import Transition


def _apply_form(agg: Aggregate, form: str | None) -> bool:
    """Merge the values given with the action into the form; whether any were given."""
    if not form:  # no values given: the form stays the very list it was (the store reuses its JSON)
        return False
    updates = parse_form(agg.definition, form)
    agg.instance.form = merge_form(agg.instance.form, updates)
    return bool(updates)


def approve(
    agg: Aggregate, directory: Directory, cmd: TaskAction, *, now: int, new_id: Callable[[], str]
) -> Transition:
    """Approve a task (timeline PASS); the node moves on per its type, the flow per its branches."""
    task, node = actionable(agg, cmd.task_id, cmd.user_id)  # errors: guards.task_refusal
    changed = _apply_form(agg, cmd.form)
    tr = Transition(agg, now, new_id)
    tr.form_changed = changed
    tr.set_task_status(task, APPROVED)
    tr.log("PASS", user_id=cmd.user_id, task_id=task.id, comment=cmd.comment, node_key=node.key)
    after_approval(tr, agg.definition, directory, node, task)
    return tr


def reject(
    agg: Aggregate, directory: Directory, cmd: TaskAction, *, now: int, new_id: Callable[[], str]
) -> Transition:
    """Reject a task (timeline REJECT). With ``settings.reject_option`` 0 the flow ends: every other pending task
    DONE, the instance REJECTED. With 1 the instance goes back to its submitter: it stays PENDING, every other
    pending task is DONE, and the submitter gets a PENDING task at the START node to resubmit."""
    task, node = actionable(agg, cmd.task_id, cmd.user_id)
    changed = _apply_form(agg, cmd.form)
    tr = Transition(agg, now, new_id)
    tr.form_changed = changed
    tr.set_task_status(task, REJECTED)
    tr.log("REJECT", user_id=cmd.user_id, task_id=task.id, comment=cmd.comment, node_key=node.key)
    if agg.definition.settings.reject_option == 1:
        close_open_work(tr)
        return_to_submitter(tr)
    else:
        tr.end_instance(REJECTED)
        agg.instance.state.open_visits.clear()
    return tr


def resubmit_refusal(agg: Aggregate, task_id: str, user_id: str) -> DomainError | None:
    """Why ``user_id`` may not resubmit with task ``task_id``, or None: it must be the PENDING task at the START
    node of a PENDING instance (what a rejection back to the submitter or a rollback to START opens), and theirs.
    The command also needs a form (1390001 without one)."""
    task = agg.task(task_id)
    if task is None or task.status != PENDING or agg.instance.status != PENDING or task.node_key != START_NODE:
        return errors.TaskNotFound(f"task {task_id} is not a task handed back to the submitter", field="task_id")
    if user_id != task.user_id:
        return errors.NoOperationPermission(f"only the submitter {task.user_id} can resubmit", field="user_id")
    return None


def resubmit(
    agg: Aggregate, directory: Directory, cmd: TaskAction, *, now: int, new_id: Callable[[], str]
) -> Transition:
    """The submitter resubmits an instance that a rejection (``reject_option=1``) or a rollback to START handed
    back: ``cmd.task_id`` is their PENDING task at the START node, ``cmd.form`` (required) replaces the form.
    Timeline: PASS at node START by the submitter (which is why Feishu's rollback may name START); the flow then
    restarts from the first node, branches judged on the new form."""
    inst = agg.instance
    refusal = resubmit_refusal(agg, cmd.task_id, cmd.user_id)
    if refusal is not None:
        raise refusal
    task = agg.task(cmd.task_id)
    assert task is not None
    if not cmd.form:
        raise errors.ParamInvalid("form is required", field="form")
    form = parse_form(agg.definition, cmd.form)
    inst.form = form
    tr = Transition(agg, now, new_id)
    tr.set_task_status(task, APPROVED)
    tr.log("PASS", user_id=cmd.user_id, task_id=task.id, comment=cmd.comment, node_key=START_NODE)
    open_from(tr, agg.definition, directory, 0)
    return tr
