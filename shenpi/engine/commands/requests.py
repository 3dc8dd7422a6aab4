"""What each operation asks for: plain records the API fills from the wire (user ids tenant-scoped).

msgspec Structs: built in C, at a third of a slotted dataclass's cost."""

from __future__ import annotations

import msgspec


class CreateInstance(msgspec.Struct):
    user_id: str  # tenant-scoped user id of the submitter
    form: str | None
    department_id: str = ""
    uuid: str = ""
    title: str = ""
    free_approvers: dict[str, list[str]] = {}  # node key or node id -> user ids
    free_ccs: dict[str, list[str]] = {}
    forbid_revoke: bool = False  # the create body's ``forbid_revoke``: an APPROVED instance cannot be reverted


class TaskAction(msgspec.Struct):
    """approve, reject and resubmit (for resubmit ``form`` is required and replaces the instance's form)."""

    task_id: str
    user_id: str  # the acting user (tenant-scoped)
    comment: str = ""
    form: str | None = None


class Transfer(msgspec.Struct):
    task_id: str
    user_id: str  # the task's approver
    transfer_user_id: str
    comment: str = ""
    # More transferees (the aPaaS call names up to 20): the task goes to each of them, and any one may act for it.
    also_to: list[str] = []


class SpecifiedRollback(msgspec.Struct):
    task_id: str
    user_id: str  # the approver of the PENDING task
    task_def_key_list: list[str]  # node keys (custom ids; system node ids work too) or "START"
    reason: str = ""
    extra: str = ""  # Feishu: "gray, unused"; kept for the wire, ignored


class AddSign(msgspec.Struct):
    task_id: str
    user_id: str  # the task's approver
    add_sign_user_ids: list[str]
    add_sign_type: int  # 1 before, 2 after, 3 alongside
    approval_method: int = 0  # 1 OR (或签), 2 AND (会签); required for types 1 and 2, ignored for 3
    comment: str = ""


class Cancel(msgspec.Struct):
    """Cancel (撤回) a PENDING instance, or revert (撤销) an APPROVED one; ``user_id`` must be the submitter."""

    user_id: str
    comment: str = ""


class Cc(msgspec.Struct):
    user_id: str  # who CCs
    cc_user_ids: list[str]
    comment: str = ""


class CcRead(msgspec.Struct):
    user_id: str  # the CC'd user
    cc_id: str = ""  # one CC record; empty = every unread CC of the user on the instance
