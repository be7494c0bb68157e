"""`mitmachen dev`: the whole service on one machine, with embedded servers where no URL is configured."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from contextlib import ExitStack
from types import FrameType

import asyncpg
import uvicorn

from mitmachen import dev_instance
from mitmachen.app import create_app, dev_issuer
from mitmachen.embedded import EmbeddedPostgres, EmbeddedValkey, free_port
from mitmachen.seeding import seed
from service.config import Settings
from service.db.migrate import upgrade

logger = logging.getLogger("mitmachen.dev")
DEV_DATABASE = "mitmachen"
DEV_SHUTDOWN_GRACE_SECONDS = 1


async def _ensure_database(server_url: str, name: str) -> None:
    connection = await asyncpg.connect(server_url)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def run_dev(settings: Settings, *, host: str, port: int) -> int:
    # uvicorn re-raises the signal that stopped it; as an exception it unwinds the stack below, which stops
    # the worker and the embedded servers, where the default action would leave them running.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    data_dir = settings.data_dir.resolve()
    with ExitStack() as stack:
        overrides: dict[str, str] = {}
        if settings.database_url is None:
            postgres = EmbeddedPostgres(data_dir / "postgres")
            server_url = postgres.start()
            stack.callback(postgres.stop)
            asyncio.run(_ensure_database(server_url, DEV_DATABASE))
            overrides["database_url"] = postgres.url(DEV_DATABASE)
            logger.info("embedded PostgreSQL at %s (data in %s)", postgres.url(DEV_DATABASE), postgres.data)
        if settings.redis_url is None:
            valkey = EmbeddedValkey(data_dir / "valkey")
            overrides["redis_url"] = valkey.start()
            stack.callback(valkey.stop)
            logger.info("embedded Valkey at %s", overrides["redis_url"])
        overrides["public_url"] = f"http://{host}:{port}"
        settings = settings.model_copy(update=overrides)
        stack.callback(dev_instance.remove, dev_instance.write(settings))
        upgrade(settings)
        asyncio.run(seed(settings, demo_people_issuer=dev_issuer(settings)))

        environment = dict(os.environ)
        environment.update({f"MITMACHEN_{key.upper()}": value for key, value in overrides.items()})
        environment["MITMACHEN_ENVIRONMENT"] = settings.environment.value
        environment.setdefault("MITMACHEN_WORKER_METRICS_PORT", str(free_port()))
        # Ctrl-C should stop everything in about two seconds: a job still running after one second is handed back
        # to the queue (kept in Valkey's append-only file) and runs again at the next start.
        worker = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "mitmachen", "worker", "--shutdown-grace", str(DEV_SHUTDOWN_GRACE_SECONDS)],
            env=environment,
            stdin=subprocess.DEVNULL,
        )
        stack.callback(_stop_process, worker)

        print(  # noqa: T201 - the one line a developer needs
            f"Mitmachen is running at http://{host}:{port}/ (GraphQL at http://{host}:{port}/graphql, "
            f"developer console at http://{host}:{port}/entwickler, e-mails at http://{host}:{port}/dev/mail; "
            "Ctrl-C stops everything)",
            flush=True,
        )
        uvicorn.run(
            create_app(settings), host=host, port=port, log_config=None, proxy_headers=False, server_header=False
        )
    return 0


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
