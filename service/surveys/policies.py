"""Who sees and does what with surveys. Row visibility is decided here and nowhere else."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, or_, true

from service.auth.viewer import Role, Viewer
from service.surveys.models import Survey, SurveyStatus

MANAGING_ROLES = (Role.STAFF, Role.ADMIN)
PUBLIC_STATUSES = (SurveyStatus.PUBLISHED.value, SurveyStatus.CLOSED.value)


def managed_town_ids(viewer: Viewer) -> set[uuid.UUID] | None:
    """Towns whose surveys the viewer runs (staff or admin there); None means every town (region-wide grant)."""
    return viewer.towns_with(*MANAGING_ROLES)


def can_manage(viewer: Viewer, town_id: uuid.UUID) -> bool:
    """Build, publish, close, archive, read every result and export: the town's staff and admins."""
    return any(viewer.has_role(role, town_id) for role in MANAGING_ROLES)


def survey_visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """Published and closed surveys for everyone; drafts and archived ones only for those who run the town's."""
    towns = managed_town_ids(viewer)
    if towns is None:
        return true()
    return or_(
        Survey.status.in_(PUBLIC_STATUSES),
        Survey.town_id.in_(towns) if towns else false(),
    )


def results_visible(viewer: Viewer, survey: Survey) -> bool:
    """Staff see results at any time; everyone else only after close, and only when the survey says so."""
    if can_manage(viewer, survey.town_id):
        return True
    return survey.results_public and survey.status == SurveyStatus.CLOSED.value
