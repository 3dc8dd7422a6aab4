"""What ``shenpi serve`` checks before it says it serves, so that a start that cannot work fails with one line and an
exit code instead of a banner followed by a traceback: the option values, the seed files are read, the TLS
certificate and key are loaded, the port is bound (and the bound socket handed to uvicorn, so nothing can take the port
in between), and the database is opened and migrated. A start that fails removes the SQLite file it created.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from shenpi.logs import mask_url

if TYPE_CHECKING:
    from shenpi.server import ServerConfig


def one_line(error: BaseException) -> str:
    """An error's message on one line (database drivers and YAML parsers write several)."""
    return " ".join(str(error).split()) or type(error).__name__


def check_seeds(config: ServerConfig) -> None:
    """Read every seed the server will apply; a missing or unreadable one is a ClickException."""
    if config.seed_path and not Path(config.seed_path).is_file():
        raise click.ClickException(f"no seed file at {config.seed_path}")
    from shenpi.seed import SeedError

    try:
        config.seeds()
    except SeedError as e:
        raise click.ClickException(str(e)) from None
    except Exception as e:  # the YAML or JSON parser's own error
        raise click.ClickException(f"{config.seed_path}: {one_line(e)}") from None


def sign_in_limit(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A click callback: ``value`` must read as ATTEMPTS/SECONDS (the server would fail on it in every worker)."""
    from shenpi.app.ratelimits import parse_limit

    try:
        parse_limit(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not ATTEMPTS/SECONDS, e.g. 5/900") from None
    return value


def check_tls(cert: str, key: str) -> None:
    """Load the certificate and its key as uvicorn will: a missing file, a file that is no PEM, or a key that is
    not the certificate's is a ClickException, not a traceback from every worker."""
    if bool(cert) != bool(key):
        raise click.UsageError("--tls-cert and --tls-key go together")
    if not cert:
        return
    for option, path in (("--tls-cert", cert), ("--tls-key", key)):
        if not Path(path).is_file():
            raise click.ClickException(f"{option}: no file at {path}")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except OSError as e:  # ssl.SSLError is one: a file that is no PEM, a key that does not match
        raise click.ClickException(f"--tls-cert {cert} and --tls-key {key} are not a PEM certificate and its "
                                   f"private key ({one_line(e)})") from None


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound as uvicorn binds one (IPv6 when the host is an IPv6 address)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror or one_line(e)}") from None
    sock.set_inheritable(True)  # worker processes serve on it
    return sock


def new_sqlite_file(db: str) -> Path | None:
    """The SQLite file ``db`` names, if it does not exist yet (what to remove should the start fail)."""
    if not db.startswith("sqlite:"):
        return None
    from shenpi.store.sqlite import sqlite_path

    path = sqlite_path(db)
    return None if path == ":memory:" or Path(path).exists() else Path(path)


def remove_sqlite_file(path: Path | None) -> None:
    if path is not None:
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                name.unlink()


def check_database(db: str, created: Path | None) -> None:
    """Open the database (which applies the migrations) and close it; a ClickException naming it if that fails."""
    from shenpi.store import open_store
    from shenpi.store.sqlite import sqlite_path

    if db.startswith("sqlite:") and (path := sqlite_path(db)) != ":memory:" and (
            path.endswith("/") or Path(path).is_dir()):
        raise click.ClickException(f"--db: {path} is a directory; name a database file in it, e.g. "
                                   f"sqlite:///{Path(path) / 'shenpi.db'}")
    try:
        store = open_store(db)
    except ValueError as e:
        raise click.ClickException(f"--db: {e}") from None

    async def open_and_close() -> None:
        await store.open()
        await store.close()

    try:
        asyncio.run(open_and_close())
    except Exception as e:
        remove_sqlite_file(created)
        raise click.ClickException(f"cannot open the database {mask_url(db)}: {one_line(e)}") from None


@contextlib.contextmanager
def metrics_directory(multiprocess: bool) -> Iterator[None]:
    """With several worker processes, a fresh directory for their metrics files, named to them by
    ``PROMETHEUS_MULTIPROC_DIR`` (worker processes start afresh and read it before they create a metric) and removed
    once they have stopped: values from an earlier run would be counted again. One process keeps its metrics in
    memory, and a directory the environment names is not ours to use or remove."""
    from shenpi.metrics import MULTIPROCESS_ENV

    if not multiprocess:
        os.environ.pop(MULTIPROCESS_ENV, None)
        yield
        return
    path = tempfile.mkdtemp(prefix="shenpi-metrics-")
    os.environ[MULTIPROCESS_ENV] = path
    try:
        yield
    finally:
        os.environ.pop(MULTIPROCESS_ENV, None)
        shutil.rmtree(path, ignore_errors=True)
