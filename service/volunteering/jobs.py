"""Volunteering's jobs, all periodic: offers from the waitlist expire, waitlists end, reminders go out."""

from __future__ import annotations

from service.kit.jobs import JobType, NoArguments

EXPIRE_OFFERS = JobType("volunteering.expire_offers", NoArguments)
END_WAITLISTS = JobType("volunteering.end_waitlists", NoArguments)
SEND_REMINDERS = JobType("volunteering.send_reminders", NoArguments)
