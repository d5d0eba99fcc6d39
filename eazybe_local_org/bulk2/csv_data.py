"""The CSV dialects a Bulk API 2.0 job declares (columnDelimiter, lineEnding), read and written
the way Salesforce does: an uploaded file whose line endings contradict the job fails the job."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterable, Sequence

DELIMITERS = {"BACKQUOTE": "`", "CARET": "^", "COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "TAB": "\t"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}


class CsvInputError(Exception):
    """The uploaded file cannot be read as the job declared it; the job fails with this message."""


@dataclass(frozen=True)
class CsvDialect:
    column_delimiter: str = "COMMA"
    line_ending: str = "LF"

    def read(self, text: str) -> tuple[list[str], list[list[str]]]:
        """(header, rows); blank lines are skipped, every row must have the header's width."""
        header_end = text.find("\n")  # rows' endings, not a CRLF inside a quoted value
        if self.line_ending == "LF" and header_end > 0 and text[header_end - 1] == "\r":
            raise CsvInputError("ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[self.column_delimiter])
        lines = [line for line in reader if line]
        if not lines:
            raise CsvInputError("InvalidBatch : No content to process")
        header, rows = lines[0], lines[1:]
        for number, row in enumerate(rows, start=2):
            if len(row) != len(header):
                raise CsvInputError(
                    f"ClientInputError : Row {number} has {len(row)} columns, the header has {len(header)}"
                )
        return header, rows

    def write(self, header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
        """Every value quoted, as Salesforce writes its result files."""
        buffer = io.StringIO()
        writer = csv.writer(
            buffer, delimiter=DELIMITERS[self.column_delimiter],
            lineterminator=LINE_ENDINGS[self.line_ending], quoting=csv.QUOTE_ALL,
        )
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue()
