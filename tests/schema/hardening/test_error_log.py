"""The log tells refusals from faults: refusals at INFO without a traceback, faults at ERROR with one."""

from __future__ import annotations

import logging

import httpx
import pytest

from mitmachen.runtime import Runtime
from service.towns import service as towns
from tests.schema.hardening.conftest import AppClient
from tests.support.ideas import idea_gid, insert_idea_directly
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

SUPPORT = "mutation Support($id: ID!) { supportIdea(ideaId: $id) { __typename } }"
GRAPHQL_LOGGERS = ("strawberry.execution", "mitmachen.graphql")


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name in GRAPHQL_LOGGERS]


async def test_refusals_are_logged_at_info_without_a_traceback(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider, caplog: pytest.LogCaptureFixture
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    idea = idea_gid(await insert_idea_directly(runtime, author_id=clara.user_id, town="soest", title="Mehr Bänke"))
    caplog.set_level(logging.DEBUG)

    async with app_client(rate_limit_per_person=1) as http:
        bodies = [
            (await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)).json()
            for query, variables, headers in [
                (SUPPORT, {"id": idea}, {}),  # UNAUTHENTICATED
                (SUPPORT, {"id": idea}, clara.headers),  # own idea: a typed error as data, nothing to log
                (SUPPORT, {"id": idea}, clara.headers),  # RATE_LIMITED
                ("{ ideas(first: 0) { pageInfo { hasNextPage } } }", {}, {}),  # BAD_USER_INPUT
                ("{ towns { population } }", {}, {}),  # refused by validation
            ]
        ]

    codes = [error.get("extensions", {}).get("code") for body in bodies for error in body.get("errors", [])]
    assert codes == ["UNAUTHENTICATED", "RATE_LIMITED", "BAD_USER_INPUT", None]
    records = _records(caplog)
    assert [record.levelno for record in records] == [logging.INFO] * 4
    assert [getattr(record, "code", None) for record in records] == codes
    assert all(record.exc_info is None for record in records)


async def test_a_fault_is_logged_at_error_once_with_its_traceback_and_the_request_id(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(towns, "list_towns", broken)
    caplog.set_level(logging.DEBUG)

    body = (await client.post("/graphql", json={"query": "{ towns { slug } }"})).json()

    [error] = body["errors"]
    assert (error["message"], error["extensions"]["code"]) == ("Interner Fehler.", "INTERNAL_SERVER_ERROR")
    [record] = _records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    assert getattr(record, "request_id", None) == error["extensions"]["requestId"]
