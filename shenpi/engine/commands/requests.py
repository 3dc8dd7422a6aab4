"""What each operation asks for: plain dataclasses the API fills from the wire (user ids tenant-scoped)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class CreateInstance:
    user_id: str  # tenant-scoped user id of the submitter
    form: str | None
    department_id: str = ""
    uuid: str = ""
    title: str = ""
    free_approvers: dict[str, list[str]] = field(default_factory=dict)  # node key or node id -> user ids
    free_ccs: dict[str, list[str]] = field(default_factory=dict)
    forbid_revoke: bool = False  # the create body's ``forbid_revoke``: an APPROVED instance cannot be reverted


@dataclass(slots=True)
class TaskAction:
    """approve, reject and resubmit (for resubmit ``form`` is required and replaces the instance's form)."""

    task_id: str
    user_id: str  # the acting user (tenant-scoped)
    comment: str = ""
    form: str | None = None


@dataclass(slots=True)
class Transfer:
    task_id: str
    user_id: str  # the task's approver
    transfer_user_id: str
    comment: str = ""
    # More transferees (the aPaaS call names up to 20): the task goes to each of them, and any one may act for it.
    also_to: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SpecifiedRollback:
    task_id: str
    user_id: str  # the approver of the PENDING task
    task_def_key_list: list[str]  # node keys (custom ids; system node ids work too) or "START"
    reason: str = ""
    extra: str = ""  # Feishu: "gray, unused"; kept for the wire, ignored


@dataclass(slots=True)
class AddSign:
    task_id: str
    user_id: str  # the task's approver
    add_sign_user_ids: list[str]
    add_sign_type: int  # 1 before, 2 after, 3 alongside
    approval_method: int = 0  # 1 OR (或签), 2 AND (会签); required for types 1 and 2, ignored for 3
    comment: str = ""


@dataclass(slots=True)
class Cancel:
    """Cancel (撤回) a PENDING instance, or revert (撤销) an APPROVED one; ``user_id`` must be the submitter."""

    user_id: str
    comment: str = ""


@dataclass(slots=True)
class Cc:
    user_id: str  # who CCs
    cc_user_ids: list[str]
    comment: str = ""


@dataclass(slots=True)
class CcRead:
    user_id: str  # the CC'd user
    cc_id: str = ""  # one CC record; empty = every unread CC of the user on the instance
