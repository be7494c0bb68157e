"""Volunteering jobs: places offered from the waitlist expire and pass on; waitlists end when their shift begins;
reminders before shifts."""

from __future__ import annotations

from typing import Any

from service.kit.jobs import NO_ARGUMENTS, NoArguments
from service.volunteering import reminders, signups
from workers.context import unit_of_work


async def expire_offers(ctx: dict[str, Any], _: NoArguments = NO_ARGUMENTS) -> int:
    """Idempotent: each shift with an offer past its deadline is handled in its own short transaction."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        shift_ids = await signups.expired_offer_shift_ids(session)
    expired = 0
    for shift_id in shift_ids:
        async with unit_of_work(ctx) as uow, uow.session() as session:
            expired += await signups.expire_offers_on_shift(session, shift_id)
    return expired


async def end_waitlists(ctx: dict[str, Any], _: NoArguments = NO_ARGUMENTS) -> int:
    """People still waitlisted when their shift began end as not needed; returns how many."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        return await signups.end_waitlists(session)


async def send_reminders(ctx: dict[str, Any], _: NoArguments = NO_ARGUMENTS) -> int:
    """Sends each reminder once (the sign-up records when); returns how many were sent."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        return await reminders.send_reminders(session)
