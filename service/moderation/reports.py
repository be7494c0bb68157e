"""Hiding a published contribution once enough different people reported it (job `moderation.hide_reported`)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from service.ideas.models import Lifecycle
from service.moderation.journal import Entry, state, store
from service.moderation.models import Outcome, SubjectKind
from service.moderation.notices import tell_author
from service.moderation.reasons import Reason
from service.moderation.settings import town_settings
from service.moderation.subjects import load_subject, move, open_reporters


async def hide_if_reported(session: AsyncSession, *, kind: SubjectKind, subject_id: uuid.UUID) -> bool:
    """Hide the contribution when its open reports come from at least the town's threshold of people.

    Idempotent: a contribution that is not published (already hidden, say) is left alone. It stays in the
    moderation queue, with its reports open, until a moderator decides.
    """
    subject = await load_subject(session, kind, subject_id, lock=True)
    if subject is None or subject.lifecycle is not Lifecycle.PUBLISHED:
        return False
    threshold = (await town_settings(session, subject.town_id)).report_threshold
    reporters = await open_reporters(session, subject)
    if reporters < threshold:
        return False
    reasons = [Reason.REPORTED.value]
    after = {"lifecycle": Lifecycle.HIDDEN.value, "reasons": list(subject.row.moderation_reasons)}
    entry = Entry(Outcome.HIDE, reasons, state(subject), after, extra={"reporters": reporters, "threshold": threshold})
    await store(session, subject, None, entry)
    await move(session, subject, Lifecycle.HIDDEN)
    await session.flush()
    tell_author(session, subject, Outcome.HIDE, reasons=reasons)
    return True
