"""How long Ctrl-C on `mitmachen dev` takes: start `dev` in a fresh data folder, wait until /readyz answers, send
SIGINT, time until the process (and everything it started) has exited. Prints one line per run.

    uv run python bench/dev_stop.py [--runs 3]

Each run starts embedded PostgreSQL and Valkey, so it takes 20-40 s; the stop time is what it reports.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from mitmachen.embedded import free_port


def one_run(data_dir: Path) -> tuple[float, float]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    env["MITMACHEN_DATA_DIR"] = str(data_dir)
    started = time.monotonic()
    log = data_dir.parent / "dev.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "mitmachen", "dev", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    while True:
        if process.poll() is not None:
            raise SystemExit(f"mitmachen dev exited with {process.returncode} before it was ready")
        try:
            api_ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
        except httpx.TransportError:
            api_ready = False
        # The worker is up once it has run its start-up heartbeat (a SIGINT before that meets a worker that is
        # still importing, which measures nothing).
        if api_ready and "system.heartbeat.cron" in log.read_text(errors="replace").split("Mitmachen is running")[-1]:
            break
        time.sleep(0.2)
    ready = time.monotonic() - started
    time.sleep(2)
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    process.wait(60)
    return ready, time.monotonic() - interrupted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for run in range(1, args.runs + 1):
            ready, stopped = one_run(Path(folder) / "data")
            print(f"run {run}: ready after {ready:.1f} s, stopped {stopped:.2f} s after SIGINT")  # noqa: T201


if __name__ == "__main__":
    main()
