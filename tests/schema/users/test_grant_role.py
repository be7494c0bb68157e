"""Granting and revoking roles: who may do it, what it changes, and what a refusal leaves untouched."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from service.audit.models import AuditEntry
from service.auth.models import RoleGrant
from service.auth.viewer import Role
from service.users.models import User
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person, town_id

GRANT_ROLE = """
mutation GrantRole($input: RoleInput!) {
  grantRole(input: $input) {
    __typename
    ... on RoleGranted { user { id displayName } role town { slug } }
    ... on UserError { code field message }
  }
}
"""
REVOKE_ROLE = """
mutation RevokeRole($input: RoleInput!) {
  revokeRole(input: $input) {
    __typename
    ... on RoleRevoked { user { id displayName } role town { slug } wasHeld }
    ... on UserError { code field message }
  }
}
"""
TOWN_ID = "query TownId($slug: String!) { town(slug: $slug) { id } }"
MY_ROLES = "query { me { roles { role town { slug } } } }"
CHOOSE_HOME_TOWN = """
mutation ChooseHomeTown($slug: String!) {
  chooseHomeTown(townSlug: $slug) {
    __typename
    ... on HomeTownChosen { me { homeTown { slug } } }
    ... on UserError { code field }
  }
}
"""

Roles = tuple[tuple[Role, str | None], ...]

# Every caller of the matrix; None is nobody logged in.
CALLERS: dict[str, Roles | None] = {
    "anonymous": None,
    "citizen": (),
    "moderator of Olpe": ((Role.MODERATOR, "olpe"),),
    "staff of Olpe": ((Role.STAFF, "olpe"),),
    "admin of Olpe": ((Role.ADMIN, "olpe"),),
    "admin of Soest": ((Role.ADMIN, "soest"),),
    "region staff": ((Role.REGION_STAFF, None),),
    "region admin": ((Role.REGION_ADMIN, None),),
}


@dataclass(frozen=True)
class Change:
    role: Role
    town: str | None
    allowed: frozenset[str]


CHANGES: dict[str, Change] = {
    "moderator in Olpe": Change(Role.MODERATOR, "olpe", frozenset({"admin of Olpe", "region admin"})),
    "region staff": Change(Role.REGION_STAFF, None, frozenset({"region admin"})),
}

ALLOWED = [(caller, change) for change, spec in CHANGES.items() for caller in CALLERS if caller in spec.allowed]
REFUSED = [(caller, change) for change, spec in CHANGES.items() for caller in CALLERS if caller not in spec.allowed]


def _ids(pair: tuple[str, str]) -> str:
    caller, change = pair
    return f"{caller} -> {change}"


# ----------------------------------------------------------------------------- helpers


async def _caller(runtime: Runtime, provider: OidcProvider, name: str) -> tuple[dict[str, str], uuid.UUID | None]:
    """Headers to call as `name` of `CALLERS`, and the caller's user id (None for anonymous)."""
    held = CALLERS[name]
    if held is None:
        return {}, None
    caller = await person(runtime, provider, "caller", roles_held=held, name=name.title())
    return caller.headers, caller.user_id


async def _citizen(runtime: Runtime, provider: OidcProvider, *, roles_held: Roles = ()) -> Person:
    return await person(runtime, provider, "target", roles_held=roles_held, name="Tina Target")


def _user_id(user: uuid.UUID) -> str:
    return to_base64("User", str(user))


async def _town_global_id(graphql: GraphQLClient, slug: str | None) -> str | None:
    if slug is None:
        return None
    found: str = (await graphql(TOWN_ID, {"slug": slug}))["data"]["town"]["id"]
    return found


async def _role_input(graphql: GraphQLClient, target: Person, change: Change) -> dict[str, Any]:
    return {
        "userId": _user_id(target.user_id),
        "role": change.role.name,
        "townId": await _town_global_id(graphql, change.town),
    }


async def _grants(runtime: Runtime, user: uuid.UUID) -> set[tuple[str, uuid.UUID | None]]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        rows = await session.execute(select(RoleGrant.role, RoleGrant.town_id).where(RoleGrant.user_id == user))
        return {(role, town) for role, town in rows}


async def _granted_by(runtime: Runtime, user: uuid.UUID) -> list[uuid.UUID | None]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return list(await session.scalars(select(RoleGrant.granted_by_id).where(RoleGrant.user_id == user)))


async def _audit(runtime: Runtime) -> dict[uuid.UUID, AuditEntry]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return {entry.id: entry for entry in await session.scalars(select(AuditEntry))}


async def _new_audit_entries(runtime: Runtime, before: dict[uuid.UUID, AuditEntry]) -> list[AuditEntry]:
    return [entry for entry_id, entry in (await _audit(runtime)).items() if entry_id not in before]


async def _queued(runtime: Runtime) -> int:
    return int(await runtime.redis.zcard("arq:queue"))


async def _home_town(runtime: Runtime, user: uuid.UUID) -> uuid.UUID | None:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return await session.scalar(select(User.home_town_id).where(User.id == user))


def _refusal_code(body: dict[str, Any], field: str) -> str:
    """The code of a top-level error, after checking that the field itself produced no data."""
    assert (body.get("data") or {}).get(field) is None, body
    errors = body.get("errors") or []
    assert len(errors) == 1, body
    code: str = errors[0]["extensions"]["code"]
    return code


def _expected_refusal(caller: str) -> str:
    return "UNAUTHENTICATED" if caller == "anonymous" else "FORBIDDEN"


async def _expected_town_id(runtime: Runtime, slug: str | None) -> uuid.UUID | None:
    return await town_id(runtime, slug) if slug else None


# ----------------------------------------------------------------------------- the matrix: grantRole


@pytest.mark.parametrize(("caller", "change"), REFUSED, ids=[_ids(pair) for pair in REFUSED])
async def test_a_refused_grant_changes_nothing(
    caller: str, change: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await _caller(runtime, oidc_provider, caller)
    target = await _citizen(runtime, oidc_provider)
    role_input = await _role_input(graphql, target, CHANGES[change])
    audit_before = await _audit(runtime)

    body = await graphql(GRANT_ROLE, {"input": role_input}, headers=headers)

    assert _refusal_code(body, "grantRole") == _expected_refusal(caller)
    assert await _grants(runtime, target.user_id) == set()
    assert await _new_audit_entries(runtime, audit_before) == []
    assert await _queued(runtime) == 0


@pytest.mark.parametrize(("caller", "change"), ALLOWED, ids=[_ids(pair) for pair in ALLOWED])
async def test_an_allowed_grant_gives_the_role_and_is_audited(
    caller: str, change: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    spec = CHANGES[change]
    headers, caller_id = await _caller(runtime, oidc_provider, caller)
    target = await _citizen(runtime, oidc_provider)
    role_input = await _role_input(graphql, target, spec)
    audit_before = await _audit(runtime)
    expected_town = await _expected_town_id(runtime, spec.town)

    body = await graphql(GRANT_ROLE, {"input": role_input}, headers=headers)

    assert body == {
        "data": {
            "grantRole": {
                "__typename": "RoleGranted",
                "user": {"id": _user_id(target.user_id), "displayName": "Tina Target"},
                "role": spec.role.name,
                "town": {"slug": spec.town} if spec.town else None,
            }
        }
    }
    assert await _grants(runtime, target.user_id) == {(spec.role.value, expected_town)}
    assert await _granted_by(runtime, target.user_id) == [caller_id]
    [entry] = await _new_audit_entries(runtime, audit_before)
    assert entry.action == "role.granted"
    assert entry.actor_id == caller_id
    assert entry.subject_type == "user"
    assert entry.subject_id == target.user_id
    assert entry.town_id == expected_town
    assert entry.before is None
    assert entry.after == {"role": spec.role.value, "town_id": str(expected_town) if expected_town else None}
    assert await _queued(runtime) == 0


async def test_admin_of_olpe_cannot_grant_roles_in_soest(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await _caller(runtime, oidc_provider, "admin of Olpe")
    target = await _citizen(runtime, oidc_provider)
    role_input = await _role_input(graphql, target, Change(Role.MODERATOR, "soest", frozenset()))
    audit_before = await _audit(runtime)

    body = await graphql(GRANT_ROLE, {"input": role_input}, headers=headers)

    assert _refusal_code(body, "grantRole") == "FORBIDDEN"
    assert await _grants(runtime, target.user_id) == set()
    assert await _new_audit_entries(runtime, audit_before) == []


async def test_admin_of_olpe_cannot_make_anyone_region_admin(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await _caller(runtime, oidc_provider, "admin of Olpe")
    target = await _citizen(runtime, oidc_provider)
    role_input = await _role_input(graphql, target, Change(Role.REGION_ADMIN, None, frozenset()))

    body = await graphql(GRANT_ROLE, {"input": role_input}, headers=headers)

    assert _refusal_code(body, "grantRole") == "FORBIDDEN"
    assert await _grants(runtime, target.user_id) == set()


# ----------------------------------------------------------------------------- the matrix: revokeRole


@pytest.mark.parametrize(("caller", "change"), REFUSED, ids=[_ids(pair) for pair in REFUSED])
async def test_a_refused_revoke_changes_nothing(
    caller: str, change: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    spec = CHANGES[change]
    headers, _ = await _caller(runtime, oidc_provider, caller)
    target = await _citizen(runtime, oidc_provider, roles_held=((spec.role, spec.town),))
    role_input = await _role_input(graphql, target, spec)
    grants_before = await _grants(runtime, target.user_id)
    audit_before = await _audit(runtime)

    body = await graphql(REVOKE_ROLE, {"input": role_input}, headers=headers)

    assert _refusal_code(body, "revokeRole") == _expected_refusal(caller)
    assert grants_before == {(spec.role.value, await _expected_town_id(runtime, spec.town))}
    assert await _grants(runtime, target.user_id) == grants_before
    assert await _new_audit_entries(runtime, audit_before) == []
    assert await _queued(runtime) == 0


@pytest.mark.parametrize(("caller", "change"), ALLOWED, ids=[_ids(pair) for pair in ALLOWED])
async def test_an_allowed_revoke_takes_the_role_away_and_is_audited(
    caller: str, change: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    spec = CHANGES[change]
    headers, caller_id = await _caller(runtime, oidc_provider, caller)
    target = await _citizen(runtime, oidc_provider, roles_held=((spec.role, spec.town),))
    role_input = await _role_input(graphql, target, spec)
    audit_before = await _audit(runtime)
    expected_town = await _expected_town_id(runtime, spec.town)

    body = await graphql(REVOKE_ROLE, {"input": role_input}, headers=headers)

    assert body["data"]["revokeRole"] == {
        "__typename": "RoleRevoked",
        "user": {"id": _user_id(target.user_id), "displayName": "Tina Target"},
        "role": spec.role.name,
        "town": {"slug": spec.town} if spec.town else None,
        "wasHeld": True,
    }
    assert await _grants(runtime, target.user_id) == set()
    [entry] = await _new_audit_entries(runtime, audit_before)
    assert entry.action == "role.revoked"
    assert entry.actor_id == caller_id
    assert entry.subject_id == target.user_id
    assert entry.town_id == expected_town
    assert entry.before == {"role": spec.role.value, "town_id": str(expected_town) if expected_town else None}
    assert entry.after is None
    assert await _queued(runtime) == 0


# ----------------------------------------------------------------------------- idempotence and user errors


async def test_granting_the_same_role_twice_keeps_one_grant_and_one_audit_entry(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await _caller(runtime, oidc_provider, "admin of Olpe")
    target = await _citizen(runtime, oidc_provider)
    role_input = await _role_input(graphql, target, CHANGES["moderator in Olpe"])
    audit_before = await _audit(runtime)

    first = await graphql(GRANT_ROLE, {"input": role_input}, headers=headers)
    second = await graphql(GRANT_ROLE, {"input": role_input}, headers=headers)

    assert first == second
    assert second["data"]["grantRole"]["__typename"] == "RoleGranted"
    assert await _grants(runtime, target.user_id) == {("moderator", await town_id(runtime, "olpe"))}
    assert [entry.action for entry in await _new_audit_entries(runtime, audit_before)] == ["role.granted"]


async def test_a_grant_then_a_revoke_leaves_two_audit_entries_and_no_role(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, caller_id = await _caller(runtime, oidc_provider, "admin of Olpe")
    target = await _citizen(runtime, oidc_provider)
    role_input = await _role_input(graphql, target, CHANGES["moderator in Olpe"])
    audit_before = await _audit(runtime)

    await graphql(GRANT_ROLE, {"input": role_input}, headers=headers)
    body = await graphql(REVOKE_ROLE, {"input": role_input}, headers=headers)

    assert body["data"]["revokeRole"]["wasHeld"] is True
    assert await _grants(runtime, target.user_id) == set()
    entries = sorted(await _new_audit_entries(runtime, audit_before), key=lambda entry: entry.action)
    assert [(entry.action, entry.actor_id, entry.subject_id) for entry in entries] == [
        ("role.granted", caller_id, target.user_id),
        ("role.revoked", caller_id, target.user_id),
    ]


async def test_revoking_a_role_not_held_reports_was_held_false_and_records_nothing(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await _caller(runtime, oidc_provider, "admin of Olpe")
    target = await _citizen(runtime, oidc_provider, roles_held=((Role.STAFF, "olpe"),))
    role_input = await _role_input(graphql, target, CHANGES["moderator in Olpe"])
    audit_before = await _audit(runtime)

    body = await graphql(REVOKE_ROLE, {"input": role_input}, headers=headers)

    assert body["data"]["revokeRole"]["__typename"] == "RoleRevoked"
    assert body["data"]["revokeRole"]["wasHeld"] is False
    assert await _grants(runtime, target.user_id) == {("staff", await town_id(runtime, "olpe"))}
    assert await _new_audit_entries(runtime, audit_before) == []


@dataclass(frozen=True)
class Mistake:
    role: Role
    town: str | None
    typename: str
    code: str


MISTAKES: dict[str, Mistake] = {
    "moderator without a town": Mistake(Role.MODERATOR, None, "InvalidInput", "ROLE_NEEDS_TOWN"),
    "region staff in a town": Mistake(Role.REGION_STAFF, "olpe", "InvalidInput", "ROLE_IS_REGION_WIDE"),
    # The role belongs to one organisation, which a RoleInput cannot name.
    "organisation manager in a town": Mistake(
        Role.ORGANISATION_MANAGER, "olpe", "InvalidInput", "ROLE_NEEDS_ORGANISATION"
    ),
    "organisation manager region-wide": Mistake(
        Role.ORGANISATION_MANAGER, None, "InvalidInput", "ROLE_NEEDS_ORGANISATION"
    ),
    "admin without a town": Mistake(Role.ADMIN, None, "InvalidInput", "ROLE_NEEDS_TOWN"),
    "region admin in a town": Mistake(Role.REGION_ADMIN, "olpe", "InvalidInput", "ROLE_IS_REGION_WIDE"),
}


@pytest.mark.parametrize("mutation", [GRANT_ROLE, REVOKE_ROLE], ids=["grantRole", "revokeRole"])
@pytest.mark.parametrize("mistake", list(MISTAKES))
async def test_a_role_that_does_not_fit_the_town_is_a_user_error_and_changes_nothing(
    mistake: str, mutation: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    spec = MISTAKES[mistake]
    headers, _ = await _caller(runtime, oidc_provider, "region admin")
    target = await _citizen(runtime, oidc_provider)
    role_input = await _role_input(graphql, target, Change(spec.role, spec.town, frozenset()))
    audit_before = await _audit(runtime)

    body = await graphql(mutation, {"input": role_input}, headers=headers)

    assert "errors" not in body
    [result] = body["data"].values()
    assert result["__typename"] == spec.typename
    assert result["code"] == spec.code
    assert result["message"]
    assert await _grants(runtime, target.user_id) == set()
    assert await _new_audit_entries(runtime, audit_before) == []


async def test_an_unknown_user_is_not_found(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await _caller(runtime, oidc_provider, "region admin")
    role_input = {
        "userId": _user_id(uuid.uuid4()),
        "role": "MODERATOR",
        "townId": await _town_global_id(graphql, "olpe"),
    }
    audit_before = await _audit(runtime)

    body = await graphql(GRANT_ROLE, {"input": role_input}, headers=headers)

    assert body["data"]["grantRole"]["__typename"] == "NotFound"
    assert body["data"]["grantRole"]["code"] == "UNKNOWN_USER"
    assert await _new_audit_entries(runtime, audit_before) == []


async def test_an_unknown_town_is_not_found(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await _caller(runtime, oidc_provider, "region admin")
    target = await _citizen(runtime, oidc_provider)
    role_input = {
        "userId": _user_id(target.user_id),
        "role": "MODERATOR",
        "townId": to_base64("Town", str(uuid.uuid4())),
    }

    body = await graphql(GRANT_ROLE, {"input": role_input}, headers=headers)

    assert body["data"]["grantRole"]["__typename"] == "NotFound"
    assert body["data"]["grantRole"]["code"] == "UNKNOWN_TOWN"
    assert await _grants(runtime, target.user_id) == set()


@pytest.mark.parametrize(
    "user_id",
    ["not-an-id", to_base64("User", "not-a-uuid"), to_base64("Town", str(uuid.uuid4()))],
    ids=["garbage", "not a uuid", "a town id"],
)
async def test_a_malformed_user_id_is_invalid_input_naming_the_field(
    user_id: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await _caller(runtime, oidc_provider, "region admin")
    role_input = {"userId": user_id, "role": "MODERATOR", "townId": await _town_global_id(graphql, "olpe")}
    audit_before = await _audit(runtime)

    body = await graphql(GRANT_ROLE, {"input": role_input}, headers=headers)

    result = body["data"]["grantRole"]
    assert (result["__typename"], result["code"], result["field"]) == ("InvalidInput", "INVALID_INPUT", "userId")
    assert await _new_audit_entries(runtime, audit_before) == []


# ----------------------------------------------------------------------------- the audit log itself


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"],
    ids=["update", "delete"],
)
async def test_the_audit_log_refuses_changes_at_the_database(
    statement: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await _caller(runtime, oidc_provider, "admin of Olpe")
    target = await _citizen(runtime, oidc_provider)
    await graphql(
        GRANT_ROLE, {"input": await _role_input(graphql, target, CHANGES["moderator in Olpe"])}, headers=headers
    )
    before = {entry_id: (entry.action, entry.reason) for entry_id, entry in (await _audit(runtime)).items()}
    assert before, "the audit log must hold entries for the trigger to fire"

    with pytest.raises(DBAPIError, match="append-only"):
        async with runtime.engine.begin() as connection:
            await connection.execute(text(statement))

    after = {entry_id: (entry.action, entry.reason) for entry_id, entry in (await _audit(runtime)).items()}
    assert after == before


# ----------------------------------------------------------------------------- me.roles and chooseHomeTown


async def test_me_lists_the_roles_held_in_every_town_and_region_wide(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    holder = await person(
        runtime,
        oidc_provider,
        "holder",
        roles_held=((Role.MODERATOR, "olpe"), (Role.STAFF, "soest"), (Role.REGION_STAFF, None)),
    )

    body = await graphql(MY_ROLES, headers=holder.headers)

    roles = body["data"]["me"]["roles"]
    assert sorted(roles, key=lambda entry: entry["role"]) == [
        {"role": "MODERATOR", "town": {"slug": "olpe"}},
        {"role": "REGION_STAFF", "town": None},
        {"role": "STAFF", "town": {"slug": "soest"}},
    ]


async def test_a_granted_role_shows_up_in_the_targets_me(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await _caller(runtime, oidc_provider, "admin of Olpe")
    target = await _citizen(runtime, oidc_provider)
    assert (await graphql(MY_ROLES, headers=target.headers))["data"]["me"]["roles"] == []

    await graphql(
        GRANT_ROLE, {"input": await _role_input(graphql, target, CHANGES["moderator in Olpe"])}, headers=headers
    )

    assert (await graphql(MY_ROLES, headers=target.headers))["data"]["me"]["roles"] == [
        {"role": "MODERATOR", "town": {"slug": "olpe"}}
    ]


async def test_a_citizen_chooses_soest_as_home_town(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    citizen = await _citizen(runtime, oidc_provider)

    body = await graphql(CHOOSE_HOME_TOWN, {"slug": "soest"}, headers=citizen.headers)

    assert body == {"data": {"chooseHomeTown": {"__typename": "HomeTownChosen", "me": {"homeTown": {"slug": "soest"}}}}}
    assert await _home_town(runtime, citizen.user_id) == await town_id(runtime, "soest")


async def test_an_unknown_home_town_is_not_found_and_keeps_the_old_one(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    citizen = await _citizen(runtime, oidc_provider)
    await graphql(CHOOSE_HOME_TOWN, {"slug": "olpe"}, headers=citizen.headers)

    body = await graphql(CHOOSE_HOME_TOWN, {"slug": "atlantis"}, headers=citizen.headers)

    assert body == {"data": {"chooseHomeTown": {"__typename": "NotFound", "code": "UNKNOWN_TOWN", "field": "townSlug"}}}
    assert await _home_town(runtime, citizen.user_id) == await town_id(runtime, "olpe")


async def test_anonymous_cannot_choose_a_home_town(graphql: GraphQLClient, runtime: Runtime) -> None:
    body = await graphql(CHOOSE_HOME_TOWN, {"slug": "soest"})

    assert _refusal_code(body, "chooseHomeTown") == "UNAUTHENTICATED"
    assert await _queued(runtime) == 0
