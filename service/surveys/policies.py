"""Who sees and does what with surveys. Row visibility is decided here and nowhere else."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, any_, bindparam, false, or_, true
from sqlalchemy.dialects.postgresql import ARRAY

from service.auth.viewer import Role, Viewer
from service.kit.lookup import one_of
from service.surveys.models import Survey, SurveyStatus

MANAGING_ROLES = (Role.STAFF, Role.ADMIN)
PUBLIC_STATUSES = (SurveyStatus.PUBLISHED.value, SurveyStatus.CLOSED.value)


def managed_town_ids(viewer: Viewer) -> set[uuid.UUID] | None:
    """Towns whose surveys the viewer runs (staff or admin there); None means every town (region-wide grant)."""
    return viewer.towns_with(*MANAGING_ROLES)


# `survey_visible_to` as one of three fixed conditions, the towns as a bound parameter: statements built from them
# are built once (see `service.surveys.repository.list_surveys`).
MANAGED_TOWN_IDS = "managed_town_ids"
_VISIBLE: dict[str, ColumnElement[bool]] = {
    "all": true(),
    "public": one_of(Survey.status, PUBLIC_STATUSES),
    "public_or_managed": or_(
        one_of(Survey.status, PUBLIC_STATUSES),
        Survey.town_id == any_(bindparam(MANAGED_TOWN_IDS, type_=ARRAY(Survey.town_id.type))),
    ),
}


def survey_visibility(viewer: Viewer) -> tuple[str, dict[str, object]]:
    """`survey_visible_to(viewer)` as the name of a fixed condition (`visible_condition`) and its parameters."""
    towns = managed_town_ids(viewer)
    if towns is None:
        return "all", {}
    if not towns:
        return "public", {}
    return "public_or_managed", {MANAGED_TOWN_IDS: list(towns)}


def visible_condition(name: str) -> ColumnElement[bool]:
    return _VISIBLE[name]


def can_manage(viewer: Viewer, town_id: uuid.UUID) -> bool:
    """Build, publish, close, archive, read every result and export: the town's staff and admins."""
    return any(viewer.has_role(role, town_id) for role in MANAGING_ROLES)


def survey_visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """Published and closed surveys for everyone; drafts and archived ones only for those who run the town's."""
    towns = managed_town_ids(viewer)
    if towns is None:
        return true()
    return or_(
        one_of(Survey.status, PUBLIC_STATUSES),
        Survey.town_id.in_(towns) if towns else false(),
    )


def results_visible(viewer: Viewer, survey: Survey) -> bool:
    """Staff see results at any time; everyone else only after close, and only when the survey says so."""
    if can_manage(viewer, survey.town_id):
        return True
    return survey.results_public and survey.status == SurveyStatus.CLOSED.value
