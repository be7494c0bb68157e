"""`town.organisations(status:)`: the town's staff and admins (and region admins) find every organisation, those
waiting for verification included; everyone else sees verified ones (and managers their own)."""

from __future__ import annotations

from typing import Any

import pytest

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.volunteering import registered_organisation

LIST = """
query List($slug: String!, $status: OrganisationStatus, $first: Int, $after: String) {
  town(slug: $slug) {
    organisations(status: $status, first: $first, after: $after) {
      edges { cursor node { id name isVerified } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

VERIFIED = "Tafel Soest e. V."
WAITING = VERIFIED  # the same name: the flag tells them apart
CALLERS: dict[str, tuple[tuple[Role, str | None], ...] | None] = {
    "anonymous": None,
    "citizen": (),
    "moderator of Soest": ((Role.MODERATOR, "soest"),),
    "staff of Soest": ((Role.STAFF, "soest"),),
    "admin of Soest": ((Role.ADMIN, "soest"),),
    "staff of Olpe": ((Role.STAFF, "olpe"),),
    "admin of Olpe": ((Role.ADMIN, "olpe"),),
    "region staff": ((Role.REGION_STAFF, None),),
    "region admin": ((Role.REGION_ADMIN, None),),
    "manager of the verified one": (),
    "manager of the waiting one": (),
}
SEES_ALL = {"staff of Soest", "admin of Soest", "region admin"}


async def _names(
    graphql: GraphQLClient, who: Person | None, status: str | None, slug: str = "soest"
) -> list[tuple[str, bool]]:
    body = await graphql(LIST, {"slug": slug, "status": status}, headers=who.headers if who else {})
    assert "errors" not in body, body
    edges: list[dict[str, Any]] = body["data"]["town"]["organisations"]["edges"]
    return [(edge["node"]["name"], edge["node"]["isVerified"]) for edge in edges]


@pytest.mark.parametrize("kind", list(CALLERS))
async def test_each_caller_finds_the_organisations_they_may_see(
    kind: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    verified = await registered_organisation(graphql, runtime, oidc_provider, manager_subject="manni")
    waiting = await registered_organisation(graphql, runtime, oidc_provider, manager_subject="berta", verified=False)
    await registered_organisation(graphql, runtime, oidc_provider, town="olpe", manager_subject="otto", verified=False)
    held = CALLERS[kind]
    if kind == "manager of the verified one":
        caller: Person | None = verified.manager
    elif kind == "manager of the waiting one":
        caller = waiting.manager
    else:
        caller = None if held is None else await person(runtime, oidc_provider, f"caller-{kind}", roles_held=held)

    everything = await _names(graphql, caller, None)
    only_waiting = await _names(graphql, caller, "UNVERIFIED")
    only_verified = await _names(graphql, caller, "VERIFIED")

    if kind in SEES_ALL or kind == "manager of the waiting one":
        assert everything == [(WAITING, False), (VERIFIED, True)]
        assert only_waiting == [(WAITING, False)]
    else:
        assert everything == [(VERIFIED, True)]
        assert only_waiting == []
    assert only_verified == [(VERIFIED, True)]
    # Olpe's waiting organisation: only those serving Olpe (or the whole region) see it.
    in_olpe = await _names(graphql, caller, "UNVERIFIED", slug="olpe")
    assert len(in_olpe) == (1 if kind in {"staff of Olpe", "admin of Olpe", "region admin"} else 0)


async def test_pages_follow_each_other_and_a_bad_cursor_is_refused(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    for number in range(3):
        await registered_organisation(
            graphql, runtime, oidc_provider, manager_subject=f"manager-{number}", verified=number == 1
        )
    staff = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    seen: list[str] = []
    after = None
    while True:
        body = await graphql(LIST, {"slug": "soest", "first": 1, "after": after}, headers=staff.headers)
        page = body["data"]["town"]["organisations"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(seen) == len(set(seen)) == 3
    bad = await graphql(LIST, {"slug": "soest", "after": "bm9wZQ=="}, headers=staff.headers)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    too_many = await graphql(LIST, {"slug": "soest", "first": 101}, headers=staff.headers)
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
