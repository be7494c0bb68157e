"""Limits on what citizens write; each violation is a user error naming the field, in German."""

from __future__ import annotations

import unicodedata

from service.ideas.errors import IdeaErrorCode
from service.kit.errors import CommonErrorCode, UserError

TITLE_MIN, TITLE_MAX = 5, 140
BODY_MAX = 5000
COMMENT_MAX = 2000
ANSWER_MAX = 5000
REPORT_TEXT_MAX = 1000
IMAGES_MAX = 10
ALT_TEXT_MAX = 300


def clean_text(value: str, *, field: str) -> str:
    """Normalised (NFC), trimmed text; control characters other than line breaks and tabs are refused."""
    text = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in text):
        raise UserError(CommonErrorCode.TEXT_INVALID, "Der Text enthält unzulässige Steuerzeichen.", field=field)
    return text


# Control characters and line and paragraph separators; `str.split` takes every other kind of whitespace.
LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})


def one_line(value: str) -> str:
    """The text as one line: control characters, line breaks and runs of whitespace become single spaces."""
    return " ".join("".join(" " if unicodedata.category(char) in LINE_BREAKING else char for char in value).split())


def clean_line(value: str, *, field: str) -> str:
    """`clean_text` for one-line fields (titles, names, labels): line breaks and tabs become spaces, so that the
    text is safe in a mail header, a CSV cell or a list, whichever way it is shown later."""
    return one_line(clean_text(value, field=field))


def title(value: str) -> str:
    text = clean_line(value, field="title")
    if not TITLE_MIN <= len(text) <= TITLE_MAX:
        raise UserError(
            CommonErrorCode.TITLE_LENGTH,
            f"Der Titel muss {TITLE_MIN} bis {TITLE_MAX} Zeichen lang sein.",
            field="title",
        )
    return text


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
