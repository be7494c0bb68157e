"""Reminders: once per confirmed sign-up, within a day before the shift."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.notifications.service import notify
from service.volunteering.models import Offer, Shift, SignUp, SignUpStatus
from service.volunteering.signups import BATCH, shift_time

REMINDER_AHEAD = timedelta(hours=24)


async def send_reminders(session: AsyncSession) -> int:
    """Once per confirmed sign-up, within a day before the shift; rows other workers hold are skipped."""
    due = (
        await session.execute(
            select(SignUp, Shift, Offer)
            .join(Shift, Shift.id == SignUp.shift_id)
            .join(Offer, Offer.id == Shift.offer_id)
            .where(
                SignUp.status == SignUpStatus.CONFIRMED.value,
                SignUp.reminded_at.is_(None),
                Shift.cancelled_at.is_(None),
                Shift.starts_at > func.now(),
                Shift.starts_at <= func.now() + REMINDER_AHEAD,
            )
            .order_by(Shift.starts_at)
            .limit(BATCH)
            .with_for_update(of=SignUp, skip_locked=True)
        )
    ).all()
    for sign_up, shift, offer in due:
        sign_up.reminded_at = func.now()
        notify(
            session,
            user_id=sign_up.user_id,
            kind="volunteering.reminder",
            subject=f"Erinnerung: „{offer.title}“",
            body=(
                f"Sie sind für „{offer.title}“ am {shift_time(shift)} angemeldet.\n\n"
                f"Ort: {offer.address or 'siehe Angebot'}\nKontakt: {offer.contact or '-'}\n"
            ),
        )
    await session.flush()
    return len(due)
