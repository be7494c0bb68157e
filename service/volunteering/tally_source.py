"""What volunteering contributes to the participation tallies: sign-ups and confirmed hours."""

from __future__ import annotations

from service.kit.tally_source import Events, local_day, tally_source
from service.volunteering.models import Offer, Shift, SignUp, SignUpStatus

# A sign-up that was cancelled, or whose offered place passed on, no longer counts; waitlisted ones do.
NOT_COUNTED = (SignUpStatus.CANCELLED.value, SignUpStatus.EXPIRED.value)


def _of_offers(events: Events) -> Events:
    return events.join(Shift, Shift.id == SignUp.shift_id).join(Offer, Offer.id == Shift.offer_id)


SOURCES = (
    # Sign-ups on the day they were made.
    tally_source(
        "volunteer_sign_ups",
        person=SignUp.user_id,
        town=Offer.town_id,
        area=Offer.strategy_area_id,
        day=local_day(SignUp.queued_at),
        rows=lambda events: _of_offers(events).where(SignUp.status.not_in(NOT_COUNTED)),
    ),
    # Hours confirmed by the organisation, in the period of the shift's start; summed in minutes (exact integers)
    # and turned into hours at the end.
    tally_source(
        "volunteer_hours",
        person=SignUp.user_id,
        town=Offer.town_id,
        area=Offer.strategy_area_id,
        day=local_day(Shift.starts_at),
        amount=SignUp.attended_minutes,
        rows=lambda events: _of_offers(events).where(
            SignUp.status == SignUpStatus.ATTENDED.value, SignUp.attended_minutes.is_not(None)
        ),
        unit=60,
    ),
)
