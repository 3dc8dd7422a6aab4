"""The work of one node visit as a small tree, kept in ``Instance.state`` (plain JSON) between commands.

Blocks:

* ``{"k": "task", "id": task_id, "done": bool}`` — one approver's task; done once it is approved.
* ``{"k": "all", "c": [...]}`` — done when every child is done (会签, AND).
* ``{"k": "any", "c": [...]}`` — done when one child is done; the others' pending tasks then close as DONE (或签, OR).
* ``{"k": "seq", "c": [...]}`` — children one after another; only the first unfinished child is open.
* ``{"k": "wait", "u": [user ids], "m": "all"|"any", "t": task type}`` — a group not yet opened; opening it
  creates one PENDING task per user and turns it into an ``all``/``any`` block of tasks.

A node of type AND is ``all`` of its lanes, OR is ``any`` of them, and each lane (approvers.py) is a ``seq`` of
one-user groups; SEQUENTIAL is a single such lane. Add-sign rewrites the tree around the acting task: *before*
replaces it with ``seq[wait(added), wait(actor)]``, *after* with ``seq[done task, wait(added)]``, *alongside*
adds the new tasks to the task's own group. Transfer swaps the task id. ``settle`` opens what became reachable and
reports whether the visit is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Block = dict[str, Any]
OpenTask = Callable[[str, str], str]  # (user_id, task type) -> new task id
CloseTask = Callable[[str], None]  # task id -> close the pending task as DONE


def wait(users: list[str], method: str, task_type: str) -> Block:
    return {"k": "wait", "u": list(users), "m": method, "t": task_type}


def leaf(task_id: str, done: bool = False) -> Block:
    return {"k": "task", "id": task_id, "done": done}


def node_tree(lanes: list[list[str]], join: str, task_type: str) -> Block:
    """The tree of a fresh node visit: ``join`` ("all"/"any") over lanes of one-user groups."""
    return {"k": join, "c": [{"k": "seq", "c": [wait([u], "all", task_type) for u in lane]} for lane in lanes]}


def finished(block: Block) -> bool:
    """Whether ``block`` is done, without opening anything."""
    k = block["k"]
    if block.get("done"):
        return True
    if k == "task":
        return False
    if k == "wait":
        return not block["u"]
    if k == "any":
        return any(finished(c) for c in block["c"])
    return all(finished(c) for c in block["c"])  # all, seq


def leaves(block: Block) -> Iterator[Block]:
    if block["k"] == "task":
        yield block
    for c in block.get("c", []):
        yield from leaves(c)


def settle(block: Block, open_task: OpenTask, close_task: CloseTask) -> bool:
    """Open every group that is now reachable, close what an OR decided, and say whether ``block`` is done."""
    if block.get("done"):
        return True
    k = block["k"]
    if k == "task":
        return False
    if k == "wait":
        users, method, task_type = block.pop("u"), block.pop("m"), block.pop("t")
        block["k"], block["c"] = method, [leaf(open_task(u, task_type)) for u in users]
        return settle(block, open_task, close_task)
    if k == "any":
        if not any(finished(c) for c in block["c"]):
            for c in block["c"]:
                settle(c, open_task, close_task)
        if any(finished(c) for c in block["c"]):
            for lf in leaves(block):  # what is still open under a decided OR is no longer needed
                if not lf["done"]:
                    close_task(lf["id"])
                    lf["done"] = True
            block["done"] = True
            return True
        return False
    if k == "all":
        done = [settle(c, open_task, close_task) for c in block["c"]]
        if all(done):
            block["done"] = True
        return bool(block.get("done"))
    for c in block["c"]:  # seq
        if not settle(c, open_task, close_task):
            return False
    block["done"] = True
    return True


def find(block: Block, task_id: str) -> tuple[Block | None, Block | None]:
    """The leaf of ``task_id`` and its parent block (None, None when the task is not in the tree)."""
    for c in block.get("c", []):
        if c["k"] == "task" and c["id"] == task_id:
            return c, block
        found, parent = find(c, task_id)
        if found is not None:
            return found, parent
    return None, None


def replace(parent: Block, old: Block, new: Block) -> None:
    children: list[Block] = parent["c"]
    children[next(i for i, c in enumerate(children) if c is old)] = new
