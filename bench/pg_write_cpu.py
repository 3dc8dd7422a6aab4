"""A side measurement for docs/performance.md: PostgreSQL's CPU per reject, shenpi's against the floor's, no HTTP.

``python -m bench.pg_write_cpu [--sizes 1000,1000000] [--count 3000] [--concurrency 16] [--rounds 2]`` builds the
benchmark's data in a scratch database and, at each size of stored history, runs ``count`` rejects with
``concurrency`` of them in flight: through shenpi's application layer (``Shenpi.instances.reject``, as the task
reject endpoint calls it, with the event delivery worker and the mail worker running as ``shenpi serve`` runs
them), then through the floor's statements (bench/servers.py) on an asyncpg pool of the same size. For each it
reports the CPU time the database's backends used per reject (from /proc, as the benchmark measures it) and this
process's own. Without HTTP, wrk and a second server process, the database's share is measured on its own and
moves little with other work on the machine; ``rounds`` alternate shenpi and the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from bench import data
from bench.run import process_cpu

WARM = 300


async def _spread(pairs: list[tuple[str, str]], concurrency: int, one: Any) -> None:
    it = iter(pairs)

    async def lane() -> None:
        for task, code in it:
            await one(task, code)

    await asyncio.gather(*(lane() for _ in range(concurrency)))


async def _measured(loader: data.PostgresLoader, pairs: list[tuple[str, str]], concurrency: int,
                    one: Any, settle: Any = None) -> tuple[float, float]:
    """(database us, this process's us) per reject over ``pairs`` after WARM of them."""
    await _spread(pairs[:WARM], concurrency, one)
    backends = await loader.server_backends()
    db0, cpu0 = process_cpu(backends), time.process_time()
    await _spread(pairs[WARM:], concurrency, one)
    if settle is not None:
        await settle()
    db1, cpu1 = process_cpu(backends), time.process_time()
    n = len(pairs) - WARM
    return (sum(v - db0.get(pid, 0.0) for pid, v in db1.items()) * 1e6 / n, (cpu1 - cpu0) * 1e6 / n)


async def shenpi_round(url: str, loader: data.PostgresLoader, pairs: list[tuple[str, str]],
                       concurrency: int, workers: bool, comment: str) -> tuple[float, float]:
    from shenpi.app import Shenpi
    from shenpi.engine.commands import TaskAction
    from shenpi.events.delivery import DeliveryWorker
    from shenpi.events.payloads import DEFAULT_EVENT_TYPES
    from shenpi.mailing import Mailing
    from shenpi.store import open_store

    svc = Shenpi(open_store(url), rate_limit_scale=0)
    await svc.open()
    mailing = Mailing.from_env(svc)
    if workers:  # as shenpi serve starts them (server.py)
        worker = DeliveryWorker(svc.deliveries, source=svc.deliveries, now_ms=svc.clock.now_ms, poll_interval_s=0.5,
                                event_types=lambda app: app.event_types or DEFAULT_EVENT_TYPES)
        await worker.start()
        svc.events = worker
        await mailing.start()

    async def one(task: str, code: str) -> None:
        await svc.instances.reject(data.TENANT, TaskAction(task_id=task, user_id=data.APPROVER, comment=comment),
                                   approval_code=data.APPROVAL, instance_code=code)

    async def settle() -> None:  # the delivery worker's routing of the last rejects' events
        for _ in range(50):
            if not await loader.c.fetchval("SELECT count(*) FROM outbox WHERE routed = 0"):
                break
            await asyncio.sleep(0.05)

    try:
        return await _measured(loader, pairs, concurrency, one, settle if workers else None)
    finally:
        if svc.events is not None:
            await svc.events.stop()
        await mailing.stop()
        await svc.close()


async def floor_round(url: str, loader: data.PostgresLoader, pairs: list[tuple[str, str]],
                      concurrency: int) -> tuple[float, float]:
    from bench.servers import _PG_OUTBOX, _PG_TIMELINE, PostgresFloor, _payload

    floor = PostgresFloor(url)
    await floor.open()

    async def one(task: str, code: str) -> None:
        now = int(time.time() * 1000)
        async with floor.pool.acquire() as conn, conn.transaction():
            tenant, node = await conn.fetchrow(
                "UPDATE tasks SET status = 'REJECTED', end_time = $1 WHERE id = $2 AND status = 'PENDING' "
                "RETURNING tenant_key, node_key", now, task)
            await conn.execute("UPDATE instances SET status = 'REJECTED', end_time = $1, version = version + 1 "
                               "WHERE code = $2", now, code)
            await conn.execute(_PG_TIMELINE, tenant, code, now, data.APPROVER, task, "bench", node)
            await conn.execute(_PG_OUTBOX, tenant, data.APPROVAL, code, _payload(task, data.APPROVER, node, now),
                               _payload("", "", "", now), now)

    try:
        return await _measured(loader, pairs, concurrency, one)
    finally:
        await floor.close()


async def main(a: argparse.Namespace) -> None:
    admin = await data.pg_admin_url(None)
    if admin is None:
        raise SystemExit("no PostgreSQL at 127.0.0.1:5432")
    database = data.database_name("shenpi_bench_writecpu")
    url = data.with_database(admin, database)
    print("database", database, flush=True)
    try:
        if a.reuse:  # a database kept by an earlier run: its templates and history are there already
            loader = await data.PostgresLoader.connect(url)
            found = {r[0]: data.Template(r[1], r[2]) for r in await loader.c.fetch("SELECT * FROM bench_templates")}
            templates = data.Templates(found["pending"], found["approved"], found["rejected"])
            stored = await loader.count_instances()
            loader.next_n = stored + 10_000_000  # past the numbers of every copy made so far
        else:
            await data.pg_recreate(admin, database)
            templates = await data.make_templates(url)
            loader = await data.PostgresLoader.connect(url)
            await loader.mark_routed(templates)
            await loader.c.execute("CREATE TABLE bench_templates (name TEXT, code TEXT, task_id TEXT)")
            await loader.c.executemany("INSERT INTO bench_templates VALUES ($1, $2, $3)", [
                (n, t.code, t.task_id) for n, t in (("pending", templates.pending), ("approved", templates.approved),
                                                    ("rejected", templates.rejected))])
            stored = 0
        for size in (int(s) for s in a.sizes.split(",")):
            t0 = time.time()
            if size > stored:
                await loader.history(templates, size - stored)
                stored = size
            print(f"== {size:,} stored (loaded in {time.time() - t0:.0f} s)", flush=True)
            for r in range(a.rounds):
                for name in ("shenpi", "floor"):
                    pairs = await loader.pending(templates, WARM + a.count)
                    await loader.c.execute("VACUUM (ANALYZE) instances, tasks, timeline, outbox")
                    if name == "shenpi":
                        db_us, own_us = await shenpi_round(url, loader, pairs, a.concurrency, not a.no_workers,
                                                                 a.comment)
                    else:
                        db_us, own_us = await floor_round(url, loader, pairs, a.concurrency)
                    print(f"   round {r + 1} {name:6s} database {db_us:5.0f} us/reject, client {own_us:5.0f} us/reject",
                          flush=True)
                    await loader.remove(pairs)
        await loader.close()
    finally:
        if not (a.keep or a.reuse):
            await data.pg_drop(admin, database)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1000,1000000", help="stored finished instances, in increasing order")
    p.add_argument("--count", type=int, default=3000, help="measured rejects per round (after 300 of warm-up)")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--comment", default="bench", help="the rejects' comment (the benchmark's requests carry one)")
    p.add_argument("--reuse", action="store_true", help="the database a --keep run left (at least --sizes stored)")
    p.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    p.add_argument("--no-workers", action="store_true", help="without the delivery and mail workers")
    asyncio.run(main(p.parse_args()))
