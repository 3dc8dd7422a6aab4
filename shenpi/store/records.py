"""Records the store keeps besides the engine's aggregates (tenants, apps, tokens, comments), and the page a
paged list answers with: the row types the application layer hands to the edges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Tenant:
    tenant_key: str
    name: str
    rate_limit_scale: float = 1.0


@dataclass(slots=True)
class App:
    app_id: str
    tenant_key: str
    app_secret: str
    scopes: list[str] = field(default_factory=list)
    name: str = ""
    event_url: str = ""
    verification_token: str = ""
    encrypt_key: str = ""
    admin_user_ids: list[str] = field(default_factory=list)
    event_types: list[str] = field(default_factory=list)  # the events it receives; empty = the default set
    event_mode: str = ""  # callback | long_connection; "" = callback when it has an event_url, else long connection
    enabled: bool = True  # a disabled app keeps its tokens, but authen's user sign-in refuses it (20042)

    @property
    def receives_by(self) -> str:
        """How its events reach it: ``callback`` (POSTs to ``event_url``) or ``long_connection`` (a WebSocket)."""
        return self.event_mode or ("callback" if self.event_url else "long_connection")


@dataclass(slots=True)
class Token:
    token: str
    kind: str  # tenant | app | user
    app_id: str
    tenant_key: str
    expires_at: int  # ms
    created_at: int  # ms
    user_id: str = ""


@dataclass(slots=True)
class Comment:
    id: int
    instance_code: str
    user_id: str
    content: str
    at_info_list: list[dict[str, Any]]
    parent_comment_id: int
    extra: str
    create_time: int
    update_time: int
    is_delete: int


@dataclass(frozen=True, slots=True)
class DefinitionVersion:
    """One saved version of a definition: who saved it (``source`` seed / api / admin / unknown) and when."""

    version: int
    source: str
    author: str
    saved_at: int


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """What a search over instances, tasks or CC records narrows by. An empty value narrows nothing.

    ``user_id`` is the submitter of an instance, the assignee of a task, the user a CC record was sent to;
    ``statuses`` are instance or task statuses (a CC search reads ``read_status`` instead: READ or UNREAD);
    ``approval_codes`` lists instances of any of several approvals;
    ``time_from``/``time_to`` bound the start time of an instance or task, the creation time of a CC record (ms).
    """

    user_id: str = ""
    approval_code: str = ""
    instance_code: str = ""
    title: str = ""
    statuses: tuple[str, ...] = ()
    approval_codes: tuple[str, ...] = ()  # any of these approvals (beside ``approval_code``, which is one)
    read_status: str = ""
    time_from: int = 0
    time_to: int = 0


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a keyset page starts: the sort key of the last row already served, and how many rows came before
    (which keeps a capped count growing as a client pages on). The API hands it out as an opaque page_token."""

    position: int
    keys: tuple[int | str, ...]


@dataclass(slots=True)
class Page:
    items: list[Any]
    total: int  # exact below the store's count cap; past it, a lower bound (see shenpi/store/keyset.py)
    has_more: bool
    next: Cursor | None = None  # where the next page starts, while has_more (keyset lists only)


@dataclass(slots=True)
class StoredFile:
    """A file uploaded for an attachment or image widget; ``content`` is None when the bytes live in a directory."""

    code: str
    tenant_key: str
    kind: str  # "attachment" | "image"
    name: str
    size: int
    app_id: str
    created_at: int
    content: bytes | None = None


STATUSES = ("PENDING", "APPROVED", "REJECTED", "CANCELED", "DELETED")  # what an inbox's status filter takes


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """What a person narrowed a list to; every part left empty narrows nothing."""

    text: str = ""  # a word or phrase searched for (see the module's docstring)
    approval_codes: Sequence[str] = ()  # the approvals whose name contains ``text``
    approval_code: str = ""  # only this approval
    status: str = ""  # only instances in this status (one of STATUSES)
    submitter: str = ""  # only instances this user submitted
    time_from: int = 0  # submitted at or after (ms)
    time_to: int = 0  # submitted at or before (ms)
    oldest_first: bool = False

    def narrows(self) -> bool:
        return bool(self.text or self.approval_code or self.status or self.submitter or self.time_from
                    or self.time_to)
