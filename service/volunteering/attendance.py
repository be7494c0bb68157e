"""After a shift, its organisation's managers record who came and for how long."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.kit.errors import NotFound, UserError
from service.volunteering import validation
from service.volunteering.errors import VolunteeringErrorCode
from service.volunteering.models import SignUp, SignUpStatus
from service.volunteering.service import managed_shift, now
from service.volunteering.signups import locked_sign_up

ATTENDANCE_REFUSAL = "Die Teilnahme bestätigen nur die Verantwortlichen der Organisation, die den Einsatz anbietet."


async def confirm_attendance(
    session: AsyncSession,
    viewer: Viewer,
    *,
    sign_up_id: uuid.UUID,
    attended: bool,
    hours: float | None = None,
    minutes: int | None = None,
) -> SignUp:
    """After the shift, its organisation's managers record who came and for how long (correctable): whole minutes,
    the shift's length unless said otherwise, at most the shift's length plus an hour."""
    shift_id = await session.scalar(select(SignUp.shift_id).where(SignUp.id == sign_up_id))
    if shift_id is None:
        raise NotFound(VolunteeringErrorCode.UNKNOWN_SIGN_UP, "Diese Anmeldung gibt es nicht.", field="signUpId")
    shift, _offer = await managed_shift(session, viewer, shift_id, refusal=ATTENDANCE_REFUSAL)
    sign_up = await locked_sign_up(session, sign_up_id)
    if shift.ends_at > await now(session):
        raise UserError(VolunteeringErrorCode.SHIFT_NOT_OVER, "Die Teilnahme wird nach dem Einsatz bestätigt.")
    if sign_up.status not in {SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED, SignUpStatus.ABSENT}:
        raise UserError(VolunteeringErrorCode.SIGN_UP_NOT_ACTIVE, "Diese Person hatte keinen bestätigten Platz.")
    if attended:
        shift_minutes = round((shift.ends_at - shift.starts_at).total_seconds() / 60)
        sign_up.attended_minutes = validation.attended_minutes(
            hours=hours, minutes=minutes, shift_minutes=shift_minutes
        )
        sign_up.status = SignUpStatus.ATTENDED.value
    else:
        sign_up.attended_minutes = None
        sign_up.status = SignUpStatus.ABSENT.value
    sign_up.attendance_confirmed_at = func.now()
    sign_up.attendance_confirmed_by_id = viewer.user_id
    await session.flush()
    await session.refresh(sign_up)
    return sign_up
