"""Limits on what citizens write; each violation is a user error naming the field, in German."""

from __future__ import annotations

from service.ideas.errors import IdeaErrorCode
from service.kit.errors import CommonErrorCode, UserError
from service.kit.text import clean_line, clean_text

BODY_MAX = 5000
COMMENT_MAX = 2000
ANSWER_MAX = 5000
REPORT_TEXT_MAX = 1000
IMAGES_MAX = 10
ALT_TEXT_MAX = 300


def body(value: str) -> str:
    text = clean_text(value, field="body")
    if len(text) > BODY_MAX:
        raise UserError(
            CommonErrorCode.BODY_TOO_LONG, f"Die Beschreibung darf höchstens {BODY_MAX} Zeichen haben.", field="body"
        )
    return text


def alt_texts(values: list[str]) -> list[str]:
    if len(values) > IMAGES_MAX:
        raise UserError(IdeaErrorCode.TOO_MANY_IMAGES, f"Höchstens {IMAGES_MAX} Bilder je Idee.", field="imageAltTexts")
    texts = [clean_line(value, field="imageAltTexts") for value in values]
    if any(not 1 <= len(text) <= ALT_TEXT_MAX for text in texts):
        raise UserError(
            IdeaErrorCode.ALT_TEXT_LENGTH,
            f"Jeder Alternativtext braucht 1 bis {ALT_TEXT_MAX} Zeichen.",
            field="imageAltTexts",
        )
    return texts


def comment(value: str) -> str:
    text = clean_text(value, field="body")
    if not 1 <= len(text) <= COMMENT_MAX:
        raise UserError(IdeaErrorCode.COMMENT_LENGTH, f"Ein Kommentar hat 1 bis {COMMENT_MAX} Zeichen.", field="body")
    return text


def answer(value: str) -> str:
    text = clean_text(value, field="answer")
    if not 1 <= len(text) <= ANSWER_MAX:
        raise UserError(IdeaErrorCode.ANSWER_LENGTH, f"Die Antwort hat 1 bis {ANSWER_MAX} Zeichen.", field="answer")
    return text


def report_text(value: str) -> str:
    text = clean_text(value, field="text")
    if len(text) > REPORT_TEXT_MAX:
        raise UserError(
            IdeaErrorCode.REPORT_TEXT_TOO_LONG, f"Die Begründung hat höchstens {REPORT_TEXT_MAX} Zeichen.", field="text"
        )
    return text
