"""Webhook subscriptions through GraphQL: a town's admins manage them, the secret is shown once, bad input changes
nothing, and every change is audited (never with a secret)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from mitmachen.runtime import Runtime
from service.audit.models import AuditEntry
from service.auth.viewer import Role
from service.kit.errors import UserError
from service.webhooks.errors import WebhookErrorCode
from service.webhooks.models import WebhookSubscription
from service.webhooks.subscriptions import check_url
from tests.conftest import GraphQLClient
from tests.support.ideas import town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

ERROR = "__typename ... on UserError { code field message }"
SUBSCRIPTION = "subscription { id url eventTypes status previousSecretValidUntil }"


def _document(name: str, arguments: str, call: str, success: str, selection: str) -> str:
    return f"mutation M{arguments} {{ {name}{call} {{ {ERROR} ... on {success} {{ {selection} }} }} }}"


CREATE = _document(
    "createWebhookSubscription",
    "($input: CreateWebhookSubscriptionInput!)",
    "(input: $input)",
    "WebhookSubscriptionCreated",
    f"secret {SUBSCRIPTION}",
)
UPDATE = _document(
    "updateWebhookSubscription",
    "($input: UpdateWebhookSubscriptionInput!)",
    "(input: $input)",
    "WebhookSubscriptionChanged",
    SUBSCRIPTION,
)
PAUSE, RESUME = (
    _document(name, "($id: ID!)", "(subscriptionId: $id)", "WebhookSubscriptionChanged", SUBSCRIPTION)
    for name in ("pauseWebhookSubscription", "resumeWebhookSubscription")
)
ROTATE = _document(
    "rotateWebhookSecret", "($id: ID!)", "(subscriptionId: $id)", "WebhookSecretRotated", f"secret {SUBSCRIPTION}"
)
DELETE = _document(
    "deleteWebhookSubscription", "($id: ID!)", "(subscriptionId: $id)", "WebhookSubscriptionDeleted", "subscriptionId"
)
LIST = """query L($slug: String!) { town(slug: $slug) {
  webhookSubscriptions { id url eventTypes status recentDeliveries { status } } } }"""
URL = "https://hooks.example.org/mitmachen"


async def _admin(runtime: Runtime, provider: OidcProvider) -> Person:
    return await person(runtime, provider, "webhook-admin", roles_held=((Role.ADMIN, "soest"),))


async def _call(graphql: GraphQLClient, document: str, variables: dict[str, Any], who: Person) -> dict[str, Any]:
    body = await graphql(document, variables, headers=who.headers)
    assert "errors" not in body, body
    (result,) = body["data"].values()
    assert isinstance(result, dict)
    return result


async def _count(runtime: Runtime) -> int:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return int(await session.scalar(select(func.count()).select_from(WebhookSubscription)) or 0)


async def test_the_lifecycle_of_a_subscription_is_audited_and_the_secret_shown_once(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await _admin(runtime, oidc_provider)
    soest = await town_ref(graphql, "soest")
    created = await _call(
        graphql, CREATE, {"input": {"townId": soest.id, "url": URL, "eventTypes": ["idea.published"]}}, admin
    )
    assert created["__typename"] == "WebhookSubscriptionCreated", created
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) <= 32
    subscription_id = created["subscription"]["id"]

    listed = (await graphql(LIST, {"slug": "soest"}, headers=admin.headers))["data"]["town"]["webhookSubscriptions"]
    assert listed == [
        {
            "id": subscription_id,
            "url": URL,
            "eventTypes": ["idea.published"],
            "status": "ACTIVE",
            "recentDeliveries": [],
        }
    ]

    updated = await _call(
        graphql,
        UPDATE,
        {"input": {"subscriptionId": subscription_id, "eventTypes": ["idea.answered", "idea.published"]}},
        admin,
    )
    assert updated["subscription"]["eventTypes"] == ["idea.answered", "idea.published"]
    assert updated["subscription"]["url"] == URL
    assert (await _call(graphql, PAUSE, {"id": subscription_id}, admin))["subscription"]["status"] == "PAUSED"
    assert (await _call(graphql, RESUME, {"id": subscription_id}, admin))["subscription"]["status"] == "ACTIVE"

    rotated = await _call(graphql, ROTATE, {"id": subscription_id}, admin)
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != secret
    until = datetime.fromisoformat(rotated["subscription"]["previousSecretValidUntil"])
    assert timedelta(hours=23) < until - datetime.now(UTC) <= timedelta(hours=24)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        row = await session.scalar(select(WebhookSubscription))
        assert row is not None
        assert row.previous_secret == secret
        assert row.secret == rotated["secret"]

    deleted = await _call(graphql, DELETE, {"id": subscription_id}, admin)
    assert deleted == {"__typename": "WebhookSubscriptionDeleted", "subscriptionId": subscription_id}
    assert await _count(runtime) == 0

    async with runtime.unit_of_work() as uow, uow.session() as session:
        entries = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.subject_type == "webhook_subscription").order_by(AuditEntry.id)
            )
        ).all()
    actions = sorted(entry.action for entry in entries)
    assert actions == sorted(
        [
            "webhook.created",
            "webhook.updated",
            "webhook.paused",
            "webhook.resumed",
            "webhook.secret_rotated",
            "webhook.deleted",
        ]
    )
    assert all(entry.actor_id == admin.user_id for entry in entries)
    kept = repr([(entry.before, entry.after) for entry in entries])
    assert secret not in kept
    assert rotated["secret"] not in kept


@pytest.mark.parametrize(
    ("url", "events", "code"),
    [
        ("http://hooks.example.org/x", ["idea.published"], "WEBHOOK_URL_INVALID"),
        ("ftp://hooks.example.org/x", ["idea.published"], "WEBHOOK_URL_INVALID"),
        ("https://user:pw@hooks.example.org/x", ["idea.published"], "WEBHOOK_URL_INVALID"),
        ("https:///nohost", ["idea.published"], "WEBHOOK_URL_INVALID"),
        ("https://hooks.example.org/" + "x" * 2000, ["idea.published"], "WEBHOOK_URL_INVALID"),
        ("not a url", ["idea.published"], "WEBHOOK_URL_INVALID"),
        (URL, ["idea.exploded"], "UNKNOWN_EVENT_TYPE"),
        (URL, [], "UNKNOWN_EVENT_TYPE"),
    ],
)
async def test_bad_input_is_refused_with_a_code_and_changes_nothing(  # noqa: PLR0917 - fixtures and parameters
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider, url: str, events: list[str], code: str
) -> None:
    admin = await _admin(runtime, oidc_provider)
    soest = await town_ref(graphql, "soest")
    refused = await _call(graphql, CREATE, {"input": {"townId": soest.id, "url": url, "eventTypes": events}}, admin)
    assert refused["code"] == code, refused
    assert refused["message"]
    assert await _count(runtime) == 0

    created = await _call(
        graphql, CREATE, {"input": {"townId": soest.id, "url": URL, "eventTypes": ["idea.published"]}}, admin
    )
    subscription_id = created["subscription"]["id"]
    changed = await _call(
        graphql, UPDATE, {"input": {"subscriptionId": subscription_id, "url": url, "eventTypes": events}}, admin
    )
    assert changed["code"] in {"WEBHOOK_URL_INVALID", "UNKNOWN_EVENT_TYPE"}, changed
    async with runtime.unit_of_work() as uow, uow.session() as session:
        row = await session.scalar(select(WebhookSubscription))
        assert row is not None
        assert (row.url, row.event_types) == (URL, ["idea.published"])


def test_plain_http_is_allowed_only_to_loopback_and_only_in_dev_and_test() -> None:
    for url in ("http://127.0.0.1:8080/hook", "http://[::1]/hook", "http://localhost/hook"):
        assert check_url(url, allow_loopback=True) == url
        with pytest.raises(UserError) as refused:
            check_url(url, allow_loopback=False)
        assert refused.value.code is WebhookErrorCode.WEBHOOK_URL_INVALID
    for url in ("http://10.0.0.1/hook", "http://example.org/hook", "http://127.0.0.1.example.org/hook"):
        with pytest.raises(UserError):
            check_url(url, allow_loopback=True)
    assert check_url("https://127.0.0.1/hook", allow_loopback=False) == "https://127.0.0.1/hook"
