from __future__ import annotations

import asyncio
import contextlib

from mitmachen.runtime import Runtime
from service.config import Settings
from workers.settings import create_worker


def run_worker(settings: Settings, *, burst: bool = False) -> int:
    async def main() -> None:
        runtime = Runtime.create(settings)
        worker = create_worker(settings, runtime, burst=burst)
        try:
            # async_run keeps the main task where the worker's SIGTERM/SIGINT handler can cancel it,
            # once running jobs are done (or the job timeout has passed): that cancellation is the stop.
            with contextlib.suppress(asyncio.CancelledError):
                await worker.async_run()
        finally:
            await worker.close()
            await runtime.close()

    asyncio.run(main())
    return 0
