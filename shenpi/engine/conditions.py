"""Branch conditions: whether a node runs for an instance, judged on its form values and its submitter.

Feishu builds branches only in its console, never through the open API; the fields a branch may read are the
submitter and the widgets number, amount, formula, radio, checkbox and dateInterval. A seed gives them per node as
``{"widget": id | "__submitter__", "op": ..., "value": ...}``; all of a node's conditions must hold.

How each kind of value compares:

* number / amount / formula: as numbers (``> >= < <= == !=``; ``in`` / ``not_in`` against a list of numbers).
* radio: the chosen option value (``== != in not_in``).
* checkbox: the list of chosen values; ``contains`` = the value (every value of a list) is among them, ``in`` =
  any of them is in the condition's list, ``not_in`` = none is, ``==`` = exactly that list.
* dateInterval: its length in days: ``interval`` when the form gives it, else ``end - start``.
* ``__submitter__``: the submitter's user id together with every department they belong to and those
  departments' ancestors; ``==`` / ``in`` hold when the value (or any value of the list) is one of those ids.

A condition on a widget the form leaves out never holds (so ``not_in`` on a missing widget is false too).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shenpi.engine.directory import Directory
from shenpi.engine.model import Condition, Instance, Node

SUBMITTER = "__submitter__"


def _days_between(start: Any, end: Any) -> float | None:
    try:
        a = datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        b = datetime.fromisoformat(str(end).replace("Z", "+00:00"))
        return (b - a).total_seconds() / 86400
    except (TypeError, ValueError):
        return None


def form_value(form: list[dict[str, Any]], widget_id: str) -> Any:
    """The value a condition compares for ``widget_id``, or None when the form leaves the widget out."""
    for entry in form:
        if entry.get("id") == widget_id:
            value = entry.get("value")
            if isinstance(value, dict) and ("interval" in value or "start" in value):
                if isinstance(value.get("interval"), int | float):
                    return value["interval"]
                return _days_between(value.get("start"), value.get("end"))
            return value
    return None


def submitter_ids(instance: Instance, directory: Directory) -> list[str]:
    """The ids a ``__submitter__`` condition matches: the user, their departments and those departments' parents."""
    ids = [instance.user_id]
    user = directory.user(instance.user_id)
    departments = list(user.department_ids) if user else []
    if instance.department_id and instance.department_id not in departments:
        departments.insert(0, instance.department_id)
    for dep in departments:
        for d in directory.department_chain(dep):
            if d.department_id not in ids:
                ids.append(d.department_id)
        if dep not in ids:
            ids.append(dep)
    return ids


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _all_numbers(values: list[Any]) -> bool:
    return bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def condition_holds(cond: Condition, instance: Instance, directory: Directory) -> bool:
    expected = cond.value
    if cond.widget == SUBMITTER:
        ids = submitter_ids(instance, directory)
        if cond.op in ("==", "in", "contains"):
            return any(v in ids for v in _as_list(expected))
        if cond.op in ("!=", "not_in"):
            return not any(v in ids for v in _as_list(expected))
        return False
    actual = form_value(instance.form, cond.widget)
    if actual is None:
        return False
    if isinstance(actual, str) and _all_numbers(_as_list(expected)):
        try:  # a number widget given as a numeral ("4"), as Feishu's create page sends it
            actual = float(actual)
        except ValueError:
            return False
    try:
        if cond.op == "in":
            if isinstance(actual, list):
                return any(a in _as_list(expected) for a in actual)
            return actual in _as_list(expected)
        if cond.op == "not_in":
            if isinstance(actual, list):
                return not any(a in _as_list(expected) for a in actual)
            return actual not in _as_list(expected)
        if cond.op == "contains":
            if isinstance(actual, list):
                return all(v in actual for v in _as_list(expected))
            return bool(actual == expected)
        if cond.op == "==":
            return bool(actual == expected)
        if cond.op == "!=":
            return bool(actual != expected)
        if isinstance(actual, bool) or isinstance(expected, bool):
            return False
        if cond.op == ">":
            return bool(actual > expected)
        if cond.op == ">=":
            return bool(actual >= expected)
        if cond.op == "<":
            return bool(actual < expected)
        if cond.op == "<=":
            return bool(actual <= expected)
    except TypeError:  # a number compared with text: the branch does not apply
        return False
    return False


def node_applies(node: Node, instance: Instance, directory: Directory) -> bool:
    return all(condition_holds(c, instance, directory) for c in node.conditions)
