"""Moderation's jobs: the automated check of a contribution, and acting on reports about it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service.kit.jobs import JobType
from service.moderation.models import SubjectKind


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    id: uuid.UUID

    @classmethod
    def of(cls, idea_id: uuid.UUID | None, comment_id: uuid.UUID | None) -> Subject:
        """The idea, or else the comment (as a report names them: exactly one is set)."""
        if idea_id is not None:
            return cls(SubjectKind.IDEA, idea_id)
        if comment_id is None:
            raise ValueError("neither an idea nor a comment")
        return cls(SubjectKind.COMMENT, comment_id)


def _key(subject: Subject) -> str:
    return f"{subject.kind.value}:{subject.id}"


CHECK = JobType("moderation.check", Subject, key=_key)
HIDE_REPORTED = JobType("moderation.hide_reported", Subject, key=_key)
