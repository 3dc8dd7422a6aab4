"""A side measurement for docs/performance.md: a reject's PostgreSQL statements, timed one by one.

``python -m bench.pg_statements [PARAMS]`` builds the benchmark's data in a scratch database, then runs 2,500
rejects (after 500 of warm-up) on one connection, no HTTP and no concurrency: first through shenpi's store as
``Shenpi.act`` drives it (load the aggregate under its lock, the engine, ``save_transition``, COMMIT), then the
floor's statements (bench/servers.py). PARAMS (e.g. ``plan_cache_mode=force_generic_plan``) are added to the
store's connection URL, which asyncpg passes to the server as settings.
"""

from __future__ import annotations

import asyncio
import sys
import time

from bench import data

WARM, COUNT = 500, 2500


async def main(params: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    from bench.servers import _PG_OUTBOX, _PG_TIMELINE, _payload
    from shenpi import ids
    from shenpi.app import Shenpi
    from shenpi.engine import commands
    from shenpi.store import open_store

    admin = await data.pg_admin_url(None)
    if admin is None:
        raise SystemExit("no PostgreSQL at 127.0.0.1:5432")
    url = await data.pg_recreate(admin, "shenpi_bench_statements")
    try:
        templates = await data.make_templates(url)
        loader = await data.PostgresLoader.connect(url)
        await loader.mark_routed(templates)
        await loader.history(templates, 1000)
        svc = Shenpi(open_store(url + (f"?{params}" if params else "")), rate_limit_scale=0)
        await svc.open()
        directory = await svc.directory(data.TENANT)
        shenpi_us = {"BEGIN": 0.0, "load_aggregate": 0.0, "engine": 0.0, "save_transition": 0.0, "COMMIT": 0.0}
        for i, (task, code) in enumerate(await loader.pending(templates, WARM + COUNT)):
            marks = [time.perf_counter()]
            cm = svc.store.transaction()
            tx = await cm.__aenter__()
            marks.append(time.perf_counter())
            agg = await tx.load_aggregate(data.TENANT, code)
            marks.append(time.perf_counter())
            tr = commands.reject(agg, directory, commands.TaskAction(task_id=task, user_id=data.APPROVER),
                                 now=int(time.time() * 1000), new_id=ids.task_id)
            marks.append(time.perf_counter())
            await tx.save_transition(tr, created=False)
            marks.append(time.perf_counter())
            await cm.__aexit__(None, None, None)
            marks.append(time.perf_counter())
            if i >= WARM:
                for k, a, b in zip(shenpi_us, marks, marks[1:], strict=False):
                    shenpi_us[k] += b - a
        await svc.close()

        conn = await asyncpg.connect(url)
        floor_us = {"BEGIN": 0.0, "task": 0.0, "instance": 0.0, "timeline": 0.0, "outbox": 0.0, "COMMIT": 0.0}
        for i, (task, code) in enumerate(await loader.pending(templates, WARM + COUNT)):
            now = int(time.time() * 1000)
            marks = [time.perf_counter()]
            t = conn.transaction()
            await t.start()
            marks.append(time.perf_counter())
            r = await conn.fetchrow("UPDATE tasks SET status = 'REJECTED', end_time = $1 WHERE id = $2 "
                                    "AND status = 'PENDING' RETURNING tenant_key, node_key", now, task)
            marks.append(time.perf_counter())
            await conn.execute("UPDATE instances SET status = 'REJECTED', end_time = $1, version = version + 1 "
                               "WHERE code = $2", now, code)
            marks.append(time.perf_counter())
            await conn.execute(_PG_TIMELINE, r[0], code, now, data.APPROVER, task, "", r[1])
            marks.append(time.perf_counter())
            await conn.execute(_PG_OUTBOX, r[0], data.APPROVAL, code, _payload(task, data.APPROVER, r[1], now),
                               _payload("", "", "", now), now)
            marks.append(time.perf_counter())
            await t.commit()
            marks.append(time.perf_counter())
            if i >= WARM:
                for k, a, b in zip(floor_us, marks, marks[1:], strict=False):
                    floor_us[k] += b - a
        await conn.close()
        await loader.close()
        for name, us in (("shenpi", shenpi_us), ("floor", floor_us)):
            parts = ", ".join(f"{k} {v / COUNT * 1e6:.0f}" for k, v in us.items())
            print(f"{name:6s} {sum(us.values()) / COUNT * 1e6:5.0f} us per reject: {parts}")
    finally:
        await data.pg_drop(admin, "shenpi_bench_statements")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else ""))
