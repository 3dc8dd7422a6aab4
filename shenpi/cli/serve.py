"""``shenpi serve``: run the server that :mod:`shenpi.server` assembles, under uvicorn."""

from __future__ import annotations

import contextlib
import inspect
import logging.config
import os
import socket
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from shenpi import __version__, logs
from shenpi.cli import startup
from shenpi.cli.options import DEFAULT_DB
from shenpi.cli.seeds import seed_problems
from shenpi.cli.sso_options import sso_config, sso_options
from shenpi.demo import DEMO_APP_ID, DEMO_APP_SECRET

F = TypeVar("F", bound=Callable[..., Any])
HTTP_PARSERS = ("h11", "httptools")
EVENT_LOOPS = ("auto", "asyncio", "uvloop")  # auto: uvloop when installed, else asyncio
# What uvicorn calls in each worker process; the configuration reaches it as SHENPI_* variables.
APP_FACTORY = "shenpi.server:build_app_from_env"


def env_option(*decls: str, **attrs: Any) -> Callable[[F], F]:
    """A ``serve`` option that the environment can also give, as ``SHENPI_<OPTION>`` (``--event-lease``:
    ``SHENPI_EVENT_LEASE``; ``--events/--no-events``: ``SHENPI_EVENTS=1`` or ``0``); the command line wins."""
    name = next(d for d in decls[0].split("/") if d.startswith("--"))
    envvar = "SHENPI_" + name[2:].replace("-", "_").upper()
    return click.option(*decls, envvar=envvar, show_envvar=True, **attrs)


def _demo_banner(host: str, port: int, admin_token: str) -> str:
    base = f"http://{_url_host(host)}:{port}"
    return f"""
shenpi demo is serving on {base}
  app_id:     {DEMO_APP_ID}
  app_secret: {DEMO_APP_SECRET}
  tenant:     demo (users alice, bob, carol, dana, admin; password = user id)
  approvals:  DEMO-LEAVE (manager approves), DEMO-EXPENSE (team lead, then finance)
  admin API:  {base}/_shenpi/ with the header "Authorization: Bearer {admin_token}"

  import lark_oapi as lark
  from lark_oapi.api.approval.v4 import GetApprovalRequest
  client = (lark.Client.builder().app_id("{DEMO_APP_ID}").app_secret("{DEMO_APP_SECRET}")
            .domain("{base}").build())
  resp = client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code("DEMO-LEAVE").build())
  print(resp.code, resp.data.approval_name)
"""


@click.command()
@env_option("--host", default="127.0.0.1", show_default=True)
@env_option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@env_option("--db", default=DEFAULT_DB, show_default=True, help="sqlite:///path or postgresql://...")
@env_option("--seed", "seed_path", default="", help="a seed file (YAML or JSON) applied at start")
@env_option("--demo", is_flag=True, help="start with built-in demo data and print how to call it")
@env_option("--rate-limit-scale", default=1.0, show_default=True, type=click.FloatRange(min=0),
            help="multiply every rate limit; 0 turns them off")
@env_option("--workers", default=1, show_default=True, type=click.IntRange(min=1))
@env_option("--admin-token", default="", help="enable the /_shenpi/ admin API behind this bearer token (--demo "
            "enables it behind a random one, printed in the banner)")
@env_option("--events/--no-events", default=True, show_default=True,
            help="push events to subscribed apps' event_url (the delivery worker)")
@env_option("--event-retry-scale", default=1.0, show_default=True, type=click.FloatRange(min=0),
            help="multiply the retry schedule (15 s, 5 min, 1 h, 6 h); e.g. 0.001 in tests")
@env_option("--event-lease", default=10.0, show_default=True, type=click.FloatRange(min=0.05),
            help="seconds a worker's claim on an event holds unless renewed (it is renewed every quarter of it while "
            "the send is in flight); another process takes an event over only after this long without a renewal")
@env_option("--tls-cert", default="", help="serve https with this certificate (PEM); lark-oapi requires https "
            "off loopback")
@env_option("--tls-key", default="", help="the certificate's private key (PEM)")
@env_option("--sign-in-account-limit", default="5/900", show_default=True, callback=startup.sign_in_limit,
            help="web sign-in: passwords checked per account per window, ATTEMPTS/SECONDS (0/1: off)")
@env_option("--sign-in-address-limit", default="30/60", show_default=True, callback=startup.sign_in_limit,
            help="web sign-in: passwords checked per client address per window, ATTEMPTS/SECONDS (0/1: off)")
@env_option("--log-format", default="plain", show_default=True, type=click.Choice(logs.FORMATS),
            help="stdout's lines (start, requests, event deliveries): key=value text, or one JSON object each")
@env_option("--log-level", default="warning", show_default=True,
            type=click.Choice(["debug", "info", "warning", "error", "critical"], case_sensitive=False),
            help="the least severe of other log records shown (shenpi's own lines are always shown)")
@env_option("--max-body-bytes", default=10 * 1024 * 1024, show_default=True, type=click.IntRange(min=1),
            help="a request body over this many bytes answers 413 (every path)")
@env_option("--body-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0),
            help="seconds to receive a whole request body, else 408; 0: no limit")
@env_option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0),
            help="seconds to receive a request head, else the connection is closed; 0: no limit")
@env_option("--http", "http_parser", default="h11", show_default=True, type=click.Choice(HTTP_PARSERS),
            help="the HTTP/1.1 parser: h11 (pure Python), or httptools (C, installed apart; it sends header names in "
            "lower case, so lark-oapi finds no X-Tt-Logid)")
@env_option("--loop", "event_loop", default="asyncio", show_default=True, type=click.Choice(EVENT_LOOPS),
            help="the event loop: asyncio (the standard library's), or uvloop (libuv, installed apart; on h11 it "
            "measured no faster here); auto: uvloop when installed")
@env_option("--keep-alive-timeout", default=5, show_default=True, type=click.IntRange(min=1),
            help="seconds an idle kept-alive connection stays open")
@env_option("--files", "files_dir", default="", type=click.Path(file_okay=False),
            help="keep the bytes of uploaded files in this directory (default: in the database)")
@env_option("--max-connections", default=1000, show_default=True, type=click.IntRange(min=1),
            help="open connections per worker process; more are closed at once")
@env_option("--metrics/--no-metrics", default=True, show_default=True,
            help="count requests and event deliveries, and answer GET /metrics (Prometheus)")
@env_option("--metrics-token", default="", help="GET /metrics then requires \"Authorization: Bearer <token>\" "
            "(else it is open, as Prometheus scrapes by default)")
@env_option("--ws-ping-interval", default=120, show_default=True, type=click.IntRange(min=1),
            help="seconds between a long-connection client's pings (told to clients, as Feishu does)")
@env_option("--ws-reconnect-interval", default=120, show_default=True, type=click.IntRange(min=1),
            help="seconds a long-connection client waits between reconnect attempts")
@env_option("--ws-reconnect-nonce", default=30, show_default=True, type=click.IntRange(min=0),
            help="the most seconds (a random part of it) a long-connection client waits before its first reconnect")
@env_option("--smtp-url", default="", help="send notification mail through this server: smtp://user:pass@host:port "
            "(STARTTLS when offered) or smtps://... (TLS); without it notifications reach only the inbox's bell")
@env_option("--mail-from", default="", help="the From address of notification mail")
@env_option("--public-url", default="", help="this server's address as people open it: the links in mail (default: "
            "the address it listens on) and the identity providers' redirect_uri (default: the request's own)")
@sso_options
def serve(host: str, port: int, db: str, seed_path: str, demo: bool, rate_limit_scale: float, workers: int,
          admin_token: str, events: bool, event_retry_scale: float, event_lease: float, tls_cert: str, tls_key: str,
          sign_in_account_limit: str, sign_in_address_limit: str, log_format: str, log_level: str,
          max_body_bytes: int, body_timeout: float, header_timeout: float, http_parser: str, event_loop: str,
          keep_alive_timeout: int,
          max_connections: int, metrics: bool, metrics_token: str, ws_ping_interval: int, ws_reconnect_interval: int,
          ws_reconnect_nonce: int, files_dir: str, smtp_url: str, mail_from: str, public_url: str,
          **sso: Any) -> None:
    """Run the server. Every option can also be given as a SHENPI_<OPTION> environment variable (shown with each
    option below); the command line wins."""
    from shenpi.mailing import MailConfig
    from shenpi.server import ServerConfig  # here: the server's imports (the web app's templates) are heavy

    startup.check_tls(tls_cert, tls_key)
    config = ServerConfig(db=db, seed_path=os.path.abspath(seed_path) if seed_path else "", demo=demo,
                          admin_token=admin_token, events=events, event_retry_scale=event_retry_scale,
                          event_lease_s=event_lease, rate_limit_scale=rate_limit_scale, workers=workers,
                          sign_in_account_limit=sign_in_account_limit,
                          sign_in_address_limit=sign_in_address_limit, max_body_bytes=max_body_bytes,
                          body_timeout_s=body_timeout, metrics=metrics, metrics_token=metrics_token,
                          ws_ping_interval_s=ws_ping_interval, ws_reconnect_interval_s=ws_reconnect_interval,
                          ws_reconnect_nonce_s=ws_reconnect_nonce,
                          files_dir=os.path.abspath(files_dir) if files_dir else "",
                          sso=sso_config(sso, public_url)).with_demo_admin_token()
    # Everything that can make the start fail, before a word is printed: seeds, port, database.
    if seed_path and os.path.isfile(seed_path) and (problems := seed_problems(seed_path, db=db, demo=demo)):
        for line in problems:  # one line per problem, before anything is written or opened
            click.echo(line, err=True)
        sys.exit(1)
    startup.check_seeds(config)
    mail = MailConfig(smtp_url, mail_from, public_url)
    try:
        mail.check()
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--smtp-url / --mail-from") from None
    sock = startup.listen(host, port)
    created = startup.new_sqlite_file(db)
    startup.check_database(db, created)
    os.environ.update(config.to_env())
    # Worker processes import the protocol class afresh and read these; this process sets them on the class.
    os.environ.update({"SHENPI_HEADER_TIMEOUT": str(header_timeout), "SHENPI_MAX_CONNECTIONS": str(max_connections)})
    from shenpi.cli.http_guard import Limits, raise_descriptor_limit

    Limits.header_timeout_s, Limits.max_connections = header_timeout, max_connections
    raise_descriptor_limit(max_connections)
    log_config = logs.logging_config(log_format, log_level)
    logging.config.dictConfig(log_config)
    port = sock.getsockname()[1]
    address = f"{'https' if tls_cert else 'http'}://{_url_host(host)}:{port}"
    os.environ.update(MailConfig(smtp_url, mail_from, public_url or address).to_env())
    logs.starts.info(logs.START_LINE, __version__, address, logs.mask_url(db), workers, _on(bool(config.admin_token)),
                     _on(events), _on(demo))
    if demo:  # for people: beside JSON lines it goes to stderr, so stdout stays one JSON object a line
        click.echo(_demo_banner(host, port, config.admin_token), err=log_format == "json")
    with startup.metrics_directory(metrics and workers > 1):
        started = run_uvicorn(APP_FACTORY, workers, sock=sock, log_config=log_config, log_level=log_level,
                              access_log=False, server_header=False, date_header=True, http=http_parser,
                              loop=event_loop, ws="websockets-sansio", timeout_keep_alive=keep_alive_timeout,
                              ssl_certfile=tls_cert or None, ssl_keyfile=tls_key or None)
    if not started:
        startup.remove_sqlite_file(created)
        raise click.ClickException("the server did not start (its log above says why)")


def _url_host(host: str) -> str:
    """``host`` as a URL writes it: an IPv6 address in brackets (``http://[::1]:8080``)."""
    return f"[{host}]" if ":" in host else host


def _on(flag: bool) -> str:
    return "on" if flag else "off"


def run_uvicorn(app: str, workers: int, sock: socket.socket | None = None, *, http: str = "h11", loop: str = "auto",
                **options: Any) -> bool:
    """Serve ``app`` (a factory) under uvicorn on ``sock`` (bound by uvicorn from ``host`` and ``port`` when None);
    False if the application did not start. ``http`` names the parser (:data:`HTTP_PARSERS`), served by shenpi's
    guarded protocol for it (shenpi/cli/http_guard.py), and ``loop`` the event loop. The listening socket gets
    TCP_NODELAY.

    uvicorn binds that socket itself as ``socket.socket(AF_INET)``, whose ``proto`` is 0, and asyncio sets
    TCP_NODELAY only on connections whose ``proto`` is IPPROTO_TCP: every connection kept Nagle's algorithm, and
    as an answer is two writes (headers, then body) each one waited for the client's delayed ACK, ~40 ms (bench/:
    1.4k req/s at 64 connections with 2 workers, whatever the app; with one worker, a client's sequential calls on
    one kept-alive connection answered ~40 ms late each). Linux hands TCP_NODELAY from
    a listening socket down to the connections it accepts, so setting it there once is enough."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    from shenpi.cli.http_guard import guarded_protocol

    config = uvicorn.Config(app, factory=True, workers=workers, http=guarded_protocol(http), loop=loop, **options)
    if sock is None:
        sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if workers <= 1:
        server = uvicorn.Server(config)
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass
        except SystemExit:  # uvicorn's way to say the application did not start (its log says why)
            return False
        return server.started
    # What uvicorn.run does with several workers (older uvicorns also hand the supervisor the server's run).
    extra = {"target": uvicorn.Server(config).run} if "target" in inspect.signature(Multiprocess).parameters else {}
    supervisor = Multiprocess(config, sockets=[sock], **extra)
    with contextlib.suppress(KeyboardInterrupt):
        supervisor.run()
    # A worker whose application did not start makes the supervisor stop them all; it keeps that worker's exit code.
    return not any(getattr(p, "exitcode", None) == STARTUP_FAILURE for p in supervisor.processes)
