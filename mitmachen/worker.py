from __future__ import annotations

import asyncio

from mitmachen.runtime import Runtime
from service.config import Settings
from workers.settings import create_worker


def run_worker(settings: Settings, *, burst: bool = False) -> int:
    async def main() -> None:
        runtime = Runtime.create(settings)
        worker = create_worker(settings, runtime, burst=burst)
        try:
            await worker.main()
        finally:
            await worker.close()
            await runtime.close()

    asyncio.run(main())
    return 0
