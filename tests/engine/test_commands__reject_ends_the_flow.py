"""Reject with reject_option=0: the task REJECTED, the others DONE, the instance REJECTED."""

from __future__ import annotations

import pytest

from shenpi.engine import commands, errors
from tests.engine.helpers import Run, definition, node, personal


def test_reject_ends_the_flow() -> None:
    r = Run(definition([node("n", "AND", personal("bob", "carol")), node("m", "AND", personal("erin"))]))
    tr = r.reject("bob", "no")
    assert r.status == "REJECTED"
    assert r.agg.instance.end_time == r.now
    assert r.event_list(tr) == [("task", "REJECTED", "bob"), ("task", "DONE", "carol"), ("instance", "REJECTED", "")]
    assert r.timeline[-1].type == "REJECT" and r.timeline[-1].comment == "no"
    assert not r.pending()


def test_nothing_moves_after_a_rejection() -> None:
    r = Run(definition([node("n", "AND", personal("bob", "carol"))]))
    carol = r.task_of("carol")
    r.reject("bob")
    with pytest.raises(errors.TaskNotFound):
        r.run(commands.approve, commands.TaskAction(carol.id, "carol"))
