"""An error that nulls the whole answer cancels sibling resolvers mid-statement; the caller still gets the error."""

from __future__ import annotations

import httpx

from mitmachen.runtime import Runtime
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

# `ideas(first: -1)` fails at once and nulls `data`; graphql-core then cancels `me`, which is waiting for PostgreSQL.
DOCUMENT = "{ ideas(first: -1) { pageInfo { endCursor } } me { email } towns { slug } }"


async def test_a_query_whose_resolvers_were_cancelled_answers_with_its_own_error(
    client: httpx.AsyncClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")

    for _ in range(5):
        response = await client.post("/graphql", json={"query": DOCUMENT}, headers=clara.headers)
        body = response.json()
        codes = [error.get("extensions", {}).get("code") for error in body["errors"]]
        assert "INTERNAL_SERVER_ERROR" not in codes, body
        assert body["data"] is None
        assert any("`first`" in error["message"] for error in body["errors"])
    # The connection went back to the pool in order: the next request works.
    after = await client.post("/graphql", json={"query": "{ me { email } }"}, headers=clara.headers)
    assert after.json()["data"]["me"]["email"] == "clara@example.org"
