from __future__ import annotations

import asyncio
import logging
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server

from mitmachen.runtime import Runtime
from service.config import Settings
from service.kit.observability import REGISTRY
from workers.settings import create_worker

logger = logging.getLogger("mitmachen.worker")
METRICS_ADDRESS = "0.0.0.0"  # noqa: S104 - scraped from outside the container, like the API's port


def serve_metrics(port: int | None) -> WSGIServer | None:
    """The worker's own `/metrics` (job runs, failures, retries, queue wait) on a small HTTP listener in a thread.

    A port that is taken is logged and the worker goes on without it: its jobs matter more than its numbers.
    """
    if port is None:
        return None
    try:
        server, _thread = start_http_server(port, addr=METRICS_ADDRESS, registry=REGISTRY)
    except OSError as error:
        logger.error("worker metrics not served: port %d: %s", port, error)  # noqa: TRY400 - one line suffices
        return None
    logger.info("worker metrics at http://%s:%d/metrics", METRICS_ADDRESS, port)
    return server


def run_worker(settings: Settings, *, burst: bool = False, shutdown_grace_seconds: int | None = None) -> int:
    async def main() -> None:
        runtime = Runtime.create(settings)
        worker = create_worker(settings, runtime, burst=burst, shutdown_grace_seconds=shutdown_grace_seconds)
        try:
            await worker.run_until_stopped()
        finally:
            await worker.close()
            await runtime.close()

    metrics = serve_metrics(settings.worker_metrics_port)
    try:
        asyncio.run(main())
    finally:
        if metrics is not None:
            metrics.shutdown()
            metrics.server_close()
    return 0
