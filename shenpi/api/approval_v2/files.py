"""The approval file upload (``POST /approval/openapi/v2/file/upload``, an older openapi path outside
``/open-apis/``), and the download a signed URL of an instance's form leads to.

The upload page names no codes of its own (it points to the general error codes), so a caller's mistake answers
approval v4's 1390001 naming the field, in the same envelope; docs/compatibility.md has the row.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote

from shenpi import ids
from shenpi.api.approval_v2.multipart import parse_form_data
from shenpi.api.wire import Call, Receive, Route, Scope, Send, envelope, respond
from shenpi.app import Shenpi
from shenpi.app.files import DOWNLOAD_PREFIX, FileRefused, image_type
from shenpi.engine.errors import ParamInvalid
from shenpi.platform import errors as perr

UPLOAD_PATH = "/approval/openapi/v2/file/upload"
# The body guard's limit for the upload: the largest file (50 MB) and room for the multipart framing around it.
UPLOAD_MAX_BODY_BYTES = 50 * 1024 * 1024 + 64 * 1024


async def upload(call: Call) -> dict[str, Any]:
    parts = parse_form_data(call.content_type, call.raw_body)
    fields = {}
    for name in ("name", "type", "content"):
        part = parts.get(name)
        if part is None or (name != "content" and not part.data):
            raise ParamInvalid(f"{name} is required", field=name)
        fields[name] = part
    name = fields["name"].data.decode("utf-8", "replace")
    kind = fields["type"].data.decode("utf-8", "replace")
    stored = await call.svc.files.upload(call.tenant_key, call.app.app_id, name, kind, bytes(fields["content"].data))
    return {"code": stored.code, "url": await call.svc.files.signed_url(stored.code, call.base_url)}


def download_app(svc: Shenpi) -> Any:
    """``GET /approval/files/<code>?x-expires=..&x-signature=..``: the file's bytes, or 403 for a URL that is forged,
    expired or names no file (the same answer for each, so a URL tells nothing about which files exist)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        log_id = ids.log_id()
        if scope["method"] not in ("GET", "HEAD"):
            err = perr.MethodMismatch()
            await respond(send, err.http_status, envelope(err.code, err.msg, None, {"log_id": log_id}), log_id)
            return
        code = unquote(scope["path"][len(DOWNLOAD_PREFIX):])
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        try:
            found = await svc.files.download(code, query.get("x-expires", ""), query.get("x-signature", ""))
        except FileRefused as exc:
            await respond(send, 403, envelope(403, f"forbidden: {exc}", None, {"log_id": log_id}), log_id)
            return
        await send_file(send, found.name, found.kind, found.content, log_id, head=scope["method"] == "HEAD")

    return app


async def send_file(send: Send, name: str, kind: str, content: bytes, log_id: str, *, head: bool = False) -> None:
    """The bytes as a download named ``name`` (an image is shown inline, anything else saved)."""
    disposition = "inline" if kind == "image" else "attachment"
    quoted = "".join(c if c.isalnum() or c in "._-" else f"%{b:02X}" for c in name for b in c.encode())
    media = image_type(content) if kind == "image" else "application/octet-stream"
    headers = [(b"Content-Type", media.encode()), (b"Content-Length", str(len(content)).encode()),
               (b"Content-Disposition", f"{disposition}; filename*=UTF-8''{quoted}".encode()),
               (b"X-Content-Type-Options", b"nosniff"), (b"Cache-Control", b"private, max-age=3600"),
               (b"X-Tt-Logid", log_id.encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else content})


ROUTES = [Route("POST", UPLOAD_PATH, "approval.v2.file.upload", upload, user_id_type=False)]
