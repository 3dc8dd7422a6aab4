"""The inbox: to do, done, started by me, CC'd to me — the lists of ``tasks/query`` topics 1, 2, 3 and 17/18 —
searched, filtered and sorted; and several to-do tasks approved with one comment."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from shenpi.app.inbox import BADGE_CAP
from shenpi.engine.errors import ParamInvalid
from shenpi.engine.model import START_NODE, Definition
from shenpi.store.records import STATUSES, Cursor, InboxFilter
from shenpi.web import i18n
from shenpi.web.context import Ctx, action, page, page_number
from shenpi.web.views.inbox_rows import Row, current_step, summary, waited

PAGE_SIZE = 20
TABS = (("todo", "To do"), ("done", "Done"), ("started", "Started by me"), ("cc", "CC'd to me"))
SORTS = (("newest", "Newest first"), ("oldest", "Oldest first"))
FILTERS = ("q", "read", "approval", "status", "submitter", "from", "to", "sort")


def _day_ms(raw: str, end: bool) -> int:
    """A ``YYYY-MM-DD`` as the first (or last) millisecond of that day in the server's zone; 0 if it is not one."""
    try:
        day = date.fromisoformat(raw)
        # the server's zone can carry 0001-01-01 or 9999-12-31 past the calendar's ends: ValueError, not a 500
        moment = datetime.combine(day, time.max if end else time.min).astimezone()
    except (ValueError, OverflowError):
        return 0
    return int(moment.timestamp() * 1000)


def _asked(ctx: Ctx) -> dict[str, str]:
    """The list's filters as asked in the query string, each cut to what it can be."""
    query = ctx.request.query_params
    asked = {k: query.get(k, "").strip()[:100] for k in FILTERS}
    asked["read"] = asked["read"] if asked["read"] in ("unread", "read") else ""
    asked["status"] = asked["status"] if asked["status"] in STATUSES else ""
    asked["sort"] = asked["sort"] if asked["sort"] == "oldest" else ""
    for k in ("from", "to"):
        asked[k] = asked[k] if _day_ms(asked[k], False) else ""
    return asked


def page_token(tag: str, cursor: Cursor) -> str:
    """The "next page" link's opaque token: the store's cursor (the last row's sort key and the rows before it),
    tagged with the list and sort it belongs to, as base64url JSON."""
    raw = json.dumps([tag, cursor.position, list(cursor.keys)], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_token(tag: str, token: str) -> Cursor | None:
    """The cursor a token of this list and sort holds; None for anything else (the list then starts over)."""
    if not token or len(token) > 512:
        return None
    try:
        tagged, position, keys = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError, binascii.Error):
        return None
    if (tagged != tag or type(position) is not int or position < 0 or not isinstance(keys, list)
            or not all(type(k) in (int, str) for k in keys)):
        return None
    return Cursor(position, tuple(keys))


def _filter(asked: dict[str, str]) -> InboxFilter:
    return InboxFilter(text=asked["q"], approval_code=asked["approval"], status=asked["status"],
                       submitter=asked["submitter"], time_from=_day_ms(asked["from"], False),
                       time_to=_day_ms(asked["to"], True), oldest_first=asked["sort"] == "oldest")


async def _listing(ctx: Ctx, tab: str, *, status: int = 200, **extra: Any) -> Response:
    me = ctx.me
    asked = _asked(ctx)
    f = _filter(asked)
    # Paging on walks from the last row shown (a keyset cursor in the "next" link), so page 5000 costs what page 1
    # does; a page asked for by number (the "previous" link, a typed URL) walks past the rows before it.
    tag = f"{tab}:{asked['sort'] or 'newest'}"
    after = read_token(tag, ctx.request.query_params.get("after", ""))
    page_no = after.position // PAGE_SIZE + 1 if after else page_number(ctx.request.query_params.get("page", "1"))
    offset = (page_no - 1) * PAGE_SIZE
    try:
        listed = await _read(ctx, tab, asked, f, offset, after)
    except ParamInvalid:  # a cursor that does not fit this list's order: start it over
        after, page_no, offset = None, 1, 0
        listed = await _read(ctx, tab, asked, f, offset, after)
    found, counts = listed.page, listed.counts
    now = ctx.svc.clock.now_ms()
    rows = [_row(ctx, tab, item, listed.definitions, now) for item in found.items]
    pages = max(1, (found.total + PAGE_SIZE - 1) // PAGE_SIZE)
    kept = [(k, v) for k, v in asked.items() if v]
    approvals = sorted(((d.code, d.text(d.name, ctx.locale)) for d in listed.definitions.values()),
                       key=lambda a: a[1])
    people = sorted(((u.user_id, u.name) for u in me.directory.users.values()), key=lambda p: p[1])
    badges = {k: str(n) if n < BADGE_CAP else f"{BADGE_CAP - 1}+" for k, n in counts.items()}
    return ctx.render("inbox.html", status=status, tab=tab, tabs=TABS, counts=counts, badges=badges, rows=rows,
                      asked=asked,
                      narrowed=any(v for k, v in asked.items() if k not in ("sort", "read")),
                      query=urlencode(kept), page_no=page_no, pages=max(pages, page_no), total=found.total,
                      next_token=page_token(tag, found.next) if found.next else "",
                      has_more=found.has_more, approvals=approvals, people=people, sorts=SORTS,
                      statuses=[(s, i18n.INSTANCE_STATUS[s]) for s in STATUSES], **extra)


async def _read(ctx: Ctx, tab: str, asked: dict[str, str], f: InboxFilter, offset: int,
                after: Cursor | None) -> Any:
    me, inbox = ctx.me, ctx.svc.inbox
    if tab in ("todo", "done"):
        return await inbox.tasks(me.tenant_key, me.user_id, done=tab == "done", locale=ctx.locale, offset=offset,
                                 limit=PAGE_SIZE, filters=f, after=after)
    if tab == "started":
        return await inbox.started(me.tenant_key, me.user_id, locale=ctx.locale, offset=offset, limit=PAGE_SIZE,
                                   filters=f, after=after)
    return await inbox.ccs(me.tenant_key, me.user_id, read_status=asked["read"].upper(), locale=ctx.locale,
                           offset=offset, limit=PAGE_SIZE, filters=f, after=after)


@page()
async def inbox(ctx: Ctx) -> Response:
    tab = ctx.request.path_params.get("tab", "todo")
    if tab not in dict(TABS):
        return ctx.problem(404, ctx.t("Page not found."))
    return await _listing(ctx, tab, outcomes=[], bulk_comment="")


@action()
async def approve_selected(ctx: Ctx) -> Response:
    """Approve the ticked to-do tasks with one comment, each through the application's approve in its own
    transaction; the page then says, task by task, what became of each."""
    if ctx.request.path_params.get("tab") != "todo":
        return ctx.problem(404, ctx.t("Page not found."))
    picked = []
    for value in ctx.fields("task"):
        code, _, task_id = value.partition(":")
        if code and task_id:
            picked.append((code, task_id))
    comment = ctx.field("comment")
    if not picked:
        return await _listing(ctx, "todo", status=400, outcomes=[], bulk_comment=comment,
                              bulk_error=ctx.t("Select at least one task to approve."))
    me = ctx.me
    results = await ctx.svc.inbox.approve_many(me.tenant_key, me.user_id, picked, comment)
    outcomes = [{"code": r.instance_code, "ok": r.error is None,
                 "message": "" if r.error is None else ctx.error_text(r.error)} for r in results]
    failed = sum(1 for o in outcomes if not o["ok"])
    return await _listing(ctx, "todo", status=200, outcomes=outcomes, bulk_comment="" if not failed else comment,
                          bulk_summary=ctx.t("Approved {done} of {asked}.", done=len(outcomes) - failed,
                                             asked=len(picked)))


def _row(ctx: Ctx, tab: str, item: Any, definitions: dict[str, Definition], now: int) -> Row:
    me = ctx.me
    if tab in ("todo", "done"):
        task, inst = item
    elif tab == "cc":
        cc, inst = item
    else:
        inst = item
    d = definitions.get(inst.approval_code)
    name = d.text(d.name, ctx.locale) if d is not None else inst.approval_code
    shown_status = "REVERTED" if inst.reverted else inst.status
    row = Row(inst.code, inst.title, name, me.name(inst.user_id), inst.serial_number, shown_status,
              ctx.t(i18n.INSTANCE_STATUS.get(shown_status, shown_status)), inst.start_time)
    row.summary = summary(d, inst, me, ctx.locale, lambda n: ctx.t("{days} days", days=n))
    if not row.title:
        row.title = " · ".join(value for _, value in row.summary[:1]) or name
    row.step = current_step(d, inst, ctx.locale)
    if row.step:
        row.waited = waited(now - inst.start_time, ctx.t)
    if tab in ("todo", "done"):
        node = d.node(task.node_key) if d is not None else None
        node_name = d.text(node.name, ctx.locale) if d is not None and node is not None else task.node_key
        if tab == "todo":
            row.detail = (ctx.t("Handed back to you: edit and resubmit") if task.node_key == START_NODE
                          else ctx.t("Waiting for you at {node}", node=node_name))
            row.time = task.start_time
            row.step = ""  # the detail line names it already
            row.waited = waited(now - task.start_time, ctx.t)
            row.task_id = "" if task.node_key == START_NODE else task.id
        else:
            verb = {"APPROVED": "approved", "REJECTED": "rejected", "TRANSFERRED": "transferred"}[task.status]
            row.detail = ctx.t("You {status} at {node}", status=ctx.t(verb), node=node_name)
            row.time = task.end_time or task.start_time
    elif tab == "cc":
        row.detail = ctx.t("CC'd by {name}", name=me.name(cc.from_user_id)) if cc.from_user_id \
            else ctx.t("CC'd by the process")
        row.unread = cc.read_status == "UNREAD"
        row.time = cc.create_time
    return row
