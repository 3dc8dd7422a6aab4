"""The inbox's full-text search: the texts of each instance (its form, its comments, the comments left with an
action) kept in ``search_texts``, and the filter that finds a word in them.

A word is found as a substring of the lower-cased text, so Chinese (written without spaces) is found as readily as
English. Words of 3 characters or more are looked up in a trigram index — SQLite's FTS5 ``trigram`` tokenizer,
PostgreSQL's ``pg_trgm`` GIN index (migration 0013) — whose matches are exactly the rows where the word is a
substring, so both backends answer the same. A shorter word has too few trigrams for an index: it is matched with
``LIKE`` on the texts of the instances the list walks anyway (a person's tasks, not the whole store).

The rows are written by the store's own writes of instances and comments, in the same transaction. On SQLite the
FTS index over them is brought up to date in batches by :class:`SearchIndexer` (a segment a second rather than one
per transaction), and a search reads the rows above the index's mark directly.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any

from shenpi.background import cancel_and_wait
from shenpi.engine.model import START_NODE, Instance
from shenpi.engine.transition import Transition
from shenpi.store import rows
from shenpi.store.sql import SqlTx

log = logging.getLogger(__name__)
MIN_INDEXED = 3  # a trigram index finds words of at least this many characters
_MAX_BODY = 100_000  # a form's text past this is not searched (a pasted novel stays out of the index)


def normalized(text: str) -> str:
    """How a text and a searched word are compared: lower-cased (Unicode), surrounding space dropped."""
    return text.strip().lower()


def _leaves(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield str(value)


def form_text(inst: Instance) -> str:
    """What a search finds an instance by: its title, its serial number and every value in its form."""
    parts = [inst.title, inst.serial_number]
    for entry in inst.form:
        parts.extend(_leaves(entry.get("value")))
        if entry.get("currency"):
            parts.append(str(entry["currency"]))
    return normalized("\n".join(p for p in parts if p))[:_MAX_BODY]


def comment_text(content: str) -> str:
    """A comment's words: its stored content is a JSON object whose ``text`` is what was written (otherwise the
    content is taken as it is)."""
    try:
        parsed = rows.loads(content)
    except Exception:  # noqa: BLE001 - any content that is not JSON is searched as plain text
        parsed = content
    text = parsed.get("text") if isinstance(parsed, dict) else parsed
    return normalized(text if isinstance(text, str) else content)[:_MAX_BODY]


def escaped(word: str) -> str:
    """``word`` as a LIKE pattern's literal text, for ``LIKE (?) ESCAPE '\\'``: the parentheses keep
    shenpi/store/sql.py from turning it into PostgreSQL's ``ILIKE ? ESCAPE ''`` (which has no escape character)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_match(dialect: str, tenant_key: str, word: str, code: str = "i.code") -> tuple[str, tuple[Any, ...]]:
    """A SQL condition (``?`` placeholders) true for the instances whose texts contain ``word``."""
    word = normalized(word)
    if len(word) < MIN_INDEXED:
        # A scalar subquery, not EXISTS: PostgreSQL would turn EXISTS into a join and, the word looking rare, read
        # every text to find it; a scalar subquery stays a probe per instance the list walks, by instance code.
        return (f"(SELECT 1 FROM search_texts s WHERE s.instance_code = {code} "
                "AND s.body LIKE (?) ESCAPE '\\' LIMIT 1) IS NOT NULL", (f"%{escaped(word)}%",))
    if dialect == "sqlite":
        # The FTS index holds the rows up to its mark (migration 0018); the few written since the indexer's last
        # batch are read directly, so a search finds every committed text.
        phrase = '"' + word.replace('"', '""') + '"'  # one FTS5 phrase: consecutive trigrams, i.e. a substring
        return (f"{code} IN (SELECT s.instance_code FROM search_texts s WHERE s.tenant_key = ? AND s.id IN "
                "(SELECT rowid FROM search_texts_fts WHERE search_texts_fts MATCH ?) "
                "UNION ALL SELECT s.instance_code FROM search_texts s "
                "WHERE s.id > (SELECT indexed_through FROM search_fts_state) AND s.tenant_key = ? "
                "AND s.body LIKE (?) ESCAPE '\\')", (tenant_key, phrase, tenant_key, f"%{escaped(word)}%"))
    return (f"{code} IN (SELECT s.instance_code FROM search_texts s WHERE s.tenant_key = ? "
            "AND s.body LIKE (?) ESCAPE '\\')", (tenant_key, f"%{escaped(word)}%"))


def transition_texts(tr: Transition, *, created: bool) -> tuple[bool, list[tuple[str, str]]]:
    """What keeps the instance's texts in step with what the transition wrote: whether its stored form text is
    replaced (it was resubmitted: the START task closed; or an approve or reject merged values into it), and the
    (source, body) rows to add — its form when it was created or replaced, and any comment an action left."""
    inst = tr.agg.instance
    replaced = not created and (tr.form_changed or any(t.node_key == START_NODE for t in tr.changed_tasks.values()))
    added = [("form", form_text(inst))] if created or replaced else []
    added += [("note", normalized(e.comment)) for e in tr.timeline if e.comment.strip()]
    return replaced, added


class SearchMixin(SqlTx):
    async def _index_transition(self, tr: Transition, *, created: bool) -> None:
        """Write :func:`transition_texts` (PostgreSQL writes them in the transition's own statement instead)."""
        inst = tr.agg.instance
        replaced, added = transition_texts(tr, created=created)
        if replaced:
            await self._execute("DELETE FROM search_texts WHERE instance_code = ? AND source = 'form'", (inst.code,))
        for source, body in added:
            await self._insert_text(inst.tenant_key, inst.code, source, body)

    async def _insert_text(self, tenant_key: str, instance_code: str, source: str, body: str) -> None:
        await self._execute("INSERT INTO search_texts (tenant_key, instance_code, source, body) VALUES (?, ?, ?, ?)",
                            (tenant_key, instance_code, source, body))

    async def _index_comment(self, tenant_key: str, instance_code: str, comment_id: int, content: str | None) -> None:
        """A comment's text written, replaced (edited) or, with ``content`` None, removed (deleted)."""
        source = f"comment:{comment_id}"
        await self._execute("DELETE FROM search_texts WHERE instance_code = ? AND source = ?", (instance_code, source))
        if content is not None:
            await self._insert_text(tenant_key, instance_code, source, comment_text(content))

    async def _unindex_comments(self, instance_code: str) -> None:
        await self._execute("DELETE FROM search_texts WHERE instance_code = ? AND source LIKE 'comment:%'",
                            (instance_code,))

    async def _rebuild_search_texts(self) -> None:
        """Write every text again from the instances, comments and timeline: after restoring a snapshot taken
        before migration 0013, which has no search_texts of its own."""
        await self._execute("DELETE FROM search_texts")
        for r in await self._fetch(f"SELECT {rows.INSTANCE_COLS} FROM instances"):
            inst = rows.instance_from(r)
            await self._insert_text(inst.tenant_key, inst.code, "form", form_text(inst))
        for tenant_key, code, comment_id, content in await self._fetch(
                "SELECT tenant_key, instance_code, id, content FROM comments WHERE is_delete = 0"):
            await self._insert_text(tenant_key, code, f"comment:{comment_id}", comment_text(content))
        for tenant_key, code, comment in await self._fetch(
                "SELECT tenant_key, instance_code, comment FROM timeline WHERE comment <> ''"):
            await self._insert_text(tenant_key, code, "note", normalized(comment))


class SearchIndexer:
    """SQLite: folds the search texts written since the last batch into the FTS index, every ``interval_s``.

    ``transaction`` is the store's (the fold writes, under the store's single writer); a full batch is followed by
    the next at once, so a backlog (a bulk import, say) drains without waiting a second per batch.
    """

    def __init__(self, transaction: Callable[[], AbstractAsyncContextManager[Any]], *, interval_s: float = 1.0,
                 batch: int = 2000) -> None:
        self._transaction = transaction
        self._interval_s = interval_s
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sqlite-search-indexer")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def fold(self) -> int:
        """One batch; the number of texts it added to the index."""
        async with self._transaction() as tx:
            return int(await tx._fold_search_texts(self._batch))

    async def _run(self) -> None:
        while True:
            try:
                while await self.fold() >= self._batch:
                    await asyncio.sleep(0)
            except (sqlite3.Error, RuntimeError):  # a store closing, or busy: the next round tries again
                log.debug("search index batch failed", exc_info=True)
            await asyncio.sleep(self._interval_s)
