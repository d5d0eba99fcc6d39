# cython: language_level=3, boundscheck=False, wraparound=False
"""Entries of plain text messages, built in C: the common case of `assembly.EntryBuilder`.

Most entries are a person's text message, which nothing in it makes anything else: "Name: text"
with no media notice, attached file, location link or edited marker. `PlainMessages` recognizes
those itself and leaves what every other entry says to the builder's own (Python) code, so the
result is the same entry for entry; tests compare the two.
"""
from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF
from cpython.tuple cimport PyTuple_SET_ITEM

cdef extern from "Python.h":
    ctypedef struct AllocatingType "PyTypeObject":  # the one slot of a type used here
        object (*tp_alloc)(AllocatingType* type, Py_ssize_t items)

    Py_ssize_t PyUnicode_FindChar(object text, Py_UCS4 ch, Py_ssize_t start, Py_ssize_t end,
                                  int direction) except -2
    Py_ssize_t PyUnicode_Find(object text, object sub, Py_ssize_t start, Py_ssize_t end,
                              int direction) except -2
    bint PyUnicode_IS_ASCII(object text)


cdef class PlainMessages:
    """Entries from columns. What a body says (see entry.Content): remembered in `known`, or a
    plain text message recognized here, or else worked out by `known`'s own function (a Memo)."""

    cdef object entry_type  # entry.ExportEntry, a named tuple
    cdef object known, authors  # dict subclasses (memos)
    cdef dict notices
    cdef Py_ssize_t longest_notice, kept_length, kept_count
    cdef object notice_key, canonical, document_notices, text_type
    cdef str document_endings

    def __init__(self, type entry_type, object known, Py_ssize_t kept_length, object authors,
                 dict notices not None, Py_ssize_t longest_notice, object notice_key, object canonical,
                 tuple document_notices, object text_type):
        if not issubclass(entry_type, tuple) or not isinstance(known, dict) or not isinstance(authors, dict):
            raise TypeError("entry_type must be a tuple type, known and authors dicts (memos)")
        self.entry_type = entry_type
        self.known = known  # body -> content, a Memo: indexing it works out a body not seen
        self.kept_length = kept_length  # plain bodies up to this long are kept in it...
        self.kept_count = known.limit  # ...as the Memo keeps what it works out: cleared when full
        self.authors = authors  # name -> author, a Memo (None: the "name" is a group event)
        self.notices = notices  # notice_key(first line) -> its type, for whole-line notices
        self.longest_notice = longest_notice  # a first line longer than this is no notice
        self.notice_key = notice_key
        self.canonical = canonical  # the form of a first line its endings are compared in
        self.document_notices = document_notices  # endings of a first line naming an omitted document
        self.document_endings = "".join({notice[-1] for notice in document_notices})
        self.text_type = text_type  # MessageType.TEXT

    def entries(self, list numbers, list stamps, list bodies):
        """The entries of the columns (one line number, time and body per entry), in order."""
        cdef list out = []
        cdef Py_ssize_t i
        if len(numbers) != len(bodies) or len(stamps) != len(bodies):
            raise ValueError("columns of different lengths")
        for i in range(len(bodies)):
            out.append(self._entry(numbers[i], stamps[i], self._content(bodies[i])))
        return out

    cdef object _content(self, str body):
        cdef PyObject* remembered
        if len(body) > self.kept_length:  # a long plain body is never kept: no lookup (no hash)
            content = self._plain(body)
            return self.known[body] if content is None else content
        remembered = PyDict_GetItem(self.known, body)
        if remembered is not NULL:
            return <object>remembered
        content = self._plain(body)
        if content is None:
            return self.known[body]
        if len(self.known) >= self.kept_count:
            self.known.clear()
        PyDict_SetItem(self.known, body, content)
        return content

    cdef object _entry(self, object number, object stamp, tuple content):
        """An entry_type of (number, stamp, *content), made as tuple.__new__ makes one."""
        if len(content) != 6:
            raise ValueError(f"an entry's content has 6 fields, not {len(content)}")
        entry = (<AllocatingType*>self.entry_type).tp_alloc(<AllocatingType*>self.entry_type, 8)
        cdef Py_ssize_t i
        Py_INCREF(number)
        PyTuple_SET_ITEM(entry, 0, number)
        Py_INCREF(stamp)
        PyTuple_SET_ITEM(entry, 1, stamp)
        for i in range(6):
            item = content[i]
            Py_INCREF(item)
            PyTuple_SET_ITEM(entry, i + 2, item)
        return entry

    cdef object _plain(self, str body):
        """The content of a plain text message, else None (the builder's code decides)."""
        cdef Py_ssize_t n = len(body), colon = 0, start, first_end
        cdef Py_UCS4 after
        # "Name: text": the name runs to the first ":" not followed by a word character or "/"
        # (assembly._AUTHOR); none on the first line: WhatsApp wrote it.
        while True:
            while colon < n and body[colon] != u":" and body[colon] != u"\n":
                colon += 1
            if colon == n or body[colon] == u"\n":
                return None
            if colon + 1 < n:
                after = body[colon + 1]
                if after == u"/" or after == u"_" or after.isalnum():
                    colon += 1
                    continue
            break
        author = self.authors[body[:colon]]
        if author is None or body[n - 1] == u">":  # a group event; perhaps an edited marker
            return None
        start = colon + 2 if colon + 1 < n and body[colon + 1] == u" " else colon + 1
        first_end = PyUnicode_FindChar(body, u"\n", start, n, 1)
        if first_end < 0:
            first_end = n
        if first_end > start and body[first_end - 1] == u")":  # perhaps "name.pdf (file attached)"
            return None
        if PyUnicode_FindChar(body, u"<", start, first_end, 1) >= 0:  # perhaps "<attached: name>"
            return None
        if PyUnicode_Find(body, u"https://", start, n, 1) >= 0:  # perhaps a location
            return None
        text = body[start:]
        first = text if first_end == n else body[start:first_end]
        if first_end - start <= self.longest_notice and self._notice_key(first) in self.notices:
            return None
        if first_end > start and self._may_name_a_document(first, body[first_end - 1]):
            return None
        return author, text, u"message", self.text_type, False, ()

    cdef bint _may_name_a_document(self, str first, Py_UCS4 last):
        """Whether the canonical form of a first line ends with a document notice. An ASCII last
        character stays last in that form (nothing decomposes or reorders around it), so unless
        it ends a notice, no notice can end the line."""
        if last < 128 and last not in self.document_endings:
            return False
        return (first if PyUnicode_IS_ASCII(first) else self.canonical(first)).endswith(self.document_notices)

    cdef object _notice_key(self, str line):
        """assembly._notice_key(line), without a Python call where the line is ASCII."""
        cdef Py_ssize_t start = 0, end = len(line)
        if not PyUnicode_IS_ASCII(line):
            return self.notice_key(line)
        while start < end and line[start].isspace():
            start += 1
        while end > start and line[end - 1].isspace():
            end -= 1
        while end > start and line[end - 1] == u".":
            end -= 1
        return line[start:end].lower()
