"""Lists and searches: instances list/query/search_cc, tasks search/query."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

import msgspec

from shenpi.api.approval_v4.bodies import whole_number
from shenpi.api.approval_v4.entries import Entries, approval_item, link, title
from shenpi.api.approval_v4.external_search import ExternalMatches, Filters, merged_page
from shenpi.api.approval_v4.paging import Ask, keyset_page, keyset_token
from shenpi.api.approval_v4.users import to_internal
from shenpi.api.jsontypes import int64
from shenpi.api.wire import Call, Route
from shenpi.app import ExternalFilter, Found, SearchFilter
from shenpi.engine.directory import Directory
from shenpi.engine.errors import DomainError, ParamInvalid
from shenpi.engine.model import Instance

_THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000

# The search APIs' instance status filter → the statuses it selects (RECALL is a canceled instance).
_INSTANCE_FILTER = {"PENDING": ("PENDING",), "RECALL": ("CANCELED",), "REJECT": ("REJECTED",),
                    "DELETED": ("DELETED",), "APPROVED": ("APPROVED",), "ALL": ()}
_TASK_FILTER = {"PENDING": ("PENDING",), "REJECTED": ("REJECTED",), "APPROVED": ("APPROVED",),
                "TRANSFERRED": ("TRANSFERRED",), "DONE": ("DONE",), "RM_REPEAT": ("RM_REPEAT",),
                "PROCESSED": ("APPROVED", "REJECTED", "TRANSFERRED"), "ALL": ()}


def _time_window(start: int, end: int, fields: tuple[str, str], limit_ms: int) -> None:
    if bool(start) != bool(end):
        raise ParamInvalid(f"{fields[0]} and {fields[1]} go together", field=fields[0])
    if start and (end < start or end - start > limit_ms):
        raise ParamInvalid(f"{fields[0]}..{fields[1]} must be an ordered window of at most "
                           f"{limit_ms // 86_400_000 or limit_ms // 3_600_000} "
                           f"{'days' if limit_ms >= 86_400_000 else 'hours'}", field=fields[1])


class SearchBody(msgspec.Struct):
    """What the three search bodies share: the filters one of which is required, the locale, revoked instances."""

    user_id: str = ""
    approval_code: str = ""
    instance_code: str = ""
    instance_external_id: str = ""
    group_external_id: str = ""
    locale: str = ""
    with_revoked_instance: bool = False


S = TypeVar("S", bound=SearchBody)


def _search_body(call: Call, struct: type[S], kind: str) -> tuple[S, Ask]:
    """The body and the page asked for. Feishu's search APIs refuse a search without one of the filters: they
    never list a whole tenant."""
    b: S = call.body(struct)
    ask = keyset_page(call.query, kind=kind, default=10, low=5, high=200)
    if not (b.user_id or b.approval_code or b.instance_code or b.instance_external_id or b.group_external_id):
        raise ParamInvalid("one of user_id, approval_code, instance_code, instance_external_id or "
                           "group_external_id is required", field="user_id")
    return b, ask


def _reads_natives(b: SearchBody, ask: Ask) -> bool:
    """Whether the search reads native records: its filters let them match (:meth:`Filters.natives_can_match`) and
    its page is not past them."""
    return ask.externals_from is None and _filters(b, SearchFilter("", b.approval_code, b.instance_code)) \
        .natives_can_match()


async def _window_and_user(call: Call, b: SearchBody, prefix: str, reads_natives: bool) -> tuple[int, int, Directory, str]:
    """The ``<prefix>_from``..``<prefix>_to`` window (at most 30 days), the directory, and the internal id of the
    user filtered on ("" for none). The approval and instance filtered on must exist (1390002, 1390003, before an
    unknown user's error): checked here unless the search that reads natives checks them in its own transaction."""
    fields = (f"{prefix}_from", f"{prefix}_to")
    start, end = (whole_number(getattr(b, f), f, "a millisecond timestamp") for f in fields)
    _time_window(start, end, fields, _THIRTY_DAYS_MS)
    search = call.svc.search
    if not reads_natives:
        await search.check_filters(call.tenant_key, approval_code=b.approval_code, instance_code=b.instance_code)
    directory = await call.directory()
    try:
        user_id = to_internal(directory, b.user_id, call.user_id_type, field="user_id") if b.user_id else ""
    except DomainError:
        if reads_natives:
            await search.check_filters(call.tenant_key, approval_code=b.approval_code, instance_code=b.instance_code)
        raise
    return start, end, directory, user_id


def _status_filter(value: str, allowed: Collection[str], field: str, message: str) -> str:
    """A status filter as the search APIs take it: in any case, empty for ALL; another value is 1390001."""
    chosen = (value or "ALL").upper()
    if chosen not in allowed:
        raise ParamInvalid(message, field=field)
    return chosen


def _filters(b: SearchBody, native: SearchFilter) -> Filters:
    return Filters(native, group_external_id=b.group_external_id, instance_external_id=b.instance_external_id)


def _external_filter(b: SearchBody, f: Filters) -> ExternalFilter | None:
    """The external instances a search reads whole, to filter them in :class:`ExternalMatches`; None when its
    filters leave external ones out."""
    if not f.externals_can_match():
        return None
    return ExternalFilter([b.approval_code] if b.approval_code and not b.group_external_id else [],
                          [b.instance_external_id] if b.instance_external_id else [])


async def _externals(call: Call, b: SearchBody, directory: Directory, wanted: ExternalFilter | None,
                     found: Found | None) -> ExternalMatches | None:
    """The external instances a search may list: read with its native page when it read one, else on their own."""
    if wanted is None:
        return None
    read = found.externals if found is not None and found.externals is not None \
        else await call.svc.external.searchable(call.tenant_key, wanted)
    return ExternalMatches(*read, directory, call.user_id_type, b.locale,
                           lambda code: approval_item(None, code, b.locale))


class InstanceSearch(SearchBody):
    instance_title: str = ""
    instance_status: str = ""
    instance_start_time_from: int | str = 0
    instance_start_time_to: int | str = 0


async def query_instances(call: Call) -> dict[str, Any]:
    b, ask = _search_body(call, InstanceSearch, "instances.query")
    status = _status_filter(b.instance_status, _INSTANCE_FILTER, "instance_status",
                            f"instance_status must be one of {', '.join(_INSTANCE_FILTER)}")
    reads_natives = _reads_natives(b, ask)
    start, end, directory, user_id = await _window_and_user(call, b, "instance_start_time", reads_natives)
    native = SearchFilter(user_id, b.approval_code, b.instance_code, b.instance_title, _INSTANCE_FILTER[status],
                          time_from=start, time_to=end)
    f = _filters(b, native)
    wanted = _external_filter(b, f)
    natives, found = [], None
    if reads_natives:
        found = await call.svc.search.instances(call.tenant_key, native,
                                                reverted=None if b.with_revoked_instance else False,
                                                after=ask.after, limit=ask.size, externals=wanted,
                                                check_filters=True)
        entries = Entries(call, directory, b.locale, found.definitions)
        natives = [entries.instance(i) for i in found.page.items]
    matches = await _externals(call, b, directory, wanted, found)
    externals = matches.instances(f, _INSTANCE_FILTER[status]) if matches else []
    items, total, token = merged_page("instances.query", ask, natives, found.page if found else None, externals)
    return {"count": total, "instance_list": items, **token}


class CcSearch(SearchBody):
    cc_title: str = ""
    read_status: str = ""
    cc_create_time_from: int | str = 0
    cc_create_time_to: int | str = 0


async def search_cc(call: Call) -> dict[str, Any]:
    b, ask = _search_body(call, CcSearch, "cc.search")
    read = _status_filter(b.read_status, ("READ", "UNREAD", "ALL"), "read_status",
                          "read_status must be READ, UNREAD or ALL")
    reads_natives = _reads_natives(b, ask)
    start, end, directory, user_id = await _window_and_user(call, b, "cc_create_time", reads_natives)
    native = SearchFilter(user_id, b.approval_code, b.instance_code, b.cc_title, read_status=read, time_from=start,
                          time_to=end)
    f = _filters(b, native)
    wanted = _external_filter(b, f)
    natives: list[dict[str, Any]] = []
    found = None
    if reads_natives:
        found = await call.svc.search.ccs(call.tenant_key, native, after=ask.after, limit=ask.size, externals=wanted,
                                          check_filters=True)
        entries = Entries(call, directory, b.locale, found.definitions)
        natives = [entries.cc(cc, inst) for cc, inst in found.page.items]
    matches = await _externals(call, b, directory, wanted, found)
    externals = matches.ccs(f, read) if matches else []
    items, total, token = merged_page("cc.search", ask, natives, found.page if found else None, externals)
    return {"count": total, "cc_list": items, **token}


class TaskSearch(SearchBody):
    task_title: str = ""
    task_status: str = ""
    task_start_time_from: int | str = 0
    task_start_time_to: int | str = 0
    task_status_list: list[str] = []
    order: int = 2


async def search_tasks(call: Call) -> dict[str, Any]:
    b, ask = _search_body(call, TaskSearch, "tasks.search")
    asked = [s.upper() for s in b.task_status_list] or [(b.task_status or "ALL").upper()]
    statuses: list[str] = []
    for s in asked:
        if s not in _TASK_FILTER:
            raise ParamInvalid(f"task_status must be one of {', '.join(_TASK_FILTER)}", field="task_status")
        statuses.extend(_TASK_FILTER[s])
    if "ALL" in asked:
        statuses = []
    if b.order not in (0, 1, 2, 3):
        raise ParamInvalid("order must be 0, 1, 2 or 3", field="order")
    reads_natives = _reads_natives(b, ask)
    start, end, directory, user_id = await _window_and_user(call, b, "task_start_time", reads_natives)
    native = SearchFilter(user_id, b.approval_code, b.instance_code, b.task_title, tuple(statuses),
                          time_from=start, time_to=end)
    f = _filters(b, native)
    wanted = _external_filter(b, f)
    natives, found = [], None
    if reads_natives:
        found = await call.svc.search.tasks(call.tenant_key, native, order=b.order, after=ask.after, limit=ask.size,
                                            externals=wanted, check_filters=True)
        entries = Entries(call, directory, b.locale, found.definitions)
        natives = [entries.task(t, i) for t, i in found.page.items]
    matches = await _externals(call, b, directory, wanted, found)
    externals = matches.tasks(f, statuses) if matches else []
    items, total, token = merged_page("tasks.search", ask, natives, found.page if found else None, externals)
    return {"count": total, "task_list": items, **token}


async def list_instances(call: Call) -> dict[str, Any]:
    q = call.query
    code = q.get("approval_code", "")
    if not code:
        raise ParamInvalid("approval_code is required", field="approval_code")
    try:
        start, end = int(q.get("start_time", "")), int(q.get("end_time", ""))
        if not (0 <= start < 2**63 and 0 <= end < 2**63):  # what the database's 64-bit integers hold
            raise ValueError
    except ValueError:
        raise ParamInvalid("start_time and end_time are required millisecond timestamps", field="start_time") from None
    if end < start:  # the page advises windows of at most 10 hours; a longer one is answered, not refused
        raise ParamInvalid("start_time..end_time must be an ordered window", field="end_time")
    ask = keyset_page(q, kind="instances.list", default=100, low=1, high=100)
    found = await call.svc.search.instance_codes(call.tenant_key, code, start, end, ask.after, ask.size)
    return {"instance_code_list": found.items, **keyset_token("instances.list", found.has_more, found.next)}


# The user task lists (tasks/query, GET /tasks, instances/initiated) answer their enums as numeric codes in strings,
# as the pages' field tables and the SDKs declare them (the pages' examples print the enum's names instead).
# Task status: "1" to do, "2" done, "17" unread CC, "18" read CC. tasks/query topics: 1 to do, 2 done, 3 started by
# the user, 17 unread CC, 18 read CC.
_TOPIC_STATUS = {1: "1", 2: "2", 3: "2", 17: "17", 18: "18"}
# Instance ("process") status: "1" running, "2" approved, "3" rejected, "4" withdrawn, "5" terminated (a deleted
# instance is over without a decision).
PROCESS_STATUS = {"PENDING": "1", "APPROVED": "2", "REJECTED": "3", "CANCELED": "4", "DELETED": "5"}
TASK_STATUS = {"PENDING": "1"}  # any other task status is done: "2"


async def query_user_tasks(call: Call) -> dict[str, Any]:
    q = call.query
    if not q.get("user_id"):
        raise ParamInvalid("user_id is required", field="user_id")
    try:
        topic = int(q.get("topic", ""))
    except ValueError:
        raise ParamInvalid("topic is required: 1, 2, 3, 17 or 18", field="topic") from None
    if topic not in _TOPIC_STATUS:
        raise ParamInvalid("topic must be 1, 2, 3, 17 or 18", field="topic")
    kind = f"tasks.query.{topic}"
    ask = keyset_page(q, kind=kind, default=100, low=1, high=200)
    directory = await call.directory()
    user_id = to_internal(directory, q["user_id"], call.user_id_type, field="user_id")
    if call.token.kind == "user" and call.token.user_id != user_id:
        raise ParamInvalid("a user token may only query its own tasks", field="user_id")
    pairs: list[tuple[str, Instance]] = []  # (task id or "", instance)
    search = call.svc.search
    counted = ask.after is None  # the answer's count is the first page's: later pages count nothing
    if topic in (1, 2):
        statuses = ("PENDING",) if topic == 1 else ("APPROVED", "REJECTED", "TRANSFERRED")
        found = await search.tasks(call.tenant_key, SearchFilter(user_id, statuses=statuses), after=ask.after,
                                   limit=ask.size, counted=counted)
        pairs = [(t.id, i) for t, i in found.page.items]
    elif topic == 3:
        found = await search.instances(call.tenant_key, SearchFilter(user_id), reverted=None, after=ask.after,
                                       limit=ask.size, counted=counted)
        pairs = [("", i) for i in found.page.items]
    else:
        read = "UNREAD" if topic == 17 else "READ"
        found = await search.ccs(call.tenant_key, SearchFilter(user_id, read_status=read), after=ask.after,
                                 limit=ask.size, counted=counted)
        pairs = [("", i) for _, i in found.page.items]
    defs = found.definitions
    tasks = []
    for task_id, inst in pairs:
        d = defs[inst.approval_code]
        initiator = directory.user(inst.user_id)
        url = link(call, inst.code)["pc_link"]
        tasks.append({
            "topic": str(topic), "user_id": q["user_id"], "title": title(inst, d, ""),
            "urls": {"helpdesk": "", "mobile": url, "pc": url},
            "process_external_id": "", "task_external_id": "", "status": _TOPIC_STATUS[topic],
            "process_status": PROCESS_STATUS.get(inst.status, "1"), "definition_code": inst.approval_code,
            "initiators": [directory.external_id(inst.user_id, call.user_id_type)],
            "initiator_names": [initiator.name if initiator else inst.user_id],
            "task_id": task_id, "process_id": inst.code, "process_code": inst.serial_number,
            "definition_group_id": "", "definition_group_name": "",
            "definition_id": int64(d.approval_id) if d else "", "definition_name": d.text(d.name, "") if d else "",
        })
    out: dict[str, Any] = {"tasks": tasks, **keyset_token(kind, found.page.has_more, found.page.next)}
    if ask.after is None:
        out["count"] = {"total": min(found.page.total, 999), "has_more": found.page.total >= 1000}
    return out


ROUTES = [
    Route("GET", "/open-apis/approval/v4/instances", "approval.v4.instance.list", list_instances, user_id_type=False),
    Route("POST", "/open-apis/approval/v4/instances/query", "approval.v4.instance.query", query_instances),
    Route("POST", "/open-apis/approval/v4/instances/search_cc", "approval.v4.instance.search_cc", search_cc),
    Route("POST", "/open-apis/approval/v4/tasks/search", "approval.v4.task.search", search_tasks),
    Route("GET", "/open-apis/approval/v4/tasks/query", "approval.v4.task.query", query_user_tasks,
          tokens=("tenant", "user")),
]
