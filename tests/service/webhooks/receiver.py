"""A real HTTP receiver on 127.0.0.1 for webhook tests, in a thread: it records what arrives and answers as told."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    host: str = "127.0.0.1"
    scheme: str = "http"
    port: int = 0
    status: int = 204
    answer: bytes = b""
    location: str | None = None
    received: list[Received] = field(default_factory=list)
    # Set when a request has arrived; while `hold` is given and not set, requests wait for it before the answer.
    arrived: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event | None = None

    def url(self, path: str = "/hook") -> str:
        literal = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{literal}:{self.port}{path}"


@contextmanager
def receiver(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """`tls`: serve https with this server context."""
    state = Receiver(host=host, scheme="https" if tls else "http")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            state.arrived.set()
            if state.hold is not None:
                state.hold.wait(60)
            try:
                self.send_response(state.status)
                self.send_header("content-length", str(len(state.answer)))
                if state.location:
                    self.send_header("location", state.location)
                self.end_headers()
                self.wfile.write(state.answer)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender died while the request was held

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
