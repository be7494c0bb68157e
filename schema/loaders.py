"""Per-request dataloaders, named for their key. Each batch runs one statement through the request's session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from service.auth.models import RoleGrant
from service.auth.viewer import Viewer
from service.ideas import repository as ideas
from service.ideas.models import Comment, Idea, OfficialAnswer
from service.moderation import status as moderation
from service.moderation.models import ModerationDecision, SubjectKind
from service.surveys import repository as surveys
from service.surveys.models import Answer, Question, Results, Survey
from service.towns import repository as towns
from service.towns.models import StrategyArea, Town
from service.unit_of_work import UnitOfWork
from service.users import repository as users
from service.users.models import User
from service.volunteering import repository as volunteering
from service.volunteering.models import Offer, Organisation, Shift, SignUp

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


def resolved(loader: DataLoader[K, V], key: K, convert: Callable[[V], R]) -> R | Awaitable[R]:
    """`convert` of the loaded value: at once when the loader already holds it, else an awaitable.

    A nested field whose value is already loaded then costs graphql-core no coroutine, and an object whose
    fields are all at hand completes without a task: a page of nodes whose loaders were filled ahead, one batch
    each (see `prefetch`), is completed synchronously.
    """
    future = loader.load(key)
    if isinstance(future, asyncio.Future) and future.done() and not future.cancelled() and not future.exception():
        return convert(future.result())
    return _converted(future, convert)


async def _converted(loading: Awaitable[V], convert: Callable[[V], R]) -> R:
    return convert(await loading)


async def prefetch(*loads: Awaitable[object]) -> None:
    """Wait for batch loads started ahead of the fields that need them; a failure is left to those fields.

    A failed batch leaves its error in the loader's futures: the field resolving that key reports it, as it
    would have without the prefetch, and the list that asked for the prefetch still answers.
    """
    await asyncio.gather(*loads, return_exceptions=True)


def _loader(
    uow: UnitOfWork,
    fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[dict[K, V]]],
    missing: Callable[[], V],
) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        async with uow.session() as session:
            found = await fetch(session, keys)
        return [found[key] if key in found else missing() for key in keys]

    return DataLoader(load_fn=load)


def _optional_loader(
    uow: UnitOfWork, fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[dict[K, V]]]
) -> DataLoader[K, V | None]:
    async def load(keys: list[K]) -> list[V | None]:
        async with uow.session() as session:
            found = await fetch(session, keys)
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, uow: UnitOfWork, viewer: Viewer) -> None:
        self.strategy_areas_by_town_id: DataLoader[uuid.UUID, list[StrategyArea]] = _loader(
            uow, towns.strategy_areas_by_town_ids, list
        )
        self.town_by_id: DataLoader[uuid.UUID, Town | None] = _optional_loader(uow, towns.towns_by_ids)
        self.strategy_area_by_id: DataLoader[uuid.UUID, StrategyArea | None] = _optional_loader(
            uow, towns.strategy_areas_by_ids
        )
        self.user_by_id: DataLoader[uuid.UUID, User | None] = _optional_loader(uow, users.users_by_ids)
        self.role_grants_by_user_id: DataLoader[uuid.UUID, list[RoleGrant]] = _loader(
            uow, users.grants_by_user_ids, list
        )
        self.idea_by_id: DataLoader[uuid.UUID, Idea | None] = _optional_loader(
            uow, partial(ideas.ideas_by_ids, viewer=viewer)
        )
        self.comment_by_id: DataLoader[uuid.UUID, Comment | None] = _optional_loader(
            uow, partial(ideas.comments_by_ids, viewer=viewer)
        )
        self.comments_by_idea_id: DataLoader[uuid.UUID, list[Comment]] = _loader(
            uow, partial(ideas.comments_by_idea_ids, viewer=viewer), list
        )
        self.moderation_decision_by_subject: DataLoader[tuple[SubjectKind, uuid.UUID], ModerationDecision | None] = (
            _optional_loader(uow, moderation.latest_decisions)
        )
        self.answers_by_idea_id: DataLoader[uuid.UUID, list[OfficialAnswer]] = _loader(
            uow, ideas.answers_by_idea_ids, list
        )
        self.survey_by_id: DataLoader[uuid.UUID, Survey | None] = _optional_loader(
            uow, partial(surveys.surveys_by_ids, viewer=viewer)
        )
        self.questions_by_survey_id: DataLoader[uuid.UUID, list[Question]] = _loader(
            uow, surveys.questions_by_survey_ids, list
        )
        self.response_count_by_survey_id: DataLoader[uuid.UUID, int] = _loader(uow, surveys.response_counts, int)
        self.results_by_survey_id: DataLoader[uuid.UUID, Results | None] = _optional_loader(
            uow, surveys.results_by_survey_ids
        )
        user_id = viewer.user_id
        self.viewer_took_part_survey_id: DataLoader[uuid.UUID, bool] | None = (
            _loader(uow, partial(surveys.participated_survey_ids, user_id=user_id), bool) if user_id else None
        )
        self.own_answers_by_survey_id: DataLoader[uuid.UUID, list[Answer]] | None = (
            _loader(uow, partial(surveys.own_answers_by_survey_ids, user_id=user_id), list) if user_id else None
        )
        self.viewer_supports_idea_id: DataLoader[uuid.UUID, bool] | None = (
            _loader(uow, partial(ideas.supported_idea_ids, user_id=user_id), bool) if user_id else None
        )
        self.organisation_by_id: DataLoader[uuid.UUID, Organisation | None] = _optional_loader(
            uow, partial(volunteering.organisations_by_ids, viewer=viewer)
        )
        self.offer_by_id: DataLoader[uuid.UUID, Offer | None] = _optional_loader(
            uow, partial(volunteering.offers_by_ids, viewer=viewer)
        )
        self.shift_by_id: DataLoader[uuid.UUID, Shift | None] = _optional_loader(
            uow, partial(volunteering.shifts_by_ids, viewer=viewer)
        )
        self.shifts_by_offer_id: DataLoader[uuid.UUID, list[Shift]] = _loader(
            uow, volunteering.shifts_by_offer_ids, list
        )
        self.offers_by_organisation_id: DataLoader[uuid.UUID, list[Offer]] = _loader(
            uow, partial(volunteering.offers_by_organisation_ids, viewer=viewer), list
        )
        self.waitlist_position_by_sign_up_id: DataLoader[uuid.UUID, int | None] = _optional_loader(
            uow, volunteering.waitlist_positions
        )
        self.roster_by_shift_id: DataLoader[uuid.UUID, list[SignUp] | None] = _optional_loader(
            uow, partial(volunteering.rosters_by_shift_ids, viewer=viewer)
        )
        self.viewer_sign_up_by_shift_id: DataLoader[uuid.UUID, SignUp | None] | None = (
            _optional_loader(uow, partial(volunteering.viewer_sign_ups_by_shift_ids, user_id=user_id))
            if user_id
            else None
        )
        self.own_sign_up_by_id: DataLoader[uuid.UUID, SignUp | None] | None = (
            _optional_loader(uow, partial(volunteering.own_sign_ups_by_ids, user_id=user_id)) if user_id else None
        )
