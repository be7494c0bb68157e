"""CSV for the staff's spreadsheets, as German-locale spreadsheet programs open it without an import dialog:
UTF-8 with a byte order mark (else umlauts arrive garbled), semicolons between cells (the comma is the decimal
separator), decimal commas in numbers, and no cell that a spreadsheet would run as a formula.

Open data (`service/tallies/report.py`) is for machines and stays comma-separated without BOM.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
DELIMITER = ";"
# Spreadsheets run cells starting with these as formulas; such text cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """A text cell that cannot run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def number_cell(value: float) -> str:
    """A number as German spreadsheets read it: whole numbers plain, others with a decimal comma and no thousands
    separator (`2,5`, `-1234,75`), never in exponent notation."""
    if value == int(value):
        return str(int(value))
    return f"{value:.10f}".rstrip("0").replace(".", ",")


def write(rows: Iterable[Sequence[str]]) -> str:
    """The document: BOM, semicolon-separated, CRLF line ends; cells are given already made (`text_cell`,
    `number_cell`)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()
