"""Files for attachment and image widgets: upload, the check of the codes an instance's form names, and the
signed, time-limited download URLs an instance's form shows instead of the codes.

The bytes are kept in the database (every server on one PostgreSQL then serves them), or in a directory when the
server is given one (the rows keep the metadata either way). A download URL carries its expiry and an HMAC over the
file code and that expiry, made with one key kept in the database, so that any server of the database can check a
URL another one made.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from shenpi import ids
from shenpi.app.context import Context
from shenpi.engine.errors import ParamInvalid
from shenpi.engine.form import canonical_type
from shenpi.engine.model import Definition
from shenpi.store.base import Tx
from shenpi.store.records import StoredFile

ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024  # the upload page: attachments up to 50 M, images up to 10 M
IMAGE_MAX_BYTES = 10 * 1024 * 1024
URL_LIFETIME_S = 12 * 3600  # the upload and instance get pages: a URL is valid for 12 hours
KINDS = ("attachment", "image")
WIDGET_KINDS = {"attachmentV2": "attachment", "imageV2": "image"}  # canonical widget type → upload type
DOWNLOAD_PREFIX = "/approval/files/"
# The image formats a browser shows, by their first bytes (WebP: RIFF....WEBP).
_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF87a": "image/gif",
                b"GIF89a": "image/gif", b"BM": "image/bmp"}


def image_type(content: bytes) -> str:
    """The media type of an image by its first bytes; "" for anything that is not one of the formats above."""
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return next((media for magic, media in _IMAGE_MAGIC.items() if content.startswith(magic)), "")


class FileRefused(Exception):
    """A download URL that is forged, expired or names no file."""


@dataclass(slots=True)
class Download:
    name: str
    kind: str
    content: bytes


class Files:
    def __init__(self, ctx: Context, files_dir: str = "") -> None:
        self._ctx = ctx
        self._dir = Path(files_dir) if files_dir else None

    # -- upload ---------------------------------------------------------------------------------
    async def upload(self, tenant_key: str, app_id: str, name: str, kind: str, content: bytes) -> StoredFile:
        if not name:
            raise ParamInvalid("name is required", field="name")
        if kind not in KINDS:
            raise ParamInvalid("type must be attachment or image", field="type")
        limit = IMAGE_MAX_BYTES if kind == "image" else ATTACHMENT_MAX_BYTES
        if len(content) > limit:
            raise ParamInvalid(f"content: an {kind} is at most {limit // (1024 * 1024)} MB", field="content")
        if kind == "image" and not image_type(content):
            raise ParamInvalid("content: an image must be PNG, JPEG, GIF, BMP or WebP", field="content")
        code = ids.code()
        row = StoredFile(code, tenant_key, kind, name, len(content), app_id, self._ctx.clock.now_ms(),
                         None if self._dir is not None else content)
        if self._dir is not None:
            self._dir.mkdir(parents=True, exist_ok=True)
            partial = self._dir / f".{code}.part"
            partial.write_bytes(content)
            os.replace(partial, self._dir / code)  # whole or not at all, before the row names it
        async with self._ctx.store.transaction() as tx:
            await tx.insert_file(row)
        return row

    # -- instance forms -------------------------------------------------------------------------
    @staticmethod
    async def check_form(tx: Tx, tenant_key: str, definition: Definition, form: list[dict[str, Any]]) -> None:
        """Every value of an attachment or image widget must be the code of a file of the tenant uploaded as that
        widget's type; 1390001 naming the widget otherwise."""
        for i, entry in enumerate(form):
            widget = definition.widget(str(entry.get("id", "")))
            kind = WIDGET_KINDS.get(canonical_type(widget.type)) if widget is not None else None
            if kind is None:
                continue
            for code in entry.get("value") or []:
                found = await tx.get_file(str(code))
                if found is None or found.tenant_key != tenant_key:
                    raise ParamInvalid(f"控件= {entry['id']}: file code {code} was not uploaded",
                                       field=f"form[{i}].value")
                if found.kind != kind:
                    raise ParamInvalid(f"控件= {entry['id']}: file {code} was uploaded as {found.kind}, "
                                       f"the widget takes {kind}", field=f"form[{i}].value")

    async def present_form(self, tenant_key: str, form: list[dict[str, Any]], base_url: str) -> list[dict[str, Any]]:
        """The form as Feishu's instance get shows it: an attachment or image widget's value is the list of its
        files' download URLs (valid 12 hours), and ``ext`` their names, quoted and comma-separated."""
        shown = []
        for entry in form:
            if WIDGET_KINDS.get(canonical_type(str(entry.get("type", "")))) is None or not entry.get("value"):
                shown.append(entry)
                continue
            names, urls = [], []
            for code in entry["value"]:
                found = await self.meta(tenant_key, str(code))
                names.append(found.name if found else str(code))
                urls.append(await self.signed_url(str(code), base_url))
            shown.append({**entry, "value": urls, "ext": ",".join(f"'{n}'" for n in names)})
        return shown

    async def meta(self, tenant_key: str, code: str) -> StoredFile | None:
        async with self._ctx.store.transaction() as tx:
            found = await tx.get_file(code)
        return found if found is not None and found.tenant_key == tenant_key else None

    # -- signed downloads -----------------------------------------------------------------------
    async def signed_url(self, code: str, base_url: str) -> str:
        expires = int(self._ctx.clock.now_s()) + URL_LIFETIME_S
        signature = await self._sign(code, expires)
        return f"{base_url}{DOWNLOAD_PREFIX}{quote(code)}?x-expires={expires}&x-signature={signature}"

    async def download(self, code: str, expires: str, signature: str) -> Download:
        """The file a signed URL names; :class:`FileRefused` for a forged or expired URL or a file gone."""
        if not expires.isdigit() or len(expires) > 12:
            raise FileRefused("x-expires is missing or not a number")
        if not hmac.compare_digest(await self._sign(code, int(expires)), signature):
            raise FileRefused("the signature does not match")
        if int(expires) < self._ctx.clock.now_s():
            raise FileRefused("the URL has expired")
        return await self.read(code)

    async def read(self, code: str) -> Download:
        async with self._ctx.store.transaction() as tx:
            found = await tx.get_file(code, with_content=True)  # a file another server kept in the database
        if found is None:
            raise FileRefused("no such file")
        content = found.content
        if content is None:
            path = self._dir / code if self._dir is not None else None
            if path is None or not path.is_file():
                raise FileRefused("the file's bytes are not in this server's files directory")
            content = path.read_bytes()
        return Download(found.name, found.kind, content)

    async def _sign(self, code: str, expires: int) -> str:
        # The key is read each time rather than kept: a reset of the state replaces it, and every process of the
        # database must then sign with the new one.
        async with self._ctx.store.transaction() as tx:
            secret = await tx.file_secret(secrets.token_urlsafe(32))
        return hmac.new(secret.encode(), f"{code}\n{expires}".encode(), hashlib.sha256).hexdigest()[:40]
