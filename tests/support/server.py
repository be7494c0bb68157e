"""A real `mitmachen serve` process on 127.0.0.1 (uvicorn included), for tests that need its HTTP layer and log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from mitmachen.embedded import free_port
from service.config import Settings

PROJECT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60.0


@dataclass
class ServeProcess:
    url: str
    log: Path
    pid: int = 0

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _environment(settings: Settings, extra: dict[str, str]) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    assert settings.database_url is not None
    assert settings.redis_url is not None
    environment |= {
        "MITMACHEN_ENVIRONMENT": settings.environment.value,
        "MITMACHEN_DATABASE_URL": settings.database_url,
        "MITMACHEN_REDIS_URL": settings.redis_url,
        "MITMACHEN_OIDC_ISSUER": ",".join(settings.oidc_issuer),
        "MITMACHEN_OIDC_AUDIENCE": settings.oidc_audience,
        "MITMACHEN_PUBLIC_URL": settings.public_url,
        "MITMACHEN_DATABASE_POOL_SIZE": "2",
        "MITMACHEN_RATE_LIMIT_PER_ADDRESS": str(settings.rate_limit_per_address),
        "MITMACHEN_RATE_LIMIT_PER_PERSON": str(settings.rate_limit_per_person),
        "MITMACHEN_QUERY_BUDGET_ENABLED": str(settings.query_budget_enabled).lower(),
        "MITMACHEN_FAIR_ADMISSION": str(settings.fair_admission).lower(),
    }
    return environment | extra


@contextmanager
def serve_process(settings: Settings, log: Path, **extra: str) -> Iterator[ServeProcess]:
    """`mitmachen serve` with the test settings (and `MITMACHEN_*` overrides in `extra`); stopped on exit."""
    port = free_port()
    with log.open("ab") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "mitmachen", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT,
            env=_environment(settings, extra),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = ServeProcess(f"http://127.0.0.1:{port}", log, process.pid)
    try:
        wait_until_answering(process, f"{served.url}/healthz", log, seconds=STARTUP_SECONDS, what="mitmachen serve")
        yield served
    finally:
        stop(process, grace=15)


def wait_until_answering(process: subprocess.Popen[bytes], url: str, log: Path, *, seconds: float, what: str) -> None:
    """Until `url` answers 200; fails with the end of the process's log if it exits or stays silent."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what} did not answer within {seconds} s:\n{log.read_text(errors='replace')[-4000:]}"
            )
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes], *, grace: float) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds."""
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
