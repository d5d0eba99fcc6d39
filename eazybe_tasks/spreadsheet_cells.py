"""Cells a spreadsheet will not run: CSV written for people to open in Excel, LibreOffice or
Google Sheets.

A WhatsApp profile name is anyone's to choose, and a cell that starts with `=`, `+`, `-` or `@`
(or a tab or carriage return, or their full-width forms) is read as a formula when the file is
opened: `=HYPERLINK(...)` becomes a link, `+SUM(1+1)` a 2, worse can call out. As OWASP advises,
such a text cell is written with a leading `'`, which spreadsheets show as text and do not print.
Numbers and booleans are written as they are."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Iterable, Mapping

FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def safe_cell(value: Any) -> Any:
    """The value, with a `'` in front when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def write_csv(path: Path, columns: list[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Writes a header and the rows (missing cells empty), every cell made safe; the rows written."""
    written = 0
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([safe_cell(column) for column in columns])
        for row in rows:
            writer.writerow([safe_cell(row.get(column)) for column in columns])
            written += 1
    return written
