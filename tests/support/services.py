"""Real PostgreSQL and Redis for the test suite: configured URLs, else the local services, else embedded ones."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from mitmachen.embedded import EmbeddedPostgres, EmbeddedValkey, port_answers

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
# Concurrent runs on one machine (two checkouts, say) must not flush each other's queues. Databases 14 and 15 are
# left to the database-restart test and the image check, which run beside or after the suite.
LOCAL_REDIS_DATABASE = 1 + os.getpid() % 13


@dataclass(frozen=True)
class Services:
    postgres_server_url: str
    redis_url: str


@contextmanager
def test_services() -> Iterator[Services]:
    with ExitStack() as stack:
        postgres = os.environ.get("MITMACHEN_TEST_DATABASE_URL")
        redis = os.environ.get("MITMACHEN_TEST_REDIS_URL")
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mitmachen-test-")))
        if postgres is None:
            if port_answers(5432):
                postgres = LOCAL_POSTGRES
            else:
                embedded_postgres = EmbeddedPostgres(scratch / "postgres")
                postgres = embedded_postgres.start()
                stack.callback(embedded_postgres.stop)
        if redis is None:
            if port_answers(6379):
                redis = f"redis://127.0.0.1:6379/{LOCAL_REDIS_DATABASE}"
            else:
                embedded_valkey = EmbeddedValkey(scratch / "valkey")
                redis = embedded_valkey.start()
                stack.callback(embedded_valkey.stop)
        yield Services(postgres_server_url=postgres, redis_url=redis)
