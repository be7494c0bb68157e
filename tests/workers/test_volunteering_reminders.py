"""`volunteering.send_reminders`: one e-mail per confirmed sign-up within a day before its shift, never twice, none for
sign-ups that hold no confirmed place; the mail reaches a real SMTP server through the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from mitmachen.runtime import Runtime
from service.config import Settings
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows
from tests.support.mail import Inbox, give_address, run_worker, smtp_inbox
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.volunteering import (
    CANCEL_SIGN_UP,
    added_shift,
    move_shift_directly,
    open_shift,
    sign_up,
    sign_up_rows,
)

UPDATE_SHIFT = """
mutation UpdateShift($input: UpdateShiftInput!) { updateShift(input: $input) { __typename } }
"""
CANCEL_SHIFT = """
mutation CancelShift($id: ID!) { cancelShift(shiftId: $id) { __typename } }
"""
REMINDER = "volunteering.reminder"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_inbox() as server:
        yield server


async def _volunteer(runtime: Runtime, provider: OidcProvider, subject: str) -> Person:
    someone = await person(runtime, provider, subject)
    await give_address(runtime, someone, f"{subject}@example.org")
    return someone


async def _remind(runtime: Runtime, settings: Settings, inbox: Inbox) -> None:
    """The reminder job, then the deliveries it asked for (a second burst catches wake-ups sent meanwhile)."""
    await runtime.redis.enqueue_job("volunteering.send_reminders")
    await run_worker(runtime, settings, inbox)
    await run_worker(runtime, settings, inbox)


def _in_hours(hours: float) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(second=0, microsecond=0)


async def test_one_reminder_per_confirmed_sign_up_within_a_day_before_the_shift(
    runtime: Runtime, settings: Settings, graphql: GraphQLClient, oidc_provider: OidcProvider, inbox: Inbox
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)
    organisation, offer = setup.organisation, setup.offer_id
    tomorrow = await added_shift(graphql, organisation, offer, capacity=2, starts_at=_in_hours(12))
    in_three_days = await added_shift(graphql, organisation, offer, capacity=2, starts_at=_in_hours(72))
    called_off = await added_shift(graphql, organisation, offer, capacity=2, starts_at=_in_hours(6))
    anna, ben, cem, dora, emil, fritz = [
        await _volunteer(runtime, oidc_provider, name) for name in ("anna", "ben", "cem", "dora", "emil", "fritz")
    ]
    on_tomorrow = [await sign_up(graphql, someone, tomorrow) for someone in (anna, ben, cem, dora)]
    # Ben cancels: his place is offered to Cem (not yet confirmed), Dora keeps waiting.
    await graphql(CANCEL_SIGN_UP, {"id": on_tomorrow[1]["signUp"]["id"]}, headers=ben.headers)
    assert [row["status"] for row in await sign_up_rows(runtime, tomorrow)] == [
        "confirmed",
        "cancelled",
        "offered",
        "waitlisted",
    ]
    await sign_up(graphql, emil, in_three_days)
    await sign_up(graphql, fritz, called_off)
    cancelled = await graphql(CANCEL_SHIFT, {"id": called_off}, headers=organisation.manager.headers)
    assert cancelled["data"]["cancelShift"]["__typename"] == "ShiftCancelled"
    await run_worker(runtime, settings)  # the cancellation notices, out of the way

    await _remind(runtime, settings, inbox)
    await _remind(runtime, settings, inbox)  # a second run sends nothing again

    assert [message["To"] for message in inbox.messages] == ["anna@example.org"]
    reminder = inbox.messages[0]
    assert reminder["Subject"] == "Erinnerung: „Lebensmittel ausgeben“"
    body = Inbox.body(reminder)
    assert "Sie sind für „Lebensmittel ausgeben“ am" in body
    assert "Ort: Marktstraße 1, 59494 Soest" in body
    assert "Kontakt: helfen@tafel-soest.example" in body
    assert await count_rows(runtime, "notifications", "kind = :kind", kind=REMINDER) == 1
    assert await count_rows(runtime, "notifications", "kind = :kind AND sent_at IS NOT NULL", kind=REMINDER) == 1
    assert await count_rows(runtime, "volunteer_sign_ups", "reminded_at IS NOT NULL") == 1


async def test_no_reminder_once_the_shift_has_started(
    runtime: Runtime, settings: Settings, graphql: GraphQLClient, oidc_provider: OidcProvider, inbox: Inbox
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)
    anna = await _volunteer(runtime, oidc_provider, "anna")
    await sign_up(graphql, anna, setup.shift_id)
    started = datetime.now(UTC) - timedelta(minutes=5)
    await move_shift_directly(runtime, setup.shift_id, starts_at=started, ends_at=started + timedelta(hours=2))

    await _remind(runtime, settings, inbox)

    assert inbox.messages == []
    assert await count_rows(runtime, "notifications", "kind = :kind", kind=REMINDER) == 0


async def test_a_shift_moved_into_the_window_is_reminded_and_new_times_remind_again(
    runtime: Runtime, settings: Settings, graphql: GraphQLClient, oidc_provider: OidcProvider, inbox: Inbox
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)
    anna = await _volunteer(runtime, oidc_provider, "anna")
    await sign_up(graphql, anna, setup.shift_id)
    manager = setup.organisation.manager
    await _remind(runtime, settings, inbox)
    assert inbox.messages == []  # a week ahead: too early

    async def move_to(start: datetime) -> None:
        moved = await graphql(
            UPDATE_SHIFT,
            {
                "input": {
                    "shiftId": setup.shift_id,
                    "startsAt": start.isoformat(),
                    "endsAt": (start + timedelta(hours=2)).isoformat(),
                }
            },
            headers=manager.headers,
        )
        assert moved["data"]["updateShift"]["__typename"] == "ShiftUpdated", moved

    expected = ["Erinnerung: „Lebensmittel ausgeben“", "Neue Zeiten: „Lebensmittel ausgeben“"]
    await move_to(_in_hours(20))
    await _remind(runtime, settings, inbox)
    assert sorted(message["Subject"] for message in inbox.messages) == expected
    await move_to(_in_hours(10))
    await _remind(runtime, settings, inbox)
    await _remind(runtime, settings, inbox)

    assert sorted(message["Subject"] for message in inbox.messages) == sorted(expected * 2)
    assert {message["To"] for message in inbox.messages} == {"anna@example.org"}
    assert await count_rows(runtime, "notifications", "kind = :kind", kind=REMINDER) == 2
