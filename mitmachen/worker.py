from __future__ import annotations

import asyncio

from mitmachen.runtime import Runtime
from service.config import Settings
from workers.settings import create_worker


def run_worker(settings: Settings, *, burst: bool = False, shutdown_grace_seconds: int | None = None) -> int:
    async def main() -> None:
        runtime = Runtime.create(settings)
        worker = create_worker(settings, runtime, burst=burst, shutdown_grace_seconds=shutdown_grace_seconds)
        try:
            await worker.run_until_stopped()
        finally:
            await worker.close()
            await runtime.close()

    asyncio.run(main())
    return 0
