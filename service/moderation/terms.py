"""A town's own abuse terms, added to the built-in word lists by its moderators and admins; every change audited."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.viewer import Viewer
from service.kit.errors import NotFound, PermissionDenied, UserError
from service.kit.text import clean_line
from service.moderation.errors import ModerationErrorCode
from service.moderation.lexicon import parse_term
from service.moderation.models import ModerationTerm
from service.moderation.policies import can_moderate, moderates_somewhere
from service.towns.errors import TownErrorCode
from service.towns.models import Town

MAX_TERM_LENGTH = 100
MIN_TERM_LETTERS = 3
MAX_TERMS_PER_TOWN = 2000
SUBJECT_TYPE = "moderation_term"

_REFUSED = "Die Wortliste einer Stadt pflegen nur deren Moderatorinnen und Moderatoren."


def _authorise(viewer: Viewer, town_id: uuid.UUID) -> None:
    viewer.require_person()
    if not can_moderate(viewer, town_id):
        raise PermissionDenied(_REFUSED)


def normalise_term(value: str) -> str:
    """One line of the list syntax (`!` severe, `*` before or after for compounds), whitespace collapsed.

    The check sees through case, umlauts, inflection and obfuscation, so a term is stored as written.
    """
    text = clean_line(value, field="term")
    parsed = parse_term(text) if 1 <= len(text) <= MAX_TERM_LENGTH else None
    if text.startswith("#") or parsed is None or sum(len(word) for word in parsed.words) < MIN_TERM_LETTERS:
        raise UserError(
            ModerationErrorCode.MODERATION_TERM_INVALID,
            f"Ein Begriff hat mindestens {MIN_TERM_LETTERS} Buchstaben und höchstens {MAX_TERM_LENGTH} Zeichen; "
            "ein vorangestelltes ! lehnt Beiträge mit ihm sofort ab, ein * am Anfang oder Ende erfasst "
            "Zusammensetzungen.",
            field="term",
        )
    return text


async def town_terms(session: AsyncSession, viewer: Viewer, *, town_id: uuid.UUID) -> Sequence[ModerationTerm]:
    """The town's own terms, alphabetically (its moderators and admins)."""
    _authorise(viewer, town_id)
    found = await session.scalars(
        select(ModerationTerm).where(ModerationTerm.town_id == town_id).order_by(ModerationTerm.term)
    )
    return found.all()


async def add_term(session: AsyncSession, viewer: Viewer, *, town_id: uuid.UUID, term: str) -> ModerationTerm:
    """Idempotent: adding a term the town already has returns it and records nothing."""
    _authorise(viewer, town_id)
    text = normalise_term(term)
    # Serialises changes to one town's list (`FOR NO KEY UPDATE` still lets new rows reference the town).
    if await session.scalar(select(Town.id).where(Town.id == town_id).with_for_update(key_share=True)) is None:
        raise NotFound(TownErrorCode.UNKNOWN_TOWN, "Diese Stadt gibt es hier nicht.", field="townId")
    existing = await session.scalar(
        select(ModerationTerm).where(ModerationTerm.town_id == town_id, ModerationTerm.term == text)
    )
    if existing is not None:
        return existing
    count = await session.scalar(select(func.count()).where(ModerationTerm.town_id == town_id)) or 0
    if count >= MAX_TERMS_PER_TOWN:
        raise UserError(
            ModerationErrorCode.MODERATION_TERM_LIMIT,
            f"Eine Stadt kann höchstens {MAX_TERMS_PER_TOWN} eigene Begriffe führen.",
            field="term",
        )
    added: ModerationTerm | None = await session.scalar(
        insert(ModerationTerm).values(town_id=town_id, term=text, added_by_id=viewer.user_id).returning(ModerationTerm)
    )
    assert added is not None  # noqa: S101 - the town's list is locked, the term was not there
    record(
        session,
        viewer,
        action="moderation.term_added",
        subject_type=SUBJECT_TYPE,
        subject_id=added.id,
        town_id=town_id,
        after={"term": text},
    )
    return added


async def remove_term(session: AsyncSession, viewer: Viewer, *, term_id: uuid.UUID) -> ModerationTerm:
    """Remove one of a town's terms; contributions already decided keep their decisions."""
    viewer.require_person()
    if not moderates_somewhere(viewer):
        raise PermissionDenied(_REFUSED)
    found = await session.scalar(select(ModerationTerm).where(ModerationTerm.id == term_id).with_for_update())
    if found is None:
        raise NotFound(
            ModerationErrorCode.UNKNOWN_MODERATION_TERM, "Diesen Begriff gibt es nicht (mehr).", field="termId"
        )
    _authorise(viewer, found.town_id)
    await session.execute(delete(ModerationTerm).where(ModerationTerm.id == term_id))
    record(
        session,
        viewer,
        action="moderation.term_removed",
        subject_type=SUBJECT_TYPE,
        subject_id=found.id,
        town_id=found.town_id,
        before={"term": found.term},
    )
    return found
