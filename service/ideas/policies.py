"""Who sees and does what with ideas and comments. Row visibility is decided here and nowhere else."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, or_, true

from service.auth.viewer import Role, Viewer
from service.ideas.models import Comment, Idea, Lifecycle

OFFICIAL_ROLES = (Role.MODERATOR, Role.STAFF, Role.ADMIN)


def official_town_ids(viewer: Viewer) -> set[uuid.UUID] | None:
    """Towns whose unpublished contributions the viewer may see; None means every town (region admin)."""
    return viewer.towns_with(*OFFICIAL_ROLES)


def _visible(
    lifecycle: ColumnElement[str],
    author_id: ColumnElement[uuid.UUID],
    town_id: ColumnElement[uuid.UUID],
    viewer: Viewer,
) -> ColumnElement[bool]:
    towns = official_town_ids(viewer)
    if towns is None:
        return true()
    return or_(
        lifecycle == Lifecycle.PUBLISHED.value,
        author_id == viewer.user_id if viewer.user_id else false(),
        town_id.in_(towns) if towns else false(),
    )


def idea_visible_to_everyone() -> ColumnElement[bool]:
    """Published ideas: what every caller sees, anonymous ones included (the feed lists nothing else)."""
    return Idea.lifecycle == Lifecycle.PUBLISHED.value


def idea_visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """Published ideas for everyone; the author's own in any state; everything in towns the viewer serves."""
    return _visible(Idea.lifecycle, Idea.author_id, Idea.town_id, viewer)  # type: ignore[arg-type]


def comment_visible_to(viewer: Viewer) -> ColumnElement[bool]:
    return _visible(Comment.lifecycle, Comment.author_id, Comment.town_id, viewer)  # type: ignore[arg-type]


def can_answer(viewer: Viewer, town_id: uuid.UUID) -> bool:
    return viewer.has_role(Role.STAFF, town_id) or viewer.has_role(Role.ADMIN, town_id)
