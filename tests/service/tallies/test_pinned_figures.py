"""The figures of one fixed data set, pinned: every counted category and its edge cases, in three towns.

The data set touches everything a source counts or leaves out: ideas in every lifecycle state with official
answers (one accepted twice), supports and comments of published and of hidden ideas, comments in every state,
surveys with and without a strategy area, anonymous responses, sign-ups in every status (expired and cancelled
ones included, attended ones with and without minutes), contributions of deleted accounts, and days on both sides
of the turn of the year in Berlin. The whole table is pinned by a digest of its rows written with names rather
than random keys, so that it does not depend on the keys a run happens to draw; the region's yearly figures are
spelled out as well, to show what changed when the digest does. Which figures open data leaves out is not part of
the pin: it follows from these figures and the order of the towns' random keys, and `test_suppression.py` covers it.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from mitmachen.runtime import Runtime
from service.ideas.models import Comment, Idea, Lifecycle, OfficialAnswer, OfficialStatus, Support
from service.surveys.models import Response, Survey, SurveyStatus
from service.tallies.compute import recompute
from service.towns.models import StrategyArea, Town
from service.users.models import User
from service.volunteering.models import Offer, OfferStatus, Organisation, Shift, SignUp, SignUpStatus

TOWNS = ("soest", "arnsberg", "olpe")
NEW_YEAR_BEFORE_MIDNIGHT = datetime(2023, 12, 31, 22, 30, tzinfo=UTC)  # 23:30 in Berlin, 31 December 2023
NEW_YEAR_AFTER_MIDNIGHT = datetime(2023, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 in Berlin, 1 January 2024


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass
class Rows:
    towns: dict[str, uuid.UUID]
    areas: dict[str, list[uuid.UUID]]
    people: list[uuid.UUID] = field(default_factory=list)
    rows: list[object] = field(default_factory=list)

    def idea(self, town: str, area: int, author: int, created: datetime, lifecycle: Lifecycle) -> uuid.UUID:
        published = created + timedelta(hours=2) if lifecycle is not Lifecycle.PENDING else None
        row = Idea(
            id=uuid.uuid4(),
            town_id=self.towns[town],
            author_id=self.people[author],
            strategy_area_id=self.areas[town][area],
            title=f"Idee Nummer {len(self.rows)}",
            body="Eine Idee für die Stadt.",
            image_alt_texts=[],
            lifecycle=lifecycle.value,
            published_at=published if lifecycle is not Lifecycle.REJECTED else None,
            held_at=created if lifecycle is Lifecycle.PENDING and author % 2 else None,
            created_at=created,
            support_count=0,
            comment_count=0,
        )
        self.rows.append(row)
        return row.id

    def town_of(self, idea_id: uuid.UUID) -> uuid.UUID:
        return next(row.town_id for row in self.rows if isinstance(row, Idea) and row.id == idea_id)

    def support(self, idea_id: uuid.UUID, who: int, when: datetime) -> None:
        self.rows.append(
            Support(idea_id=idea_id, user_id=self.people[who], town_id=self.town_of(idea_id), created_at=when)
        )

    def comment(self, idea_id: uuid.UUID, who: int, when: datetime, lifecycle: Lifecycle) -> None:
        self.rows.append(
            Comment(
                id=uuid.uuid4(),
                idea_id=idea_id,
                town_id=self.town_of(idea_id),
                author_id=self.people[who],
                body="Ein Beitrag.",
                lifecycle=lifecycle.value,
                published_at=when if lifecycle is Lifecycle.PUBLISHED else None,
                created_at=when,
            )
        )

    def answer(self, idea_id: uuid.UUID, status: OfficialStatus, when: datetime) -> None:
        self.rows.append(
            OfficialAnswer(
                idea_id=idea_id, town_id=self.town_of(idea_id), status=status.value, answer="Antwort.", created_at=when
            )
        )


async def _write(runtime: Runtime) -> None:
    """The data set: hand-picked cases plus a seeded mix, so that some cells reach five people and some do not."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        towns = dict((await session.execute(select(Town.slug, Town.id).where(Town.slug.in_(TOWNS)))).all())
        areas = {
            slug: list(
                await session.scalars(
                    select(StrategyArea.id)
                    .where(StrategyArea.town_id == towns[slug])
                    .order_by(StrategyArea.position, StrategyArea.name)
                    .limit(2)
                )
            )
            for slug in TOWNS
        }
    data = Rows(towns=towns, areas=areas)
    users = []
    for index in range(40):
        deleted = index in (1, 7)  # deleted accounts: their contributions stay, without personal data
        users.append(
            User(
                id=uuid.uuid4(),
                issuer=None if deleted else "https://idp.example",
                subject=None if deleted else f"pinned-{index}",
                display_name=None if deleted else f"Person {index}",
                deleted_at=at(2024, 6, 1) if deleted else None,
            )
        )
    data.people = [user.id for user in users]
    _ideas(data)
    surveys, responses = _surveys(data)
    organisations, offers, shifts, sign_ups = _volunteering(data)

    async with runtime.unit_of_work() as uow, uow.session() as session:
        ideas = [row for row in data.rows if isinstance(row, Idea)]
        received = [row for row in data.rows if not isinstance(row, Idea)]
        for group in (users, ideas, received, surveys, responses, organisations, offers):
            session.add_all(group)
            await session.flush()
        session.add_all(shifts)
        await session.flush()
        session.add_all(sign_ups)


async def _pinned_form(runtime: Runtime) -> tuple[str, dict[str, str]]:
    """A digest of every row with towns and areas by name, and the region's figures per year."""
    async with runtime.engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT coalesce(t.slug, '-'), coalesce(a.name, '-'), p.period, p.period_start, p.metric, "
                    "p.value, p.people FROM participation_tallies AS p "
                    "LEFT JOIN towns AS t ON t.id = p.town_id "
                    "LEFT JOIN strategy_areas AS a ON a.id = p.strategy_area_id"
                )
            )
        ).all()
    lines = sorted("|".join(str(value) for value in row) for row in rows)
    region = {f"{row[3].year} {row[4]}": f"{row[5]}/{row[6]}" for row in rows if row[0] == "-" and row[2] == "year"}
    return hashlib.sha256("\n".join(lines).encode()).hexdigest(), dict(sorted(region.items()))


# value/people of the region per year and metric
REGION_YEARS = {
    "2023 comments": "19.00/44",
    "2023 ideas_accepted": "7.00/44",
    "2023 ideas_implemented": "4.00/44",
    "2023 ideas_published": "13.00/44",
    "2023 ideas_submitted": "14.00/44",
    "2023 participants": "44.00/44",
    "2023 supports": "33.00/44",
    "2023 survey_responses": "12.00/44",
    "2023 volunteer_hours": "2.75/44",
    "2023 volunteer_sign_ups": "32.00/44",
    "2024 comments": "18.00/40",
    "2024 ideas_accepted": "1.00/40",
    "2024 ideas_implemented": "2.00/40",
    "2024 ideas_published": "13.00/40",
    "2024 ideas_submitted": "12.00/40",
    "2024 participants": "40.00/40",
    "2024 supports": "43.00/40",
    "2024 survey_responses": "12.00/40",
    "2024 volunteer_hours": "2.75/40",
    "2024 volunteer_sign_ups": "18.00/40",
    "2025 comments": "1.00/1",
    "2025 participants": "1.00/1",
}
# sha256 of the 1723 rows as `_pinned_form` writes them
DIGEST = "68182abbc21e145548d2f1e888bae0171a2128215d86cf082c498f8b966aee38"


@pytest.mark.parametrize("parts", [1, 2])
async def test_the_figures_of_a_fixed_data_set_stay_exactly_as_they_are(runtime: Runtime, parts: int) -> None:
    await _write(runtime)

    async with runtime.unit_of_work() as uow, uow.session() as session:
        await recompute(session, parts=parts)
    digest, region = await _pinned_form(runtime)

    assert region == REGION_YEARS
    assert digest == DIGEST


def _ideas(data: Rows) -> None:
    # Ideas in every lifecycle state; only published ones count, with what they received.
    published = data.idea("soest", 0, 0, NEW_YEAR_BEFORE_MIDNIGHT, Lifecycle.PUBLISHED)
    of_deleted = data.idea("soest", 1, 1, NEW_YEAR_AFTER_MIDNIGHT, Lifecycle.PUBLISHED)
    data.idea("soest", 0, 2, at(2024, 2, 1), Lifecycle.PENDING)
    data.idea("soest", 0, 3, at(2024, 2, 2), Lifecycle.PENDING)  # held
    data.idea("arnsberg", 0, 4, at(2024, 2, 3), Lifecycle.REJECTED)
    hidden = data.idea("arnsberg", 1, 5, at(2023, 5, 4), Lifecycle.HIDDEN)
    withdrawn = data.idea("olpe", 0, 6, at(2023, 5, 5), Lifecycle.WITHDRAWN)
    answered = data.idea("arnsberg", 0, 8, at(2023, 6, 10), Lifecycle.PUBLISHED)
    data.answer(answered, OfficialStatus.UNDER_REVIEW, at(2023, 6, 20))
    data.answer(answered, OfficialStatus.ACCEPTED, at(2023, 7, 1))
    data.answer(answered, OfficialStatus.ACCEPTED, at(2023, 8, 1))  # accepted twice: counts once, in July
    data.answer(answered, OfficialStatus.IMPLEMENTED, at(2024, 2, 1))
    data.answer(published, OfficialStatus.DECLINED, at(2024, 3, 1))
    data.answer(hidden, OfficialStatus.ACCEPTED, at(2023, 6, 1))  # of a hidden idea: does not count
    for who in (9, 10, 11, 12, 7):
        data.support(published, who, NEW_YEAR_AFTER_MIDNIGHT + timedelta(hours=who))
    for gone in (hidden, withdrawn):
        data.support(gone, 13, at(2023, 5, 6))
        data.comment(gone, 13, at(2023, 5, 7), Lifecycle.PUBLISHED)
    for who, lifecycle in enumerate(Lifecycle, start=14):
        data.comment(published, who, at(2024, 1, 3), lifecycle)
    data.comment(of_deleted, 7, at(2024, 1, 4), Lifecycle.PUBLISHED)  # by a deleted account

    generator = random.Random(16)  # noqa: S311 - test data
    for _ in range(30):
        created = at(2023, 1, 1) + timedelta(hours=generator.randrange(2 * 365 * 24))
        town = generator.choice(TOWNS)
        lifecycle = generator.choice((Lifecycle.PUBLISHED, Lifecycle.PUBLISHED, Lifecycle.PUBLISHED, Lifecycle.HIDDEN))
        idea = data.idea(town, generator.randrange(2), generator.randrange(40), created, lifecycle)
        for who in generator.sample(range(40), generator.randrange(0, 9)):
            data.support(idea, who, created + timedelta(hours=generator.randrange(3, 900)))
        for _ in range(generator.randrange(0, 4)):
            data.comment(
                idea,
                generator.randrange(40),
                created + timedelta(hours=generator.randrange(3, 900)),
                Lifecycle.PUBLISHED,
            )
        if generator.random() < 0.3:
            data.answer(idea, OfficialStatus.ACCEPTED, created + timedelta(days=generator.randrange(1, 90)))
            if generator.random() < 0.5:
                data.answer(idea, OfficialStatus.IMPLEMENTED, created + timedelta(days=generator.randrange(91, 300)))


def _surveys(data: Rows) -> tuple[list[Survey], list[Response]]:
    towns, areas = data.towns, data.areas
    # Surveys: with an area, for the whole town (no area), and anonymous (responses without a person).
    surveys = {
        "area": Survey(id=uuid.uuid4(), town_id=towns["soest"], strategy_area_id=areas["soest"][1], is_anonymous=False),
        "town": Survey(id=uuid.uuid4(), town_id=towns["arnsberg"], strategy_area_id=None, is_anonymous=False),
        "anonymous": Survey(
            id=uuid.uuid4(), town_id=towns["olpe"], strategy_area_id=areas["olpe"][0], is_anonymous=True
        ),
    }
    for name, survey in surveys.items():
        survey.title = f"Umfrage {name}"
        survey.status = SurveyStatus.CLOSED.value
        survey.closes_at = at(2024, 12, 31)
    responses = []
    for name, survey in surveys.items():
        for index in range(8):
            who = (3 * index + len(name)) % 40
            responses.append(
                Response(
                    id=uuid.uuid4(),
                    survey_id=survey.id,
                    town_id=survey.town_id,
                    respondent_id=None if survey.is_anonymous else data.people[who],
                    # Both sides of the turn of the year.
                    submitted_on=date(2023, 12, 30) + timedelta(days=index % 4),
                )
            )
    return list(surveys.values()), responses


def _volunteering(data: Rows) -> tuple[list[Organisation], list[Offer], list[Shift], list[SignUp]]:
    towns, areas = data.towns, data.areas
    # Volunteering: sign-ups in every status, on a shift that starts on New Year's Eve and on others.
    organisations = {
        slug: Organisation(id=uuid.uuid4(), town_id=towns[slug], name=f"Verein in {slug}", verified_at=at(2023, 1, 1))
        for slug in TOWNS
    }
    offers = [
        Offer(
            id=uuid.uuid4(),
            organisation_id=organisations[slug].id,
            town_id=towns[slug],
            strategy_area_id=areas[slug][area],
            title=f"Angebot {slug} {area}",
            description="Mithelfen.",
            status=OfferStatus.PUBLISHED.value,
            published_at=at(2023, 1, 1),
        )
        for slug in TOWNS
        for area in (0, 1)
    ]
    shifts = [
        Shift(
            id=uuid.uuid4(),
            offer_id=offer.id,
            town_id=offer.town_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            capacity=50,
        )
        for number, offer in enumerate(offers)
        for starts in (NEW_YEAR_BEFORE_MIDNIGHT, at(2024, 3, 10 + number), at(2023, 9, 1 + number))
    ]
    sign_ups = []
    statuses = list(SignUpStatus)
    for number, shift in enumerate(shifts):
        for position in range(1 + number % 7):
            status = statuses[(number + position) % len(statuses)]
            sign_ups.append(
                SignUp(
                    id=uuid.uuid4(),
                    shift_id=shift.id,
                    user_id=data.people[(number * 5 + position * 3) % 40],
                    town_id=shift.town_id,
                    status=status.value,
                    position=position + 1,
                    queued_at=shift.starts_at - timedelta(days=3 + position, hours=number),
                    offer_expires_at=shift.starts_at if status is SignUpStatus.OFFERED else None,
                    # Attended with minutes, and once without (not yet confirmed): no hours then.
                    attended_minutes=(60 + 15 * position if (number + position) % 5 else None)
                    if status is SignUpStatus.ATTENDED
                    else None,
                )
            )
    return list(organisations.values()), offers, shifts, sign_ups
