"""Part (e): the engine alone, in-process — shenpi's engine beside SpiffWorkflow on the same two-approval flow.

Each side creates an instance of a two-step approval (two user tasks in sequence, one approver each), completes
both steps, and serializes its state to JSON after every step, as a server would before writing it:

* shenpi: ``commands.create_instance`` then ``commands.approve`` twice (two one-approver nodes); after each step
  the Transition is turned into the row values ``save_transition`` binds (``shenpi.store.rows``): the instance
  row with its form and flow state as JSON, new and changed tasks, timeline entries with their JSON columns,
  and the outbox payloads as JSON — shenpi's persisted form of a step, short of the SQL itself.
* SpiffWorkflow: ``bench/two_approvals.bpmn`` (start, two userTasks, end), parsed once; per instance a
  ``BpmnWorkflow``, ``do_engine_steps``, each ready user task given data and run, and
  ``BpmnWorkflowSerializer.serialize_json`` after the start and after each task.

Each side runs for the same wall time; the figure is completed instances per second.
"""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
FORM = json.dumps([{"id": "reason", "type": "textarea", "value": "a week in the mountains"},
                   {"id": "days", "type": "number", "value": 5}])


def _shenpi_setup() -> Any:
    from shenpi.engine.definitions import build_definition
    from shenpi.engine.directory import Directory, User

    body = {
        "approval_name": "Two approvals", "viewers": [{"viewer_type": "TENANT"}],
        "form": {"form_content": json.dumps([{"id": "reason", "type": "textarea", "name": "Reason"},
                                             {"id": "days", "type": "number", "name": "Days"}])},
        "node_list": [{"id": "START"},
                      {"id": "manager", "name": "Manager", "node_type": "AND",
                       "approver": [{"type": "Personal", "user_id": "bob"}]},
                      {"id": "finance", "name": "Finance", "node_type": "AND",
                       "approver": [{"type": "Personal", "user_id": "carol"}]},
                      {"id": "END"}],
    }
    definition = build_definition(body, tenant_key="bench", approval_code="TWO", approval_id=1)
    users = [User(u, u.title(), f"ou_{u}", f"on_{u}", f"17{i:014d}") for i, u in enumerate(("alice", "bob", "carol"))]
    return definition, Directory("bench", users, [])


def shenpi_one() -> Any:
    """A function that runs one shenpi instance from creation to APPROVED."""
    from shenpi import ids
    from shenpi.engine import commands
    from shenpi.engine.model import APPROVED, PENDING
    from shenpi.store import rows

    definition, directory = _shenpi_setup()

    def persist(tr: Any) -> tuple[Any, ...]:
        return (rows.instance_values(tr.agg.instance),
                [rows.task_values(t) for t in tr.new_tasks],
                [(t.status, t.end_time, t.user_id, t.id) for t in tr.changed_tasks.values()],
                [rows.timeline_values(e) for e in tr.timeline],
                [(e.kind, e.status, rows.event_payload(e), e.operate_time) for e in tr.events])

    def one(serial: int) -> None:
        now = int(time.time() * 1000)
        agg, tr = commands.create_instance(
            definition, directory, commands.CreateInstance(user_id="alice", form=FORM), code=ids.code(),
            serial_number=f"20260101{serial:04d}", now=now, new_id=ids.task_id)
        persist(tr)
        for approver in ("bob", "carol"):
            task = next(t for t in agg.tasks if t.status == PENDING)
            tr = commands.approve(agg, directory, commands.TaskAction(task_id=task.id, user_id=approver),
                                  now=now, new_id=ids.task_id)
            persist(tr)
        if agg.instance.status != APPROVED:
            raise AssertionError(f"the instance ended {agg.instance.status}")

    return one


def spiff_one() -> Any:
    """A function that runs one SpiffWorkflow instance of bench/two_approvals.bpmn to completion."""
    from SpiffWorkflow.bpmn.parser import BpmnParser  # type: ignore[import-untyped]
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # type: ignore[import-untyped]
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # type: ignore[import-untyped]
    from SpiffWorkflow.util.task import TaskState  # type: ignore[import-untyped]

    parser = BpmnParser()
    parser.add_bpmn_file(str(HERE / "two_approvals.bpmn"))
    spec = parser.get_spec("two_approvals")
    serializer = BpmnWorkflowSerializer()
    form = json.loads(FORM)

    def one(serial: int) -> None:
        wf = BpmnWorkflow(spec)
        wf.data["form"] = form
        wf.do_engine_steps()
        serializer.serialize_json(wf)
        for approver in ("bob", "carol"):
            (task,) = wf.get_tasks(state=TaskState.READY, manual=True)
            task.data.update({"approved": True, "user_id": approver, "comment": ""})
            task.run()
            wf.do_engine_steps()
            serializer.serialize_json(wf)
        if not wf.is_completed():
            raise AssertionError("the workflow did not complete")

    return one


def _slice(one: Any, seconds: float, first: int) -> tuple[int, float]:
    """Run ``one`` for ``seconds`` of this process's CPU time; (instances, CPU seconds)."""
    n, start = 0, time.process_time()
    while True:
        for _ in range(10):
            one(first + n)
            n += 1
        used = time.process_time() - start
        if used >= seconds:
            return n, used


def run(seconds: float, rounds: int = 5) -> dict[str, Any]:
    """Each engine gets ``seconds`` of CPU time, in ``rounds`` alternating slices; the figure per engine is its
    best slice. CPU time (not wall time) and the alternation keep other work on the machine out of the ratio."""
    sides: dict[str, Any] = {"shenpi": shenpi_one()}
    out: dict[str, Any] = {"rounds": rounds, "cpu_seconds_each": seconds, "clock": "process CPU time"}
    try:
        sides["spiff"] = spiff_one()
        from importlib.metadata import version

        out["spiff_version"] = version("SpiffWorkflow")
    except ImportError:
        out["spiff_error"] = "SpiffWorkflow is not installed (pip install SpiffWorkflow)"
    for one in sides.values():  # warm up: imports, caches
        for i in range(30):
            one(i)
    gc.collect()
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    for r in range(rounds):
        for name, one in sides.items():
            n, used = _slice(one, seconds / rounds, r * 1_000_000)
            best[name] = max(best.get(name, 0.0), n / used)
            counts[name] = counts.get(name, 0) + n
    out.update({"shenpi_per_s": best["shenpi"], "shenpi_instances": counts["shenpi"]})
    if "spiff" in best:
        out.update({"spiff_per_s": best["spiff"], "spiff_instances": counts["spiff"]})
        out["ratio"] = best["shenpi"] / best["spiff"]
    return out


if __name__ == "__main__":
    import sys

    print(json.dumps(run(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0), indent=2))
