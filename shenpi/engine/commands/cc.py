"""CC (抄送): copy users in on an instance, list its CC records, and mark them read.

CC'd users only read; they never get tasks. The records are the flow state's ``cc_records`` (state.py's
CcRecord: who, by whom, when, and when read). The definition's CC nodes and ccers, and the submitter's
``node_cc_user_id_list``, add records the same way (with no ``from_user_id``).
"""

from __future__ import annotations

from collections.abc import Callable

from shenpi.engine import errors
from shenpi.engine.commands.guards import dedupe, existing_users
from shenpi.engine.commands.requests import Cc, CcRead
from shenpi.engine.directory import Directory
from shenpi.engine.flow import cc_users
from shenpi.engine.model import Aggregate, Instance
from shenpi.engine.state import CcRecord
from shenpi.engine.transition import Transition

MAX_CC_USERS = 20


def list_ccs(instance: Instance, user_id: str = "") -> list[CcRecord]:
    """The instance's CC records in the order they were made; only ``user_id``'s when given."""
    return [r for r in instance.state.cc_records if not user_id or r.user_id == user_id]


def cc(agg: Aggregate, directory: Directory, cmd: Cc, *, now: int, new_id: Callable[[], str]) -> Transition:
    """``POST /instances/cc``: one CC record per user, events cc CREATE (one per user, ``from`` = the operator),
    then one timeline CC entry by the operator with ``cc_user_ids`` (and ``ext.user_id`` = the first CC'd user).
    Works on an instance in any status. Errors: 1390004 for an unknown operator or CC'd user; 1390001 for an
    empty list or more than 20 users."""
    if directory.user(cmd.user_id) is None:
        raise errors.UserNotFound(f"user {cmd.user_id} not found", field="user_id")
    users = dedupe(cmd.cc_user_ids)
    if not users or len(users) > MAX_CC_USERS:
        raise errors.ParamInvalid(f"cc_user_ids needs 1 to {MAX_CC_USERS} users", field="cc_user_ids")
    existing_users(directory, users, "cc_user_ids")
    inst = agg.instance
    nodes = agg.definition.nodes
    node_key = nodes[inst.node_index].key if 0 <= inst.node_index < len(nodes) else ""
    tr = Transition(agg, now, new_id)
    cc_users(tr, node_key, users, from_user=cmd.user_id, comment=cmd.comment)
    return tr


def mark_cc_read(
    agg: Aggregate, directory: Directory, cmd: CcRead, *, now: int, new_id: Callable[[], str]
) -> Transition:
    """The CC'd user reads the instance: each of their unread records (or just ``cmd.cc_id``) gets ``read_time``
    and a cc READ event. Reading again changes nothing. Error 1390001 when the user has no such CC record."""
    mine = [r for r in agg.instance.state.cc_records
            if r.user_id == cmd.user_id and (not cmd.cc_id or r.cc_id == cmd.cc_id)]
    if not mine and cmd.cc_id:
        raise errors.ParamInvalid(f"CC {cmd.cc_id} of user {cmd.user_id} not found", field="cc_id")
    if not mine:
        raise errors.ParamInvalid(f"user {cmd.user_id} has no CC on this instance", field="user_id")
    tr = Transition(agg, now, new_id)
    for r in mine:
        if not r.read_time:
            r.read_time = now
            tr.cc_event(cmd.user_id, r.from_user_id, r.cc_id, "READ")
    return tr
