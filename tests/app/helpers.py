"""An application object on a fresh database, seeded with the suite's seed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from shenpi.app import Shenpi
from shenpi.seed import apply_seed
from shenpi.store import open_store
from tests.pg import run_async
from tests.seeds import test_seed


def with_app(url: str, body: Callable[[Shenpi], Awaitable[None]], *, seeded: bool = True) -> None:
    async def main() -> None:
        svc = Shenpi(open_store(url))
        await svc.open()
        try:
            if seeded:
                await apply_seed(svc, test_seed())
            await body(svc)
        finally:
            await svc.close()

    run_async(main)
