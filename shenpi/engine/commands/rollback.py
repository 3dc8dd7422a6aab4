"""Specified rollback (指定回退): send the instance back to nodes it already passed, or to its submitter."""

from __future__ import annotations

from collections.abc import Callable

from shenpi.engine import errors
from shenpi.engine.commands.guards import dedupe, task_and_node, task_refusal
from shenpi.engine.commands.requests import SpecifiedRollback
from shenpi.engine.directory import Directory
from shenpi.engine.errors import DomainError
from shenpi.engine.flow import close_open_work, open_nodes, return_to_submitter
from shenpi.engine.model import APPROVED, DONE, ROLLBACK, START_NODE, Aggregate, Node, TimelineEntry
from shenpi.engine.transition import Transition

MAX_TARGETS = 100


def passed_node_keys(agg: Aggregate, timeline: list[TimelineEntry] | None = None) -> list[str]:
    """Node keys a rollback may name: START, every node of a PASS timeline entry (when the timeline is given),
    and every node where a person's task was APPROVED (which covers an after-add-sign, logged without PASS)."""
    keys = [START_NODE]
    for e in timeline or []:
        if e.type == "PASS" and e.node_key:
            keys.append(e.node_key)
    for t in agg.tasks:
        if t.status == APPROVED and t.user_id and t.type not in ("AUTO_PASS", "AUTO_REJECT"):
            keys.append(t.node_key)
    return dedupe(keys)


def rollback_target_keys(agg: Aggregate, node: Node, timeline: list[TimelineEntry] | None = None) -> list[str]:
    """The keys a rollback from a task at ``node`` may name: START, and the nodes before ``node`` in the definition
    that the instance passed (:func:`passed_node_keys`), in that order."""
    definition = agg.definition
    here = definition.nodes.index(node)
    out: list[str] = []
    for key in passed_node_keys(agg, timeline):
        target = definition.node(key)
        if key == START_NODE:
            out.append(START_NODE)
        elif target is not None and definition.nodes.index(target) < here:
            out.append(target.key)
    return dedupe(out)


def rollback_refusal(agg: Aggregate, cmd: SpecifiedRollback,
                     timeline: list[TimelineEntry] | None = None) -> DomainError | None:
    """Why the rollback would be refused, or None. Errors: 1390010 / 1390009 as for approve, but no
    handwritten-signature check (Feishu's rollback lists no such error); 1390001 for an empty or too long list,
    or a key that is not START or a passed node before the task's node (:func:`rollback_target_keys`)."""
    refusal = task_refusal(agg, cmd.task_id, cmd.user_id, check_signature=False)
    if refusal is not None:
        return refusal
    _, node = task_and_node(agg, cmd.task_id)
    keys = dedupe(cmd.task_def_key_list)
    if not keys or len(cmd.task_def_key_list) > MAX_TARGETS:  # the page's limit counts the list as sent
        return errors.ParamInvalid(f"task_def_key_list needs 1 to {MAX_TARGETS} node keys", field="task_def_key_list")
    allowed = rollback_target_keys(agg, node, timeline)
    for key in keys:
        target = agg.definition.node(key)
        if key != START_NODE and (target is None or target.key not in allowed):
            return errors.ParamInvalid(
                f"task_def_key_list: '{key}' is not a node this instance passed before node {node.key}",
                field="task_def_key_list",
            )
    return None


def specified_rollback(
    agg: Aggregate,
    directory: Directory,
    cmd: SpecifiedRollback,
    *,
    now: int,
    new_id: Callable[[], str],
    timeline: list[TimelineEntry] | None = None,
) -> Transition:
    """Roll back from a PENDING task to nodes passed before the task's node.

    ``task_def_key_list`` names 1–100 nodes (custom node ids, or system node ids) from
    :func:`rollback_target_keys`, or ``START``.

    * Every pending task of the instance closes: its status reads DONE (Feishu's task_list has no ROLLBACK
      status), its event says ROLLBACK with ``extra`` = ``{"rollback_node_ids": [system node ids],
      "rollback_custom_node_ids": [node keys]}``; the acting task's event comes first.
    * Timeline ROLLBACK_SELECTED by the acting user, ``comment`` = ``reason``, ``node_key`` = the task's node.
    * A new round starts. With ``START`` among the targets the instance goes back to its submitter (a PENDING
      task at the START node, to resubmit; other targets are then moot). Otherwise every target node gets new
      PENDING tasks (its approvers resolved again), side by side; once all of them are done, the flow goes on
      with the node after the last target — so a single target runs every node after it again.

    Errors: :func:`rollback_refusal`.
    """
    refusal = rollback_refusal(agg, cmd, timeline)
    if refusal is not None:
        raise refusal
    task, node = task_and_node(agg, cmd.task_id)
    definition = agg.definition
    to_start = START_NODE in dedupe(cmd.task_def_key_list)
    targets: list[Node] = []
    for key in dedupe(cmd.task_def_key_list):
        target = definition.node(key)
        if key != START_NODE and target is not None and target not in targets:
            targets.append(target)
    if to_start:
        ids, custom = [START_NODE], [START_NODE]
    else:
        ids, custom = [n.node_id for n in targets], [n.key for n in targets]
    extra = {"rollback_node_ids": ids, "rollback_custom_node_ids": custom}
    tr = Transition(agg, now, new_id)
    inst = agg.instance
    tr.set_task_status(task, DONE, event_status=ROLLBACK, **extra)
    close_open_work(tr, event_status=ROLLBACK, **extra)
    tr.log("ROLLBACK_SELECTED", user_id=cmd.user_id, task_id=task.id, comment=cmd.reason, node_key=node.key)
    if to_start:
        return_to_submitter(tr)
    else:
        inst.round += 1
        open_nodes(tr, definition, directory, targets)
    return tr
