"""Each ``*_refusal`` predicate returns exactly the error its command raises, and None when the command passes:
a UI that asks the predicate offers only what the command accepts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shenpi.engine import commands
from shenpi.engine.errors import DomainError, HandwrittenSignatureRequired
from shenpi.engine.transition import Transition
from tests.engine.helpers import Run, definition, node, personal


def flow(**settings: Any) -> Run:
    return Run(definition([node("a", "AND", personal("bob")), node("b", "OR", personal("carol", "erin")),
                           node("s", "AND", personal("dave"), require_signature=True)],
                          settings={"revert_interval": 60, **settings}))


def agrees(r: Run, refusal: DomainError | None, fn: Callable[..., Transition], cmd: Any, **kw: Any) -> None:
    """The command raises ``refusal`` (same class, code and field), or passes when it is None."""
    try:
        r.run(fn, cmd, **kw)
    except DomainError as raised:
        assert refusal is not None, f"{fn.__name__} raised {raised!r}, the predicate said None"
        assert (type(raised), raised.code, raised.field) == (type(refusal), refusal.code, refusal.field)
    else:
        assert refusal is None, f"{fn.__name__} passed, the predicate said {refusal!r}"


def test_task_refusal_for_approve_and_reject() -> None:
    r = flow()
    bob = r.task_of("bob")
    for user in ("carol", "bob"):
        agrees(r, commands.task_refusal(r.agg, bob.id, user), commands.approve, commands.TaskAction(bob.id, user))
    agrees(r, commands.task_refusal(r.agg, bob.id, "bob"), commands.reject, commands.TaskAction(bob.id, "bob"))
    erin = r.task_of("erin")
    agrees(r, commands.task_refusal(r.agg, erin.id, "erin"), commands.reject, commands.TaskAction(erin.id, "erin"))


def test_the_signature_node_is_refused_to_deciding_but_not_to_rollback() -> None:
    r = flow()
    r.approve("bob")
    r.approve("carol")
    dave = r.task_of("dave")
    assert isinstance(commands.task_refusal(r.agg, dave.id, "dave"), HandwrittenSignatureRequired)
    assert commands.task_refusal(r.agg, dave.id, "dave", check_signature=False) is None
    agrees(r, commands.task_refusal(r.agg, dave.id, "dave"), commands.approve, commands.TaskAction(dave.id, "dave"))
    assert commands.rollback_target_keys(r.agg, r.agg.definition.nodes[2], r.timeline) == ["START", "a", "b"]
    for keys in (["s"], ["nope"], [], ["a"]):
        cmd = commands.SpecifiedRollback(dave.id, "dave", keys)
        agrees(r, commands.rollback_refusal(r.agg, cmd, r.timeline), commands.specified_rollback, cmd,
               timeline=r.timeline)


def test_transfer_and_add_sign_refusals() -> None:
    r = flow()
    bob = r.task_of("bob")
    for target in ("", "ghost", "bob", "lead"):
        cmd = commands.Transfer(bob.id, "bob", target)
        agrees(r, commands.transfer_refusal(r.agg, r.directory, cmd), commands.transfer, cmd)
    lead = r.task_of("lead")
    for users, kind, method in ((["vp"], 4, 1), (["vp"], 1, 0), (["ghost"], 3, 0), (["lead"], 3, 0), (["vp"], 2, 1)):
        cmd = commands.AddSign(lead.id, "lead", users, kind, method)
        agrees(r, commands.add_sign_refusal(r.agg, r.directory, cmd), commands.add_sign, cmd)


def test_withdraw_revert_and_resubmit_refusals() -> None:
    r = flow(reject_option=1)
    agrees(r, commands.withdraw_refusal(r.agg, "bob", r.now + 1000), commands.cancel, commands.Cancel("bob"))
    r.reject("bob")
    back = r.task_of("alice")
    for user in ("bob", "alice"):
        cmd = commands.TaskAction(back.id, user, form="[]")
        agrees(r, commands.resubmit_refusal(r.agg, back.id, user), commands.resubmit, cmd)
    r.approve("bob")
    r.approve("erin")
    r.agg.definition.nodes[2].require_signature = False
    r.approve("dave")
    assert r.status == "APPROVED"
    # Run.run moves its clock on by 1 s before each command, so the predicates are asked at r.now + 1000
    ended = r.agg.instance.end_time
    r.now = ended + 60_000  # the next command runs 61 s after the approval: past the 60 s window
    agrees(r, commands.revert_refusal(r.agg, "alice", r.now + 1000), commands.revert, commands.Cancel("alice"))
    r.now = ended + 60_000
    agrees(r, commands.withdraw_refusal(r.agg, "alice", r.now + 1000), commands.cancel, commands.Cancel("alice"))
    r.now = ended
    agrees(r, commands.withdraw_refusal(r.agg, "alice", r.now + 1000), commands.cancel, commands.Cancel("alice"))
    assert r.agg.instance.reverted
    agrees(r, commands.withdraw_refusal(r.agg, "alice", r.now + 1000), commands.cancel, commands.Cancel("alice"))
    agrees(r, commands.revert_refusal(r.agg, "alice", r.now + 1000), commands.revert, commands.Cancel("alice"))
