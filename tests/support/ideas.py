"""Ideas for tests: global ids, a town's ids as the API gives them, submitting through the API, and rows written
directly in the database where moderation (which publishes, hides and rejects) is not what a test is about."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc import jwt
from sqlalchemy import select, text
from strawberry.relay import GlobalID, to_base64

from mitmachen.runtime import Runtime
from service.auth.tokens import Identity
from service.ideas.models import Comment, Idea, Lifecycle, OfficialStatus
from service.towns.models import StrategyArea, Town
from service.users.service import viewer_for_identity
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person

# Coordinates of town centres (the demo seed accepts about ±17 km north-south around them).
SOEST_CENTRE = (51.571, 8.106)
OLPE_CENTRE = (51.029, 7.851)
BERLIN = (52.520, 13.405)

# Every lifecycle state by name, with whether a pending contribution is held for a moderator: (name, lifecycle, held).
STATES: tuple[tuple[str, Lifecycle, bool], ...] = (
    ("pending", Lifecycle.PENDING, False),
    ("held", Lifecycle.PENDING, True),
    ("published", Lifecycle.PUBLISHED, False),
    ("hidden", Lifecycle.HIDDEN, False),
    ("rejected", Lifecycle.REJECTED, False),
    ("withdrawn", Lifecycle.WITHDRAWN, False),
)
TOWN_IDS = "query TownIds($slug: String!) { town(slug: $slug) { id strategyAreas { id } } }"
SUBMIT_IDEA = """
mutation SubmitIdea($input: SubmitIdeaInput!) {
  submitIdea(input: $input) {
    __typename
    ... on IdeaSubmitted { idea { id title lifecycle } }
    ... on UserError { code field message }
  }
}
"""


async def many_people(runtime: Runtime, provider: OidcProvider, subjects: Sequence[str]) -> list[Person]:
    """Citizens known to the service, each with a bearer token signed by the provider's key.

    Like `tests.support.people.person` without roles, but the key is imported once and the people are created
    in one transaction, so that hundreds of them take a moment rather than many seconds.
    """
    key = provider.private_key_set().get_by_kid(provider.signing_kid)
    header = {"alg": "RS256", "typ": "at+jwt", "kid": provider.signing_kid}
    people = []
    async with runtime.unit_of_work() as uow, uow.session() as session:
        for subject in subjects:
            claims = provider.access_token_claims_for(subject)
            claims["name"] = subject.title()
            viewer = await viewer_for_identity(session, Identity(provider.issuer, subject, claims))
            assert viewer.user_id is not None
            people.append(Person(user_id=viewer.user_id, token=jwt.encode(header, claims, key)))
    return people


def idea_gid(idea_id: uuid.UUID) -> str:
    return to_base64("Idea", str(idea_id))


def comment_gid(comment_id: uuid.UUID) -> str:
    return to_base64("Comment", str(comment_id))


def row_id(global_id: str) -> uuid.UUID:
    return uuid.UUID(GlobalID.from_id(global_id).node_id)


@dataclass(frozen=True)
class TownRef:
    """A town as a client knows it: its global id and its strategy areas' global ids, in the town's order."""

    slug: str
    id: str
    area_ids: tuple[str, ...]

    @property
    def row_id(self) -> uuid.UUID:
        return row_id(self.id)


async def town_ref(graphql: GraphQLClient, slug: str) -> TownRef:
    town = (await graphql(TOWN_IDS, {"slug": slug}))["data"]["town"]
    return TownRef(slug=slug, id=town["id"], area_ids=tuple(area["id"] for area in town["strategyAreas"]))


def submit_input(town: TownRef, **fields: Any) -> dict[str, Any]:
    """A valid `SubmitIdeaInput` for `town`; `fields` override or add entries (camelCase, as in the schema)."""
    return {
        "townId": town.id,
        "strategyAreaId": town.area_ids[0],
        "title": "Mehr Bänke am Wall",
        "body": "Auf dem Wallweg fehlen Sitzgelegenheiten für Ältere.",
        **fields,
    }


async def submit(graphql: GraphQLClient, author: Person, town: TownRef, **fields: Any) -> str:
    """Submit an idea through the API (it is then pending) and return its global id."""
    result = (await graphql(SUBMIT_IDEA, {"input": submit_input(town, **fields)}, headers=author.headers))["data"]
    assert result["submitIdea"]["__typename"] == "IdeaSubmitted", result
    global_id: str = result["submitIdea"]["idea"]["id"]
    return global_id


async def publish_directly(runtime: Runtime, idea_id: uuid.UUID | str, *, at: datetime | None = None) -> None:
    """Publish an idea in the database, bypassing moderation (which is not what these tests are about)."""
    await set_lifecycle_directly(runtime, idea_id, Lifecycle.PUBLISHED, published_at=at)


async def set_lifecycle_directly(
    runtime: Runtime, idea_id: uuid.UUID | str, lifecycle: Lifecycle, *, published_at: datetime | None = None
) -> None:
    """Move an idea to `lifecycle` in the database; publishing stamps `published_at` (now unless given)."""
    key = row_id(idea_id) if isinstance(idea_id, str) else idea_id
    stamp = "coalesce(CAST(:at AS timestamptz), published_at, now())" if lifecycle is Lifecycle.PUBLISHED else ":at"
    async with runtime.engine.begin() as connection:
        changed = await connection.execute(
            text(f"UPDATE ideas SET lifecycle = :lifecycle, published_at = {stamp} WHERE id = :id"),  # noqa: S608
            {"lifecycle": lifecycle.value, "at": published_at, "id": key},
        )
    assert changed.rowcount == 1


async def publish_comment_directly(runtime: Runtime, comment_id: uuid.UUID | str) -> None:
    """Publish a comment in the database and count it on its idea, as moderation would."""
    key = row_id(comment_id) if isinstance(comment_id, str) else comment_id
    async with runtime.engine.begin() as connection:
        idea_id = await connection.scalar(
            text(
                "UPDATE comments SET lifecycle = 'published', published_at = now() "
                "WHERE id = :id AND lifecycle <> 'published' RETURNING idea_id"
            ),
            {"id": key},
        )
        assert idea_id is not None
        await connection.execute(
            text("UPDATE ideas SET comment_count = comment_count + 1 WHERE id = :id"), {"id": idea_id}
        )


async def area_row_ids(runtime: Runtime, slug: str) -> list[uuid.UUID]:
    """The town's strategy areas, in the town's order."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        rows = await session.scalars(
            select(StrategyArea.id)
            .join(Town, Town.id == StrategyArea.town_id)
            .where(Town.slug == slug)
            .order_by(StrategyArea.position, StrategyArea.name)
        )
        return list(rows)


async def insert_idea_directly(
    runtime: Runtime,
    *,
    author_id: uuid.UUID,
    town: str,
    title: str,
    body: str = "Eine Idee für die Stadt.",
    area: int = 0,
    lifecycle: Lifecycle = Lifecycle.PUBLISHED,
    published_at: datetime | None = None,
    location: tuple[float, float] | None = None,
    support_count: int = 0,
    official_status: OfficialStatus | None = None,
    answered_at: datetime | None = None,
) -> uuid.UUID:
    """Write an idea row as if it had been submitted and moderated (no supports rows: only the counter is set)."""
    areas = await area_row_ids(runtime, town)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        town_row = await session.scalar(select(Town).where(Town.slug == town))
        assert town_row is not None
        idea = Idea(
            id=uuid.uuid4(),
            town_id=town_row.id,
            author_id=author_id,
            strategy_area_id=areas[area],
            title=title,
            body=body,
            latitude=location[0] if location else None,
            longitude=location[1] if location else None,
            image_alt_texts=[],
            lifecycle=lifecycle.value,
            published_at=published_at,
            support_count=support_count,
            comment_count=0,
            official_status=official_status.value if official_status else None,
            official_answer="Wir prüfen das." if official_status else None,
            answered_at=answered_at,
        )
        session.add(idea)
        await session.flush()
        if lifecycle is Lifecycle.PUBLISHED and published_at is None:
            await session.execute(text("UPDATE ideas SET published_at = now() WHERE id = :id"), {"id": idea.id})
        return idea.id


async def insert_comment_directly(
    runtime: Runtime,
    *,
    idea_id: uuid.UUID,
    author_id: uuid.UUID,
    body: str,
    lifecycle: Lifecycle = Lifecycle.PUBLISHED,
    parent_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Write a comment row as if it had been posted and moderated; published ones are counted on the idea."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        idea = await session.get(Idea, idea_id)
        assert idea is not None
        comment = Comment(
            id=uuid.uuid4(),
            idea_id=idea_id,
            town_id=idea.town_id,
            author_id=author_id,
            parent_id=parent_id,
            body=body,
            lifecycle=lifecycle.value,
        )
        session.add(comment)
        await session.flush()
        if lifecycle is Lifecycle.PUBLISHED:
            await session.execute(text("UPDATE comments SET published_at = now() WHERE id = :id"), {"id": comment.id})
            await session.execute(
                text("UPDATE ideas SET comment_count = comment_count + 1 WHERE id = :id"), {"id": idea_id}
            )
        return comment.id


async def queued_jobs(runtime: Runtime) -> list[tuple[str, tuple[Any, ...]]]:
    """The jobs waiting in the arq queue, as (name, args)."""
    return [(job.function, tuple(job.args)) for job in await runtime.redis.queued_jobs()]


async def count_rows(runtime: Runtime, table: str, where: str = "TRUE", **params: Any) -> int:
    """`SELECT count(*)` of a table (the table name and condition are the test's own literals)."""
    async with runtime.engine.connect() as connection:
        found = await connection.scalar(text(f"SELECT count(*) FROM {table} WHERE {where}"), params)  # noqa: S608
    return int(found or 0)


def codes(errors: Sequence[dict[str, Any]]) -> list[str]:
    """The `extensions.code` of each top-level GraphQL error."""
    return [error.get("extensions", {}).get("code", "") for error in errors]
