"""Whole-state snapshots for the admin API, the CLI and the test harness: what ``GET /_shenpi/export`` and
``shenpi export`` write, and import reads. The snapshot format and its all-or-nothing operations are the
application's (shenpi/app/snapshots.py); these are the names the testing package and the CLI call them by."""

from __future__ import annotations

from typing import Any

from shenpi.app import Shenpi
from shenpi.app.snapshots import KEEP, SNAPSHOT_KEY, SnapshotError, is_snapshot, snapshot_tables
from shenpi.store.base import AdminTx, Tx

__all__ = ["KEEP", "SNAPSHOT_KEY", "SnapshotError", "admin_tx", "export_state", "forget_caches", "import_state",
           "is_snapshot", "snapshot_tables"]


def admin_tx(tx: Tx) -> AdminTx:
    """The transaction with its admin methods (every backend has them; they are part of ``Tx``)."""
    return tx


def forget_caches(svc: Shenpi) -> None:
    """Drop what the server caches in-process about rows a restore may have replaced."""
    svc.snapshots.forget_caches()


async def export_state(svc: Shenpi) -> dict[str, Any]:
    return await svc.snapshots.export()


async def import_state(svc: Shenpi, snapshot: Any) -> dict[str, Any]:
    """Replace the whole state with a snapshot's, in one transaction. Tokens the server issued stay valid while
    their app still exists in the imported state; the snapshot's own tokens come back too."""
    return await svc.snapshots.import_snapshot(snapshot)
