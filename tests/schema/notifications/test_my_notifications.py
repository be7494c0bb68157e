"""A person's notifications in the API: only their own, newest first, paged, read and unread."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from strawberry.relay import GlobalID

from mitmachen.runtime import Runtime
from service.notifications.models import Notification
from service.notifications.service import notify
from service.privacy.jobs import ExportRef
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.privacy import EXPORT, Citizen, citizen
from workers.jobs.privacy import export as build_export

NOTIFICATIONS = """
query N($first: Int!, $after: String, $unreadOnly: Boolean!) {
  me {
    unreadNotifications
    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      edges { cursor node { id kind subject body read readAt createdAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
MARK = """
mutation M($ids: [ID!], $all: Boolean!) {
  markNotificationsRead(ids: $ids, all: $all) {
    __typename
    ... on NotificationsMarkedRead { marked unread }
    ... on UserError { code field message }
  }
}
"""


async def _mine(graphql: GraphQLClient, who: Citizen, *, first: int = 20, **variables: Any) -> dict[str, Any]:
    body = await graphql(NOTIFICATIONS, {"first": first, "unreadOnly": False} | variables, headers=who.headers)
    assert "errors" not in body, body
    me: dict[str, Any] = body["data"]["me"]
    return me


async def _notify(runtime: Runtime, who: Citizen, subject: str) -> None:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        notify(session, user_id=who.person.user_id, kind="idea.answered", subject=subject, body=f"{subject} …")


async def test_the_export_link_appears_in_the_notifications_of_its_addressee_only(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await citizen(runtime, oidc_provider, "clara-notes", "Clara")
    omar = await citizen(runtime, oidc_provider, "omar-notes", "Omar")
    requested = (await graphql(EXPORT, headers=clara.headers))["data"]["exportMyData"]
    assert (
        await build_export(
            {"runtime": runtime}, ExportRef(uuid.UUID(GlobalID.from_id(requested["export"]["id"]).node_id))
        )
        == "built"
    )

    hers = await _mine(graphql, clara)
    his = await _mine(graphql, omar)
    anonymous = await graphql(NOTIFICATIONS, {"first": 5, "unreadOnly": False})

    [edge] = hers["notifications"]["edges"]
    assert edge["node"]["kind"] == "privacy.export_ready"
    assert "/me/export/" in edge["node"]["body"]
    assert (edge["node"]["read"], edge["node"]["readAt"], hers["unreadNotifications"]) == (False, None, 1)
    assert his == {
        "unreadNotifications": 0,
        "notifications": {"edges": [], "pageInfo": his["notifications"]["pageInfo"]},
    }
    assert anonymous == {"data": {"me": None}}

    # Nobody else reaches it through its global id either.
    node = "query Q($id: ID!) { node(id: $id) { ... on Notification { subject } } }"
    theirs = await graphql(node, {"id": edge["node"]["id"]}, headers=omar.headers)
    own = await graphql(node, {"id": edge["node"]["id"]}, headers=clara.headers)
    assert theirs == {"data": {"node": None}}
    assert own["data"]["node"]["subject"] == edge["node"]["subject"]


async def test_notifications_page_newest_first_and_are_marked_read_by_id_or_all(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await citizen(runtime, oidc_provider, "clara-pages", "Clara")
    for number in range(5):
        await _notify(runtime, clara, f"Nachricht {number}")

    first = await _mine(graphql, clara, first=2)
    rest = await _mine(graphql, clara, first=10, after=first["notifications"]["pageInfo"]["endCursor"])
    subjects = [edge["node"]["subject"] for page in (first, rest) for edge in page["notifications"]["edges"]]
    assert subjects == [f"Nachricht {number}" for number in (4, 3, 2, 1, 0)]
    assert (first["notifications"]["pageInfo"]["hasNextPage"], rest["notifications"]["pageInfo"]["hasNextPage"]) == (
        True,
        False,
    )

    newest = [edge["node"]["id"] for edge in first["notifications"]["edges"]]
    marked = await graphql(MARK, {"ids": newest, "all": False}, headers=clara.headers)
    again = await graphql(MARK, {"ids": newest, "all": False}, headers=clara.headers)
    unread = await _mine(graphql, clara, unreadOnly=True)

    assert marked["data"]["markNotificationsRead"] == {
        "__typename": "NotificationsMarkedRead",
        "marked": 2,
        "unread": 3,
    }
    assert again["data"]["markNotificationsRead"]["marked"] == 0, "marking again changes nothing"
    assert [edge["node"]["subject"] for edge in unread["notifications"]["edges"]] == [
        "Nachricht 2",
        "Nachricht 1",
        "Nachricht 0",
    ]
    everything = await graphql(MARK, {"ids": None, "all": True}, headers=clara.headers)
    assert everything["data"]["markNotificationsRead"] == {
        "__typename": "NotificationsMarkedRead",
        "marked": 3,
        "unread": 0,
    }
    assert all(
        edge["node"]["read"] and edge["node"]["readAt"]
        for edge in (await _mine(graphql, clara))["notifications"]["edges"]
    )


async def test_marking_someone_elses_notification_or_bad_input_is_refused_and_marks_nothing(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await citizen(runtime, oidc_provider, "clara-mark", "Clara")
    omar = await citizen(runtime, oidc_provider, "omar-mark", "Omar")
    await _notify(runtime, clara, "Für Clara")
    await _notify(runtime, omar, "Für Omar")
    hers = (await _mine(graphql, clara))["notifications"]["edges"][0]["node"]["id"]
    his = (await _mine(graphql, omar))["notifications"]["edges"][0]["node"]["id"]

    results = [
        (await graphql(MARK, variables, headers=omar.headers))["data"]["markNotificationsRead"]
        for variables in (
            {"ids": [hers], "all": False},
            {"ids": [his, hers], "all": False},
            {"ids": None, "all": False},
            {"ids": [his], "all": True},
            {"ids": [], "all": False},
            {"ids": ["kaputt"], "all": False},
        )
    ]

    assert [(result["__typename"], result["code"], result["field"]) for result in results] == [
        ("NotFound", "NOT_FOUND", "ids"),
        ("NotFound", "NOT_FOUND", "ids"),
        ("InvalidInput", "INVALID_INPUT", "ids"),
        ("InvalidInput", "INVALID_INPUT", "ids"),
        ("InvalidInput", "INVALID_INPUT", "ids"),
        ("InvalidInput", "INVALID_INPUT", "ids"),
    ]
    assert all(result["message"] for result in results)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await session.scalar(select(func.count()).where(Notification.read_at.is_not(None))) == 0
