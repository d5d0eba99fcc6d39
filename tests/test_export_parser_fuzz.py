"""Random input never escapes parse_export as anything but SourceError."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eazybe_tasks.sources.exports import DateOrder, parse_export
from eazybe_tasks.sources.model import SourceError
from fuzz_counts import tried

SUITE = "chat export parser"
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_HEADER_PIECES = st.sampled_from([
    "[", "]", "12/31/20", "31.12.20", "2020/12/31", "3/18/2565 BE", "3/18/R4", "١٨‏/٣‏/٢٠٢٢،",
    ", ", " ", "9:41", "21:41:05", "14.56.01", "\u202fPM", " a. m.", " م", " - ", ": ", "Name",
    "\u200e", "\u200f", "\ufeff", "<Media omitted>", "image omitted", "<attached: 00000001-PHOTO-x.jpg>",
    "IMG-1.jpg (file attached)", "This message was deleted", "<This message was edited>",
    "location: https://maps.google.com/?q=1,2", "\"", "99", "00", "\r",
])
_FRAGMENT = st.lists(_HEADER_PIECES | st.text(max_size=8), max_size=8).map("".join)
_DAY_OR_MONTH = st.integers(1, 28) | st.integers(0, 40)
_BRACKETS = st.sampled_from([("", " - "), ("[", "] "), ("\u200e[", "] "), ("[", " - ")])
_HEADER = st.builds(
    lambda brackets, *fields: "{}{}/{}/{}{}{}:{:02d}{}".format(brackets[0], *fields) + brackets[1],
    _BRACKETS, _DAY_OR_MONTH, _DAY_OR_MONTH,
    st.sampled_from(["20", "2020", "2565 BE", "R4", "7"]), st.sampled_from([", ", " ", "، ", " à ", " klo "]),
    st.integers(0, 25), st.integers(0, 59), st.sampled_from(["", "\u202fPM", " a. m.", ":05"]),
)
_ENTRY_LINE = st.tuples(_HEADER, _FRAGMENT).map("".join)
_LINES = st.tuples(_ENTRY_LINE, st.lists(_ENTRY_LINE | _FRAGMENT, max_size=12)).map(
    lambda lines: [lines[0], *lines[1]])


def _run(data: bytes, suffix: str, order: DateOrder | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"chat{suffix}"
        path.write_bytes(data)
        try:
            for entry in parse_export(path, date_order=order):
                assert entry.line_number >= 1
            tried(SUITE, "parsed")
        except SourceError as error:
            assert error.where.startswith(str(path))
            tried(SUITE, "rejected")


@FUZZ
@given(st.binary(max_size=400))
def _random_bytes(data: bytes) -> None:
    _run(data, ".txt")


@FUZZ
@given(st.text(max_size=400), st.sampled_from([None, *DateOrder]))
def _random_text(text: str, order: DateOrder | None) -> None:
    _run(text.encode("utf-8", "surrogatepass"), ".txt", order)


@FUZZ
@given(_LINES, st.sampled_from([None, *DateOrder]), st.sampled_from(["\n", "\r\n"]))
def _line_shaped_text(lines: list[str], order: DateOrder | None, end: str) -> None:
    _run(end.join(lines).encode("utf-8", "surrogatepass"), ".txt", order)


@FUZZ
@given(st.binary(max_size=300))
def _random_zip_bytes(data: bytes) -> None:
    _run(b"PK\x03\x04" + data, ".zip")


@pytest.mark.parametrize("fuzz", [_random_bytes, _random_text, _line_shaped_text, _random_zip_bytes],
                         ids=lambda f: f.__name__.strip("_"))
def test_only_source_error_escapes(fuzz) -> None:
    fuzz()
