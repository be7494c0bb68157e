"""JSON log lines on stderr, each carrying the request id of the request (or job) that wrote it."""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
# Paths that carry a secret: the single-use link of a data export. Whoever reads the logs must not be able to use it.
_SECRET_IN_PATH = re.compile(r"(/me/export/)[^\s\"'?#/\\]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """`text` with every secret a path carries replaced by `[redacted]`."""
    return _SECRET_IN_PATH.sub(rf"\g<1>{REDACTED}", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_")
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # Redacted as a whole line: the message, its arguments (uvicorn's access log puts the path there), extra
        # fields and tracebacks alike.
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
