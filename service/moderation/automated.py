"""The automated decision on a pending contribution (job `moderation.check`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    Exists,
    ScalarSelect,
    Select,
    Subquery,
    Text,
    and_,
    bindparam,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from service.ideas.models import Comment, Idea, Lifecycle
from service.moderation import checks
from service.moderation.checks import Signals
from service.moderation.journal import Entry, state, store
from service.moderation.lexicon import lexicon_with
from service.moderation.models import (
    DEFAULT_POLICY,
    ModerationDecision,
    ModerationPolicy,
    ModerationTerm,
    Outcome,
    SubjectKind,
    TownModerationSettings,
)
from service.moderation.notices import public_idea, tell_author
from service.moderation.reasons import Reason
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
    known = await facts(session, subject)
    if known.decided:
        await _mark_checked(session, subject)
        return None
    found = checks.assess(subject.text, known.signals, lexicon=lexicon_with(known.terms))
    first = known.policy is ModerationPolicy.FIRST_POST and known.first_contribution
    verdict = decide(known.policy, found, first_contribution=first)
    reasons = [reason.value for reason in verdict.reasons]
    after = {"lifecycle": RESULTING_LIFECYCLE[verdict.outcome].value, "reasons": reasons}
    similar = known.signals.similar_idea_id if Reason.NEAR_DUPLICATE in verdict.reasons else None
    entry = Entry(
        verdict.outcome, reasons, state(subject), after, score=verdict.score, digest=subject.digest, similar=similar
    )
    if not await store(session, subject, None, entry):
        return None
    await _apply(session, subject, verdict)
    tell_author(session, subject, verdict.outcome, reasons=reasons, similar=await public_idea(session, similar))
    return verdict.outcome


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


@dataclass(frozen=True)
class Facts:
    """What a decision reads from the database besides the contribution, in one statement (`facts`)."""

    decided: bool  # this version of the text was decided before
    policy: ModerationPolicy
    terms: tuple[str, ...]  # the town's own terms, in order
    first_contribution: bool  # nothing of the author's is published (or hidden) in the town yet
    signals: Signals


def _bound(name: str, column: InstrumentedAttribute[Any]) -> BindParameter[Any]:
    return bindparam(name, type_=column.type)


def _recent_count(model: type[Idea] | type[Comment]) -> ScalarSelect[int]:
    """The author's contributions of this kind in the window before this one (this one included), counted relative
    to the contribution's own time, so that a repeated check gives the same answer."""
    return (
        select(func.count())
        .where(
            model.author_id == _bound("author_id", model.author_id),
            model.created_at > _bound("since", model.created_at),
            model.created_at <= _bound("created_at", model.created_at),
        )
        .scalar_subquery()
    )


def _published_before(model: type[Idea] | type[Comment]) -> Exists:
    return exists().where(
        model.author_id == _bound("author_id", model.author_id),
        model.town_id == _bound("town_id", model.town_id),
        model.lifecycle.in_((Lifecycle.PUBLISHED.value, Lifecycle.HIDDEN.value)),
        model.id != _bound("subject_id", model.id),
    )


def _most_similar(kind: SubjectKind) -> Subquery:
    """The highest pg_trgm similarity to an earlier contribution of the same kind in the same town, and which one.

    Ideas are compared with everyone's recent ideas; comments only with the same person's recent comments (short
    comments such as "Gute Idee!" are legitimately written by many, and are not compared at all)."""
    model: type[Idea] | type[Comment]
    if kind is SubjectKind.IDEA:
        model = Idea
        candidates = select(Idea.id, (Idea.title + " " + Idea.body).label("text")).where(
            Idea.town_id == _bound("town_id", Idea.town_id), Idea.lifecycle != Lifecycle.WITHDRAWN.value
        )
    else:
        model = Comment
        candidates = select(Comment.id, Comment.body.label("text")).where(
            Comment.town_id == _bound("town_id", Comment.town_id),
            Comment.author_id == _bound("author_id", Comment.author_id),
        )
    created_at = _bound("created_at", model.created_at)
    earlier = or_(
        model.created_at < created_at, and_(model.created_at == created_at, model.id < _bound("subject_id", model.id))
    )
    recent = (
        candidates.where(earlier, model.created_at > _bound("duplicates_since", model.created_at))
        .order_by(model.created_at.desc())
        .limit(DUPLICATE_CANDIDATES)
        .subquery()
    )
    similarity = func.similarity(recent.c.text, bindparam("own_text", type_=Text))
    return (
        select(similarity.label("similarity"), recent.c.id.label("similar_id"))
        .order_by(similarity.desc())
        .limit(1)
        .subquery("most_similar")
    )


def _facts_statement(kind: SubjectKind, *, duplicates: bool) -> Select[Any]:
    """Built once per kind of contribution (and whether it is compared for near-duplicates), its values bound."""
    decided = exists().where(
        ModerationDecision.subject_type == kind.value,
        ModerationDecision.subject_id == _bound("subject_id", ModerationDecision.subject_id),
        ModerationDecision.content_digest == _bound("digest", ModerationDecision.content_digest),
    )
    town_id = _bound("town_id", ModerationTerm.town_id)
    policy = select(TownModerationSettings.policy).where(TownModerationSettings.town_id == town_id)
    terms = select(func.array_agg(aggregate_order_by(ModerationTerm.term, ModerationTerm.term))).where(
        ModerationTerm.town_id == town_id
    )
    columns = (
        decided.label("decided"),
        policy.scalar_subquery().label("policy"),
        terms.scalar_subquery().label("terms"),
        (_recent_count(Idea) + _recent_count(Comment)).label("recent"),
        or_(_published_before(Idea), _published_before(Comment)).label("published_before"),
    )
    if not duplicates:
        return select(*columns, null().label("similarity"), null().label("similar_id"))
    similar = _most_similar(kind)
    one_row = select(literal(1).label("one")).subquery("one_row")
    return select(*columns, similar.c.similarity, similar.c.similar_id).select_from(one_row.outerjoin(similar, true()))


_FACTS = {
    (kind, duplicates): _facts_statement(kind, duplicates=duplicates)
    for kind in SubjectKind
    for duplicates in (True, False)
}


async def facts(session: AsyncSession, subject: Subject) -> Facts:
    """Everything the decision reads besides the contribution itself: one statement."""
    if isinstance(subject.row, Idea):
        own, duplicates = subject.row.title + " " + subject.row.body, True
    else:
        own = subject.row.body
        duplicates = len(own) >= MIN_COMMENT_LENGTH_FOR_DUPLICATES
    parameters = {
        "subject_id": subject.id,
        "digest": subject.digest,
        "town_id": subject.town_id,
        "author_id": subject.author_id,
        "created_at": subject.created_at,
        "since": subject.created_at - POSTING_RATE_WINDOW,
    }
    if duplicates:
        parameters |= {"duplicates_since": subject.created_at - DUPLICATE_WINDOW, "own_text": own}
    row = (await session.execute(_FACTS[subject.kind, duplicates], parameters)).one()
    similarity = float(row.similarity) if row.similarity is not None else None
    return Facts(
        decided=bool(row.decided),
        policy=ModerationPolicy(row.policy) if row.policy is not None else DEFAULT_POLICY,
        terms=tuple(row.terms or ()),
        first_contribution=not row.published_before,
        signals=Signals(
            recent_submissions=int(row.recent or 0),
            duplicate_similarity=similarity,
            similar_idea_id=row.similar_id if isinstance(subject.row, Idea) else None,
        ),
    )
