"""Uploaded files and the key their download URLs are signed with, in SQL written once."""

from __future__ import annotations

from shenpi.store.records import StoredFile
from shenpi.store.sql import SqlTx

_META_COLS = "code, tenant_key, kind, name, size, app_id, created_at"


class FileMixin(SqlTx):
    async def insert_file(self, f: StoredFile) -> None:
        await self._execute(f"INSERT INTO approval_files ({_META_COLS}, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (f.code, f.tenant_key, f.kind, f.name, f.size, f.app_id, f.created_at, f.content))

    async def get_file(self, code: str, *, with_content: bool = False) -> StoredFile | None:
        cols = f"{_META_COLS}, content" if with_content else _META_COLS
        r = await self._fetchone(f"SELECT {cols} FROM approval_files WHERE code = ?", (code,))
        if r is None:
            return None
        content = bytes(r[7]) if with_content and r[7] is not None else None
        return StoredFile(r[0], r[1], r[2], r[3], int(r[4]), r[5], int(r[6]), content)

    async def file_secret(self, candidate: str) -> str:
        """The signing key: the one stored, or ``candidate`` stored now when there is none yet (the first server to
        ask decides it for every server on the database)."""
        r = await self._fetchone("SELECT secret FROM file_secrets WHERE id = 1")
        if r is not None:
            return str(r[0])
        await self._execute("INSERT INTO file_secrets (id, secret) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
                            (candidate,))
        r = await self._fetchone("SELECT secret FROM file_secrets WHERE id = 1")
        return str(r[0]) if r else candidate
