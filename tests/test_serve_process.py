"""`mitmachen serve` as deployed: a real uvicorn process on 127.0.0.1, called over real HTTP, its log read back."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest
from strawberry.relay import GlobalID

from mitmachen.runtime import Runtime
from service.config import Settings
from service.privacy.jobs import ExportRef
from tests.conftest import GraphQLClient
from tests.support.ideas import idea_gid, insert_idea_directly
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.privacy import EXPORT, citizen
from tests.support.server import serve_process
from workers.jobs.privacy import export as build_export

SUPPORT = "mutation Support($id: ID!) { supportIdea(ideaId: $id) { __typename } }"
PER_ADDRESS = 3


async def _support_from_chosen_addresses(url: str, people: list[Person], idea: str) -> list[list[str]]:
    """Each person supports once, each claiming another address in X-Forwarded-For."""
    codes = []
    async with httpx.AsyncClient(base_url=url, trust_env=False) as http:
        for index, someone in enumerate(people):
            response = await http.post(
                "/graphql",
                json={"query": SUPPORT, "variables": {"id": idea}},
                headers={**someone.headers, "X-Forwarded-For": f"198.51.100.{index}"},
            )
            assert response.status_code == 200, response.text
            codes.append([error["extensions"]["code"] for error in response.json().get("errors", [])])
    return codes


async def _four_people_and_an_idea(runtime: Runtime, provider: OidcProvider) -> tuple[list[Person], str]:
    people = [await person(runtime, provider, subject) for subject in ("clara", "omar", "ana", "ben")]
    idea = await insert_idea_directly(runtime, author_id=people[0].user_id, town="soest", title="Mehr Bänke")
    return people, idea_gid(idea)


async def test_a_loopback_peer_without_trusted_proxies_cannot_choose_its_address(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, tmp_path: Path
) -> None:
    """A sidecar or a local proxy passing the header on unchanged: the peer (127.0.0.1) is what counts."""
    people, idea = await _four_people_and_an_idea(runtime, oidc_provider)
    limited = settings.model_copy(update={"rate_limit_per_address": PER_ADDRESS})

    with serve_process(limited, tmp_path / "serve.log") as served:
        codes = await _support_from_chosen_addresses(served.url, people, idea)

    assert codes == [[], [], [], ["RATE_LIMITED"]]


async def test_forwarded_for_is_believed_from_a_configured_proxy(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, tmp_path: Path
) -> None:
    people, idea = await _four_people_and_an_idea(runtime, oidc_provider)
    limited = settings.model_copy(update={"rate_limit_per_address": PER_ADDRESS})

    with serve_process(limited, tmp_path / "serve.log", MITMACHEN_TRUSTED_PROXIES="127.0.0.1/32") as served:
        codes = await _support_from_chosen_addresses(served.url, people, idea)

    assert codes == [[], [], [], []]  # four client addresses, one call each


@pytest.mark.parametrize("outcome", ["downloaded", "refused"])
async def test_the_export_token_never_appears_in_the_log(
    outcome: str,
    *,
    settings: Settings,
    runtime: Runtime,
    graphql: GraphQLClient,
    oidc_provider: OidcProvider,
    tmp_path: Path,
) -> None:
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    requested = (await graphql(EXPORT, headers=anna.headers))["data"]["exportMyData"]
    assert (
        await build_export(
            {"runtime": runtime}, ExportRef(uuid.UUID(GlobalID.from_id(requested["export"]["id"]).node_id))
        )
        == "built"
    )
    async with runtime.engine.connect() as connection:
        body = (await connection.exec_driver_sql("SELECT body FROM notifications")).scalar_one()
    found = re.search(r"/me/export/([A-Za-z0-9_-]+)", body)
    assert found is not None
    token = found.group(1)

    with serve_process(settings, tmp_path / "serve.log", MITMACHEN_LOG_LEVEL="DEBUG") as served:
        async with httpx.AsyncClient(base_url=served.url, trust_env=False) as http:
            headers = anna.headers if outcome == "downloaded" else {}
            response = await http.get(f"/me/export/{token}?download=1", headers=headers)
        log = served.output()

    assert response.status_code == (200 if outcome == "downloaded" else 401)
    assert "/me/export/[redacted]" in log  # the access log line of the download is there, redacted
    assert token not in log
    assert token[:16] not in log
