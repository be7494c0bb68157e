"""The running `mitmachen dev`, as other commands find it: `dev` writes the URLs of its embedded servers to
`<data dir>/dev-instance.json` and removes the file when it stops, so that `mitmachen tally`, `grant`, `migrate`
and `seed` beside it need no variables."""

from __future__ import annotations

import json
import os
from pathlib import Path

from service.config import ConfigurationError, Settings

FILE_NAME = "dev-instance.json"


def instance_file(settings: Settings) -> Path:
    return settings.data_dir.resolve() / FILE_NAME


def write(settings: Settings) -> Path:
    """Called by `dev` once its servers run; readable by the owner only (the URLs carry no password, but still)."""
    path = instance_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {"pid": os.getpid(), "database_url": settings.database_url, "redis_url": settings.redis_url}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(content, file)
    return path


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def with_running_dev(settings: Settings) -> Settings:
    """`settings` with the database and Redis URLs of the `mitmachen dev` running in the same data folder where
    they are not set; a clear error when neither is there."""
    if settings.database_url is not None:
        return settings
    path = instance_file(settings)
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = None
    if not isinstance(found, dict) or not _alive(found.get("pid")) or not found.get("database_url"):
        raise ConfigurationError(
            f"MITMACHEN_DATABASE_URL is not set and no `mitmachen dev` is running with its data in {path.parent}: "
            "start `mitmachen dev` (in another terminal, from the same folder), or set MITMACHEN_DATABASE_URL"
        )
    updates = {"database_url": found["database_url"]}
    if settings.redis_url is None and found.get("redis_url"):
        updates["redis_url"] = found["redis_url"]
    return settings.model_copy(update=updates)
