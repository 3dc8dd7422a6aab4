"""Files in the web inbox: the start and resubmit forms upload what an attachment or image widget is given (stored
as the API's upload stores them), and the instance page links each file through a path that only someone who may
see the request can open (``/instances/<code>/files/<file code>``; anyone else gets the page's own 403 or 404)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from shenpi.app import Shenpi
from shenpi.app.files import WIDGET_KINDS, FileRefused, image_type
from shenpi.engine.errors import ParamInvalid
from shenpi.engine.form import canonical_type
from shenpi.web.forms import Field
from shenpi.web.session import Viewer

FILE_KINDS = frozenset(WIDGET_KINDS)  # the canonical widget types whose values are file codes
MAX_FILES_PER_FORM = 20


async def take_uploads(svc: Shenpi, viewer: Viewer, fields: list[Field], form: FormData) -> None:
    """Store the files posted for each file field; the field's value becomes its codes: those a failed submit
    carried back (hidden inputs) and the new ones. A file the upload refuses (a non-image for an image widget, one
    over its limit) puts the upload's message on the field."""
    for f in fields:
        if f.kind not in FILE_KINDS:
            continue
        codes = [v for v in form.getlist(f.name + ".code") if isinstance(v, str) and v]
        for posted in form.getlist(f.name):
            if not isinstance(posted, UploadFile) or not posted.filename:
                continue  # an empty file input posts a part with no file name
            try:
                stored = await svc.files.upload(viewer.tenant_key, "", posted.filename, WIDGET_KINDS[f.kind],
                                                await posted.read())
            except ParamInvalid as e:
                f.error = f"{f.label}: {e.detail}"
                continue
            codes.append(stored.code)
        f.value = codes


async def file_names(svc: Shenpi, tenant_key: str, form: list[dict[str, Any]]) -> dict[str, str]:
    """The name of every file an instance's form names, by code."""
    names: dict[str, str] = {}
    for entry in form:
        if canonical_type(str(entry.get("type", ""))) in FILE_KINDS and isinstance(entry.get("value"), list):
            for code in entry["value"]:
                found = await svc.files.meta(tenant_key, str(code))
                names[str(code)] = found.name if found is not None else str(code)
    return names


async def file_response(svc: Shenpi, form: list[dict[str, Any]], file_code: str) -> Response | None:
    """The bytes of ``file_code`` when the instance's form names it; None otherwise (the caller answers 404)."""
    if file_code not in file_codes_in(form):
        return None
    try:
        found = await svc.files.read(file_code)
    except FileRefused:
        return None
    disposition = "inline" if found.kind == "image" else "attachment"
    media = (image_type(found.content) if found.kind == "image" else "") or "application/octet-stream"
    return Response(found.content, media_type=media, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(found.name, safe='')}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


def file_codes_in(form: list[dict[str, Any]]) -> set[str]:
    return {str(code) for entry in form if canonical_type(str(entry.get("type", ""))) in FILE_KINDS
            and isinstance(entry.get("value"), list) for code in entry["value"]}
