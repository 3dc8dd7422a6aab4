"""The work of one node visit as a small tree, kept in the instance's flow state between commands.

Two kinds of item:

* :class:`TaskLeaf` — one approver's task; done once it is approved (or closed because an OR was decided).
* :class:`Group` — children combined by ``rule``: ``all`` is done when every child is done (会签, AND); ``any``
  is done when one child is done, and the others' pending tasks then close as DONE (或签, OR); ``in_order`` runs
  its children one after another, only the first unfinished one open. A group not reached yet holds
  ``unopened_users`` instead of children: reaching it gives each of them a PENDING task of ``task_type``.

A node of type AND is ``all`` of its lanes, OR is ``any`` of them, and each lane (approvers.py) is an ``in_order``
of one-user groups; SEQUENTIAL is a single such lane. Add-sign rewrites the tree around the acting task: *before*
replaces it with ``in_order[unopened(added), unopened(actor)]``, *after* with ``in_order[done task,
unopened(added)]``, *alongside* adds the new tasks to the task's own group. Transfer swaps the task id. ``settle``
opens what became reachable and reports whether the visit is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Literal

import msgspec

Rule = Literal["all", "any", "in_order"]
OpenTask = Callable[[str, str], str]  # (user_id, task type) -> new task id
CloseTask = Callable[[str], None]  # task id -> close the pending task as DONE


class TaskLeaf(msgspec.Struct, tag_field="kind", tag="task", omit_defaults=True):
    task_id: str
    done: bool = False


class Group(msgspec.Struct, tag_field="kind", tag="group", omit_defaults=True):
    rule: Rule
    children: list[WorkItem] = []
    done: bool = False
    unopened_users: list[str] = []  # users who get a task once the group is reached (it has no children yet)
    task_type: str = ""  # the type of those tasks (AND, OR, SEQUENTIAL)


WorkItem = TaskLeaf | Group


def unopened(users: list[str], rule: Rule, task_type: str) -> Group:
    return Group(rule, unopened_users=list(users), task_type=task_type)


def node_tree(lanes: Sequence[Sequence[str]], rule: Rule, task_type: str) -> Group:
    """The tree of a fresh node visit: ``rule`` ("all"/"any") over lanes of one-user groups."""
    return Group(rule, [Group("in_order", [unopened([u], "all", task_type) for u in lane]) for lane in lanes])


def open_node_tree(lanes: Sequence[Sequence[str]], rule: Rule, task_type: str, open_task: OpenTask,
                   close_task: CloseTask) -> Group:
    """``node_tree(lanes, rule, task_type)`` after ``settle``, built directly when there are lanes and every one
    has a user (as approver lanes do): a fresh visit's settle opens the first user of each lane, lane by lane, and leaves
    everything else unopened and not done."""
    if not lanes or not all(lanes):
        tree = node_tree(lanes, rule, task_type)
        settle(tree, open_task, close_task)
        return tree
    groups: list[WorkItem] = []
    for lane in lanes:
        steps: list[WorkItem] = [Group("all", [TaskLeaf(open_task(lane[0], task_type))])]
        if len(lane) > 1:  # (most lanes have one user: no generator for the rest of an empty lane)
            steps.extend(unopened([u], "all", task_type) for u in lane[1:])
        groups.append(Group("in_order", steps))
    return Group(rule, groups)


def finished(item: WorkItem) -> bool:
    """Whether ``item`` is done, without opening anything."""
    if item.done or isinstance(item, TaskLeaf):
        return item.done
    if item.unopened_users:
        return False
    if item.rule == "any":
        return any(finished(c) for c in item.children)
    return all(finished(c) for c in item.children)  # all, in_order


def leaves(item: WorkItem) -> Iterator[TaskLeaf]:
    if isinstance(item, TaskLeaf):
        yield item
        return
    for c in item.children:
        yield from leaves(c)


def settle(item: WorkItem, open_task: OpenTask, close_task: CloseTask) -> bool:
    """Open every group that is now reachable, close what an OR decided, and say whether ``item`` is done."""
    if item.done or isinstance(item, TaskLeaf):
        return item.done
    if item.unopened_users:
        item.children = [TaskLeaf(open_task(u, item.task_type)) for u in item.unopened_users]
        item.unopened_users, item.task_type = [], ""
    if item.rule == "any":
        if not any(finished(c) for c in item.children):
            for c in item.children:
                settle(c, open_task, close_task)
        if any(finished(c) for c in item.children):
            for lf in leaves(item):  # what is still open under a decided OR is no longer needed
                if not lf.done:
                    close_task(lf.task_id)
                    lf.done = True
            item.done = True
        return item.done
    # Below, a child that is done, or a leaf, is what settling it would return (its ``done``): the call is skipped.
    if item.rule == "all":
        done = True
        for c in item.children:  # every child settles: each may open work of its own
            if not c.done and (type(c) is TaskLeaf or not settle(c, open_task, close_task)):
                done = False
        item.done = done
        return done
    for c in item.children:  # in_order
        if not c.done and (type(c) is TaskLeaf or not settle(c, open_task, close_task)):
            return False
    item.done = True
    return True


def find(group: Group, task_id: str) -> tuple[TaskLeaf | None, Group | None]:
    """The leaf of ``task_id`` and its parent group (None, None when the task is not in the tree)."""
    for c in group.children:
        if isinstance(c, TaskLeaf):
            if c.task_id == task_id:
                return c, group
            continue
        found, parent = find(c, task_id)
        if found is not None:
            return found, parent
    return None, None


def replace(parent: Group, old: WorkItem, new: WorkItem) -> None:
    parent.children[next(i for i, c in enumerate(parent.children) if c is old)] = new
