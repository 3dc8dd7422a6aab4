"""The store interface is complete: every method a backend's transaction offers is declared in exactly one of
the purpose protocols of shenpi/store/base.py, so callers reach all of them through ``Tx`` without a cast."""

from __future__ import annotations

import inspect

import pytest

from shenpi.store import base
from shenpi.store.postgres import PostgresTx
from shenpi.store.sqlite import SqliteTx

PURPOSES = (base.PlatformTx, base.AggregateTx, base.QueryTx, base.DeliveryTx, base.OperatorTx, base.FileTx,
            base.NotificationTx)


def declared(protocol: type) -> set[str]:
    return {name for name, value in vars(protocol).items() if not name.startswith("_") and callable(value)}


def offered(tx_class: type) -> set[str]:
    return {name for name, value in inspect.getmembers(tx_class, inspect.iscoroutinefunction)
            if not name.startswith("_")}


def test_each_method_has_one_purpose() -> None:
    seen: dict[str, str] = {}
    for protocol in PURPOSES:
        for name in declared(protocol):
            assert name not in seen, f"{name} is declared in {seen[name]} and {protocol.__name__}"
            seen[name] = protocol.__name__
    assert declared(base.Tx) == set()  # Tx only unites them
    assert set(base.Tx.__mro__) >= set(PURPOSES)


@pytest.mark.parametrize("tx_class", [SqliteTx, PostgresTx], ids=["sqlite", "postgres"])
def test_the_protocols_declare_every_backend_method_with_its_signature(tx_class: type) -> None:
    everything = set().union(*(declared(p) for p in PURPOSES))
    assert offered(tx_class) == everything
    for protocol in PURPOSES:
        for name in declared(protocol):
            want = inspect.signature(getattr(protocol, name))
            got = inspect.signature(getattr(tx_class, name))
            assert list(got.parameters) == list(want.parameters), name
            assert [p.default for p in got.parameters.values()] == [p.default for p in want.parameters.values()], name
            assert [p.kind for p in got.parameters.values()] == [p.kind for p in want.parameters.values()], name
