"""`mitmachen dev` as a newcomer runs it: embedded servers, demo data, API and worker; Ctrl-C stops it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from mitmachen.embedded import free_port

READY_WITHIN_SECONDS = 60


def _children_of(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def _postgres_processes(data_dir: Path) -> list[psutil.Process]:
    return [
        process
        for process in psutil.process_iter(["name", "cmdline"])
        if process.info["name"] == "postgres" and str(data_dir) in " ".join(process.info["cmdline"] or [])
    ]


def _start(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    env["MITMACHEN_DATA_DIR"] = str(data_dir)
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "mitmachen", "dev", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_ready(port: int, process: subprocess.Popen[str]) -> float:
    started = time.monotonic()
    while time.monotonic() - started < READY_WITHIN_SECONDS:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise AssertionError("mitmachen dev did not become ready")


def _interrupt(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(60)


def test_dev_runs_everything_from_nothing_and_stops_everything_on_ctrl_c(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    process = _start(data_dir, port)
    try:
        _wait_ready(port, process)
        body = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ towns { slug name strategyAreas { name } } }"},
            timeout=10,
        ).json()
        children = _children_of(process.pid)
        assert _postgres_processes(data_dir)
    finally:
        _interrupt(process)

    assert len(body["data"]["towns"]) == 20
    assert all(town["strategyAreas"] for town in body["data"]["towns"])
    assert process.returncode == 0
    psutil.wait_procs(children, timeout=10)
    assert not [child for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]
    assert _postgres_processes(data_dir) == []

    # The data survives a restart: the second start reuses the database (same port file, migrated, seeded).
    second = _start(data_dir, port)
    try:
        _wait_ready(port, second)
    finally:
        _interrupt(second)
    assert (data_dir / "postgres" / "data" / "PG_VERSION").exists()
