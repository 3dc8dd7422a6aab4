"""The ``shenpi`` command: serve, and the operator's tools around the store."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

import click

from shenpi import __version__


def build_app_from_env() -> Any:
    """The ASGI app as configured by SHENPI_* variables (how ``--workers`` hands settings to each worker)."""
    from shenpi.api.app import ShenpiApp
    from shenpi.app import Shenpi
    from shenpi.demo import demo_seed
    from shenpi.seed import apply_seed, load_seed
    from shenpi.store import open_store

    db = os.environ.get("SHENPI_DB", "sqlite:///shenpi.db")
    seed_path = os.environ.get("SHENPI_SEED", "")
    demo = os.environ.get("SHENPI_DEMO") == "1"
    scale = float(os.environ.get("SHENPI_RATE_LIMIT_SCALE", "1"))
    admin_token = os.environ.get("SHENPI_ADMIN_TOKEN", "") or ("demo" if demo else "")
    events = os.environ.get("SHENPI_EVENTS", "1") == "1"
    event_retry_scale = float(os.environ.get("SHENPI_EVENT_RETRY_SCALE", "1"))
    # Counters live in the database when several processes share it: --workers N, or PostgreSQL (which several
    # servers may share); a single SQLite process keeps them in memory, off the hot path.
    shared = int(os.environ.get("SHENPI_WORKERS", "1")) > 1 or not db.startswith("sqlite:")
    svc = Shenpi(open_store(db), rate_limit_scale=scale, shared_rate_limits=shared)

    async def startup(s: Shenpi) -> None:
        if demo:
            await apply_seed(s, demo_seed())
        if seed_path:
            await apply_seed(s, load_seed(seed_path))

    if admin_token:  # the admin API's control plane: what POST /_shenpi/reset goes back to (the file is re-read)
        from shenpi.testing.control import install_control

        install_control(svc, lambda: ([demo_seed()] if demo else []) + ([load_seed(seed_path)] if seed_path else []))
    return ShenpiApp(svc, on_startup=startup, admin_token=admin_token, events=events,
                     event_retry_scale=event_retry_scale)


def _demo_banner(host: str, port: int) -> str:
    from shenpi.demo import DEMO_APP_ID, DEMO_APP_SECRET

    base = f"http://{host}:{port}"
    return f"""
shenpi demo is serving on {base}
  app_id:     {DEMO_APP_ID}
  app_secret: {DEMO_APP_SECRET}
  tenant:     demo (users alice, bob, carol, dana, admin; password = user id)
  approvals:  DEMO-LEAVE (manager approves), DEMO-EXPENSE (team lead, then finance)

  import lark_oapi as lark
  from lark_oapi.api.approval.v4 import GetApprovalRequest
  client = (lark.Client.builder().app_id("{DEMO_APP_ID}").app_secret("{DEMO_APP_SECRET}")
            .domain("{base}").build())
  resp = client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code("DEMO-LEAVE").build())
  print(resp.code, resp.data.approval_name)
"""


@click.group()
@click.version_option(__version__, prog_name="shenpi")
def main() -> None:
    """shenpi (审批): a self-hosted approval engine that speaks Feishu's approval API."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--db", default="sqlite:///shenpi.db", show_default=True, help="sqlite:///path or postgresql://...")
@click.option("--seed", "seed_path", default="", help="a seed file (YAML or JSON) applied at start")
@click.option("--demo", is_flag=True, help="start with built-in demo data and print how to call it")
@click.option("--rate-limit-scale", default=1.0, show_default=True, type=float,
              help="multiply every rate limit; 0 turns them off")
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--admin-token", default="", envvar="SHENPI_ADMIN_TOKEN",
              help="enable the /_shenpi/ admin API behind this bearer token (--demo enables it as 'demo')")
@click.option("--events/--no-events", default=True, show_default=True,
              help="push events to subscribed apps' event_url (the delivery worker)")
@click.option("--event-retry-scale", default=1.0, show_default=True, type=float,
              help="multiply the retry schedule (15 s, 5 min, 1 h, 6 h); e.g. 0.001 in tests")
@click.option("--tls-cert", default="", help="serve https with this certificate (PEM); lark-oapi requires https "
              "off loopback")
@click.option("--tls-key", default="", help="the certificate's private key (PEM)")
@click.option("--log-level", default="warning", show_default=True)
def serve(host: str, port: int, db: str, seed_path: str, demo: bool, rate_limit_scale: float, workers: int,
          admin_token: str, events: bool, event_retry_scale: float, tls_cert: str, tls_key: str,
          log_level: str) -> None:
    """Run the server."""
    os.environ.update({
        "SHENPI_DB": db, "SHENPI_SEED": os.path.abspath(seed_path) if seed_path else "",
        "SHENPI_DEMO": "1" if demo else "0", "SHENPI_RATE_LIMIT_SCALE": str(rate_limit_scale),
        "SHENPI_ADMIN_TOKEN": admin_token, "SHENPI_EVENTS": "1" if events else "0", "SHENPI_WORKERS": str(workers),
        "SHENPI_EVENT_RETRY_SCALE": str(event_retry_scale),
    })
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if demo:
        click.echo(_demo_banner(host, port))
    if bool(tls_cert) != bool(tls_key):
        raise click.UsageError("--tls-cert and --tls-key go together")
    run_uvicorn("shenpi.cli:build_app_from_env", workers, host=host, port=port, log_level=log_level,
                access_log=False, server_header=False, date_header=True, ssl_certfile=tls_cert or None,
                ssl_keyfile=tls_key or None)


def run_uvicorn(app: str, workers: int, **options: Any) -> None:
    """``uvicorn.run(app, factory=True, ...)``; with several workers the shared listening socket gets TCP_NODELAY.

    uvicorn binds that socket itself as ``socket.socket(AF_INET)``, whose ``proto`` is 0, and asyncio sets
    TCP_NODELAY only on connections whose ``proto`` is IPPROTO_TCP: with ``--workers`` > 1 every connection kept
    Nagle's algorithm, and as an answer is two writes (headers, then body) each one waited for the client's
    delayed ACK, ~40 ms (bench/: 1.4k req/s at 64 connections, whatever the app). Linux hands TCP_NODELAY from
    a listening socket down to the connections it accepts, so setting it there once is enough."""
    import inspect
    import socket

    import uvicorn

    if workers <= 1:
        uvicorn.run(app, factory=True, workers=workers, **options)
        return
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(app, factory=True, workers=workers, **options)
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # What uvicorn.run does with several workers (older uvicorns also hand the supervisor the server's run).
    extra = {"target": uvicorn.Server(config).run} if "target" in inspect.signature(Multiprocess).parameters else {}
    try:
        Multiprocess(config, sockets=[sock], **extra).run()
    except KeyboardInterrupt:
        pass


@main.command("check-seed")
@click.argument("path")
def check_seed(path: str) -> None:
    """Validate a seed file by applying it to an in-memory store."""
    from shenpi.app import Shenpi
    from shenpi.seed import SeedError, apply_seed, load_seed
    from shenpi.store import open_store

    async def run() -> None:
        svc = Shenpi(open_store("sqlite:///:memory:"))
        await svc.open()
        try:
            await apply_seed(svc, load_seed(path))
        finally:
            await svc.close()

    try:
        asyncio.run(run())
    except (SeedError, OSError) as e:
        click.echo(f"invalid seed: {e}", err=True)
        sys.exit(1)
    click.echo("ok")


from shenpi.cli_tokens import token as _token_commands  # noqa: E402  (registered last, beside the core commands)

main.add_command(_token_commands)

from shenpi.cli_apps import app as _app_commands  # noqa: E402

main.add_command(_app_commands)


# -- the operator's tools: read and repair a store without a running server ------------------------------------
# They open the database directly (--db, as serve takes it). A server running on the same database keeps caches:
# import into a running server through POST /_shenpi/import instead.

_DB_OPTION = click.option("--db", default="sqlite:///shenpi.db", show_default=True,
                          help="sqlite:///path or postgresql://...")
_JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")


from shenpi.cli_support import with_service as _with_service  # noqa: E402


def _when(ms: int) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000)) if ms else "-"


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    """Columns padded to their widest cell; an empty list says so instead of printing a bare header."""
    if not rows:
        return "(none)"
    cells = [headers] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells)


def _form(form: list[dict[str, Any]]) -> str:
    """Widget values as ``id=value`` pairs: what an operator scans for; --json has the whole widgets."""
    import json

    return ", ".join(f"{w.get('id')}={v if isinstance(v := w.get('value'), str) else json.dumps(v, ensure_ascii=False)}"
                     for w in form) or "-"


def _emit(as_json: bool, data: Any, text: str) -> None:
    if as_json:
        import json

        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)


async def _tenants(svc: Any, tenant: str | None) -> list[str]:
    async with svc.store.transaction() as tx:
        keys = [t.tenant_key for t in await tx.list_tenants()]
    if tenant is not None:
        if tenant not in keys:
            raise click.ClickException(f"no tenant {tenant!r} (there are: {', '.join(keys) or 'none'})")
        return [tenant]
    return keys


@main.group()
def instances() -> None:
    """Approval instances in the store."""


@instances.command("list")
@_DB_OPTION
@click.option("--tenant", default=None, help="one tenant (default: all)")
@click.option("--approval", "approval_code", default="", help="only this approval_code")
@click.option("--status", "statuses", multiple=True, help="PENDING, APPROVED, REJECTED, CANCELED, DELETED (repeatable)")
@click.option("--user", "user_id", default="", help="only those this user (user_id) submitted")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1))
@_JSON_OPTION
def instances_list(db: str, tenant: str | None, approval_code: str, statuses: tuple[str, ...], user_id: str,
                   limit: int, as_json: bool) -> None:
    """List instances, newest first."""
    from dataclasses import asdict

    async def work(svc: Any) -> list[Any]:
        found: list[Any] = []
        for key in await _tenants(svc, tenant):
            async with svc.store.transaction() as tx:
                page = await tx.search_instances(key, user_id=user_id, approval_code=approval_code,
                                                 statuses=[s.upper() for s in statuses], reverted=None, limit=limit)
            found.extend(page.items)
        return sorted(found, key=lambda i: -i.start_time)[:limit]

    items = _with_service(db, work)
    _emit(as_json, [asdict(i) for i in items], _table(
        ["TENANT", "INSTANCE", "APPROVAL", "STATUS", "SUBMITTER", "SERIAL", "STARTED", "ENDED"],
        [[i.tenant_key, i.code, i.approval_code, i.status, i.user_id, i.serial_number, _when(i.start_time),
          _when(i.end_time)] for i in items]))


@instances.command("show")
@click.argument("instance")
@_DB_OPTION
@click.option("--tenant", default=None, help="the instance's tenant (default: search all)")
@_JSON_OPTION
def instances_show(instance: str, db: str, tenant: str | None, as_json: bool) -> None:
    """One instance (by code or creation uuid): its tasks and timeline."""
    from dataclasses import asdict

    from shenpi.engine.errors import InstanceNotFound

    async def work(svc: Any) -> Any:
        for key in await _tenants(svc, tenant):
            try:
                return await svc.instances.get(key, instance)
            except InstanceNotFound:
                continue
        raise click.ClickException(f"no instance {instance}")

    view = _with_service(db, work)
    inst, d = view.instance, view.definition
    names = {n.key: d.text(n.name) for n in d.nodes}
    data = {"instance": asdict(inst), "approval_name": d.text(d.name), "tasks": [asdict(t) for t in view.tasks],
            "timeline": [asdict(e) for e in view.timeline]}
    head = [f"instance   {inst.code}", f"tenant     {inst.tenant_key}",
            f"approval   {inst.approval_code} ({d.text(d.name)})", f"status     {inst.status}",
            f"submitter  {inst.user_id}", f"serial     {inst.serial_number}", f"uuid       {inst.uuid or '-'}",
            f"started    {_when(inst.start_time)}", f"ended      {_when(inst.end_time)}", f"form       {_form(inst.form)}"]
    tasks = _table(["TASK", "NODE", "APPROVER", "STATUS", "TYPE", "STARTED", "ENDED"],
                   [[t.id, names.get(t.node_key, t.node_key), t.user_id or "-", t.status, t.type, _when(t.start_time),
                     _when(t.end_time)] for t in view.tasks])
    timeline = _table(["WHEN", "TYPE", "USER", "NODE", "COMMENT"],
                      [[_when(e.create_time), e.type, e.user_id or "-", e.node_key or "-", e.comment]
                       for e in view.timeline])
    _emit(as_json, data, "\n".join(head) + "\n\ntasks\n" + tasks + "\n\ntimeline\n" + timeline)


@main.group()
def tasks() -> None:
    """Approval tasks in the store."""


@tasks.command("list")
@click.option("--user", "user_id", required=True, help="the approver's user_id")
@_DB_OPTION
@click.option("--tenant", default=None, help="one tenant (default: all)")
@click.option("--status", "statuses", multiple=True, help="PENDING, APPROVED, REJECTED, TRANSFERRED, DONE (repeatable)")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1))
@_JSON_OPTION
def tasks_list(user_id: str, db: str, tenant: str | None, statuses: tuple[str, ...], limit: int, as_json: bool) -> None:
    """A user's tasks, newest first."""
    from dataclasses import asdict

    async def work(svc: Any) -> list[Any]:
        found: list[Any] = []
        for key in await _tenants(svc, tenant):
            async with svc.store.transaction() as tx:
                page = await tx.search_tasks(key, user_id=user_id, statuses=[s.upper() for s in statuses],
                                             limit=limit)
            found.extend(page.items)
        return sorted(found, key=lambda pair: -pair[0].start_time)[:limit]

    pairs = _with_service(db, work)
    _emit(as_json, [{**asdict(t), "tenant_key": i.tenant_key, "approval_code": i.approval_code,
                     "instance_status": i.status} for t, i in pairs], _table(
        ["TENANT", "TASK", "INSTANCE", "APPROVAL", "NODE", "STATUS", "STARTED"],
        [[i.tenant_key, t.id, t.instance_code, i.approval_code, t.node_key, t.status, _when(t.start_time)]
         for t, i in pairs]))


@main.group()
def events() -> None:
    """The outbox: events the engine recorded for delivery."""


@events.command("list")
@_DB_OPTION
@click.option("--tenant", default=None, help="one tenant (default: all)")
@click.option("--instance", "instance_code", default=None, help="only this instance's events")
@click.option("--after", "after_id", default=0, show_default=True, type=click.IntRange(0), help="ids above this")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1))
@_JSON_OPTION
def events_list(db: str, tenant: str | None, instance_code: str | None, after_id: int, limit: int,
                as_json: bool) -> None:
    """Outbox events, oldest first."""
    from shenpi.testing.state import admin_tx

    async def work(svc: Any) -> list[dict[str, Any]]:
        async with svc.store.transaction() as tx:
            found: list[dict[str, Any]] = await admin_tx(tx).list_outbox(
                tenant_key=tenant, instance_code=instance_code, after_id=after_id, limit=limit)
            return found

    items = _with_service(db, work)
    _emit(as_json, items, _table(
        ["ID", "TENANT", "KIND", "STATUS", "INSTANCE", "TASK", "USER", "CREATED", "REDELIVER"],
        [[e["id"], e["tenant_key"], e["kind"], e["status"], e["instance_code"], e["payload"].get("task_id") or "-",
          e["payload"].get("user_id") or "-", _when(e["created_at"]),
          _when(e["redeliver_requested_at"]) if e["redeliver_requested_at"] else "-"] for e in items]))


@events.command("redeliver")
@click.argument("ids", nargs=-1, required=True, type=int)
@_DB_OPTION
@click.option("--tenant", default=None, help="refuse ids of other tenants")
@_JSON_OPTION
def events_redeliver(ids: tuple[int, ...], db: str, tenant: str | None, as_json: bool) -> None:
    """Mark outbox events for delivery again (the delivery worker sends them with their original event id)."""
    from shenpi.clock import Clock
    from shenpi.testing.state import admin_tx

    async def work(svc: Any) -> list[int]:
        async with svc.store.transaction() as tx:
            marked: list[int] = await admin_tx(tx).request_redelivery(list(ids), Clock().now_ms(), tenant)
            return marked

    marked = _with_service(db, work)
    unknown = [i for i in ids if i not in marked]
    _emit(as_json, {"marked": marked, "unknown": unknown},
          f"marked for redelivery: {', '.join(map(str, marked)) or 'none'}"
          + (f"\nno such event: {', '.join(map(str, unknown))}" if unknown else ""))
    if unknown:
        sys.exit(1)


@events.command("deliveries")
@_DB_OPTION
@click.option("--state", type=click.Choice(["pending", "delivered", "dead"]), default=None,
              help="e.g. dead: the dead-letter list")
@click.option("--app", "app_id", default="", help="one app")
@_JSON_OPTION
def events_deliveries(db: str, state: str | None, app_id: str, as_json: bool) -> None:
    """Each event's delivery to each subscribed app: attempts, next try, last error."""
    from shenpi.events.outbox_store import list_deliveries

    async def work(svc: Any) -> list[dict[str, Any]]:
        return await list_deliveries(svc, state=state or "", app_id=app_id)

    items = _with_service(db, work)
    _emit(as_json, items, _table(
        ["ID", "APP", "EVENT TYPE", "OUTBOX", "STATE", "ATTEMPTS", "LAST ERROR"],
        [[d["id"], d["app_id"], d["event_type"], d["outbox_id"], d["state"], d["attempts"],
          (d["last_error"] or "-")[:60]] for d in items]))


@events.command("replay")
@click.argument("ids", nargs=-1, required=True, type=int)
@_DB_OPTION
def events_replay(ids: tuple[int, ...], db: str) -> None:
    """Put dead-lettered deliveries back in the queue, due now (a running server sends them at its next poll)."""
    from shenpi.clock import Clock

    async def work(svc: Any) -> list[int]:
        async with svc.store.transaction() as tx:
            return [i for i in ids if await tx.delivery_replay(i, Clock().now_ms())]

    replayed = _with_service(db, work)
    click.echo(f"replayed: {', '.join(map(str, replayed)) or 'none'}")
    if len(replayed) != len(ids):
        click.echo(f"not dead letters: {', '.join(str(i) for i in ids if i not in replayed)}", err=True)
        sys.exit(1)


@main.command("export")
@_DB_OPTION
@click.option("-o", "--output", default="-", show_default=True, help="file to write ('-' for stdout)")
def export_cmd(db: str, output: str) -> None:
    """Write the whole state as a JSON snapshot (which `import` and `serve --seed` accept)."""
    import json

    from shenpi.testing.state import export_state

    snapshot = _with_service(db, export_state)
    text = json.dumps(snapshot, ensure_ascii=False, indent=2)
    if output == "-":
        click.echo(text)
    else:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        tables = snapshot["shenpi_snapshot"]["tables"]
        click.echo(f"wrote {output}: {sum(len(t['rows']) for t in tables.values())} rows in {len(tables)} tables",
                   err=True)


@main.command("import")
@click.argument("path")
@_DB_OPTION
@_JSON_OPTION
def import_cmd(path: str, db: str, as_json: bool) -> None:
    """Replace the whole state with a snapshot from `export` (PATH, or '-' for stdin)."""
    import json

    from shenpi.testing.state import SnapshotError, import_state

    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()  # noqa: SIM115
        snapshot = json.loads(text)
    except (OSError, ValueError) as e:
        raise click.ClickException(f"cannot read {path}: {e}") from None

    async def work(svc: Any) -> dict[str, Any]:
        result: dict[str, Any] = await import_state(svc, snapshot)
        return result

    try:
        result = _with_service(db, work, must_exist=False)
    except SnapshotError as e:
        raise click.ClickException(f"cannot import {path}: {e}") from None
    written = result["tables"]
    _emit(as_json, result, f"imported {sum(written.values())} rows into {len(written)} tables")


from shenpi.cli_users import user as _user_commands  # noqa: E402  (issue 6: web sign-in passwords)

main.add_command(_user_commands)
