"""The compiled accelerators of the export parser give exactly what the pure-Python code gives.

`_header_split` (behind `header_split.split_at_headers`) must split any text as
`header_split.split_by_pattern` does, and `_plain_messages.PlainMessages` (behind
`EntryBuilder._entries_of`) must build from columns of line numbers, times and bodies the entries
the builder's Python code builds (`EntryBuilder._remembered_entries`, every body through
`EntryBuilder._content_of`).
Both are compared here on the corpus of real exports, on the project's fixtures, on generated
input, and end to end through `parse_export` with the pure-Python paths forced.
"""
from __future__ import annotations

import importlib
import random
import re
import unicodedata
import zipfile
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eazybe_tasks.sources.exports import DateOrder, ExportEntry, parse_export
from eazybe_tasks.sources.exports import archive, assembly, header_split, vocab
from eazybe_tasks.sources.exports import parser as parser_module
from eazybe_tasks.sources.exports.archive import open_chat
from eazybe_tasks.sources.exports.assembly import EntryBuilder
from eazybe_tasks.sources.exports.entry import new_entry
from eazybe_tasks.sources.exports.header_split import Split, split_at_headers, split_by_pattern
from eazybe_tasks.sources.exports.layouts import HEADER_LINE, Clock
from eazybe_tasks.sources.exports.lines import Block, read_blocks
from eazybe_tasks.sources.model import SourceError
from fuzz_counts import tried
from repo_paths import EVERY_EXPORT, REPO

HEADER_SUITE = "compiled header split vs pattern"
CONTENT_SUITE = "compiled plain messages vs Python"
FUZZ = settings(max_examples=500, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NOT_BUILT = "the compiled export parser is not built: run `pip install -e .` (it needs a C compiler)"


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _blocks(path: Path) -> list[Block]:
    """The blocks of an export as the parser reads them (decoded, cleaned, each line after a "\\n")."""
    with open_chat(path) as chat:
        return list(read_blocks(chat.chunks(), chat.where))


def _whole_text(path: Path) -> str:
    """The text of an export as one block (its blocks are consecutive, each line after a "\\n")."""
    return "".join(block.text for block in _blocks(path))


def _media(name: str) -> bytes | None:
    """A media lookup that has some of the files a chat names."""
    return f"bytes of {name}".encode() if "PHOTO" in name or name.startswith("IMG") else None


def _builder(media=_media) -> EntryBuilder:
    return EntryBuilder(Clock(DateOrder.DMY), media, "where")


def _compiled_entries(builder: EntryBuilder, numbers: list[int], stamps: list[datetime],
                      bodies: list[str]) -> list[ExportEntry]:
    """The entries the builder makes from columns: compiled, when `PlainMessages` was built."""
    return list(builder._entries_of(numbers, stamps, bodies))


def _python_entries(builder: EntryBuilder, numbers: list[int], stamps: list[datetime],
                    bodies: list[str]) -> list[ExportEntry]:
    """The same entries by the builder's Python code alone (every body through its memo)."""
    return list(builder._remembered_entries(numbers, stamps, bodies))


def _unremembered_entries(builder: EntryBuilder, numbers: list[int], stamps: list[datetime],
                          bodies: list[str]) -> list[ExportEntry]:
    """The same entries again, with no memo at all: each body's content worked out anew."""
    return [new_entry(n, s, builder._content_of(b)) for n, s, b in zip(numbers, stamps, bodies)]


def _with_media_bytes(entries: list[ExportEntry]) -> list[tuple[type, ExportEntry, tuple]]:
    """Entries made comparable with their type and media bytes (AttachmentRef leaves `content` out
    of ==, and a tuple equals a named tuple of the same items)."""
    return [(type(entry), entry, tuple(a.content for a in entry.attachments)) for entry in entries]


# ---- a) the compiled modules are what the parser uses --------------------------------------------


def test_compiled_accelerators_are_in_use() -> None:
    assert header_split.COMPILED, f"_header_split: {NOT_BUILT}"
    assert assembly.PlainMessages is not None, f"_plain_messages: {NOT_BUILT}"
    assert parser_module.split_at_headers is header_split.split_at_headers
    assert header_split.split_at_headers is not split_by_pattern, NOT_BUILT
    entries_of = _builder()._entries_of
    assert isinstance(getattr(entries_of, "__self__", None), assembly.PlainMessages), NOT_BUILT


@pytest.mark.parametrize("module", ["_header_split", "_plain_messages"])
def test_compiled_accelerators_are_built_from_their_current_source(module: str) -> None:
    """A module built before its .pyx last changed would test old code (`make setup` rebuilds)."""
    built = Path(importlib.import_module(f"eazybe_tasks.sources.exports.{module}").__file__)
    source = REPO / "eazybe_tasks" / "sources" / "exports" / f"{module}.pyx"
    assert built.suffix == ".so" and built.stat().st_mtime >= source.stat().st_mtime, \
        f"{built.name} is older than {source.name}: run `make setup` (or `pip install -e .`)"


# ---- b) header split: compiled vs pattern --------------------------------------------------------


@pytest.mark.parametrize("chunk", [None, 64], ids=["default-blocks", "64-byte-blocks"])
@pytest.mark.parametrize("path", EVERY_EXPORT, ids=_name)
def test_header_split_of_exports(path: Path, chunk: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if chunk:
        monkeypatch.setattr(archive, "CHUNK", chunk)
    blocks = _blocks(path)
    for block in blocks:
        assert split_at_headers(block.text, block.first_line) == split_by_pattern(block.text, block.first_line)
    text = _whole_text(path)
    assert split_at_headers(text, 1) == split_by_pattern(text, 1)
    assert split_by_pattern(text, 1).dates  # the comparison saw headers


EDGE_CASES = [
    "",
    "\n",
    "\n\n\n",
    "13/01/2023, 08:00 - Maya: no leading line break",
    "\n13/01/2023, 08:00 - Maya: hi\ncontinued\n[1/2/23, 9:05:01 PM] Bob: yo",
    "\n13/01/2023, 24:00 - Maya: hour 24",
    "\n13/01/2023, 29:59 - Maya: hour 29",
    "\n13/01/2023, 30:00 - Maya: hour 30",
    "\n45/01/2020, 08:00 - Maya: day 45",
    "\n13/45/2020, 08:00 - Maya: month 45",
    "\n0/0/0, 0:00 - Maya: zeros",
    "\n39/39/99, 29:59:59 - Maya: tops",
    "\n1/2/2023 10:30 PM - Maya: comma-less 12-hour",
    "\n1/2/2023, 10:30 pm - Maya: lower case pm",
    "\n1/2/2023, 10:30 Pm - Maya: mixed case",
    "\n1/2/2023, 10:30 PM. - Maya: dotted PM",
    "\n1/2/2023, 10:30 p.m. - Maya: p.m.",
    "\n1/2/2023, 10:30 a. m. - Maya: a. m.",
    "\n1/2/2023, 10:30 P M - Maya: spaced",
    "\n1/2/2023, 10:30PM - Maya: no space before PM",
    "\n1/2/2023, 10:30 PM",
    "\n1/2/2023, 10:30 P",
    "\n1/2/2023, 10:30 ص - Maya: Arabic AM",
    "\n1/2/2023, 10:30 م - Maya: Arabic PM",
    "\n[1/2/23, 10:30:00 PM]no space after the bracket",
    "\n[1/2/23, 10:30:00 PM]",
    "\n[1/2/23, 10:30:00]\n[1/2/23, 10:30:01] \n[1/2/23, 10:30:02] x",
    "\n[1/2/23, 10:30:00 - bracket with a dash",
    "\n1/2/23, 10:30:00] dash-less with a bracket",
    "\n\u200e[1/2/23, 10:30:00] Maya: a mark before the bracket",
    "\n10:30, 13/01/2023 - Maya: time first",
    "\n[21:41:35, 27/3/2022] Dmitry S: time first iOS",
    "\n10.30.13, 01/01/2023 - Maya: a time that looks like a date",
    "\n2023-01-13 08:00 - Maya: year first",
    "\n2023/01/13, 08:00:05 - Maya: year first with seconds",
    "\n20233/01/13, 08:00 - Maya: five-digit year first",
    "\n13/01/20233, 08:00 - Maya: five-digit year last",
    "\n13/01/202, 08:00 - Maya: three-digit year",
    "\n13.01.23, 08.00 - Maya: dotted",
    "\n13-01-23, 08.00.05 - Maya: dashed",
    "\n13.01/23, 08:00 - Maya: mixed separators",
    "\n13/01/2023, 08:00 – Maya: en dash",
    "\n13/01/2023, 08:00 — Maya: em dash",
    "\n13/01/2023, 08:00 -Maya: no space after the dash",
    "\n13/01/2023,08:00 - Maya: no space after the comma",
    "\n13/01/2023,  08:00 - Maya: two spaces",
    "\n13/01/2023 ,08:00 - Maya: space before the comma",
    "\n13/01/2023، 08:00 - Maya: Arabic comma",
    "\n13/01/2023, 08:0 - Maya: one-digit minute",
    "\n13/01/2023, 08:60 - Maya: minute 60",
    "\n13/01/2023, 08:00:60 - Maya: second 60",
    "\n13/01/2023, 08:00:5 - Maya: one-digit second",
    "\n13/01/2565 BE, 08:00 - Maya: Buddhist era",
    "\n[18/3/2565 BE 14:56:01] Maya: Buddhist era iOS",
    "\n18/3/2565BE, 14:56 - Maya: BE without a space",
    "\n13/01/R4, 08:00 - Maya: Japanese era",
    "\n[3/18/H31 14:56:01] Maya: Heisei",
    "\n١٣/٠١/٢٠٢٣، ٨:٠٠ م - Maya: Arabic-Indic digits",
    "\n۱۳/۰۱/۲۰۲۳, ۸:۰۰ - Maya: Extended Arabic-Indic digits",
    "\n٣/01/2023, 08:00 - Maya: one Arabic-Indic digit first",
    "\n1٣/01/2023, 08:00 - Maya: an Arabic-Indic second digit",
    "\n13/01/23३, 08:00 - Maya: a Devanagari digit after the year",
    "\n1३/01/2023, 08:00 - Maya: a Devanagari digit in the day",
    "\n13/01/2023, 0३:00 - Maya: a Devanagari digit in the hour",
    "\n13/01/2023, 08:0३ - Maya: a Devanagari digit in the minute",
    "\n३/01/2023, 08:00 - Maya: a Devanagari digit first",
    "\n13/01/2023, 08:00 - Maya: a\n12:30 works\n12/31 is too late",
    "\n13/01/2023, 08:00 - \n13/01/2023, 08:01 - ",
    "\n[13/01/2023, 08:00:05] ",
    "\n13/01/2023, 08:00 - a\r\n13/01/2023, 08:01 - b\r",
    "\n13/01/2023, 08:00 - a\n\n13/01/2023, 08:01 - b\n",
    "\n20/11/2026 à 09:15 - Camille: a word between date and time",
    "\n20/11/2026 às 9:15 PM - Bia: Portuguese, 12-hour",
    "\n20.11.26 um 09:15 - Jonas: German\n20-11-2026 om 09:15 - Sanne: Dutch",
    "\n13.6.2018 klo 21.25.15 - a: Finnish\n[12.3.2022 klo 14.08.18] b: Finnish iOS",
    "\n20/11/2026 à 09:15 – en dash\n[20/11/2026 à 09:15] bracketed\n[20/11/2026 à 09:15 - mixed",
    "\n20/11/2026, à 09:15 - Camille: comma and word",
    "\n20/11/2026 à09:15 - Camille: no space after the word",
    "\n20/11/2026 à  09:15 - Camille: two spaces after the word",
    "\n20/11/2026  à 09:15 - Camille: two spaces before the word",
    "\n20/11/2026 À 09:15 - Camille: upper case",
    "\n20/11/2026 a\u0300 09:15 - Camille: decomposed",
    "\n20/11/2026 um um 09:15 - Jonas: the word twice",
    "\n20/11/2565 BE à 09:15 - Maya: Buddhist era and a word",
    "\n09:15 à 20/11/2026 - Maya: time first with a word",
    "\n20/11/2026 à",
    "\n20/11/2026 à ",
    "\n20/11/2026 klo",
    "\n20/11/2026 kl 09:15 - Maya: a word cut short",
    "\n20/11/2026 àsx 09:15 - Maya: a word run on",
    "\n20/11/2026 às09:15 - Maya: glued",
    "\n20/11/2026 um 9:15 PM - Maya: 12-hour\n[20/11/2026 um 9:15:00 PM] Maya: iOS 12-hour",
    "\n20/11/2026 om 24:00 - Maya: hour 24\n20/11/2026 om 30:00 - Maya: hour 30",
    "\n20/11/2026 à ٩:١٥ - Maya: Arabic-Indic time",
    "\n20/11/2026 à 09:15\n20/11/2026 à 09:15 -",
]


@pytest.mark.parametrize("text", EDGE_CASES, ids=repr)
def test_header_split_edge_cases(text: str) -> None:
    for first_line in (1, 0, 1000):
        assert split_at_headers(text, first_line) == split_by_pattern(text, first_line)


_ASCII_DIGITS = "0123456789"
_OTHER_DIGITS = "٠١٣٩۰۳۵۹३०੩๓"  # Arabic-Indic, Extended Arabic-Indic, Devanagari, Gurmukhi, Thai
_DIGIT = st.sampled_from(_ASCII_DIGITS * 4 + _OTHER_DIGITS)
_RANDOM_FIELD = st.lists(_DIGIT, max_size=5).map("".join)  # 0-5 digits, sometimes non-ASCII ones


def _number(low: int, high: int) -> st.SearchStrategy[str]:
    """A field as WhatsApp writes it: the number, or zero-padded to two digits."""
    return st.builds(lambda n, padded: f"{n:02d}" if padded else str(n), st.integers(low, high), st.booleans())


# Each piece of a header: (what the header pattern accepts there, what it may not).
_DAY_OR_MONTH = (_number(0, 39), _RANDOM_FIELD | _number(40, 99))
_YEAR = (st.sampled_from(["2023", "23", "2020", "7", "2565", "1999", "R4", "H31", "S64"]) | _number(0, 99),
         st.sampled_from(["20233", "202", "", "٢٠٢٣", "२०२३", "X4"]) | _RANDOM_FIELD)
_ERA = (st.sampled_from(["", "", "", "", " BE", "BE"]), st.sampled_from(["  BE", " B", " BE,", "B E"]))
_DATE_SEPARATOR = (st.sampled_from("/.-"), st.sampled_from(":, _"))
_WORD_AFTER_DATE = st.sampled_from([f" {word} " for word in vocab.DATE_TIME_WORDS])  # " à "
_AFTER_DATE = (st.one_of(*[st.sampled_from([", ", " ", ", ", " ", "، "])] * 3, _WORD_AFTER_DATE),
               st.sampled_from([",", "", ",  ", " ,", ",,", "\t", ", à ", "à ", " à", " À ", "  um ", " um  ", " o "]))
_HOUR = (_number(0, 29), _RANDOM_FIELD | _number(30, 99))
_TIME_SEPARATOR = (st.sampled_from(":."), st.sampled_from("-/,"))
_MINUTE = (st.integers(0, 59).map("{:02d}".format), st.integers(60, 99).map(str) | _RANDOM_FIELD)
_AM_PM = (st.sampled_from(["", "", "", " AM", " PM", " am", " pm", " Am", " pM", "AM", "pm", " a. m.", " p. m.",
                           " a.m.", " p.m.", " PM.", " AM.", " ص", " م", "م", " p .m."]),
          st.sampled_from([" A M", " P", " AMx", "  PM", " a", " Pm..", " ص.", " A.M..", " M"]))
_TIME_FIRST_SEPARATOR = (st.sampled_from([", ", " "]), st.sampled_from([",", ",  ", "، ", ""]))
_BRACKET_END = (st.sampled_from(["] ", "]"]), st.sampled_from(["]  ", " - ", "] -", "", " ]", "]\t"]))
_DASH_END = (st.sampled_from([" - ", " – "]), st.sampled_from([" -", "- ", " — ", "] ", "  - ", "", " "]))
_MUTATION_CHARS = st.sampled_from(list("09٣۵३/.-:,،[] –APMmصمBERHSxàusk\n") + ["\u200e", "\u202f"])


@st.composite
def _header(draw) -> str:
    """A header line's start in one of WhatsApp's layouts, Android ("13/01/2023, 08:00 - ") or
    iOS ("[13/01/2023, 08:00:05] "), date or time first; an odd one has odd pieces and mutations."""
    odd = draw(st.booleans())

    def piece(choices: tuple[st.SearchStrategy[str], st.SearchStrategy[str]]) -> str:
        valid, invalid = choices
        return draw(st.one_of(valid, valid, valid, invalid) if odd else valid)

    separator = piece(_DATE_SEPARATOR)
    second_separator = separator if draw(st.booleans()) else piece(_DATE_SEPARATOR)
    date = piece(_DAY_OR_MONTH) + separator + piece(_DAY_OR_MONTH) + second_separator + piece(_YEAR) + piece(_ERA)
    seconds = (draw(st.sampled_from(":.")) + piece(_MINUTE)) if draw(st.booleans()) else ""
    time = piece(_HOUR) + piece(_TIME_SEPARATOR) + piece(_MINUTE) + seconds + piece(_AM_PM)
    if draw(st.integers(0, 4)) == 0:  # time first, as Vietnamese exports write it
        middle = time + piece(_TIME_FIRST_SEPARATOR) + date
    else:
        middle = date + piece(_AFTER_DATE) + time
    header = ("[" + middle + piece(_BRACKET_END)) if draw(st.booleans()) else (middle + piece(_DASH_END))
    for _ in range(draw(st.integers(0, 2)) if odd else 0):  # small mutations
        at = draw(st.integers(0, len(header)))
        change = draw(st.sampled_from(["insert", "delete", "replace"]))
        character = draw(_MUTATION_CHARS)
        if change == "insert":
            header = header[:at] + character + header[at:]
        elif change == "delete":
            header = header[:at] + header[at + 1:]
        else:
            header = header[:at] + character + header[at + 1:]
    return header


_BODY_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab Z:/-.,[]0123456789\n\t") + ["٣", "۵", "é", "👍", "\u00a0"]),
            max_size=20),
    st.text(max_size=8),
)
_HEADER_PIECES = st.sampled_from([
    "[", "]", "12/31/20", "31.12.20", "2020/12/31", "3/18/2565 BE", "3/18/R4", "١٨/٣/٢٠٢٢،", ", ", ",",
    "،", " ", "9:41", "21:41:05", "14.56.01", " PM", "pm", " a. m.", "p.m.", "PM.", " ص", " م", " - ",
    " – ", ": ", "Name", " BE", "R", "H", "S", "99", "00", "24:00", "13", "/", ".", "-", ":",
    " à ", "às", " um ", "om", " klo ",
])
_PIECES_LINE = st.lists(_HEADER_PIECES | _RANDOM_FIELD, max_size=8).map("".join)
_LINE = st.one_of(
    st.builds(str.__add__, _header(), _BODY_TEXT),
    st.builds(str.__add__, _header(), _BODY_TEXT),
    st.builds(str.__add__, _header(), _BODY_TEXT),
    _PIECES_LINE,
    _BODY_TEXT,
)

# The layouts the compiled scan recognizes itself (a close approximation, for the input counts).
_COMMON_LAYOUT = re.compile(
    r"\n(?:\[)?(?:\d{1,2}|\d{4})[./-]\d{1,2}[./-](?:\d{4}|\d{1,2})"
    rf"(?:,? | (?:{'|'.join(vocab.DATE_TIME_WORDS)}) )\d{{1,2}}[:.]\d\d(?:[:.]\d\d)?"
    r"(?: [AaPp][Mm])?(?:\] ?| [-–] )", re.ASCII)


def _header_kinds(text: str) -> str:
    kinds = {"common layout" if _COMMON_LAYOUT.fullmatch(match.group()) else "other layout"
             for match in HEADER_LINE.finditer(text)}
    return " + ".join(sorted(kinds)) or "no header"


@FUZZ
@given(st.lists(_LINE, min_size=1, max_size=14), st.sampled_from(["\n", "\n", "\n", "", "\n\n"]),
       st.sampled_from(["", "", "", "\n", "\n\n"]), st.integers(0, 10**6))
def test_header_split_of_generated_text(lines: list[str], start: str, end: str, first_line: int) -> None:
    text = start + "\n".join(lines) + end
    assert split_at_headers(text, first_line) == split_by_pattern(text, first_line)
    tried(HEADER_SUITE, _header_kinds(text))


def test_header_split_returns_a_split() -> None:
    split = split_at_headers("\nlead\n13/01/2023, 08:00 - Maya: hi\n[1/2/23, 9:05:01 PM] Bob: yo", 1)
    assert type(split) is Split
    assert split == Split("\nlead", ["13/01/2023", "1/2/23"], ["08:00", "9:05:01 PM"], ["Maya: hi", "Bob: yo"],
                          [2, 3])


# ---- c) plain messages: compiled vs Python -------------------------------------------------------


def _columns(bodies: list[str]) -> tuple[list[int], list[datetime], list[str]]:
    """Line numbers and times for entries with these bodies, as a batch has them."""
    numbers = list(accumulate((body.count("\n") + 1 for body in bodies[:-1]), initial=1))[:len(bodies)]
    stamps = [datetime(2023, 1, 13, 8, 0) + timedelta(minutes=index % 50) for index in range(len(bodies))]
    return numbers, stamps, bodies


def _assert_same_entries(bodies: list[str], media=_media) -> None:
    """The compiled entries of `bodies`, on first sight and remembered, are the Python ones. Fresh
    builders for each path, so that no memo hides a difference."""
    columns = _columns(bodies)
    expected = _with_media_bytes(_python_entries(_builder(media), *columns))
    assert _with_media_bytes(_unremembered_entries(_builder(media), *columns)) == expected
    compiled = _builder(media)
    assert _with_media_bytes(_compiled_entries(compiled, *columns)) == expected
    assert _with_media_bytes(_compiled_entries(compiled, *columns)) == expected  # remembered
    reverse = [column[::-1] for column in columns]
    assert _with_media_bytes(_compiled_entries(compiled, *reverse)) == expected[::-1]


@pytest.mark.parametrize("path", EVERY_EXPORT, ids=_name)
def test_plain_messages_of_exports(path: Path) -> None:
    split = split_by_pattern(_whole_text(path), 1)
    assert split.bodies
    with open_chat(path) as chat:
        _assert_same_entries([split.lead, *split.bodies], chat.media)


def _variants(phrase: str) -> list[str]:
    """A vocabulary phrase as exports may write it: cased, dotted, padded, composed or not."""
    return [phrase, phrase.lower(), phrase.upper(), phrase + ".", phrase + "..", phrase + "。", f"  {phrase} ",
            f"\t{phrase}", unicodedata.normalize("NFC", phrase), unicodedata.normalize("NFD", phrase),
            unicodedata.normalize("NFD", phrase) + "."]


_PHRASES = sorted({
    *vocab.GENERIC_MEDIA_OMITTED, *(p for phrases in vocab.TYPED_MEDIA_OMITTED.values() for p in phrases),
    *vocab.DOCUMENT_OMITTED, *vocab.DELETED, *vocab.SYSTEM_FRAGMENTS,
})
_VOCABULARY = sorted({variant for phrase in _PHRASES for variant in _variants(phrase)})
_DOCUMENTS = sorted({
    f"{title}{phrase}" for phrase in vocab.DOCUMENT_OMITTED
    for title in ["report.pdf • 3 pages ", "report.pdf • ", "Report.PDF ", "", "Zoë.docx • 1 page ", " • "]
} | {unicodedata.normalize(form, f"Café.pdf • 2 pages {phrase}") for phrase in vocab.DOCUMENT_OMITTED
     for form in ("NFC", "NFD")})
_EDITED_MARKS = sorted({
    mark for phrase in vocab.EDITED
    for mark in (f"<{phrase}>", f" <{phrase}>", f"  <{phrase.lower()}>", f"<{phrase}>\n", f"<{phrase}> ")
})
_FILES = [
    "<attached: 00000012-PHOTO-2023.jpg>", "Spec.pdf <attached: 00000004-Spec.pdf>", "<attached:x>",
    "<attached: 00000003-AUDIO-2019-06-20-16-03-55.mp3>", "<Datei: 00000009-VIDEO-1.mp4>", "<a: b>", "<>",
    "IMG-20240115-WA0003.jpg (file attached)", "PTT-20240115-WA0001.opus (file attached)",
    "photo.jpg (other)", "a.b (file attached)", "noextension (file attached)",
    *(f"IMG-1.jpg ({phrase})" for phrase in vocab.FILE_ATTACHED),
]
_LINKS = [
    "https://maps.google.com/?q=37.7,-122.4", "location: https://maps.google.com/?q=-1,2",
    "https://foursquare.com/v/4e89af95e5fa82ad4c0aa03b", "https://example.com", "http://maps.google.com/?q=1",
    "https://maps.google.com/?q=x", "see https://",
]
_ODDS_AND_ENDS = [
    ")", ">", " :)", "<3", "->", "(", "<", "👍", "🙂", "❤️", "ok", "Ok.", "\n", "\n   ", "\n\t", "\r", " ",
    ":", ": ", "12:30", "a:b", "\u00a0", "\u3000", "\x1c", "\x85", "...", "。", "é", "é",
]
_GROUP_EVENTS = [
    'Bob changed the subject to "a: b"', 'Ravi Kumar changed the subject from "Launch Team" to "Launch: Q2"',
    "Ravi created group “Sales: EU”", "Bob added Carol", "You were added", "Messages and calls are "
    "end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
    "+44 7700 900123 changed to +44 7700 900456", 'Lucía creó el grupo "Ventas: Madrid"',
]
_TEXT_ALPHABET = st.sampled_from(list("ab Z:/<>()._-•\n\t 1²½١é😊") + ["\u0301", "\u00a0", "\u202f"])
_TEXT_PIECE = st.one_of(
    st.text(_TEXT_ALPHABET, max_size=12),
    st.text(max_size=6),
    st.sampled_from(_VOCABULARY),
    st.sampled_from(_DOCUMENTS),
    st.sampled_from(_EDITED_MARKS),
    st.sampled_from(_FILES),
    st.sampled_from(_LINKS),
    st.sampled_from(_ODDS_AND_ENDS),
    st.builds("\n{}".format, st.text(_TEXT_ALPHABET, max_size=12)),  # a continuation line
)
_TEXT = st.lists(_TEXT_PIECE, max_size=5).map("".join)
_AUTHOR = st.one_of(
    st.sampled_from([
        "Maya", "Maya Patel", "+44 7700 900123", "+1 415 555 0142", "Dr.:Who", "a:b", "a:_b", "a:/b",
        "http", "https", "http://example.com", "a:²", "a:½", "a:١", "a:é", "Zoë Ångström", "Zoe\u0308",
        "名前", "Дмитрий", "", " ", "x_y", "Bob changed the subject to \"a", "Ravi created group “X",
        "Launch Team",
    ]),
    st.text(_TEXT_ALPHABET, max_size=8),
)
_SEPARATOR = st.sampled_from([":", ": ", ":\n", ":  ", ": \n", ":\t", ":: "])
_BODY = st.one_of(
    st.builds(lambda author, separator, text: author + separator + text, _AUTHOR, _SEPARATOR, _TEXT),
    st.builds(lambda author, separator, text: author + separator + text, _AUTHOR, _SEPARATOR, _TEXT),
    st.builds(lambda author, separator, text: author + separator + text, _AUTHOR, _SEPARATOR, _TEXT),
    st.builds(lambda author, separator, text: author + separator + text, _AUTHOR, _SEPARATOR, _TEXT),
    _TEXT,  # WhatsApp's own line, or one without a colon
    st.sampled_from(_GROUP_EVENTS),
    st.builds(lambda event, text: event + text, st.sampled_from(_GROUP_EVENTS), _TEXT),
)


def _content_kinds(bodies: list[str]) -> str:
    types = {entry.type.value for entry in _python_entries(_builder(), *_columns(bodies))}
    if not types:
        return "no body"
    return "text only" if types == {"text"} else "text and others" if "text" in types else "others only"


@FUZZ
@given(st.lists(_BODY, min_size=1, max_size=12), st.lists(st.integers(0, 11), max_size=6))
def test_plain_messages_of_generated_bodies(bodies: list[str], repeats: list[int]) -> None:
    bodies = bodies + [bodies[index % len(bodies)] for index in repeats]  # some seen before in the batch
    _assert_same_entries(bodies)
    tried(CONTENT_SUITE, _content_kinds(bodies))


@pytest.mark.parametrize("phrase", [*_PHRASES, *_DOCUMENTS, *_EDITED_MARKS, *_FILES, *_LINKS, *_GROUP_EVENTS])
def test_plain_messages_of_each_vocabulary_phrase(phrase: str) -> None:
    """Every phrase, in each of its variants, alone and as the first line of a message."""
    bodies = []
    for variant in _variants(phrase):
        bodies += [variant, f"Maya: {variant}", f"Maya:{variant}", f"Maya: {variant}\ncaption",
                   f"Maya: caption {variant}", f"Maya: {variant} <This message was edited>"]
    _assert_same_entries(bodies)


def test_plain_messages_across_memo_clearings() -> None:
    """More distinct bodies than the memo keeps, short and long, plain and not, many repeated."""
    rng = random.Random(11)
    pool = [f"Maya: message {n}" for n in range(3000)] + [f"Bob: {'long ' * 30}{n}" for n in range(300)]
    pool += ["Maya: <Media omitted>", "Bob: IMG-1.jpg (file attached)", "Maya: ok", "Bob added Carol",
             "Maya: image omitted", "Bob: hi <This message was edited>", "Maya: 00000012-PHOTO-1.jpg"]
    bodies = [rng.choice(pool) for _ in range(12000)]
    _assert_same_entries(bodies)
    columns = _columns(bodies)
    compiled = _builder()
    expected = _python_entries(_builder(), *columns)
    got = []
    for start in range(0, len(bodies), 97):  # batch by batch, as the parser calls it
        got += _compiled_entries(compiled, *(column[start:start + 97] for column in columns))
    assert _with_media_bytes(got) == _with_media_bytes(expected)


# ---- d) end to end: parse_export compiled vs pure Python -----------------------------------------


def _outcome(path: Path, order: DateOrder | None) -> tuple[list, str | None]:
    """The entries (with their type and media bytes), and the text of the SourceError if one
    ended the parse."""
    entries: list[ExportEntry] = []
    try:
        entries.extend(parse_export(path, date_order=order))
    except SourceError as error:
        return _with_media_bytes(entries), str(error)
    return _with_media_bytes(entries), None


def _force_pure_python(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Makes parse_export split with the pattern and build contents in Python (as when the
    extensions are not built); returns the list of texts the parser then splits."""
    split_texts: list[str] = []

    def split_by_pattern_seen(text: str, first_line: int = 1) -> Split:
        split_texts.append(text)
        return split_by_pattern(text, first_line)

    monkeypatch.setattr(parser_module, "split_at_headers", split_by_pattern_seen)
    monkeypatch.setattr(assembly, "PlainMessages", None)
    entries_of = _builder()._entries_of
    assert getattr(entries_of, "__func__", None) is EntryBuilder._remembered_entries
    return split_texts


_ORDERS = [None, *DateOrder]


@pytest.mark.parametrize("path", EVERY_EXPORT, ids=_name)
def test_parse_export_compiled_equals_pure_python(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = {order: _outcome(path, order) for order in _ORDERS}
    split_texts = _force_pure_python(monkeypatch)
    assert {order: _outcome(path, order) for order in _ORDERS} == compiled
    assert any(entries for entries, _ in compiled.values())
    assert split_texts  # the pure-Python parse did split with the pattern


_AUTHORS = ["Maya Patel", "+1 415 555 0142", "Oliver Grant", "+44 7700 900123", "Dr.:Who", "Zoë Ångström"]
_WORDS = ("price sofa blue delivery tomorrow invoice thanks great when where colour size order paid sent "
          "photo address street number please sure fine morning evening week month").split()
_ARABIC_DIGITS = str.maketrans(_ASCII_DIGITS, "٠١٢٣٤٥٦٧٨٩")


def _message_lines(rng: random.Random, n: int) -> list[str]:
    """A message of every kind: the first line (after "Name: ") and its continuation lines."""
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 8)))
    return rng.choice([
        [words], [words], [words + " " + str(rng.randint(0, 10**6))], ["ok 👍"], ["ok"],
        ["<Media omitted>"], ["<Media omitted>", "Front view"], ["image omitted"], ["\u200evideo omitted"],
        ["audio omitted"], ["sticker omitted"], ["Contact card omitted"], ["GIF omitted"],
        ["This message was deleted"], ["Se eliminó este mensaje."], ["You deleted this message", "oops"],
        ["report.pdf • 3 pages document omitted"], ["Café.pdf • 2 páginas documento omitido"],
        [f"<attached: {n:08d}-PHOTO-2023-01-13-08-00-00.jpg>"], [f"Spec.pdf <attached: {n:08d}-Spec.pdf>"],
        [f"IMG-20240115-WA{n % 10000:04d}.jpg (file attached)", "Front view"],
        [f"PTT-20240115-WA{n % 10000:04d}.opus (file attached)"], ["DOC-1.pdf (archivo adjunto)"],
        ["location: https://maps.google.com/?q=37.7749,-122.4194"], ["https://example.com/a:b"],
        ["Pimlico Gardens (London): https://foursquare.com/v/4e89af95e5fa82ad4c0aa03b"],
        [f"{words} <This message was edited>"], [f"{words} <Se editó este mensaje.>"],
        ["Order summary:", "- 2x chair", "", "Total: $340"], ["12:30 works for delivery", "12/31 is too late"],
        ["see you at 10:30, 13/01/2023 - ok?"], [f"{words} :)"], [f"{words} ->"], ["  ", "\t"],
        [f"time: {n}"], ["a:b"], [words, f"13/01/2023 {words}"],
    ])


def _system_line(rng: random.Random) -> str:
    return rng.choice([
        'Oliver Grant changed the subject to "Sales: Q2"', "Maya Patel added Oliver Grant",
        "Messages and calls are end-to-end encrypted. No one outside of this chat can read them.",
        "+44 7700 900123 changed to +44 7700 900456", "Oliver Grant left", "You were added",
        "Maya Patel created group “Sofa: blue”", "Your security code with Oliver Grant changed.",
    ])


def _header_text(rng: random.Random, moment: datetime) -> tuple[str, str]:
    """A header in one of the layouts (all day first), and what comes after it before "Name: "."""
    hour12 = f"{(moment.hour % 12) or 12}:{moment:%M}"
    am_pm = "AM" if moment.hour < 12 else "PM"
    layout = rng.randrange(11)
    if layout == 0:
        return f"{moment:%d/%m/%Y, %H:%M} - ", ""
    if layout == 1:
        return f"{moment:%d/%m/%y}, {hour12}\u202f{am_pm} - ", ""
    if layout == 2:
        return f"[{moment:%d/%m/%Y, %H:%M:%S}] ", ""
    if layout == 3:
        return f"\u200e[{moment.day}/{moment.month}/{moment:%y}, {hour12}:{moment:%S} {am_pm}] ", "\u200e"
    if layout == 4:
        return f"[{moment:%H:%M:%S}, {moment.day}/{moment.month}/{moment:%y}] ", ""
    if layout == 5:
        arabic = f"{moment.day}/{moment.month}/{moment.year}، {hour12} {'ص' if am_pm == 'AM' else 'م'}"
        return "\u200f" + arabic.translate(_ARABIC_DIGITS) + " - ", ""
    if layout == 6:
        return f"{moment:%d.%m.%y, %H.%M} - ", ""
    if layout == 7:
        return f"[{moment.day}/{moment.month}/{moment.year + 543} BE {moment:%H:%M:%S}] ", ""
    if layout == 8:  # a word between date and time (vocab.DATE_TIME_WORDS)
        return f"{moment:%d/%m/%Y} {rng.choice(vocab.DATE_TIME_WORDS)} {moment:%H:%M} - ", ""
    if layout == 9:
        return f"[{moment.day}.{moment.month}.{moment.year} klo {moment.hour}.{moment:%M.%S}] ", ""
    return f"{moment:%d-%m-%Y} {moment:%H:%M} – ", ""


def _generated_export(lines: int, seed: int, bad_date_at: int | None = None) -> str:
    """A chat of every message kind and header layout, day first, `lines` lines long."""
    rng = random.Random(seed)
    moment = datetime(2023, 1, 13, 8, 0)
    out: list[str] = []
    while len(out) < lines:
        header, mark = _header_text(rng, moment)
        if bad_date_at is not None and len(out) >= bad_date_at:
            header, bad_date_at = "30/02/2023, 10:00 - ", None
        kind = rng.random()
        if kind < 0.08:
            out.append(header + _system_line(rng))
        elif kind < 0.12:  # iOS: WhatsApp's own notice after the chat's name, marked
            out.append(header + "Launch Team: \u200e" + _system_line(rng))
        else:
            first, *rest = _message_lines(rng, len(out))
            out.append(f"{header}{rng.choice(_AUTHORS)}: {mark}{first}")
            out += rest
        moment += timedelta(minutes=rng.randint(0, 300), seconds=rng.randint(0, 59))
    return "\r\n".join(out) if seed % 2 else "\n".join(out) + "\n"


def _write(tmp_path: Path, text: str, as_zip: bool) -> Path:
    data = text.encode("utf-8")
    if not as_zip:
        path = tmp_path / "WhatsApp Chat with Sofa Sales.txt"
        path.write_bytes(data)
        return path
    path = tmp_path / "WhatsApp Chat with Sofa Sales.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as export:
        export.writestr("_chat.txt", data)
        for name in sorted(set(re.findall(r"\d{8}-PHOTO-[\d-]+\.jpg|IMG-\d+-WA\d+\.jpg", text)))[::2]:
            export.writestr(name, f"bytes of {name}".encode())
    return path


@pytest.mark.parametrize("chunk", [None, 700], ids=["default-blocks", "700-byte-blocks"])
@pytest.mark.parametrize("as_zip", [False, True], ids=["txt", "zip"])
@pytest.mark.parametrize("seed, bad_date_at", [(1, None), (2, None), (3, 2500)],
                         ids=["crlf", "lf", "impossible-date"])
def test_parse_generated_export_compiled_equals_pure_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, bad_date_at: int | None, as_zip: bool,
    chunk: int | None,
) -> None:
    if chunk:
        monkeypatch.setattr(archive, "CHUNK", chunk)
    path = _write(tmp_path, _generated_export(4000, seed, bad_date_at), as_zip)
    compiled = {order: _outcome(path, order) for order in (None, DateOrder.DMY)}
    entries, error = compiled[DateOrder.DMY]
    assert len(entries) > 2000
    assert (error is None) == (bad_date_at is None)
    assert {entry.type.value for _, entry, _ in entries} >= {"text", "image", "video", "audio", "voice", "document",
                                                    "deleted", "location", "system", "sticker", "contacts"}
    assert any(entry.edited for _, entry, _ in entries)
    assert any(any(media) for _, _, media in entries) == as_zip  # media bytes only come from a zip
    split_texts = _force_pure_python(monkeypatch)
    assert {order: _outcome(path, order) for order in (None, DateOrder.DMY)} == compiled
    assert split_texts
