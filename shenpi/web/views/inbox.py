"""The inbox: to do, done, started by me, CC'd to me — the lists of ``tasks/query`` topics 1, 2, 3 and 17/18."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from shenpi.engine.model import START_NODE, Definition, Instance
from shenpi.web import i18n
from shenpi.web.context import Ctx, page, page_number

PAGE_SIZE = 20
TABS = (("todo", "To do"), ("done", "Done"), ("started", "Started by me"), ("cc", "CC'd to me"))


@dataclass(slots=True)
class Row:
    code: str
    title: str
    approval: str
    submitter: str
    serial: str
    status: str
    status_label: str
    time: int
    detail: str = ""
    unread: bool = False


def _title(inst: Instance, d: Definition | None, locale: str) -> tuple[str, str]:
    name = d.text(d.name, locale) if d is not None else inst.approval_code
    return inst.title or name, name


@page()
async def inbox(ctx: Ctx) -> Response:
    tab = ctx.request.path_params.get("tab", "todo")
    if tab not in dict(TABS):
        return ctx.problem(404, ctx.t("Page not found."))
    me = ctx.me
    q = ctx.request.query_params.get("q", "").strip()[:100]
    read = ctx.request.query_params.get("read", "")
    read = read if read in ("unread", "read") else ""
    page_no = page_number(ctx.request.query_params.get("page", "1"))
    offset = (page_no - 1) * PAGE_SIZE
    inbox = ctx.svc.inbox
    if tab in ("todo", "done"):
        listed = await inbox.tasks(me.tenant_key, me.user_id, done=tab == "done", text=q, locale=ctx.locale,
                                   offset=offset, limit=PAGE_SIZE)
    elif tab == "started":
        listed = await inbox.started(me.tenant_key, me.user_id, text=q, locale=ctx.locale, offset=offset,
                                     limit=PAGE_SIZE)
    else:
        listed = await inbox.ccs(me.tenant_key, me.user_id, read_status=read.upper(), text=q, locale=ctx.locale,
                                 offset=offset, limit=PAGE_SIZE)
    found, counts = listed.page, listed.counts
    rows = [_row(ctx, tab, item, listed.definitions) for item in found.items]
    pages = max(1, (found.total + PAGE_SIZE - 1) // PAGE_SIZE)
    return ctx.render("inbox.html", tab=tab, tabs=TABS, counts=counts, rows=rows, q=q, read=read, page_no=page_no,
                      pages=pages, total=found.total, has_more=found.has_more)


def _row(ctx: Ctx, tab: str, item: Any, definitions: dict[str, Definition]) -> Row:
    me = ctx.me
    if tab in ("todo", "done"):
        task, inst = item
    elif tab == "cc":
        cc, inst = item
    else:
        inst = item
    d = definitions.get(inst.approval_code)
    title, name = _title(inst, d, ctx.locale)
    shown_status = "REVERTED" if inst.reverted else inst.status
    row = Row(inst.code, title, name, me.name(inst.user_id), inst.serial_number, shown_status,
              ctx.t(i18n.INSTANCE_STATUS.get(shown_status, shown_status)), inst.start_time)
    if tab in ("todo", "done"):
        node = d.node(task.node_key) if d is not None else None
        node_name = d.text(node.name, ctx.locale) if d is not None and node is not None else task.node_key
        if tab == "todo":
            row.detail = (ctx.t("Handed back to you: edit and resubmit") if task.node_key == START_NODE
                          else ctx.t("Waiting for you at {node}", node=node_name))
            row.time = task.start_time
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
