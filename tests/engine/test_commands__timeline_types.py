"""Every timeline type Feishu's instance timeline knows that an operation of this engine implies is produced;
the rest are documented (shenpi/engine/commands/__init__.py says why each is not)."""

from __future__ import annotations

from shenpi.engine import commands
from tests.engine.helpers import Run, definition, form_json, node, personal

ALL_TYPES = {"START", "PASS", "REJECT", "AUTO_PASS", "AUTO_REJECT", "REMOVE_REPEAT", "TRANSFER", "ADD_APPROVER_BEFORE",
             "ADD_APPROVER", "ADD_APPROVER_AFTER", "DELETE_APPROVER", "ROLLBACK_SELECTED", "ROLLBACK", "CANCEL",
             "DELETE", "CC"}
NOT_PRODUCED = {"REMOVE_REPEAT", "DELETE_APPROVER", "ROLLBACK", "DELETE"}


def test_the_operations_produce_every_implied_type() -> None:
    seen: set[str] = set()
    nobody = [{"type": "Supervisor", "level": "1"}]
    r = Run(definition([node("auto", "AND", nobody), node("a", "AND", personal("bob")),
                        node("b", "AND", personal("carol"))], settings={"reject_option": 1}), user_id="ceo")
    r.run(commands.add_sign, commands.AddSign(r.task_of("bob").id, "bob", ["erin"], 1, 1))
    r.approve("erin")
    r.run(commands.add_sign, commands.AddSign(r.task_of("bob").id, "bob", ["dave"], 3))
    r.run(commands.transfer, commands.Transfer(r.task_of("dave").id, "dave", "lead"))
    r.approve("lead")
    r.run(commands.add_sign, commands.AddSign(r.task_of("bob").id, "bob", ["vp"], 2, 1))
    r.approve("vp")
    r.run(commands.specified_rollback, commands.SpecifiedRollback(r.task_of("carol").id, "carol", ["a"]))
    r.approve("bob")
    r.reject("carol")
    r.run(commands.resubmit, commands.TaskAction(r.task_of("ceo").id, "ceo", form=form_json(days=1)))
    r.run(commands.cc, commands.Cc("ceo", ["erin"]))
    r.run(commands.cancel, commands.Cancel("ceo"))
    seen |= set(r.types())
    rejected = Run(definition([node("n", "AND", nobody, empty_approver="AUTO_REJECT")]), user_id="ceo")
    seen |= set(rejected.types())
    assert seen == ALL_TYPES - NOT_PRODUCED


def test_the_types_not_produced_are_documented() -> None:
    doc = commands.__doc__ or ""
    for t in NOT_PRODUCED:
        assert f"{t} (" in doc
