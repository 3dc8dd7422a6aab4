"""Admin pages for the tenant's app admins: definitions (list; detail with its diagram, version history and a
YAML/JSON import), apps and their event configuration, and the event outbox with redelivery requests. The
designer of definitions is shenpi/web/views/designer.py."""

from __future__ import annotations

import json
from typing import Any

import yaml
from starlette.datastructures import UploadFile
from starlette.responses import Response

from shenpi.engine.definitions import build_definition
from shenpi.engine.errors import DomainError
from shenpi.engine.model import Definition
from shenpi.store.records import DefinitionVersion
from shenpi.web.context import MAX_ID, Ctx, action, page, page_number
from shenpi.web.designer_model import FIELD_TYPE_LABELS
from shenpi.web.process import definition_diagram

OUTBOX_PAGE = 50
MAX_IMPORT = 2 * 1024 * 1024  # bytes of an imported definition file read; a real one is a few kilobytes
FORMATS = ("json", "yaml")


@page(admin=True)
async def definitions(ctx: Ctx) -> Response:
    found = await ctx.svc.definitions.list(ctx.me.tenant_key)
    items = [{"code": d.code, "name": d.text(d.name, ctx.locale), "version": d.version, "status": d.status,
              "nodes": len(d.nodes)} for d in found]
    return ctx.render("admin_definitions.html", section="definitions", items=items)


def dump(body: dict[str, Any], fmt: str) -> str:
    if fmt == "yaml":
        return yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=120)
    return json.dumps(body, ensure_ascii=False, indent=2)


# How deep a definition may nest: a real one is under ten levels (node_list, approver, form widgets); a document
# nested thousands of levels deep exhausts the parser's recursion and must be refused before, not answered a 500.
MAX_DEPTH = 64


def _too_deep(text: str) -> bool:
    """Whether the brackets (JSON, YAML flow style) or the indentation (YAML block style) nest past MAX_DEPTH;
    counted on the text, before any parser recurses into it."""
    depth = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif ch in "]}":
            depth = max(0, depth - 1)
    indents = {len(line) - len(line.lstrip(" -")) for line in text.splitlines() if line.strip()}
    return len(indents) > MAX_DEPTH


def parse(text: str, fmt: str, ctx: Ctx) -> dict[str, Any] | str:
    """The editor's text as a body, or what is wrong with it."""
    if _too_deep(text):
        return ctx.t("The text is not valid {fmt}: {error}", fmt=fmt.upper(),
                     error=f"nested deeper than {MAX_DEPTH} levels")
    try:
        body = yaml.safe_load(text) if fmt == "yaml" else json.loads(text)
    except (ValueError, yaml.YAMLError, RecursionError) as e:
        return ctx.t("The text is not valid {fmt}: {error}", fmt=fmt.upper(), error=(str(e) or "?").splitlines()[0])
    if not isinstance(body, dict):
        return ctx.t("A definition is an object (a mapping) at the top level.")
    return body


async def _editor(ctx: Ctx, d: Definition | None, *, text: str, fmt: str, status: int = 200, error: str = "",
                  ok: str = "") -> Response:
    summary = None
    versions: list[DefinitionVersion] = []
    if d is not None:
        summary = {"code": d.code, "name": d.text(d.name, ctx.locale), "version": d.version, "status": d.status,
                   "widgets": [(w.id, w.type, d.text(w.name, ctx.locale), w.required) for w in d.widgets],
                   "diagram": definition_diagram(d, ctx.t, ctx.locale, ctx.me.name)}
        versions = await ctx.svc.definitions.versions(ctx.me.tenant_key, d.code)
    return ctx.render("admin_definition.html", section="definitions", d=summary, text=text, fmt=fmt,
                      formats=FORMATS, status=status, error=error, ok=ok, code=d.code if d else "",
                      versions=versions, sources=SOURCES, field_types=FIELD_TYPE_LABELS)


# Who saved a version, as the history table says it.
SOURCES = {"seed": "Seed file", "api": "Open API", "admin": "Admin", "unknown": "Before history was kept"}


def _fmt(raw: str) -> str:
    return raw if raw in FORMATS else "json"


@page(admin=True)
async def definition(ctx: Ctx) -> Response:
    code = ctx.request.path_params.get("code", "")
    fmt = _fmt(ctx.request.query_params.get("format", "json"))
    if not code:
        return await _editor(ctx, None, text=dump(_blank(), fmt), fmt=fmt)
    d = await ctx.svc.definitions.find(ctx.me.tenant_key, code)
    if d is None:
        return ctx.problem(404, ctx.t("Approval not found."))
    ok = ctx.t("Saved as version {version}.", version=d.version) if ctx.request.query_params.get("ok") else ""
    return await _editor(ctx, d, text=dump(d.body, fmt), fmt=fmt, ok=ok)


def _blank() -> dict[str, Any]:
    return {"approval_name": "New approval", "viewers": [{"viewer_type": "TENANT"}],
            "form": {"form_content": json.dumps([{"id": "reason", "type": "textarea", "name": "Reason",
                                                  "required": True}])},
            "node_list": [{"id": "START"}, {"id": "manager", "name": "Manager", "node_type": "AND",
                                            "approver": [{"type": "Supervisor", "level": "1"}]}, {"id": "END"}]}


@action(admin=True)
async def save_definition(ctx: Ctx) -> Response:
    code = ctx.request.path_params.get("code", "")
    fmt, text = _fmt(ctx.field("format")), ctx.field("body")
    uploaded = ctx.form.get("file") if ctx.form is not None else None
    if isinstance(uploaded, UploadFile) and uploaded.filename:  # a chosen file wins over the text box
        raw = await uploaded.read(MAX_IMPORT + 1)
        text = raw[:MAX_IMPORT].decode("utf-8", "replace")
        fmt = "json" if uploaded.filename.lower().endswith(".json") else "yaml"
    existing = None
    if code:
        existing = await ctx.svc.definitions.find(ctx.me.tenant_key, code)
        if existing is None:
            return ctx.problem(404, ctx.t("Approval not found."))
    body = parse(text, fmt, ctx)
    if isinstance(body, str):
        return await _editor(ctx, existing, text=text, fmt=fmt, status=400, error=body)
    if code:
        body["approval_code"] = code  # the page's definition, whatever the text says
    else:
        body.pop("approval_code", None)  # the API's create makes a new code; naming one means "overwrite it"
    try:
        build_definition(body, tenant_key=ctx.me.tenant_key, approval_code=code or "NEW", approval_id=0)
        if ctx.field("do") == "validate":
            return await _editor(ctx, existing, text=text, fmt=fmt, ok=ctx.t("The definition is valid."))
        saved = await ctx.svc.definitions.create(ctx.me.tenant_key, body, source="admin", author=ctx.me.user_id)
    except DomainError as e:
        return await _editor(ctx, existing, text=text, fmt=fmt, status=e.http_status, error=ctx.error_text(e))
    return ctx.redirect(f"/admin/definitions/{saved.code}?ok=1&format={fmt}")


@page(admin=True)
async def apps(ctx: Ctx) -> Response:
    connections = await ctx.svc.long_connections.counts()  # over every server process on the database
    items = [{"app": a, "token": _mask(a.verification_token), "subscribed": codes,
              "admins": [ctx.me.name(u) for u in a.admin_user_ids], "connections": connections.get(a.app_id, 0)}
             for a, codes in await ctx.svc.people.apps_with_subscriptions(ctx.me.tenant_key)]
    return ctx.render("admin_apps.html", section="apps", items=items)


def _mask(secret: str) -> str:
    """Enough of a token to recognise it, not enough to use it."""
    return secret[:4] + "…" if len(secret) > 8 else ("…" if secret else "")


@page(admin=True)
async def outbox(ctx: Ctx) -> Response:
    done = ctx.request.query_params.get("redelivered", "")
    ok = ctx.t("Redelivery requested for {count} events.", count=int(done)) if done.isdigit() else ""
    return await _outbox_page(ctx, ok=ok)


async def _outbox_page(ctx: Ctx, *, status: int = 200, error: str = "", ok: str = "") -> Response:
    instance_code = ctx.request.query_params.get("instance", "").strip()[:64]
    page_no = page_number(ctx.request.query_params.get("page", "1"))
    found = await ctx.svc.deliveries.outbox_page(ctx.me.tenant_key, instance_code=instance_code,
                                                 offset=(page_no - 1) * OUTBOX_PAGE, limit=OUTBOX_PAGE)
    rows = [{**r, "payload_text": json.dumps(r["payload"], ensure_ascii=False, indent=2)} for r in found.items]
    pages = max(1, (found.total + OUTBOX_PAGE - 1) // OUTBOX_PAGE)
    return ctx.render("admin_outbox.html", status=status, section="outbox", rows=rows, instance=instance_code,
                      page_no=page_no, pages=pages, total=found.total,
                      error=error, ok=ok)


@action(admin=True)
async def redeliver(ctx: Ctx) -> Response:
    ids = []
    for raw in ctx.fields("outbox_id"):
        try:
            outbox_id = int(raw)
        except ValueError:
            continue
        if 0 <= outbox_id <= MAX_ID:  # no event has an id a database integer cannot hold
            ids.append(outbox_id)
    if not ids:
        return await _outbox_page(ctx, status=400, error=ctx.t("Choose events to redeliver."))
    # Scoped to the admin's tenant: ids of another tenant's events are skipped, not marked.
    marked = await ctx.svc.deliveries.request_redelivery(ids[:500], tenant_key=ctx.me.tenant_key)
    return ctx.redirect(f"/admin/outbox?redelivered={len(marked)}")
