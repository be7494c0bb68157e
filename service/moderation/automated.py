"""The automated decision on a pending contribution (job `moderation.check`)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import Exists, ScalarSelect, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.ideas.models import Comment, Idea, Lifecycle
from service.moderation import checks
from service.moderation.checks import Signals
from service.moderation.journal import Entry, state, store
from service.moderation.lexicon import Lexicon, abuse_lexicon
from service.moderation.models import ModerationDecision, ModerationPolicy, ModerationTerm, Outcome, SubjectKind
from service.moderation.notices import public_idea, tell_author
from service.moderation.reasons import Reason
from service.moderation.settings import town_settings
from service.moderation.subjects import Subject, load_subject, move
from service.moderation.verdict import Verdict, decide

DUPLICATE_WINDOW = timedelta(days=30)
DUPLICATE_CANDIDATES = 500
MIN_COMMENT_LENGTH_FOR_DUPLICATES = 40
POSTING_RATE_WINDOW = timedelta(minutes=checks.POSTING_RATE_WINDOW_MINUTES)
RESULTING_LIFECYCLE = {
    Outcome.PUBLISH: Lifecycle.PUBLISHED,
    Outcome.HOLD: Lifecycle.PENDING,
    Outcome.REJECT: Lifecycle.REJECTED,
}


async def check_submission(session: AsyncSession, *, kind: SubjectKind, subject_id: uuid.UUID) -> Outcome | None:
    """Decide a pending contribution: publish, hold or reject, with reasons; None when there is nothing to do.

    Idempotent and safe to run concurrently: the row is locked (`SELECT … FOR UPDATE`), and a contribution
    that is no longer pending, or whose current text was already decided, is left alone. The decision, the
    audit entry and the author's notification are written in the caller's transaction.
    """
    subject = await load_subject(session, kind, subject_id, lock=True)
    if subject is None or subject.lifecycle is not Lifecycle.PENDING:
        return None
    if await _already_decided(session, subject):
        await _mark_checked(session, subject)
        return None
    settings = await town_settings(session, subject.town_id)
    facts = await signals(session, subject)
    found = checks.assess(subject.text, facts, lexicon=await town_lexicon(session, subject))
    first = settings.policy is ModerationPolicy.FIRST_POST and await is_first_contribution(session, subject)
    verdict = decide(settings.policy, found, first_contribution=first)
    reasons = [reason.value for reason in verdict.reasons]
    after = {"lifecycle": RESULTING_LIFECYCLE[verdict.outcome].value, "reasons": reasons}
    similar = facts.similar_idea_id if Reason.NEAR_DUPLICATE in verdict.reasons else None
    entry = Entry(
        verdict.outcome, reasons, state(subject), after, score=verdict.score, digest=subject.digest, similar=similar
    )
    if not await store(session, subject, None, entry):
        return None
    await _apply(session, subject, verdict)
    tell_author(session, subject, verdict.outcome, reasons=reasons, similar=await public_idea(session, similar))
    return verdict.outcome


async def _already_decided(session: AsyncSession, subject: Subject) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    ModerationDecision.subject_type == subject.kind.value,
                    ModerationDecision.subject_id == subject.id,
                    ModerationDecision.content_digest == subject.digest,
                )
            )
        )
    )


async def _mark_checked(session: AsyncSession, subject: Subject) -> None:
    """The text is unchanged since its decision: note that, so the sweep stops resending it."""
    if subject.row.checked_at is None or (
        isinstance(subject.row, Idea) and subject.row.checked_at < subject.row.updated_at
    ):
        subject.row.checked_at = func.clock_timestamp()
        await session.flush()


async def _apply(session: AsyncSession, subject: Subject, verdict: Verdict) -> None:
    subject.row.moderation_reasons = [reason.value for reason in verdict.reasons]
    # clock_timestamp(), not now(): an edit committed while this job waited for the lock must look older.
    subject.row.checked_at = func.clock_timestamp()
    if verdict.outcome is Outcome.PUBLISH:
        await move(session, subject, Lifecycle.PUBLISHED)
    elif verdict.outcome is Outcome.REJECT:
        await move(session, subject, Lifecycle.REJECTED)
    elif subject.row.held_at is None:
        subject.row.held_at = func.now()
    await session.flush()


# ----------------------------------------------------------------------------- facts the checks need


async def signals(session: AsyncSession, subject: Subject) -> Signals:
    similarity, similar_id = await duplicate_match(session, subject)
    return Signals(
        recent_submissions=await recent_submissions(session, subject),
        duplicate_similarity=similarity,
        similar_idea_id=similar_id if isinstance(subject.row, Idea) else None,
    )


async def recent_submissions(session: AsyncSession, subject: Subject) -> int:
    """The author's ideas and comments in the window before this one (this one included).

    Counted relative to the contribution's own time, so a repeated check gives the same answer.
    """
    since = subject.created_at - POSTING_RATE_WINDOW

    def counted(model: type[Idea] | type[Comment]) -> ScalarSelect[int]:
        return (
            select(func.count())
            .where(
                model.author_id == subject.author_id, model.created_at > since, model.created_at <= subject.created_at
            )
            .scalar_subquery()
        )

    total = await session.scalar(select(counted(Idea) + counted(Comment)))
    return int(total or 0)


async def duplicate_match(session: AsyncSession, subject: Subject) -> tuple[float | None, uuid.UUID | None]:
    """Highest pg_trgm similarity to an earlier contribution of the same kind in the same town, and which one.

    Ideas are compared with everyone's recent ideas; comments only with the same person's recent comments
    (short comments such as "Gute Idee!" are legitimately written by many).
    """
    if isinstance(subject.row, Idea):
        text = Idea.title + " " + Idea.body
        candidates = select(Idea.id, text.label("text")).where(
            Idea.town_id == subject.town_id, Idea.lifecycle != Lifecycle.WITHDRAWN.value
        )
        model: type[Idea] | type[Comment] = Idea
        own = subject.row.title + " " + subject.row.body
    else:
        if len(subject.row.body) < MIN_COMMENT_LENGTH_FOR_DUPLICATES:
            return None, None
        candidates = select(Comment.id, Comment.body.label("text")).where(
            Comment.town_id == subject.town_id, Comment.author_id == subject.author_id
        )
        model = Comment
        own = subject.row.body
    earlier = or_(
        model.created_at < subject.created_at, and_(model.created_at == subject.created_at, model.id < subject.id)
    )
    recent = (
        candidates.where(earlier, model.created_at > subject.created_at - DUPLICATE_WINDOW)
        .order_by(model.created_at.desc())
        .limit(DUPLICATE_CANDIDATES)
        .subquery()
    )
    similarity = func.similarity(recent.c.text, own)
    best = (await session.execute(select(similarity, recent.c.id).order_by(similarity.desc()).limit(1))).first()
    return (float(best[0]), best[1]) if best is not None else (None, None)


async def is_first_contribution(session: AsyncSession, subject: Subject) -> bool:
    """Whether the author has nothing published (or once published, now hidden) in this town yet."""
    shown = (Lifecycle.PUBLISHED.value, Lifecycle.HIDDEN.value)

    def published_before(model: type[Idea] | type[Comment]) -> Exists:
        return exists().where(
            model.author_id == subject.author_id,
            model.town_id == subject.town_id,
            model.lifecycle.in_(shown),
            model.id != subject.id,
        )

    found = await session.scalar(select(or_(published_before(Idea), published_before(Comment))))
    return not found


async def town_lexicon(session: AsyncSession, subject: Subject) -> Lexicon:
    """The built-in lists plus the town's own terms."""
    terms = (await session.scalars(select(ModerationTerm.term).where(ModerationTerm.town_id == subject.town_id))).all()
    return abuse_lexicon().extended(terms)
