"""A waitlist ends when its shift begins: people still waiting were not needed (`NOT_NEEDED`), set by the periodic
`volunteering.end_waitlists` job; waiting lists of shifts that have not begun stay as they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mitmachen.runtime import Runtime
from service.config import Settings
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.volunteering import added_shift, in_days, move_shift_directly, open_shift, sign_up, sign_up_rows
from workers.settings import create_worker

ENGAGEMENTS = "{ myEngagements { signUps { status waitlistPosition shift { id } } } }"


async def _run_job(runtime: Runtime, settings: Settings) -> None:
    await runtime.redis.enqueue_job("volunteering.end_waitlists")
    worker = create_worker(settings, runtime, burst=True)
    await worker.main()
    await worker.close()


async def test_people_still_waiting_when_the_shift_began_were_not_needed(
    runtime: Runtime, settings: Settings, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=1)
    later = await added_shift(graphql, setup.organisation, setup.offer_id, capacity=1, starts_at=in_days(9))
    anna, ben, cem = [await person(runtime, oidc_provider, name) for name in ("anna", "ben", "cem")]
    for volunteer in (anna, ben, cem):
        await sign_up(graphql, volunteer, setup.shift_id)
    await sign_up(graphql, anna, later)
    await sign_up(graphql, ben, later)
    start = datetime.now(UTC) - timedelta(minutes=5)
    await move_shift_directly(runtime, setup.shift_id, starts_at=start, ends_at=start + timedelta(hours=2))

    await _run_job(runtime, settings)

    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == [
        "confirmed",
        "not_needed",
        "not_needed",
    ]
    # The shift that has not begun keeps its waiting list.
    assert [row["status"] for row in await sign_up_rows(runtime, later)] == ["confirmed", "waitlisted"]
    mine = (await graphql(ENGAGEMENTS, headers=ben.headers))["data"]["myEngagements"]["signUps"]
    assert mine == [
        {"status": "WAITLISTED", "waitlistPosition": 1, "shift": {"id": later}},
        {"status": "NOT_NEEDED", "waitlistPosition": None, "shift": {"id": setup.shift_id}},
    ]
    # Running it again changes nothing.
    await _run_job(runtime, settings)
    assert [row["status"] for row in await sign_up_rows(runtime, later)] == ["confirmed", "waitlisted"]
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)][1:] == ["not_needed"] * 2


def test_the_worker_ends_waitlists_every_half_minute(settings: Settings) -> None:
    worker = create_worker(settings, object(), burst=True)
    crons = {job.name: job for job in worker.cron_jobs}

    assert crons["volunteering.end_waitlists.cron"].second == {12, 42}
