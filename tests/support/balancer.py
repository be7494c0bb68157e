"""Debian's haproxy in front of `mitmachen serve` processes: round robin, health checks on `/healthz`.

haproxy is `/usr/sbin/haproxy` (`.ci/run` installs it): without it the tests that need it fail, they do not skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from mitmachen.embedded import free_port, port_answers
from tests.support.server import ServeProcess

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
# Health checks: every CHECK_SECONDS, a server is taken out after FALL failed checks in a row.
CHECK_SECONDS = 0.5
FALL = 2
# By then haproxy sends nothing more to a process that died: FALL failed checks, and the one before that may have
# just passed when it died.
TAKEN_OUT_WITHIN_SECONDS = CHECK_SECONDS * (FALL + 1)


def _config(port: int, servers: list[ServeProcess]) -> str:
    lines = [
        "global",
        "    maxconn 512",
        # One line per request in haproxy.log, with how it ended (the termination state), for a failure's message.
        "    log stdout format raw local0",
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        "    timeout connect 2s",
        "    timeout client 30s",
        "    timeout server 30s",
        # A connection refused by a dead process is tried on another one (nothing was sent yet).
        "    retries 2",
        "    option redispatch",
        "frontend api",
        f"    bind 127.0.0.1:{port}",
        "    default_backend apis",
        "backend apis",
        "    balance roundrobin",
        "    option httpchk GET /healthz",
    ]
    for number, served in enumerate(servers):
        address = urlsplit(served.url).netloc
        lines.append(f"    server api{number} {address} check inter {int(CHECK_SECONDS * 1000)}ms fall {FALL} rise 1")
    return "\n".join(lines) + "\n"


@contextmanager
def haproxy(directory: Path, servers: list[ServeProcess]) -> Iterator[str]:
    """The balancer's URL, once it listens; stopped on exit."""
    assert os.path.exists(HAPROXY), "haproxy is not installed (Debian package haproxy; .ci/run installs it)"
    port = free_port()
    config = directory / "haproxy.cfg"
    config.write_text(_config(port, servers))
    with (directory / "haproxy.log").open("ab") as sink:
        process = subprocess.Popen(  # noqa: S603 - the system's haproxy with a config written here
            [HAPROXY, "-db", "-f", str(config)], stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 10
        while not port_answers(port):
            assert process.poll() is None, (directory / "haproxy.log").read_text()
            assert time.monotonic() < deadline, "haproxy did not listen within 10 s"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
