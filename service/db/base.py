"""Declarative base: UUID keys, timezone-aware timestamps, named constraints."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from sqlalchemy import DateTime, Enum, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


def written_by(who: Literal["staff", "system"]) -> dict[str, str]:
    """`info` of a text column that the row's author does not write (the town's answer, the checks' reason codes).

    Moderation reads what citizens write: every other text column of a moderated model (an idea, a comment) must
    reach the automated checks, and `tests/service/moderation/test_moderated_fields.py` fails for one that does not.
    """
    return {"written_by": who}


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


def enum_column(enum: type[StrEnum], *, check: str, length: int = 16) -> Enum:
    """A string column holding one of the enum's values, kept so by a CHECK constraint `ck_<table>_<check>`.

    Loaded values are the enum's members (which equal their strings); an unknown value is refused before it is
    sent, and a stored value the enum does not know fails when read.
    """
    return Enum(
        enum,
        name=check,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )
