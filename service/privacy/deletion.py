"""Deleting an account: personal data goes, public contributions stay as those of a deleted account.

What happens, in one transaction (see the README section "Personal data and retention"):
- name, e-mail, issuer and subject of the identity provider, and the home town are set to NULL; `deleted_at`
  is set. The row itself stays, without personal data, so that ideas, comments, official answers and
  audit entries keep pointing somewhere (the API shows the author as "Gelöschtes Konto").
- supports are deleted and the ideas' support counts drop with them (atomic SQL, like withdrawing a support);
- active sign-ups on shifts that have not started are cancelled; freed places go to the waitlist as usual; no
  sign-up shares the contact any more;
- roles, browser sessions, e-mails in the outbox (sent or not) and data exports are deleted.
Survey participations and responses stay (they hold no personal data once the account is empty, and keep
"one response per person" for the account); anonymous answers were never linked to the person at all.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.models import RoleGrant
from service.auth.sessions import WebSession
from service.auth.viewer import Viewer
from service.ideas.models import Idea, Support
from service.kit.errors import NotAuthenticated, UserError
from service.notifications.models import Notification
from service.privacy.errors import PrivacyErrorCode
from service.privacy.identities import remember_deleted
from service.privacy.models import DataExport
from service.users.models import User
from service.volunteering.models import SignUp
from service.volunteering.signups import cancel_everything_of


async def delete_account(session: AsyncSession, viewer: Viewer, *, confirm: bool) -> datetime:
    """Delete the viewer's own account; returns when. Nobody can delete another person's account."""
    user_id = viewer.require_person()
    if not confirm:
        raise UserError(
            PrivacyErrorCode.CONFIRMATION_REQUIRED,
            "Bitte bestätigen Sie, dass Ihr Konto gelöscht werden soll.",
            field="confirm",
        )
    user = await session.scalar(select(User).where(User.id == user_id, User.deleted_at.is_(None)).with_for_update())
    if user is None:
        raise NotAuthenticated("Dieses Konto wurde gelöscht.")
    if viewer.identity_digest is not None:
        await remember_deleted(session, user_id=user_id, digest=viewer.identity_digest)
    await _withdraw_supports(session, user_id)
    await cancel_everything_of(session, user_id)
    # The consent to be reached goes with the account (and the address with it, below).
    await session.execute(update(SignUp).where(SignUp.user_id == user_id).values(share_contact=False))
    await session.execute(delete(RoleGrant).where(RoleGrant.user_id == user_id))
    await session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    await session.execute(delete(Notification).where(Notification.user_id == user_id))
    await session.execute(delete(DataExport).where(DataExport.user_id == user_id))
    deleted_at: datetime | None = await session.scalar(
        update(User)
        .where(User.id == user_id)
        .values(
            issuer=None,
            subject=None,
            display_name=None,
            email=None,
            home_town_id=None,
            last_seen_at=None,
            deleted_at=func.now(),
        )
        .returning(User.deleted_at)
    )
    assert deleted_at is not None  # noqa: S101 - the row is locked above
    record(session, viewer, action="account.deleted", subject_type="user", subject_id=user_id, town_id=None)
    await session.flush()
    return deleted_at


async def _withdraw_supports(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Each support counted once on its idea (the primary key), so each removed one takes one off the count."""
    idea_ids = (
        await session.scalars(delete(Support).where(Support.user_id == user_id).returning(Support.idea_id))
    ).all()
    if idea_ids:
        await session.execute(update(Idea).where(Idea.id.in_(idea_ids)).values(support_count=Idea.support_count - 1))
