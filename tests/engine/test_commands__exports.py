"""The commands package still offers what callers import from ``shenpi.engine.commands``."""

from __future__ import annotations

import inspect

from shenpi.engine import commands


def test_existing_names_and_signatures() -> None:
    for name in ("create_instance", "approve", "reject", "describe", "CreateInstance", "TaskAction"):
        assert hasattr(commands, name)
    assert list(inspect.signature(commands.approve).parameters) == ["agg", "directory", "cmd", "now", "new_id"]
    assert list(inspect.signature(commands.create_instance).parameters) == [
        "definition", "directory", "cmd", "code", "serial_number", "now", "new_id"]


def test_every_action_takes_the_same_shape() -> None:
    for fn in (commands.approve, commands.reject, commands.resubmit, commands.transfer, commands.add_sign,
               commands.specified_rollback, commands.cancel, commands.revert, commands.cc, commands.mark_cc_read):
        params = inspect.signature(fn).parameters
        assert list(params)[:5] == ["agg", "directory", "cmd", "now", "new_id"], fn.__name__
        assert params["now"].kind is inspect.Parameter.KEYWORD_ONLY
