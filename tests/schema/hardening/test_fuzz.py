"""Generated documents against the real app: no 500, and no internals (traces, SQL, Python) in any answer.

hypothesis-graphql draws queries and mutations from the committed SDL. Hypothesis is derandomized, so every run
sends the same documents; they are drawn up front (queries and mutations in two processes at once, drawing is the
slow part), then sent to the app, alternately anonymous and as a logged-in citizen. Rate limits are switched off
here: the fuzzer calls the limited mutations hundreds of times.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from mitmachen.runtime import Runtime
from tests.schema.hardening.conftest import AppClient
from tests.support.ideas import insert_idea_directly
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

SDL = (Path(__file__).resolve().parents[3] / "schema" / "schema.graphql").read_text()
DOCUMENTS_PER_KIND = 1000
INTERNALS = re.compile(
    r"Traceback|File \"|line \d+, in |site-packages|sqlalchemy|asyncpg|psycopg|\bSELECT\b.*\bFROM\b|"
    r"\bINSERT INTO\b|\bUPDATE \w+ SET\b|Background on this error|NoneType|object has no attribute|"
    r"KeyError|AttributeError|TypeError|ValueError|IndexError|AssertionError|RuntimeError|<[a-zA-Z_.]+ object at 0x",
)


def _draw(strategy: st.SearchStrategy[str], count: int) -> list[str]:
    drawn: list[str] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(document: str) -> None:
        drawn.append(document)

    collect()
    return drawn


# Values for the schema's own scalars: well-formed ones and strings that are not dates at all.
CUSTOM_SCALARS = {
    "Date": st.one_of(st.dates().map(str), st.text(max_size=12)).map(nodes.String),
    "DateTime": st.one_of(st.datetimes().map(lambda value: value.isoformat()), st.text(max_size=12)).map(nodes.String),
    "JSON": st.text(max_size=20).map(nodes.String),
}


def draw_documents(kind: str, count: int) -> list[str]:
    build = queries if kind == "query" else mutations
    return _draw(build(SDL, custom_scalars=CUSTOM_SCALARS), count)


def test_the_draw_is_the_same_on_every_run() -> None:
    assert draw_documents("mutation", 20) == draw_documents("mutation", 20)


async def test_generated_documents_never_break_the_api(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    await insert_idea_directly(runtime, author_id=clara.user_id, town="soest", title="Mehr Bänke am Wall")
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        drawn = await asyncio.gather(
            *(loop.run_in_executor(pool, draw_documents, kind, DOCUMENTS_PER_KIND) for kind in ("query", "mutation"))
        )
    documents = drawn[0] + drawn[1]
    assert len(documents) == 2 * DOCUMENTS_PER_KIND
    assert all(document.lstrip().startswith("mutation") for document in drawn[1])
    assert len(set(documents)) >= len(documents) // 2, "the strategies should produce varied documents"

    failures: list[str] = []
    internal: list[str] = []
    logging.disable(logging.CRITICAL)  # each refused document would log a traceback: slow, and not looked at here
    try:
        async with app_client(rate_limit_enabled=False) as http:
            for index, document in enumerate(documents):
                headers = clara.headers if index % 2 else {}
                response = await http.post("/graphql", json={"query": document}, headers=headers)
                if response.status_code >= 500 or INTERNALS.search(response.text):
                    failures.append(f"{response.status_code} {document[:300]!r} -> {response.text[:300]}")
                if "INTERNAL_SERVER_ERROR" in response.text:
                    internal.append(document)
    finally:
        logging.disable(logging.NOTSET)

    assert failures == []
    # Stricter than "no 500": no generated document reaches an unexpected exception (a masked internal error).
    assert internal == []
