"""The visual designer of approval definitions: form, process (steps, CCs, branches) and settings, with a live
preview of the request form and the process diagram; publishing saves a new version through the same definition
service as ``POST /approval/v4/approvals``. Also the version history, one earlier version, and the export.

Every button posts the whole draft (shenpi/web/designer_model.py), so the page works without JavaScript;
static/designer.js only redraws the preview and diagram while typing, asking this view for that part alone.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from shenpi.engine.definitions import build_definition
from shenpi.engine.errors import DomainError
from shenpi.engine.model import Definition
from shenpi.web import designer_model as dm
from shenpi.web.context import Ctx, action, page
from shenpi.web.designer_body import from_definition, problems, to_body
from shenpi.web.forms import build_fields
from shenpi.web.process import OP_WORDS, definition_diagram
from shenpi.web.views.admin import FORMATS, dump

FRAGMENT_HEADER = "x-shenpi-fragment"  # designer.js asks for the live part (preview and diagram) only


def _field_path(field: str, paths: list[str]) -> str:
    """The designer field a definition builder error names: ``form.form_content[2].name`` → ``f2.name_zh``,
    ``node_list[3].approver`` → the path of the third node's step."""
    if field.startswith("form.form_content["):
        index = field.split("[", 1)[1].split("]", 1)[0]
        return f"f{index}.name_zh" if field.endswith(".name") else f"f{index}"
    if field.startswith("node_list["):
        node = int(field.split("[", 1)[1].split("]", 1)[0])
        return paths[node - 1] if 0 < node <= len(paths) else "process"
    return {"approval_name": "name_zh", "viewers": "viewer_ids"}.get(field.split("[", 1)[0], "")


def _node_paths(d: dm.Draft) -> list[str]:
    """The designer path of each node of the body, in node_list order (START and END left out)."""
    out: list[str] = []
    for i, item in enumerate(d.process):
        if isinstance(item, dm.Step):
            out.append(f"p{i}")
        else:
            out += [f"p{i}.b{j}.s{k}" for j, c in enumerate(item.cases) for k in range(len(c.steps))]
    return out


def _preview_definition(ctx: Ctx, draft: dm.Draft, body: dict[str, Any]) -> Definition | None:
    try:
        return build_definition(body, tenant_key=ctx.me.tenant_key, approval_code=draft.code or "NEW",
                                approval_id=0)
    except DomainError:
        return None


def _render(ctx: Ctx, draft: dm.Draft, *, errors: dict[str, str] | None = None, focus: str = "",
            status: int = 200, message: str = "", base: dict[str, Any] | None = None,
            focus_button: str = "") -> Response:
    body = to_body(draft, base)
    preview = _preview_definition(ctx, draft, body)
    me = ctx.me
    people = sorted(me.directory.users.values(), key=lambda u: u.name)
    departments = sorted(me.directory.departments.values(), key=lambda x: x.name)
    fields = build_fields(preview, ctx.locale, viewer=me) if preview is not None else []
    diagram = definition_diagram(preview, ctx.t, ctx.locale, me.name) if preview is not None else []
    template = "designer_live.html" if ctx.request.headers.get(FRAGMENT_HEADER) else "designer.html"
    return ctx.render(template, status=status, section="definitions", d=draft, errors=errors or {}, focus=focus,
                      message=message, failed=status >= 400, focus_button=focus_button, people=people,
                      first_error=next(iter(errors or {}), ""),  # the keyboard starts at the first mistake
                      departments=departments, preview_fields=fields, diagram=diagram, dm=dm, **_choices(ctx, draft),
                      name=draft.name_zh if ctx.lang == "zh" else (draft.name_en or draft.name_zh))


def _choices(ctx: Ctx, draft: dm.Draft) -> dict[str, Any]:
    """The (value, label) lists of the designer's selects, in the page's language."""
    t = ctx.t
    who = [(k, t(v)) for k, v in dm.WHO_LABELS.items()]
    return {
        "who_choices": who,
        "cc_who_choices": who,  # on a CC step, "chosen by the submitter" is the CCs they choose when submitting
        "empty_choices": [(k, t(v)) for k, v in dm.EMPTY_LABELS.items()],
        "starter_choices": [(k, t(v)) for k, v in dm.STARTER_LABELS.items()],
        "currencies": [(c, c) for c in dm.CURRENCIES],
        "column_types": [(k, t(dm.FIELD_TYPE_LABELS[k])) for k in dm.COLUMN_TYPES],
        "ops": [(o, t(OP_WORDS[o])) for o in dm.OPS],
        "branch_fields": [(f.id, f"{(f.name_zh if ctx.lang == 'zh' else f.name_en) or f.name_zh or f.name_en or f.id}")
                          for f in draft.fields if f.type in dm.BRANCH_FIELD_TYPES],
        "options_text": dm.options_text,
        "cond_text": lambda conds: " · ".join(dm.condition_text(c) for c in conds),
    }


async def _current(ctx: Ctx) -> Definition | Response | None:
    code = ctx.request.path_params.get("code", "new")
    if code == "new":
        return None
    d = await ctx.svc.definitions.find(ctx.me.tenant_key, code)
    if d is None:
        return ctx.problem(404, ctx.t("Approval not found."))
    return d


@page(admin=True)
async def design(ctx: Ctx) -> Response:
    current = await _current(ctx)
    if isinstance(current, Response):
        return current
    return _render(ctx, dm.new_draft() if current is None else from_definition(current))


@action(admin=True)
async def design_post(ctx: Ctx) -> Response:
    current = await _current(ctx)
    if isinstance(current, Response):
        return current
    assert ctx.form is not None
    draft = dm.read_draft(ctx.field, lambda name: [v.strip() for v in ctx.form.getlist(name)  # type: ignore[union-attr]
                                                   if isinstance(v, str)])
    draft.code = current.code if current is not None else ""
    base = current.body if current is not None else None
    op = ctx.field("op")
    if op not in ("publish", "validate", "preview", ""):
        focus = dm.apply_op(draft, op, ctx.field("new_field_type"))
        verb = op.split(":", 1)[0]
        # Moving keeps the keyboard on the same button of the moved thing, so it can be pressed again.
        return _render(ctx, draft, focus=focus, base=base,
                       focus_button=f"{verb}:{focus}" if verb in ("up", "down") and focus else "")
    if op in ("preview", ""):
        return _render(ctx, draft, base=base)
    errors = problems(draft, ctx.t, set(ctx.me.directory.users))
    if not errors:
        body = to_body(draft, base)
        try:
            build_definition(body, tenant_key=ctx.me.tenant_key, approval_code=draft.code or "NEW", approval_id=0)
        except DomainError as e:
            errors[_field_path(e.field or "", _node_paths(draft)) or "process"] = ctx.error_text(e)
    if errors:
        return _render(ctx, draft, errors=errors, status=400, base=base,
                       message=ctx.t("Please correct the fields marked below."))
    if op == "validate":
        return _render(ctx, draft, base=base, message=ctx.t("The definition is valid."))
    if current is not None and draft.base_version != current.version:
        return _render(ctx, draft, status=409, base=base, message=ctx.t(
            "Version {version} was published while you edited; reopen the designer to start from it.",
            version=current.version))
    try:
        saved = await ctx.svc.definitions.create(ctx.me.tenant_key, to_body(draft, base), source="admin",
                                                 author=ctx.me.user_id)
    except DomainError as e:
        return _render(ctx, draft, status=e.http_status, base=base, message=ctx.error_text(e))
    return ctx.redirect(f"/admin/definitions/{saved.code}?ok=1")


@page(admin=True)
async def version(ctx: Ctx) -> Response:
    code = ctx.request.path_params["code"]
    raw = ctx.request.path_params.get("version", "")
    found = await ctx.svc.definitions.version(ctx.me.tenant_key, code, int(raw)) if raw.isdigit() else None
    if found is None:
        return ctx.problem(404, ctx.t("Version not found."))
    return ctx.render("admin_definition_version.html", section="definitions", code=code, v=found,
                      name=found.text(found.name, ctx.locale),
                      widgets=[(w.id, w.type, found.text(w.name, ctx.locale), w.required) for w in found.widgets],
                      diagram=definition_diagram(found, ctx.t, ctx.locale, ctx.me.name), formats=FORMATS)


@page(admin=True)
async def export(ctx: Ctx) -> Response:
    """The definition (or one of its versions) as a file to download: the body the definition API takes."""
    code = ctx.request.path_params["code"]
    fmt = ctx.request.query_params.get("format", "yaml")
    fmt = fmt if fmt in FORMATS else "yaml"
    raw = ctx.request.query_params.get("version", "")
    found = (await ctx.svc.definitions.version(ctx.me.tenant_key, code, int(raw)) if raw.isdigit()
             else await ctx.svc.definitions.find(ctx.me.tenant_key, code))
    if found is None:
        return ctx.problem(404, ctx.t("Approval not found."))
    body = {k: v for k, v in found.body.items() if k not in ("status", "creator_app_id")}
    media = "application/yaml" if fmt == "yaml" else "application/json"
    response = Response(dump(json.loads(json.dumps(body)), fmt), media_type=f"{media}; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{code}-v{found.version}.{fmt}"'})
    ctx.finish(response)
    return response
