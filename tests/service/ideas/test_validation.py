"""Text limits count characters as people see them (NFC), after trimming; control characters are refused."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import pytest

from service.ideas import validation
from service.ideas.errors import IdeaErrorCode
from service.kit.errors import CommonErrorCode, UserError
from service.kit.text import clean_title


def test_text_is_normalised_and_trimmed() -> None:
    # "Ba" + combining diaeresis + "nke": six code points, five characters once composed.
    assert clean_title("  Ba\u0308nke \n") == "Bänke"
    assert validation.body("Zeile eins\n\tZeile zwei\r\n") == "Zeile eins\n\tZeile zwei"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_wherever_they_are(char: str) -> None:
    with pytest.raises(UserError) as refused:
        validation.comment(f"Hallo{char}Welt")

    assert refused.value.code is CommonErrorCode.TEXT_INVALID
    assert refused.value.field == "body"


@pytest.mark.parametrize(
    ("check", "value", "code"),
    [
        (clean_title, "Bank", CommonErrorCode.TITLE_LENGTH),
        (clean_title, "T" * 141, CommonErrorCode.TITLE_LENGTH),
        (validation.body, "B" * 5001, CommonErrorCode.BODY_TOO_LONG),
        (validation.comment, " ", IdeaErrorCode.COMMENT_LENGTH),
        (validation.comment, "C" * 2001, IdeaErrorCode.COMMENT_LENGTH),
        (validation.answer, "", IdeaErrorCode.ANSWER_LENGTH),
        (validation.report_text, "R" * 1001, IdeaErrorCode.REPORT_TEXT_TOO_LONG),
    ],
)
def test_lengths_outside_the_limits(check: Callable[[str], str], value: str, code: StrEnum) -> None:
    with pytest.raises(UserError) as refused:
        check(value)

    assert refused.value.code is code
    assert refused.value.message


def test_lengths_at_the_limits() -> None:
    assert clean_title("T" * 140) == "T" * 140
    assert validation.body("B" * 5000) == "B" * 5000
    assert validation.body("") == ""
    assert validation.comment("C" * 2000) == "C" * 2000
    assert validation.report_text("") == ""


def test_image_alt_texts() -> None:
    assert validation.alt_texts([" Der Markt "] * 10) == ["Der Markt"] * 10
    assert validation.alt_texts([]) == []
    with pytest.raises(UserError) as too_many:
        validation.alt_texts(["Bild"] * 11)
    with pytest.raises(UserError) as empty:
        validation.alt_texts(["Bild", "   "])
    with pytest.raises(UserError) as too_long:
        validation.alt_texts(["A" * 301])

    assert too_many.value.code is IdeaErrorCode.TOO_MANY_IMAGES
    assert empty.value.code is too_long.value.code is IdeaErrorCode.ALT_TEXT_LENGTH
