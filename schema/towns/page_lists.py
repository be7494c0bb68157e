"""A town's page reads the town with what it shows of it in one statement: its fields of action, and the first
page of its surveys and of its volunteer offers (`service.kit.embedded`). The fields below the town then find their
page ready (`first_surveys_page`, `first_offers_page`) and resolve without a statement, a coroutine or a task.

A list is read with the town only when its field asks for a first page that every caller sees alike:

- `surveys` with `first` given (1 to 100), `status` PUBLISHED or CLOSED, and no `after`;
- `offers` with `first` given (1 to 100), and neither `after` nor `filter`.

With other arguments the field reads its list itself, as it always does (and reports a wrong `first` itself).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from schema.context import Info
from schema.strawberry_internals import SelectedField
from service.kit.embedded import EmbeddedList
from service.kit.pagination import MAX_PAGE_SIZE
from service.surveys.models import SurveyStatus
from service.surveys.repository import SurveyPage, embedded_town_surveys, survey_page
from service.volunteering.search import OfferPage, embedded_town_offers, offer_page

# The survey statuses whose surveys every caller sees (GraphQL names).
_SHARED_STATUSES = {status.name: status for status in (SurveyStatus.PUBLISHED, SurveyStatus.CLOSED)}


@dataclass(frozen=True)
class TownList:
    """One list to read with the town: the arguments it answers, and how its rows become the field's page."""

    key: tuple[object, ...]
    embedded: EmbeddedList[Any]
    page: Callable[[Sequence[Any]], object]


def _first(arguments: dict[str, Any]) -> int | None:
    """`first` as given (a literal's text, or a variable's value), if it is a page size the field accepts."""
    given = arguments.get("first")
    if isinstance(given, str) and given.isdigit():
        given = int(given)
    if isinstance(given, int) and not isinstance(given, bool) and 1 <= given <= MAX_PAGE_SIZE:
        return given
    return None


def _surveys_key(first: int, status: SurveyStatus) -> tuple[object, ...]:
    return ("surveys", first, status)


def _offers_key(first: int) -> tuple[object, ...]:
    return ("offers", first)


def lists_below(selections: Sequence[SelectedField]) -> list[TownList]:
    """The lists that the town's fields `selections` (`child_selections` of the `town` field) ask for and that
    are read with the town."""
    found: dict[tuple[object, ...], TownList] = {}
    for selected in selections:
        arguments = selected.arguments
        first = _first(arguments)
        if first is None or arguments.get("after") is not None:
            continue
        if selected.name == "surveys" and arguments.get("status") in _SHARED_STATUSES:
            status = _SHARED_STATUSES[arguments["status"]]
            key = _surveys_key(first, status)
            found[key] = TownList(key, embedded_town_surveys(status, first), partial(survey_page, first=first))
        elif selected.name == "offers" and arguments.get("filter") is None:
            key = _offers_key(first)
            found[key] = TownList(key, embedded_town_offers(first), partial(offer_page, first=first))
    return list(found.values())


def keep_first_pages(info: Info, town_id: uuid.UUID, lists: Sequence[TownList], rows: Sequence[Sequence[Any]]) -> None:
    """The pages of `lists`, from their rows read with the town, for their fields to find."""
    for each, read in zip(lists, rows, strict=True):
        info.context.loaders.first_pages[(town_id, *each.key)] = each.page(read)


def first_surveys_page(
    info: Info, town_id: uuid.UUID, *, first: int, after: str | None, status: SurveyStatus | None
) -> SurveyPage | None:
    """The page of the town's `surveys` field read with the town for these arguments, or None."""
    if after is not None or status is None:
        return None
    page = info.context.loaders.first_pages.get((town_id, *_surveys_key(first, status)))
    return page if isinstance(page, SurveyPage) else None


def first_offers_page(
    info: Info, town_id: uuid.UUID, *, first: int, after: str | None, filtered: bool
) -> OfferPage | None:
    """The page of the town's `offers` field read with the town for these arguments, or None."""
    if after is not None or filtered:
        return None
    page = info.context.loaders.first_pages.get((town_id, *_offers_key(first)))
    return page if isinstance(page, OfferPage) else None
