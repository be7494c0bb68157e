"""Per-request dataloaders, named for their key. Each batch runs one statement through the request's session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property, partial
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from service.auth.models import RoleGrant
from service.auth.viewer import Viewer
from service.ideas import repository as ideas
from service.ideas.models import Comment, Idea, OfficialAnswer
from service.kit.unit_of_work import UnitOfWork
from service.moderation import appeals as moderation_appeals
from service.moderation import history as moderation_history
from service.moderation import queue as moderation_queue
from service.moderation import status as moderation
from service.moderation.history import AuthorHistory
from service.moderation.models import ModerationAppeal, SubjectKind
from service.surveys import repository as surveys
from service.surveys.models import Answer, Question, Results, Survey
from service.towns import repository as towns
from service.towns.models import StrategyArea, Town
from service.users import repository as users
from service.users.models import User
from service.volunteering import managers as volunteering_managers
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
    """The request's dataloaders, each made when first used: a request builds only the few it needs."""

    def __init__(self, uow: UnitOfWork, viewer: Viewer) -> None:
        self._uow = uow
        self._viewer = viewer
        # Pages of lists read ahead with their owner, by owner and arguments: see `schema/towns/page_lists.py`.
        self.first_pages: dict[tuple[object, ...], object] = {}

    @cached_property
    def strategy_areas_by_town_id(self) -> DataLoader[uuid.UUID, list[towns.AreaHeader]]:
        return _loader(self._uow, towns.strategy_areas_by_town_ids, list)

    @cached_property
    def town_by_id(self) -> DataLoader[uuid.UUID, Town | None]:
        return _optional_loader(self._uow, towns.towns_by_ids)

    @cached_property
    def strategy_area_by_id(self) -> DataLoader[uuid.UUID, StrategyArea | None]:
        return _optional_loader(self._uow, towns.strategy_areas_by_ids)

    @cached_property
    def user_by_id(self) -> DataLoader[uuid.UUID, User | None]:
        return _optional_loader(self._uow, users.users_by_ids)

    @cached_property
    def role_grants_by_user_id(self) -> DataLoader[uuid.UUID, list[RoleGrant]]:
        return _loader(self._uow, users.grants_by_user_ids, list)

    @cached_property
    def idea_by_id(self) -> DataLoader[uuid.UUID, Idea | None]:
        return _optional_loader(self._uow, partial(ideas.ideas_by_ids, viewer=self._viewer))

    @cached_property
    def comment_by_id(self) -> DataLoader[uuid.UUID, Comment | None]:
        return _optional_loader(self._uow, partial(ideas.comments_by_ids, viewer=self._viewer))

    @cached_property
    def comments_by_idea_id(self) -> DataLoader[uuid.UUID, list[Comment]]:
        return _loader(self._uow, partial(ideas.comments_by_idea_ids, viewer=self._viewer), list)

    @cached_property
    def moderation_decision_by_subject(
        self,
    ) -> DataLoader[tuple[SubjectKind, uuid.UUID], moderation.ShownDecision | None]:
        return _optional_loader(self._uow, moderation.shown_decisions)

    @cached_property
    def open_reports_by_subject(
        self,
    ) -> DataLoader[tuple[SubjectKind, uuid.UUID], list[moderation_queue.OpenReport]]:
        return _loader(self._uow, moderation_queue.open_reports, list)

    @cached_property
    def open_appeal_by_subject(self) -> DataLoader[tuple[SubjectKind, uuid.UUID], ModerationAppeal | None]:
        return _optional_loader(self._uow, moderation_appeals.open_appeals)

    @cached_property
    def author_history_by_town_and_author(self) -> DataLoader[moderation_history.AuthorKey, AuthorHistory]:
        return _loader(self._uow, moderation_history.author_histories, AuthorHistory)

    @cached_property
    def answers_by_idea_id(self) -> DataLoader[uuid.UUID, list[OfficialAnswer]]:
        return _loader(self._uow, ideas.answers_by_idea_ids, list)

    @cached_property
    def survey_by_id(self) -> DataLoader[uuid.UUID, Survey | None]:
        return _optional_loader(self._uow, partial(surveys.surveys_by_ids, viewer=self._viewer))

    @cached_property
    def questions_by_survey_id(self) -> DataLoader[uuid.UUID, list[Question]]:
        return _loader(self._uow, surveys.questions_by_survey_ids, list)

    @cached_property
    def response_count_by_survey_id(self) -> DataLoader[uuid.UUID, int]:
        return _loader(self._uow, surveys.response_counts, int)

    @cached_property
    def results_by_survey_id(self) -> DataLoader[uuid.UUID, Results | None]:
        return _optional_loader(self._uow, surveys.results_by_survey_ids)

    @cached_property
    def viewer_took_part_survey_id(self) -> DataLoader[uuid.UUID, bool] | None:
        return (
            _loader(self._uow, partial(surveys.participated_survey_ids, user_id=self._viewer.user_id), bool)
            if self._viewer.user_id
            else None
        )

    @cached_property
    def own_answers_by_survey_id(self) -> DataLoader[uuid.UUID, list[Answer]] | None:
        return (
            _loader(self._uow, partial(surveys.own_answers_by_survey_ids, user_id=self._viewer.user_id), list)
            if self._viewer.user_id
            else None
        )

    @cached_property
    def viewer_supports_idea_id(self) -> DataLoader[uuid.UUID, bool] | None:
        return (
            _loader(self._uow, partial(ideas.supported_idea_ids, user_id=self._viewer.user_id), bool)
            if self._viewer.user_id
            else None
        )

    @cached_property
    def organisation_by_id(self) -> DataLoader[uuid.UUID, Organisation | None]:
        return _optional_loader(self._uow, partial(volunteering.organisations_by_ids, viewer=self._viewer))

    @cached_property
    def offer_by_id(self) -> DataLoader[uuid.UUID, Offer | None]:
        return _optional_loader(self._uow, partial(volunteering.offers_by_ids, viewer=self._viewer))

    @cached_property
    def shift_by_id(self) -> DataLoader[uuid.UUID, Shift | None]:
        return _optional_loader(self._uow, partial(volunteering.shifts_by_ids, viewer=self._viewer))

    @cached_property
    def shifts_by_offer_id(self) -> DataLoader[uuid.UUID, list[Shift]]:
        return _loader(self._uow, volunteering.shifts_by_offer_ids, list)

    @cached_property
    def offers_by_organisation_id(self) -> DataLoader[uuid.UUID, list[Offer]]:
        return _loader(self._uow, partial(volunteering.offers_by_organisation_ids, viewer=self._viewer), list)

    @cached_property
    def waitlist_position_by_sign_up_id(self) -> DataLoader[uuid.UUID, int | None]:
        return _optional_loader(self._uow, volunteering.waitlist_positions)

    @cached_property
    def managers_by_organisation_id(self) -> DataLoader[uuid.UUID, list[User]]:
        return _loader(self._uow, volunteering_managers.managers_by_organisation_ids, list)

    @cached_property
    def roster_by_shift_id(self) -> DataLoader[uuid.UUID, list[SignUp] | None]:
        return _optional_loader(self._uow, partial(volunteering.rosters_by_shift_ids, viewer=self._viewer))

    @cached_property
    def viewer_sign_up_by_shift_id(self) -> DataLoader[uuid.UUID, SignUp | None] | None:
        return (
            _optional_loader(
                self._uow, partial(volunteering.viewer_sign_ups_by_shift_ids, user_id=self._viewer.user_id)
            )
            if self._viewer.user_id
            else None
        )

    @cached_property
    def own_sign_up_by_id(self) -> DataLoader[uuid.UUID, SignUp | None] | None:
        return (
            _optional_loader(self._uow, partial(volunteering.own_sign_ups_by_ids, user_id=self._viewer.user_id))
            if self._viewer.user_id
            else None
        )
