"""Text that people write, as every domain takes it in: normalised, trimmed, without control characters; one-line
fields without line breaks; titles of the common length."""

from __future__ import annotations

import unicodedata

from service.kit.errors import CommonErrorCode, UserError

TITLE_MIN, TITLE_MAX = 5, 140


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


def clean_title(value: str) -> str:
    """The title of an idea, a survey or an offer: one line of `TITLE_MIN` to `TITLE_MAX` characters."""
    text = clean_line(value, field="title")
    if not TITLE_MIN <= len(text) <= TITLE_MAX:
        raise UserError(
            CommonErrorCode.TITLE_LENGTH,
            f"Der Titel muss {TITLE_MIN} bis {TITLE_MAX} Zeichen lang sein.",
            field="title",
        )
    return text
