"""Every text a citizen writes into a moderated contribution reaches the automated checks.

The columns come from the models themselves (every text column of the model of each `SubjectKind`), not from a
list here: a new free-text field of an idea or a comment fails this test until moderation reads it, or until the
model marks it as written by someone else (`written_by("staff")`, `written_by("system")`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, Enum, String
from sqlalchemy.dialects.postgresql import ARRAY

from service.moderation import checks
from service.moderation.models import SubjectKind
from service.moderation.reasons import Reason
from service.moderation.subjects import MODELS, Subject

CLEAN = "Ein Brunnen mit Trinkwasser auf dem Marktplatz"
ABUSIVE = "Der Bürgermeister ist ein Arschloch"


def _free_text(model: type[Any]) -> Iterator[Column[Any]]:
    """The model's text columns (text, or a list of texts) that its author writes."""
    for column in model.__table__.columns:
        written = column.type.item_type if isinstance(column.type, ARRAY) else column.type
        if isinstance(written, String) and not isinstance(written, Enum) and "written_by" not in column.info:
            yield column


def _row(kind: SubjectKind, abusive: str | None) -> Any:
    """A contribution whose free-text fields hold clean text, but for `abusive`, which holds abusive language."""
    row = MODELS[kind]()
    for column in _free_text(MODELS[kind]):
        value = ABUSIVE if column.key == abusive else CLEAN
        setattr(row, column.key, [value] if isinstance(column.type, ARRAY) else value)
    return row


def test_every_kind_of_contribution_has_its_model() -> None:
    assert set(MODELS) == set(SubjectKind)


@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, column.key) for kind in SubjectKind for column in _free_text(MODELS[kind])],
)
def test_every_free_text_field_is_moderated(kind: SubjectKind, field: str) -> None:
    clean, abusive = Subject(kind, _row(kind, None)), Subject(kind, _row(kind, field))

    assert checks.assess(clean.text).reasons == frozenset()
    assert Reason.ABUSIVE_LANGUAGE in checks.assess(abusive.text).reasons, f"{kind}.{field} is not read by the checks"
    assert abusive.digest != clean.digest, f"an edit of {kind}.{field} would not be checked again"


def test_the_fields_are_found_in_the_models() -> None:
    """The filter above is not empty-handed: it finds the texts every contribution has."""
    found = {kind: {column.key for column in _free_text(MODELS[kind])} for kind in SubjectKind}

    assert all("body" in fields for fields in found.values())
    assert {"title", "image_alt_texts"} <= found[SubjectKind.IDEA]
    assert not any("moderation_reasons" in fields or "official_answer" in fields for fields in found.values())
