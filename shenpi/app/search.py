"""Lists and searches over instances, tasks and CC records.

Each search answers one page of results with the definitions they belong to, read in the same transaction
(a definition is None when its code no longer names one). Pages follow one another by keyset: ``after`` is the
previous page's ``page.next`` (shenpi/store/keyset.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from shenpi.app.context import Context
from shenpi.app.definitions import definition_of
from shenpi.app.external import ExternalFilter, Searchable, read_searchable
from shenpi.engine import errors
from shenpi.engine.model import Definition, Instance
from shenpi.store.base import Tx
from shenpi.store.records import Cursor, Page, SearchFilter


@dataclass(slots=True)
class Found:
    """One page of results and the definitions of their instances, by approval code."""

    page: Page
    definitions: dict[str, Definition | None]
    externals: Searchable | None = None  # the external instances asked for, read in the same transaction


async def _found(tx: Tx, tenant_key: str, page: Page, instances: Iterable[Instance],
                 externals: ExternalFilter | None, known: dict[str, Definition | None]) -> Found:
    """The page with its instances' definitions (those ``known`` already not read again) and, when asked for, the
    external instances a search lists after its native ones (one transaction for both: a search is one read)."""
    definitions = {code: known[code] if code in known else await tx.get_definition(tenant_key, code)
                   for code in {i.approval_code for i in instances}}
    return Found(page, definitions, await read_searchable(tx, tenant_key, externals) if externals is not None else None)


async def _check_filters(tx: Tx, tenant_key: str, approval_code: str, instance_code: str) -> dict[str, Definition | None]:
    """1390002 / 1390003 unless the approval and instance filtered on exist; the definition it read, by code."""
    known: dict[str, Definition | None] = {}
    if approval_code:
        known[approval_code] = await tx.get_definition(tenant_key, approval_code)
        if known[approval_code] is None and await tx.get_external_approval(tenant_key, approval_code) is None:
            raise errors.ApprovalNotFound(f"approval_code {approval_code} not found", field="approval_code")
    if instance_code:
        inst = await tx.find_instance(tenant_key, instance_code)
        if inst is None or inst.code != instance_code:
            raise errors.InstanceNotFound(f"instance_code {instance_code} not found", field="instance_code")
    return known


@asynccontextmanager
async def _reading(ctx: Context, tenant_key: str, f: SearchFilter,
                   check_filters: bool) -> AsyncIterator[tuple[Tx, dict[str, Definition | None]]]:
    """A search's transaction; with ``check_filters``, ``f``'s approval and instance are checked first, and the
    definition that read is handed on."""
    async with ctx.store.transaction() as tx:
        yield tx, await _check_filters(tx, tenant_key, f.approval_code, f.instance_code) if check_filters else {}


class Search:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def check_filters(self, tenant_key: str, *, approval_code: str, instance_code: str) -> None:
        """The search APIs' filters name things that exist: 1390002 for an approval code of no approval (native or
        external), 1390003 for an instance code of no instance. (A search that reads natives checks them in its own
        transaction instead: ``check_filters=True``.)"""
        if not approval_code and not instance_code:
            return  # nothing to look up: no transaction
        async with self._ctx.store.transaction() as tx:
            await _check_filters(tx, tenant_key, approval_code, instance_code)

    async def instances(self, tenant_key: str, f: SearchFilter, *, reverted: bool | None = False,
                        after: Cursor | None = None, limit: int = 10, offset: int = 0, counted: bool = True,
                        externals: ExternalFilter | None = None, check_filters: bool = False) -> Found:
        """Instances (``page.items``: Instance), newest first; ``f.user_id`` is the submitter. ``offset`` (for the
        lists that page by it) skips rows by their sort keys alone; only the page's rows are read whole. Without
        ``counted`` the page has no count (``page.total`` -1); with ``externals``, the external instances too; with
        ``check_filters``, ``f``'s approval and instance codes are checked first (see :meth:`check_filters`)."""
        async with _reading(self._ctx, tenant_key, f, check_filters) as (tx, known):
            page = await tx.search_instances(tenant_key, f, reverted=reverted, after=after, limit=limit, offset=offset,
                                             counted=counted)
            return await _found(tx, tenant_key, page, page.items, externals, known)

    async def tasks(self, tenant_key: str, f: SearchFilter, *, order: int = 2, after: Cursor | None = None,
                    limit: int = 10, offset: int = 0, counted: bool = True,
                    externals: ExternalFilter | None = None, check_filters: bool = False) -> Found:
        """Tasks (``page.items``: (Task, Instance)); ``f.user_id`` is the assignee. Without ``counted`` the page has
        no count (``page.total`` -1): a list that answers its count on the first page only skips it after."""
        async with _reading(self._ctx, tenant_key, f, check_filters) as (tx, known):
            page = await tx.search_tasks(tenant_key, f, order=order, after=after, limit=limit, offset=offset,
                                         counted=counted)
            return await _found(tx, tenant_key, page, (i for _, i in page.items), externals, known)

    async def ccs(self, tenant_key: str, f: SearchFilter, *, after: Cursor | None = None, limit: int = 10,
                  offset: int = 0, counted: bool = True, externals: ExternalFilter | None = None,
                  check_filters: bool = False) -> Found:
        """CC records (``page.items``: (CcRecord, Instance)); ``f.user_id`` is the CC'd user."""
        async with _reading(self._ctx, tenant_key, f, check_filters) as (tx, known):
            page = await tx.search_ccs(tenant_key, f, after=after, limit=limit, offset=offset, counted=counted)
            return await _found(tx, tenant_key, page, (i for _, i in page.items), externals, known)

    async def instance_codes(self, tenant_key: str, approval_code: str, start: int, end: int, after: Cursor | None,
                             limit: int) -> Page:
        """The codes of an approval's instances started in [start, end]; 1390002 for an unknown approval."""
        async with self._ctx.store.transaction() as tx:
            await definition_of(tx, tenant_key, approval_code)
            return await tx.list_instance_codes(tenant_key, approval_code, start, end, after, limit)
