"""Specified rollback (指定回退): send the instance back to nodes it already passed, or to its submitter."""

from __future__ import annotations

from collections.abc import Callable

from shenpi.engine import errors
from shenpi.engine.commands.guards import actionable, dedupe
from shenpi.engine.commands.requests import SpecifiedRollback
from shenpi.engine.directory import Directory
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

    ``task_def_key_list`` names 1–100 nodes (custom node ids, or system node ids) from :func:`passed_node_keys`
    that come before the acting task's node in the definition, or ``START``.

    * Every pending task of the instance closes: its status reads DONE (Feishu's task_list has no ROLLBACK
      status), its event says ROLLBACK with ``extra`` = ``{"rollback_node_ids": [system node ids],
      "rollback_custom_node_ids": [node keys]}``; the acting task's event comes first.
    * Timeline ROLLBACK_SELECTED by the acting user, ``comment`` = ``reason``, ``node_key`` = the task's node.
    * A new round starts. With ``START`` among the targets the instance goes back to its submitter (a PENDING
      task at the START node, to resubmit; other targets are then moot). Otherwise every target node gets new
      PENDING tasks (its approvers resolved again), side by side; once all of them are done, the flow goes on
      with the node after the last target — so a single target runs every node after it again.

    Errors: 1390010 / 1390009 as for approve (no handwritten-signature check: the doc lists only 1390001);
    1390001 for an empty or too long list, or a key that is not a passed node before the current one.
    """
    task, node = actionable(agg, cmd.task_id, cmd.user_id, check_signature=False)
    definition = agg.definition
    keys = dedupe(cmd.task_def_key_list)
    if not keys or len(keys) > MAX_TARGETS:
        raise errors.ParamInvalid(f"task_def_key_list needs 1 to {MAX_TARGETS} node keys", field="task_def_key_list")
    passed = set(passed_node_keys(agg, timeline))
    current = definition.nodes.index(node)
    to_start = False
    targets: list[Node] = []
    for key in keys:
        if key == START_NODE:
            to_start = True
            continue
        target = definition.node(key)
        if target is None or target.key not in passed or definition.nodes.index(target) >= current:
            raise errors.ParamInvalid(
                f"task_def_key_list: '{key}' is not a node this instance passed before node {node.key}",
                field="task_def_key_list",
            )
        if target not in targets:
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
