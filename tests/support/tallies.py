"""A participation dataset for tally tests: rows written with explicit timestamps, and the figures expected from
them, computed here in plain Python (zoneinfo calendar arithmetic) independently of the SQL that computes tallies."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from mitmachen.runtime import Runtime
from service.ideas.models import Comment, Idea, Lifecycle, OfficialAnswer, OfficialStatus, Support
from service.tallies.models import Metric
from service.towns.models import Town
from tests.support.ideas import area_row_ids, many_people
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person

BERLIN = ZoneInfo("Europe/Berlin")

# (town, area, period, period_start, metric) with None for "all towns" / "all areas".
Cell = tuple[uuid.UUID | None, uuid.UUID | None, str, date, str]


@dataclass
class IdeaRow:
    id: uuid.UUID
    town_id: uuid.UUID
    area_id: uuid.UUID
    author_id: uuid.UUID
    created_at: datetime
    published_at: datetime | None
    lifecycle: Lifecycle


@dataclass
class Dataset:
    people: list[Person]
    towns: dict[str, uuid.UUID]
    areas: dict[str, list[uuid.UUID]]
    ideas: list[IdeaRow] = field(default_factory=list)
    # (idea, user, at)
    supports: list[tuple[uuid.UUID, uuid.UUID, datetime]] = field(default_factory=list)
    comments: list[tuple[uuid.UUID, uuid.UUID, datetime]] = field(default_factory=list)
    # (idea, status, at)
    answers: list[tuple[uuid.UUID, OfficialStatus, datetime]] = field(default_factory=list)

    def idea(self, idea_id: uuid.UUID) -> IdeaRow:
        return next(row for row in self.ideas if row.id == idea_id)


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def period_start(kind: str, day: date) -> date:
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    assert kind == "year"
    return day.replace(month=1, day=1)


def local_day(at: datetime) -> date:
    return at.astimezone(BERLIN).date()


def first_status(dataset: Dataset, idea_id: uuid.UUID, status: OfficialStatus) -> datetime | None:
    times = [at for idea, found, at in dataset.answers if idea == idea_id and found is status]
    return min(times) if times else None


def events(dataset: Dataset) -> list[tuple[str, uuid.UUID, uuid.UUID, uuid.UUID, date, uuid.UUID]]:
    """(metric, person, town, area, local day, idea) for everything the tallies count: published ideas and what
    they received (the dataset's comments are all published)."""
    found = []
    published = {idea.id for idea in dataset.ideas if idea.lifecycle is Lifecycle.PUBLISHED}
    for idea in dataset.ideas:
        if idea.id not in published:
            continue
        place = (idea.town_id, idea.area_id)
        found.append((Metric.IDEAS_SUBMITTED.value, idea.author_id, *place, local_day(idea.created_at), idea.id))
        if idea.published_at is not None:
            found.append((Metric.IDEAS_PUBLISHED.value, idea.author_id, *place, local_day(idea.published_at), idea.id))
        for metric, status in (
            (Metric.IDEAS_ACCEPTED, OfficialStatus.ACCEPTED),
            (Metric.IDEAS_IMPLEMENTED, OfficialStatus.IMPLEMENTED),
        ):
            at = first_status(dataset, idea.id, status)
            if at is not None:
                found.append((metric.value, idea.author_id, *place, local_day(at), idea.id))
    for metric, rows in ((Metric.SUPPORTS, dataset.supports), (Metric.COMMENTS, dataset.comments)):
        for idea_id, user_id, at in rows:
            if idea_id not in published:
                continue
            idea = dataset.idea(idea_id)
            found.append((metric.value, user_id, idea.town_id, idea.area_id, local_day(at), idea.id))
    return found


# Figures of what the town did with an idea: they count ideas, but the author did nothing in that period.
TOWN_ACTIONS = {Metric.IDEAS_PUBLISHED.value, Metric.IDEAS_ACCEPTED.value, Metric.IDEAS_IMPLEMENTED.value}


def expected_tallies(dataset: Dataset) -> dict[Cell, tuple[Decimal, int]]:
    """Every cell of the table: (value, distinct people of the cell) at the area, town and region level."""
    values: dict[Cell, int] = defaultdict(int)
    people: dict[tuple[uuid.UUID | None, uuid.UUID | None, str, date], set[uuid.UUID]] = defaultdict(set)
    for metric, user_id, town_id, area_id, day, _ in events(dataset):
        for town, area in ((town_id, area_id), (town_id, None), (None, None)):
            for kind in ("week", "month", "quarter", "year"):
                start = period_start(kind, day)
                values[(town, area, kind, start, metric)] += 1
                if metric not in TOWN_ACTIONS:
                    people[(town, area, kind, start)].add(user_id)
    table = {cell: (Decimal(value), len(people.get(cell[:4], ()))) for cell, value in values.items()}
    for (town, area, kind, start), who in people.items():
        table[(town, area, kind, start, Metric.PARTICIPANTS.value)] = (Decimal(len(who)), len(who))
    return table


def ideas_counted(dataset: Dataset, cell: Cell) -> set[uuid.UUID]:
    """The ideas behind a figure: those it counts, or for supports and comments those that received them."""
    town, area, kind, start, metric = cell
    return {
        idea_id
        for found_metric, _, town_id, area_id, day, idea_id in events(dataset)
        if found_metric == metric
        and town in (None, town_id)
        and area in (None, area_id)
        and period_start(kind, day) == start
    }


async def table_content(runtime: Runtime) -> dict[Cell, tuple[Decimal, int]]:
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT town_id, strategy_area_id, period, period_start, metric, value, people "
                "FROM participation_tallies"
            )
        )
        return {(row[0], row[1], row[2], row[3], row[4]): (row[5], row[6]) for row in rows}


async def table_rows(runtime: Runtime) -> list[tuple[object, ...]]:
    """Every row of the table including its physical location, to tell whether a row was rewritten."""
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT ctid::text, xmin::text, * FROM participation_tallies ORDER BY id"),
        )
        return [tuple(row) for row in rows]


# Boundaries of the local calendar that a UTC calendar gets wrong.
SUNDAY_BEFORE_MIDNIGHT = utc(2024, 3, 31, 21, 30)  # 23:30 CEST, Sunday 31 March: week of 25 March, March, Q1
MONDAY_AFTER_MIDNIGHT = utc(2024, 3, 31, 22, 30)  # 00:30 CEST, Monday 1 April: week of 1 April, April, Q2
NEW_YEAR_AFTER_MIDNIGHT = utc(2023, 12, 31, 23, 30)  # 00:30 CET, 1 January 2024 (a Monday)
NEW_YEAR_BEFORE_MIDNIGHT = utc(2023, 12, 31, 22, 30)  # 23:30 CET, Sunday 31 December 2023


async def build_dataset(
    runtime: Runtime, provider: OidcProvider, *, seed: int = 8, random_ideas: int = 40, crowd: int = 9
) -> Dataset:
    """Hand-picked boundary cases plus a seeded random mix over two towns, two areas each, 2023 and 2024."""
    people = await many_people(runtime, provider, [f"tally-{index}" for index in range(max(crowd, 9))])
    async with runtime.unit_of_work() as uow, uow.session() as session:
        towns = dict((await session.execute(select(Town.slug, Town.id))).all())
    dataset = Dataset(
        people=people,
        towns={slug: towns[slug] for slug in ("soest", "arnsberg")},
        areas={slug: (await area_row_ids(runtime, slug))[:2] for slug in ("soest", "arnsberg")},
    )

    def idea(town: str, area: int, author: int, created: datetime, published: datetime | None) -> IdeaRow:
        row = IdeaRow(
            id=uuid.uuid4(),
            town_id=dataset.towns[town],
            area_id=dataset.areas[town][area],
            author_id=people[author].user_id,
            created_at=created,
            published_at=published,
            lifecycle=Lifecycle.PUBLISHED if published else Lifecycle.PENDING,
        )
        dataset.ideas.append(row)
        return row

    # Boundaries around midnight in Berlin, a week boundary and the turn of the year.
    sunday = idea("soest", 0, 0, SUNDAY_BEFORE_MIDNIGHT, SUNDAY_BEFORE_MIDNIGHT + timedelta(minutes=20))
    monday = idea("soest", 0, 1, MONDAY_AFTER_MIDNIGHT, MONDAY_AFTER_MIDNIGHT + timedelta(minutes=5))
    idea("soest", 0, 2, MONDAY_AFTER_MIDNIGHT, None)  # pending: counts nowhere
    idea("soest", 1, 2, NEW_YEAR_AFTER_MIDNIGHT, NEW_YEAR_AFTER_MIDNIGHT + timedelta(days=1))
    idea("arnsberg", 1, 3, NEW_YEAR_BEFORE_MIDNIGHT, None).lifecycle = Lifecycle.REJECTED
    # Accepted twice (counts once, at the first), then implemented.
    answered = idea("arnsberg", 0, 4, utc(2023, 6, 10), utc(2023, 6, 11))
    dataset.answers += [
        (answered.id, OfficialStatus.UNDER_REVIEW, utc(2023, 6, 20)),
        (answered.id, OfficialStatus.ACCEPTED, utc(2023, 7, 1)),
        (answered.id, OfficialStatus.ACCEPTED, utc(2023, 8, 1)),
        (answered.id, OfficialStatus.IMPLEMENTED, utc(2024, 2, 1)),
    ]
    # Five different supporters of one idea in one week and one area: a cell with exactly five people.
    for index in range(4):
        dataset.supports.append((sunday.id, people[4 + index].user_id, utc(2024, 3, 28, 10 + index)))
    dataset.comments.append((monday.id, people[8].user_id, utc(2024, 4, 1, 8)))
    dataset.comments.append((monday.id, people[8].user_id, utc(2024, 4, 2, 8)))  # same person, counted once

    generator = random.Random(seed)  # noqa: S311 - test data
    start = utc(2023, 1, 1, 0)
    span = int((utc(2024, 12, 31, 23) - start).total_seconds())
    for _ in range(random_ideas):
        created = start + timedelta(seconds=generator.randrange(span))
        town = generator.choice(("soest", "arnsberg"))
        outcome = generator.random()
        published = created + timedelta(hours=generator.randrange(1, 72)) if outcome < 0.8 else None
        row = idea(town, generator.randrange(2), generator.randrange(crowd), created, published)
        if published is None and outcome > 0.9:
            row.lifecycle = Lifecycle.REJECTED
        if published is None:
            continue
        for supporter in generator.sample(range(crowd), generator.randrange(0, 5 if crowd == 9 else 12)):
            dataset.supports.append(
                (row.id, people[supporter].user_id, published + timedelta(hours=generator.randrange(1, 2000)))
            )
        for _ in range(generator.randrange(0, 3)):
            dataset.comments.append(
                (
                    row.id,
                    people[generator.randrange(crowd)].user_id,
                    published + timedelta(hours=generator.randrange(1, 900)),
                )
            )
        if generator.random() < 0.3:
            accepted = published + timedelta(days=generator.randrange(1, 60))
            dataset.answers.append((row.id, OfficialStatus.ACCEPTED, accepted))
            if generator.random() < 0.5:
                dataset.answers.append(
                    (row.id, OfficialStatus.IMPLEMENTED, accepted + timedelta(days=generator.randrange(1, 200)))
                )
    await write_dataset(runtime, dataset)
    return dataset


async def write_dataset(runtime: Runtime, dataset: Dataset) -> None:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        for row in dataset.ideas:
            session.add(
                Idea(
                    id=row.id,
                    town_id=row.town_id,
                    author_id=row.author_id,
                    strategy_area_id=row.area_id,
                    title=f"Idee {row.id.hex[:8]}",
                    body="Eine Idee für die Stadt.",
                    image_alt_texts=[],
                    lifecycle=row.lifecycle.value,
                    published_at=row.published_at,
                    created_at=row.created_at,
                    support_count=0,
                    comment_count=0,
                )
            )
        await session.flush()
        for idea_id, user_id, at in dataset.supports:
            session.add(Support(idea_id=idea_id, user_id=user_id, town_id=dataset.idea(idea_id).town_id, created_at=at))
        for idea_id, user_id, at in dataset.comments:
            session.add(
                Comment(
                    idea_id=idea_id,
                    town_id=dataset.idea(idea_id).town_id,
                    author_id=user_id,
                    body="Gute Idee.",
                    lifecycle=Lifecycle.PUBLISHED.value,
                    published_at=at,
                    created_at=at,
                )
            )
        for idea_id, status, at in dataset.answers:
            session.add(
                OfficialAnswer(
                    idea_id=idea_id,
                    town_id=dataset.idea(idea_id).town_id,
                    status=status.value,
                    answer="Antwort der Stadt.",
                    created_at=at,
                )
            )
