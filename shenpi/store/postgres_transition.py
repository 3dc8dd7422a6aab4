"""PostgreSQL's ``save_transition`` as one statement: a transition's writes in a single round trip.

A transition writes the instance, the new and changed tasks, the timeline, the outbox, the instance's search texts
(shenpi/store/search.py) and the notifications it makes. Here that is one statement of data-modifying CTEs over
``unnest`` of array parameters (one array per column), instead of one ``executemany`` per table; asyncpg prepares
and caches it per connection, so it costs one Bind/Execute. The statement answers how many instance rows it wrote: 0
means a stale version (shenpi/store/lock.py) or, for a create, a uuid already taken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from shenpi.engine.transition import Transition
from shenpi.store import rows
from shenpi.store.lock import versioned_update
from shenpi.store.notifications import Notification
from shenpi.store.search import transition_texts

_INSTANCE_NAMES = [c.strip() for c in rows.INSTANCE_COLS.split(",")]
_TASK_NAMES = [c.strip() for c in rows.TASK_COLS.split(",")]
_TIMELINE_NAMES = [c.strip() for c in rows.TIMELINE_COLS.split(",")]


def _named(sql: str) -> tuple[str, list[str]]:
    """Turn ``@name`` placeholders into asyncpg's ``$n``; the big statements below are unreadable numbered."""
    names: list[str] = []

    def number(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return re.sub(r"@([a-z_]+)", number, sql), names


# An outbox row of an approval no app subscribes to is written already routed, as the router would mark it
# (DeliveryMixin.skip_unsubscribed_outbox): an event goes to the apps subscribed when it happened.
# Every write of a transition is guarded by ``EXISTS (SELECT 1 FROM inst)``: when the instance write matched
# nothing (a stale version, a taken uuid) the statement changes nothing at all, even if a caller were to
# swallow the error and commit.
_TRANSITION_WRITES = """
new_tasks AS (
    INSERT INTO tasks (tenant_key, id, instance_code, node_key, user_id, status, type, start_time, end_time, seq,
                       round)
    SELECT @tenant_key::text, t.* FROM unnest(@t_id::text[], @t_instance_code::text[], @t_node_key::text[],
        @t_user_id::text[], @t_status::text[], @t_type::text[], @t_start_time::bigint[], @t_end_time::bigint[],
        @t_seq::integer[], @t_round::integer[]) AS t
    WHERE EXISTS (SELECT 1 FROM inst)
), changed_tasks AS (
    UPDATE tasks SET status = c.status, end_time = c.end_time, user_id = c.user_id
    FROM unnest(@c_id::text[], @c_status::text[], @c_end_time::bigint[], @c_user_id::text[])
        AS c (id, status, end_time, user_id)
    WHERE tasks.id = c.id AND EXISTS (SELECT 1 FROM inst)
), new_timeline AS (
    INSERT INTO timeline (tenant_key, instance_code, type, create_time, user_id, task_id, comment, node_key,
                          user_id_list, cc_user_ids, ext)
    SELECT @tenant_key::text, @code::text, e.type, e.create_time, e.user_id, e.task_id, e.comment, e.node_key,
           e.user_id_list, e.cc_user_ids, e.ext
    FROM unnest(@e_type::text[], @e_create_time::bigint[], @e_user_id::text[], @e_task_id::text[],
        @e_comment::text[], @e_node_key::text[], @e_user_id_list::text[], @e_cc_user_ids::text[], @e_ext::text[])
        WITH ORDINALITY AS e (type, create_time, user_id, task_id, comment, node_key, user_id_list, cc_user_ids,
                              ext, ord)
    WHERE EXISTS (SELECT 1 FROM inst)
    ORDER BY e.ord  -- ids follow the order of the entries: readers sort by id
), new_events AS (
    INSERT INTO outbox (tenant_key, approval_code, instance_code, kind, status, payload, created_at, routed)
    SELECT @tenant_key::text, @approval_code::text, @code::text, v.kind, v.status, v.payload, v.created_at,
           (SELECT CASE WHEN EXISTS (SELECT 1 FROM subscriptions s WHERE s.tenant_key = @tenant_key::text
                                     AND s.approval_code = @approval_code::text) THEN 0 ELSE 1 END)
    FROM unnest(@v_kind::text[], @v_status::text[], @v_payload::text[], @v_created_at::bigint[])
        WITH ORDINALITY AS v (kind, status, payload, created_at, ord)
    WHERE EXISTS (SELECT 1 FROM inst)
    ORDER BY v.ord
), old_texts AS (
    DELETE FROM search_texts WHERE instance_code = @code::text AND source = 'form' AND @replace_form::boolean
        AND EXISTS (SELECT 1 FROM inst)
), new_texts AS (
    INSERT INTO search_texts (tenant_key, instance_code, source, body)
    SELECT @tenant_key::text, @code::text, s.source, s.body
    FROM unnest(@s_source::text[], @s_body::text[]) WITH ORDINALITY AS s (source, body, ord)
    WHERE EXISTS (SELECT 1 FROM inst)
    ORDER BY s.ord
), new_notes AS (
    INSERT INTO notifications (tenant_key, user_id, kind, instance_code, actor_id, payload, created_at, mail_state,
                               mail_next_at)
    SELECT @tenant_key::text, n.user_id, n.kind, @code::text, n.actor_id, n.payload, n.created_at, n.mail_state,
           n.mail_next_at
    FROM unnest(@n_user_id::text[], @n_kind::text[], @n_actor_id::text[], @n_payload::text[],
        @n_created_at::bigint[], @n_mail_state::text[], @n_mail_next_at::bigint[])
        WITH ORDINALITY AS n (user_id, kind, actor_id, payload, created_at, mail_state, mail_next_at, ord)
    WHERE EXISTS (SELECT 1 FROM inst)
    ORDER BY n.ord  -- ids follow the order the recipients were told in
)
SELECT count(*) FROM inst
"""

# A uuid already taken (by a create that committed while this one waited on the index entry) inserts nothing
# and is reported as DuplicateUuid, the same answer the SQLite backend gives.
_CREATE_SQL, _CREATE_ARGS = _named(
    f"WITH inst AS (INSERT INTO instances ({rows.INSTANCE_COLS}, uuid_key) VALUES ("
    + ", ".join(f"@{n}" for n in (*_INSTANCE_NAMES, "uuid_key"))
    + ") ON CONFLICT (tenant_key, uuid_key) DO NOTHING RETURNING 1), "
    + _TRANSITION_WRITES
)
_UPDATE_SQL, _UPDATE_ARGS = _named(
    "WITH inst AS ("
    + versioned_update("status = @status, form = @form, end_time = @end_time, node_index = @node_index, "
                       "round = @round, reverted = @reverted, state = @state", code="@code", version="@version")
    + " RETURNING 1), "
    + _TRANSITION_WRITES
)


def _columns(values: Sequence[tuple[Any, ...]], prefix: str, names: Sequence[str]) -> dict[str, list[Any]]:
    """Rows of values as one array parameter per column, which is what ``unnest`` takes apart again."""
    columns: list[list[Any]] = [list(c) for c in zip(*values, strict=True)] if values else [[] for _ in names]
    return {f"{prefix}{n}": c for n, c in zip(names, columns, strict=True)}


def transition_statement(tr: Transition, *, created: bool,
                         notifications: Sequence[Notification] = ()) -> tuple[Any, ...]:
    """The statement that writes ``tr`` (and ``notifications``, which are of its instance and have no dedupe key)
    and its arguments, ready for ``fetchval``."""
    inst = tr.agg.instance
    params: dict[str, Any] = dict(zip(_INSTANCE_NAMES, rows.instance_values(inst), strict=True))
    params["uuid_key"] = inst.uuid.lower() or None
    params["approval_code"] = inst.approval_code
    params.update(_columns([rows.task_values(t) for t in tr.new_tasks], "t_", _TASK_NAMES))
    params.update(_columns([(t.id, t.status, t.end_time, t.user_id) for t in tr.changed_tasks.values()], "c_",
                           ["id", "status", "end_time", "user_id"]))
    params.update(_columns([rows.timeline_values(e) for e in tr.timeline], "e_", _TIMELINE_NAMES))
    params.update(_columns([(e.kind, e.status, rows.event_payload(e), e.operate_time) for e in tr.events], "v_",
                           ["kind", "status", "payload", "created_at"]))
    params["replace_form"], texts = transition_texts(tr, created=created)
    params.update(_columns(texts, "s_", ["source", "body"]))
    params.update(_columns([(n.user_id, n.kind, n.actor_id, rows.dumps(n.payload), n.created_at, n.mail_state,
                             n.mail_next_at) for n in notifications], "n_",
                           ["user_id", "kind", "actor_id", "payload", "created_at", "mail_state", "mail_next_at"]))
    sql, names = (_CREATE_SQL, _CREATE_ARGS) if created else (_UPDATE_SQL, _UPDATE_ARGS)
    return (sql, *(params[n] for n in names))
