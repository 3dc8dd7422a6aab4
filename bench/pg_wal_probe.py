"""A side measurement for docs/performance.md: what a reject's two UPDATEs cost PostgreSQL at 10^3 and at N stored.

``python -m bench.pg_wal_probe N`` builds the benchmark's data in a scratch database (10^3 finished instances and
400 pending ones), runs EXPLAIN (ANALYZE, BUFFERS, WAL) of the UPDATEs a reject makes (the instance row, the task
row) for 200 pending instances just after a CHECKPOINT, then loads N finished instances in all and does the same
for the other 200: buffers hit, read and dirtied, WAL records, full-page images and bytes per UPDATE, and how
many updates were HOT (pg_stat_user_tables). Each UPDATE is rolled back by nothing: the instances are the
probe's own.
"""
import asyncio
import json
import sys
import time

from bench import data

SQL_I = ("UPDATE instances SET status='REJECTED', end_time=$2, form=form, state=state, reverted=reverted, "
         "version=version+1 WHERE code=$1")
_HOT = ("SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
        "WHERE relname IN ('instances', 'tasks')")
SQL_T = "UPDATE tasks SET status='REJECTED', end_time=$2 WHERE id=$1"

async def probe(conn, pairs, label):
    tot = {}
    hot0 = await conn.fetch(_HOT)
    await conn.execute("CHECKPOINT")
    for task, code in pairs:
        for name, sql, arg in (("instances", SQL_I, code), ("tasks", SQL_T, task)):
            plan = await conn.fetchval(f"EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) {sql}", arg,
                                       int(time.time() * 1000))
            p = json.loads(plan)[0]["Plan"]
            for k in ("Shared Hit Blocks", "Shared Read Blocks", "Shared Dirtied Blocks", "WAL Records", "WAL FPI",
                      "WAL Bytes"):
                tot[(name, k)] = tot.get((name, k), 0) + p.get(k, 0)
            tot[(name, "ms")] = tot.get((name, "ms"), 0) + p.get("Actual Total Time", 0)
    await asyncio.sleep(1)
    hot1 = await conn.fetch(_HOT)
    n = len(pairs)
    print(f"== {label}: per update, over {n} rejects just after a CHECKPOINT")
    for name in ("instances", "tasks"):
        print("  ", name, {k: round(v / n, 2) for (t, k), v in tot.items() if t == name})
    print("   hot:", [dict(r) for r in hot1], "before", [dict(r) for r in hot0])

async def main():
    admin = await data.pg_admin_url(None)
    url = await data.pg_recreate(admin, "shenpi_bench_walprobe")
    try:
        templates = await data.make_templates(url)
        loader = await data.PostgresLoader.connect(url)
        await loader.mark_routed(templates)
        await loader.history(templates, 1000)
        import asyncpg
        conn = await asyncpg.connect(url)
        pairs = await loader.pending(templates, 400)
        await conn.execute("ANALYZE")
        await probe(conn, pairs[:200], "10^3 stored")
        t0 = time.time()
        await loader.history(templates, int(sys.argv[1]) - 1000)
        print("loaded in", round(time.time() - t0), "s")
        await conn.execute("ANALYZE")
        await probe(conn, pairs[200:], f"{sys.argv[1]} stored")
        await conn.close()
        await loader.close()
    finally:
        await data.pg_drop(admin, "shenpi_bench_walprobe")

if __name__ == "__main__":
    asyncio.run(main())
