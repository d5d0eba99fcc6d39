# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The header split of `header_split`, compiled: a scan of the text's lines in C.

A line is a header if `HEADER_LINE` matches at the "\\n" before it. The scan recognizes the common
layouts itself (ASCII digits, date first, Android "d/m/y, h:mm - " and iOS "[d/m/y, h:mm:ss] ",
12 or 24-hour, and with a word of `vocab.DATE_TIME_WORDS` between date and time, as the French
"20/11/2026 à 09:15 - "), only where the pattern would match the same way; every other line that
could start a header is given to the pattern. Lines that cannot start one (the pattern's first character class)
are body lines without asking.
"""
from eazybe_tasks.sources.exports.layouts import HEADER_LINE, header_date, header_time
from eazybe_tasks.sources.exports.vocab import DATE_TIME_WORDS

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_FindChar(object text, Py_UCS4 ch, Py_ssize_t start, Py_ssize_t end,
                                  int direction) except -2
    Py_ssize_t PyUnicode_Tailmatch(object text, object sub, Py_ssize_t start, Py_ssize_t end,
                                   int direction) except -1

cdef object _match = HEADER_LINE.match
cdef tuple _WORDS = tuple(DATE_TIME_WORDS)  # "à": "20/11/2026 à 09:15 - "

# Positions in the spans a recognized header fills in.
cdef enum:
    DATE_START, DATE_END, TIME_START, TIME_END, HEADER_END, SPAN_SIZE


def split_at_headers(str text, Py_ssize_t first_line):
    """(lead, dates, times, bodies, lines) of `text`, as `header_split.split_by_pattern` gives them."""
    cdef Py_ssize_t n = len(text)
    cdef Py_ssize_t line = PyUnicode_FindChar(text, u"\n", 0, n, 1)  # the "\n" before a line...
    cdef Py_ssize_t number = first_line  # ...and that line's number
    cdef Py_ssize_t body_start = -1  # where the current entry's body starts; -1: no header yet
    cdef Py_ssize_t span[SPAN_SIZE]
    cdef Py_UCS4 first
    cdef list dates = [], times = [], bodies = [], lines = []
    lead = text
    while line >= 0 and line + 1 < n:
        first = text[line + 1]
        if first == u"[" or (u"0" <= first <= u"9") or (0x660 <= first <= 0x669) or (0x6F0 <= first <= 0x6F9):
            if _recognize(text, line + 1, n, span):
                date, time = text[span[DATE_START]:span[DATE_END]], text[span[TIME_START]:span[TIME_END]]
            else:
                header = _match(text, line)
                if header is None:
                    line = PyUnicode_FindChar(text, u"\n", line + 1, n, 1)
                    number += 1
                    continue
                date, time, span[HEADER_END] = header_date(header), header_time(header), header.end()
            if body_start < 0:
                lead = text[:line]
            else:
                bodies.append(text[body_start:line])
            dates.append(date)
            times.append(time)
            lines.append(number)
            body_start = span[HEADER_END]
            line = PyUnicode_FindChar(text, u"\n", body_start, n, 1)
        else:
            line = PyUnicode_FindChar(text, u"\n", line + 1, n, 1)
        number += 1
    if body_start >= 0:
        bodies.append(text[body_start:])
    return lead, dates, times, bodies, lines


cdef inline Py_ssize_t _digits(str text, Py_ssize_t i, Py_ssize_t n):
    """How many ASCII digits run from i (counting stops at 5: no field is longer than 4)."""
    cdef Py_ssize_t count = 0
    while i + count < n and count < 5 and u"0" <= text[i + count] <= u"9":
        count += 1
    return count


cdef inline bint _separator(str text, Py_ssize_t i, Py_ssize_t n):
    return i < n and (text[i] == u"/" or text[i] == u"." or text[i] == u"-")


cdef Py_ssize_t _word(str text, Py_ssize_t i, Py_ssize_t n):
    """The length of the date-and-time word at i, if a space follows it; else 0."""
    cdef str word
    cdef Py_ssize_t k
    for word in _WORDS:
        k = len(word)
        if i + k < n and text[i + k] == u" " and PyUnicode_Tailmatch(text, word, i, i + k, -1):
            return k
    return 0


cdef bint _recognize(str text, Py_ssize_t i, Py_ssize_t n, Py_ssize_t* span):
    """Whether the line at i starts with a header of the common layouts that the pattern matches
    the same way (then its spans are filled in). False means: ask the pattern."""
    cdef bint bracket = text[i] == u"[", comma
    cdef Py_ssize_t k
    if bracket:
        i += 1
    span[DATE_START] = i
    # Day or month (1 digit, or 2 from 00 to 39) or year (4 digits), then a separator.
    k = _digits(text, i, n)
    if not (k == 1 or (k == 2 and text[i] <= u"3") or k == 4) or not _separator(text, i + k, n):
        return False
    i += k + 1
    k = _digits(text, i, n)
    if not (k == 1 or (k == 2 and text[i] <= u"3")) or not _separator(text, i + k, n):
        return False
    i += k + 1
    k = _digits(text, i, n)
    if not (k == 1 or k == 2 or k == 4):
        return False
    i += k
    span[DATE_END] = i
    comma = i < n and text[i] == u","
    if comma:
        i += 1
    if i + 1 >= n or text[i] != u" " or text[i + 1] == u"B":  # "B": a Buddhist-era "BE" the pattern knows
        return False
    i += 1
    if not comma and not (u"0" <= text[i] <= u"9"):  # perhaps " à " (a word, no comma before it)
        k = _word(text, i, n)
        if k == 0:
            return False
        i += k + 1
    span[TIME_START] = i
    # Hour (1 digit, or 2 from 00 to 29), ":" or ".", minutes, maybe seconds, maybe AM/PM.
    k = _digits(text, i, n)
    if not (k == 1 or (k == 2 and text[i] <= u"2")) or i + k >= n:
        return False
    if text[i + k] != u":" and text[i + k] != u".":
        return False
    i += k + 1
    if _digits(text, i, n) != 2 or text[i] > u"5":
        return False
    i += 2
    if i < n and (text[i] == u":" or text[i] == u"."):
        if _digits(text, i + 1, n) != 2 or text[i + 1] > u"5":
            return False
        i += 3
    if i + 3 < n and text[i] == u" " and text[i + 1] in u"AaPp":
        if text[i + 2] not in u"Mm" or text[i + 3] == u".":
            return False
        i += 3
    span[TIME_END] = i
    # The end of the header: "] " (the space optional) after "[", else " - " or " – ".
    if bracket:
        if i >= n or text[i] != u"]":
            return False
        i += 1
        if i < n and text[i] == u" ":
            i += 1
    elif i + 2 < n and text[i] == u" " and text[i + 1] in u"-–" and text[i + 2] == u" ":
        i += 3
    else:
        return False
    span[HEADER_END] = i
    return True
