"""The flow state an instance keeps between commands, typed, and its JSON form.

:class:`FlowState` is what the engine remembers beyond the instance's columns and its tasks: who the submitter
chose, the open work of each node visit in progress, where the flow goes on, whom to CC when a node is done, and
the CC records. The store keeps it as JSON in the instance row (:func:`encode_flow_state` /
:func:`decode_flow_state`); the state written by release 0.1.0, a plain dict with short keys, still decodes.
"""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.engine.worktree import Group


class CcRecord(msgspec.Struct, omit_defaults=True):
    """One user CC'd on the instance. CC'd users only read; they never get tasks."""

    cc_id: str
    user_id: str
    from_user_id: str = ""  # who CC'd them; "" when the definition (a CC node, a ccer) or the submitter did
    create_time: int = 0  # ms
    read_time: int = 0  # ms, 0 while unread

    @property
    def read_status(self) -> str:
        """READ or UNREAD, as ``search_cc`` filters (its results show them lowercase)."""
        return "READ" if self.read_time else "UNREAD"


class FlowState(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    # node key -> users the submitter chose at creation, as approvers of a Free node / as its CCs
    chosen_approvers: dict[str, list[str]] = {}
    chosen_ccs: dict[str, list[str]] = {}
    # the create body's forbid_revoke: the instance cannot be reverted once APPROVED
    revert_forbidden: bool = False
    # node key -> the work tree (worktree.py) of each node visit in progress in the current round: one node
    # normally; several after a rollback to several nodes, which then run side by side
    open_visits: dict[str, Group] = {}
    # the index into Definition.nodes the flow opens once every open visit is done; None when none is set
    next_node_index: int | None = None
    # node key -> users an approval node CCs once it is done (its ccers and the submitter's chosen CCs)
    ccs_when_done: dict[str, list[str]] = {}
    cc_records: list[CcRecord] = []
    # the version of the definition the instance started on: it runs on that version to the end, whatever is
    # published meanwhile (0: started before shenpi kept versions, runs on the current one)
    definition_version: int = 0


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(FlowState)


def encode_flow_state(state: FlowState) -> str:
    return _encoder.encode(state).decode()


def decode_flow_state(text: str | bytes) -> FlowState:
    """The flow state from its JSON; the dict release 0.1.0 wrote is read too (:func:`upgrade_0_1`)."""
    try:
        return _decoder.decode(text)
    except msgspec.ValidationError:
        raw = msgspec.json.decode(text)
        if not isinstance(raw, dict):
            raise
        return msgspec.convert(upgrade_0_1(raw), FlowState)


# -- the state as release 0.1.0 wrote it ----------------------------------------------------------------------
# Keys: free / free_cc (chosen approvers / CCs), forbid_revoke, active (node key -> work tree), resume (next node
# index), pending_cc (CCs when a node is done), cc (records: cc_id, user_id, from, create_time or time, read_time
# or read). Work tree blocks: {"k": "task", "id", "done"}, {"k": "all" | "any" | "seq", "c": [...], "done"} and
# the unopened group {"k": "wait", "u": users, "m": "all" | "any", "t": task type}.


def _item_0_1(block: dict[str, Any]) -> dict[str, Any]:
    kind = block.get("k")
    if kind == "task":
        return {"kind": "task", "task_id": str(block.get("id", "")), "done": bool(block.get("done"))}
    if kind == "wait":
        return {"kind": "group", "rule": block.get("m", "all"), "unopened_users": list(block.get("u", [])),
                "task_type": str(block.get("t", ""))}
    rule = "in_order" if kind == "seq" else kind
    return {"kind": "group", "rule": rule, "done": bool(block.get("done")),
            "children": [_item_0_1(c) for c in block.get("c", [])]}


def _cc_0_1(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "cc_id": str(raw.get("cc_id", "")),
        "user_id": str(raw.get("user_id", "")),
        "from_user_id": str(raw.get("from", "")),
        "create_time": int(raw.get("create_time", raw.get("time", 0)) or 0),
        "read_time": int(raw.get("read_time", raw.get("read", 0)) or 0),
    }


def upgrade_0_1(raw: dict[str, Any]) -> dict[str, Any]:
    """The 0.1.0 state dict in the shape of :class:`FlowState` (its never-written ``queue`` key is dropped)."""
    resume = raw.get("resume")
    return {
        "chosen_approvers": raw.get("free", {}),
        "chosen_ccs": raw.get("free_cc", {}),
        "revert_forbidden": bool(raw.get("forbid_revoke")),
        "open_visits": {key: _item_0_1(tree) for key, tree in raw.get("active", {}).items()},
        "next_node_index": int(resume) if resume is not None else None,
        "ccs_when_done": raw.get("pending_cc", {}),
        "cc_records": [_cc_0_1(r) for r in raw.get("cc", [])],
    }

