"""A Valkey of the test's own for the delivery tests: stopped and restarted at will, shared with nobody."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mitmachen.embedded import EmbeddedValkey


@pytest.fixture
def valkey(tmp_path: Path) -> Iterator[EmbeddedValkey]:
    server = EmbeddedValkey(tmp_path / "valkey")
    server.start()
    try:
        yield server
    finally:
        server.stop()
