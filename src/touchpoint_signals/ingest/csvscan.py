"""CSV records split in bytes with whole-array numpy passes, for :func:`read_csv`.

:func:`scan_records` finds the records and fields of a block of UTF-8 bytes the way
:func:`csv.reader` (the ``excel`` dialect) splits their text, without a Python string per
field: the quotes are counted once, a delimiter or line feed after an even number of quotes
separates fields, and every field becomes a ``(start, stop)`` pair of byte offsets. The
loader then converts whole columns of those ranges (:class:`ByteColumn`): strings through
numpy's bytes-to-``StringDType`` cast, ISO 8601 instants from their digits, categorical
fields through a table of their distinct values.

The numpy passes agree with :mod:`csv` only for text whose quotes are all where a writer
following RFC 4180 puts them: a quote opens a field, closes it right before a delimiter or
a line end, or is doubled inside a quoted field. A quote anywhere else (``5" screen`` in an
unquoted field, text after a closing quote), a carriage return that does not end a line,
or a quoted field still open at the end of the file make :mod:`csv` read the rest of the
record its own way; the scan stops at the start of such a record and says so, and the reader
hands it, and the rest of the block, to :mod:`csv`. A record with the wrong number of fields
is split correctly (only its width is wrong) and is returned with its bytes, for the reader
to refuse as it refuses any such row.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["ByteColumn", "ByteFields", "DistinctBytes", "Scan", "scan_records"]

logger = logging.getLogger(__name__)

QUOTE = ord('"')
LF = ord("\n")
CR = ord("\r")

#: Characters :meth:`str.strip` removes that UTF-8 writes in more than one byte (the others
#: are the ASCII whitespace in :data:`_ASCII_SPACE`); tests check both against
#: :meth:`str.isspace`.
UNICODE_SPACES = (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_SPACE_SEQUENCES = tuple(np.frombuffer(c.encode(), dtype=np.uint8) for c in UNICODE_SPACES)

#: Fields up to this many bytes are keyed by their bytes in :class:`DistinctBytes`; longer
#: ones (rare in categorical columns) are looked up in a dict.
_SHORT = 16

IntArray = npt.NDArray[np.int64]
ByteArray = npt.NDArray[np.uint8]
BoolArray = npt.NDArray[np.bool_]


def _windows(buffer: ByteArray, starts: IntArray, width: int) -> ByteArray:
    """``buffer[s:s + width]`` for each start, as rows of a ``(len(starts), width)`` array.

    The rows are read through a view of the buffer as overlapping fixed-width byte strings,
    so each row is one contiguous copy; a window that runs past the end of the buffer reads
    zeros beyond it.
    """
    count = len(buffer) - width + 1
    if not len(starts):
        return np.zeros((0, width), dtype=np.uint8)
    if count <= 0:
        rows = np.zeros((len(starts), width), dtype=np.uint8)
        outside = np.arange(len(starts))
    else:
        windows = np.ndarray((count,), dtype=f"S{width}", buffer=buffer, strides=(1,))
        rows = windows[np.minimum(starts, count - 1)].view(np.uint8).reshape(-1, width)
        outside = np.flatnonzero(starts >= count)
    for row in outside.tolist():
        start = int(starts[row])
        tail = buffer[start : start + width]
        rows[row, : len(tail)] = tail
        rows[row, len(tail) :] = 0
    return rows


def _masked_windows(
    buffer: ByteArray, starts: IntArray, stops: IntArray, width: int
) -> ByteArray:
    """Like :func:`_windows`, with the bytes past each range's stop set to zero.

    ``width`` must be a multiple of 8. Rows up to :data:`_MASKED_WORDS` words wide are
    masked as 64-bit words through a table of the masks of each length; wider rows byte by
    byte.
    """
    rows = _windows(buffer, starts, width)
    lengths = stops - starts
    if not len(lengths) or int(lengths.min()) >= width:
        return rows
    if width <= 8 * _MASKED_WORDS:
        words = rows.view(np.uint64)
        words &= np.take(_word_masks(width), np.minimum(lengths, width), axis=0)
    else:
        index = np.dtype(np.uint16) if width < 2**16 else np.dtype(np.int64)
        within = (
            np.arange(width, dtype=index)[None, :]
            < np.minimum(lengths, width).astype(index)[:, None]
        )
        np.multiply(rows, within, out=rows)
    return rows


#: The widest rows, in 64-bit words, masked through a table (see :func:`_word_masks`).
_MASKED_WORDS = 32
_WORD_MASKS: dict[int, npt.NDArray[np.uint64]] = {}


def _word_masks(width: int) -> npt.NDArray[np.uint64]:
    """For each length from 0 to ``width``, the 64-bit words that keep its first bytes.

    The tables are kept for the process, one per width (at most :data:`_MASKED_WORDS`,
    none larger than 66 kB).
    """
    masks = _WORD_MASKS.get(width)
    if masks is None:
        keep = np.arange(width)[None, :] < np.arange(width + 1)[:, None]
        masks = (keep.astype(np.uint8) * np.uint8(0xFF)).view(np.uint64)
        _WORD_MASKS[width] = masks
    return masks


@attrs.frozen(eq=False)
class ByteColumn:
    """One column of a block of CSV records: each record's field as a byte range.

    ``buffer`` holds the block's bytes (UTF-8; fields that held doubled quotes are copied,
    undoubled, after them) and the field of row ``i`` is ``buffer[starts[i]:stops[i]]``.
    ``bad`` lists, sorted, the offsets of the bytes that numpy's UTF-8 cast would not read
    as Python reads them (NUL, bytes that are not valid UTF-8), so that the fields holding
    one are converted by Python.
    """

    buffer: ByteArray
    starts: IntArray
    stops: IntArray
    bad: IntArray

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, row: int) -> str:
        """The field of ``row`` as :mod:`csv` reads it: decoded, undecodable bytes escaped."""
        start, stop = int(self.starts[row]), int(self.stops[row])
        return self.buffer[start:stop].tobytes().decode("utf-8", "surrogateescape")

    def strings(self, rows: IntArray | None = None) -> list[str]:
        """The fields of ``rows`` (default every row) as Python strings, as :mod:`csv`
        reads them."""
        data = self.buffer.tobytes()
        starts = self.starts if rows is None else self.starts[rows]
        stops = self.stops if rows is None else self.stops[rows]
        return [
            data[a:b].decode("utf-8", "surrogateescape")
            for a, b in zip(starts.tolist(), stops.tolist(), strict=True)
        ]

    def has_bad(self, starts: IntArray, stops: IntArray) -> BoolArray:
        """Whether each range holds a byte listed in :attr:`bad`."""
        if not self.bad.size:
            return np.zeros(len(starts), dtype=bool)
        holds: BoolArray = np.searchsorted(self.bad, stops) > np.searchsorted(self.bad, starts)
        return holds

    def trimmed(self) -> tuple[IntArray, IntArray, BoolArray]:
        """Each field's range without surrounding whitespace, and the rows to trim in Python.

        ASCII whitespace is trimmed here, byte by byte from both ends. Rows whose field
        holds a byte in :attr:`bad`, or whose trimmed field still starts or ends with a
        character :meth:`str.strip` removes (``\\xa0``, ``\\u3000``, ...), are marked: their
        values are made by Python, with
        :func:`~touchpoint_signals.ingest.mapping.normalise` itself.
        """
        buffer, starts, stops = self.buffer, self.starts, self.stops
        if not len(buffer):
            return starts, stops, np.zeros(len(starts), dtype=bool)
        last = len(buffer) - 1
        first_byte = buffer[np.minimum(starts, last)]
        last_byte = buffer[np.maximum(stops - 1, 0)]
        present = starts < stops

        lead = np.flatnonzero(present & _ASCII_SPACE[first_byte])
        trail = np.flatnonzero(present & _ASCII_SPACE[last_byte])
        if lead.size or trail.size:
            starts, stops = starts.copy(), stops.copy()
            while lead.size:
                starts[lead] += 1
                ahead = buffer[np.minimum(starts[lead], last)]
                lead = lead[(starts[lead] < stops[lead]) & _ASCII_SPACE[ahead]]
            # A field of whitespace alone is empty now; the end is trimmed after the start.
            trail = trail[starts[trail] < stops[trail]]
            while trail.size:
                stops[trail] -= 1
                behind = buffer[np.maximum(stops[trail] - 1, 0)]
                trail = trail[(starts[trail] < stops[trail]) & _ASCII_SPACE[behind]]
            first_byte = buffer[np.minimum(starts, last)]
            last_byte = buffer[np.maximum(stops - 1, 0)]
            present = starts < stops

        python = self.has_bad(self.starts, self.stops)
        edge = np.flatnonzero(present & ((first_byte >= 0x80) | (last_byte >= 0x80)) & ~python)
        if edge.size:
            python[edge] = _space_at_edge(buffer, starts[edge], stops[edge])
        return starts, stops, python

    def text(
        self,
        starts: IntArray,
        stops: IntArray,
        dtype: Any,
        out: npt.NDArray[Any] | None = None,
    ) -> npt.NDArray[Any]:
        """The byte ranges as an array of ``dtype`` (a ``StringDType``), decoded as UTF-8.

        The ranges must hold no byte of :attr:`bad`. They are copied into rows of one fixed
        width and cast by numpy; a width that fits nearly all ranges is used, and the few
        longer ones are cast again at their own width. Given ``out``, the strings are cast
        straight into it and it is returned.
        """
        lengths = stops - starts
        if not len(lengths):
            return np.empty(0, dtype=dtype) if out is None else out
        width = int(lengths.max())
        if width * len(lengths) > 4 * int(lengths.sum()) + 64 * len(lengths):
            width = int(np.quantile(lengths, 0.99))
        width = max(8, -(-width // 8) * 8)
        rows = _masked_windows(self.buffer, starts, stops, width).view(f"S{width}").reshape(-1)
        strings: npt.NDArray[Any]
        if out is None:
            strings = rows.astype(dtype)
        else:
            strings = out
            strings[...] = rows
        longer = np.flatnonzero(lengths > width)
        if longer.size:
            strings[longer] = self.text(starts[longer], stops[longer], dtype)
        return strings

    def fixed(self, starts: IntArray, width: int) -> ByteArray:
        """``width`` bytes from each of ``starts``, one row per start."""
        return _windows(self.buffer, starts, width)


def _space_at_edge(buffer: ByteArray, starts: IntArray, stops: IntArray) -> BoolArray:
    """Whether each range starts or ends with a whitespace character outside ASCII."""
    found = np.zeros(len(starts), dtype=bool)
    lengths = stops - starts
    sizes = sorted({len(sequence) for sequence in _SPACE_SEQUENCES})
    heads = {size: _windows(buffer, starts, size) for size in sizes}
    tails = {size: _windows(buffer, np.maximum(stops - size, 0), size) for size in sizes}
    for sequence in _SPACE_SEQUENCES:
        size = len(sequence)
        fits = lengths >= size
        found |= fits & (heads[size] == sequence).all(axis=1)
        found |= fits & (tails[size] == sequence).all(axis=1)
    return found


@attrs.frozen(eq=False)
class ByteFields:
    """Records of a CSV block as wide as the header, as byte ranges of one buffer.

    ``starts`` and ``stops`` are ``(width, records)`` arrays, a row per column, so that
    :meth:`column` hands the loader each column as contiguous arrays.
    """

    buffer: ByteArray
    starts: IntArray
    stops: IntArray
    bad: IntArray

    def __len__(self) -> int:
        return int(self.starts.shape[1])

    def column(self, index: int) -> ByteColumn:
        """Column ``index`` (0-based, in header order)."""
        return ByteColumn(self.buffer, self.starts[index], self.stops[index], self.bad)

    def tolist(self) -> list[list[str]]:
        """Every record as a list of strings, as :mod:`csv` reads it."""
        data = self.buffer.tobytes()
        return [
            [
                data[a:b].decode("utf-8", "surrogateescape")
                for a, b in zip(first, last, strict=True)
            ]
            for first, last in zip(self.starts.T.tolist(), self.stops.T.tolist(), strict=True)
        ]


@attrs.frozen(eq=False)
class Scan:
    """What :func:`scan_records` read from the start of a block of bytes.

    ``records`` records were read, ending at byte ``end``. ``fields`` holds those as wide as
    the header (``numbers`` gives their positions among the ``records``, from 0); ``others``
    the position and bytes of each of the rest, blank lines included. ``irregular`` says
    that the record starting at ``end`` cannot be split here: :mod:`csv` must read it.
    """

    end: int
    records: int
    fields: ByteFields
    numbers: IntArray
    others: list[tuple[int, bytes]]
    irregular: bool


def scan_records(
    data: bytes,
    size: int,
    delimiter: int,
    width: int,
    *,
    final: bool,
    max_records: int,
) -> Scan | None:
    """Split the records at the start of ``data[:size]`` into fields, as :mod:`csv` would.

    ``data`` starts at the start of a record, and ``size`` is at a line boundary or, when
    ``final``, at the end of the file. At most ``max_records`` records are read. Returns
    ``None`` when no record ends before ``size`` (a quoted field runs on beyond it, or the
    block is empty): read more and scan again. When no record ends because a quote breaks
    the rules (a quote inside an unquoted field makes every later line look quoted), the
    scan says the first record is irregular instead.

    Steps: find the quotes and the candidate separators (delimiters and line feeds); drop
    the separators that lie between an opening and a closing quote; cut after the last
    complete record; check that every quote is where RFC 4180 puts it and that every
    carriage return outside quotes ends a line, and cut before the first record that breaks
    the rule; then turn the separators into field ranges without the quotes of quoted fields.
    """
    if size == 0:
        return None
    buffer = np.frombuffer(data, dtype=np.uint8, count=size)

    quotes = np.flatnonzero(buffer == QUOTE)
    separators = np.flatnonzero((buffer == delimiter) | (buffer == LF))
    if quotes.size:
        separators = _outside_quotes(separators, quotes)
    line_ends = separators[buffer[separators] == LF]

    stop = size if final else (int(line_ends[-1]) + 1 if line_ends.size else 0)
    if line_ends.size >= max_records and int(line_ends[max_records - 1]) + 1 < stop:
        stop = int(line_ends[max_records - 1]) + 1
    if stop == 0:
        if quotes.size and _first_irregular(buffer, size, quotes, line_ends, delimiter, None):
            return _fields_of(buffer, 0, separators[:0], quotes[:0], width, False, True)
        return None
    open_end = final and stop == size and buffer[size - 1] != LF
    quotes = quotes[quotes < stop]
    line_ends = line_ends[line_ends < stop]

    irregular_at = _first_irregular(buffer, stop, quotes, line_ends, delimiter, open_end)
    if irregular_at is not None:
        earlier = line_ends[line_ends < irregular_at]
        stop = int(earlier[-1]) + 1 if earlier.size else 0
        open_end = False
        quotes = quotes[quotes < stop]

    if separators.size and separators[-1] >= stop:
        separators = separators[: np.searchsorted(separators, stop)]
    if open_end:
        separators = np.append(separators, stop)
    return _fields_of(
        buffer, stop, separators, quotes, width, open_end, irregular_at is not None
    )


def _outside_quotes(separators: IntArray, quotes: IntArray) -> IntArray:
    """The separators preceded by an even number of quotes.

    Quotes ``2k`` and ``2k + 1`` bound a quoted stretch; the separators inside the stretches
    are found by binary search of the quotes among the separators, and dropped.
    """
    following = np.searchsorted(separators, quotes)
    opened, closed = following[0::2], following[1::2]
    if closed.size < opened.size:
        closed = np.append(closed, separators.size)
    inside = closed - opened
    total = int(inside.sum())
    if not total:
        return separators
    first = np.cumsum(inside) - inside
    index = np.repeat(opened - first, inside) + np.arange(total)
    keep = np.ones(separators.size, dtype=bool)
    keep[index] = False
    outside: IntArray = separators[keep]
    return outside


def _first_irregular(
    buffer: ByteArray,
    stop: int,
    quotes: IntArray,
    line_ends: IntArray,
    delimiter: int,
    open_end: bool | None,
) -> int | None:
    """The offset of the first byte before ``stop`` from which :mod:`csv` would split the
    text otherwise than the quote count says, or ``None``.

    Quote number ``g`` (from 0) opens a quoted field when ``g`` is even, so it must start
    the block or follow a separator, unless it is the second of a doubled quote. When ``g``
    is odd it closes the field, so a delimiter, a line end or the end of the file must
    follow, unless it is the first of a doubled quote. A carriage return outside quotes must
    be followed by a line feed, and no quoted field may be open at ``stop``, unless
    ``open_end`` is ``None``: the text goes on after ``stop``, so a quoted field may too.
    """
    found: list[int] = []
    last = len(buffer) - 1

    count = quotes.size
    if count:
        odd = (np.arange(count) & 1) == 1
        doubled_next = np.zeros(count, dtype=bool)
        doubled_next[:-1] = quotes[1:] == quotes[:-1] + 1
        doubled_previous = np.zeros(count, dtype=bool)
        doubled_previous[1:] = doubled_next[:-1]

        previous = buffer[np.maximum(quotes - 1, 0)]
        opens = (quotes == 0) | (previous == delimiter) | (previous == LF)
        following = buffer[np.minimum(quotes + 1, last)]
        closes = (following == delimiter) | (following == LF) | (following == CR)
        closes &= quotes + 1 < stop
        closes |= bool(open_end) & (quotes + 1 == stop)

        wrong = np.flatnonzero(
            (~odd & ~opens & ~doubled_previous) | (odd & ~closes & ~doubled_next)
        )
        if wrong.size:
            found.append(int(quotes[wrong[0]]))
        if count & 1 and open_end is not None:
            found.append(int(quotes[-1]))

    returns = int(np.count_nonzero(buffer[:stop] == CR))
    ending = int(np.count_nonzero(buffer[np.maximum(line_ends - 1, 0)] == CR))
    if returns != ending:
        positions = np.flatnonzero(buffer[:stop] == CR)
        ended = (positions + 1 < stop) & (buffer[np.minimum(positions + 1, last)] == LF)
        lone = positions[~ended]
        outside = lone[(np.searchsorted(quotes, lone) & 1) == 0]
        if outside.size:
            found.append(int(outside[0]))
    return min(found) if found else None


def _fields_of(
    buffer: ByteArray,
    stop: int,
    separators: IntArray,
    quotes: IntArray,
    width: int,
    open_end: bool,
    irregular: bool,
) -> Scan:
    """The records of ``buffer[:stop]``, whose separators (checked regular) are given.

    Each separator ends one field; a line feed (or the end of an unterminated last line)
    also ends a record. When every record is as wide as the header (the usual case) the
    separators are simply laid out as a table; otherwise the records of another width are
    set apart.
    """
    terminal = buffer[np.minimum(separators, stop - 1)] == LF
    if open_end:
        terminal[-1] = True
    records = int(np.count_nonzero(terminal))

    if width > 1 and separators.size == records * width:
        grid = separators.reshape(records, width)
        if terminal[width - 1 :: width].all():
            return _table_of(buffer, stop, grid, quotes, open_end, irregular)
    return _records_of(buffer, stop, separators, terminal, quotes, width, open_end, irregular)


def _table_of(
    buffer: ByteArray,
    stop: int,
    grid: IntArray,
    quotes: IntArray,
    open_end: bool,
    irregular: bool,
) -> Scan:
    """The records when each has one separator per column (``grid``: records by columns).

    A field runs from after the previous separator to its own; a carriage return before the
    line feed is not part of the last field.
    """
    records, width = grid.shape
    stops = np.ascontiguousarray(grid.T)
    starts = np.empty_like(stops)
    np.add(stops[:-1], 1, out=starts[1:])
    np.add(stops[-1, :-1], 1, out=starts[0, 1:])
    starts[0, :1] = 0

    ends = stops[-1]
    carriage = (ends > starts[-1]) & (buffer[np.maximum(ends - 1, 0)] == CR)
    if open_end:
        carriage[-1] = False
    ends[carriage] -= 1

    def flat(fields: IntArray) -> IntArray:
        column_major: IntArray = (fields % width) * records + fields // width
        return column_major

    buffer = _unquoted(buffer, stop, grid.reshape(-1), quotes, starts, stops, flat)
    fields = ByteFields(buffer, starts, stops, _bad_bytes(buffer))
    return Scan(stop, records, fields, np.arange(records, dtype=np.int64), [], irregular)


def _records_of(
    buffer: ByteArray,
    stop: int,
    separators: IntArray,
    terminal: BoolArray,
    quotes: IntArray,
    width: int,
    open_end: bool,
    irregular: bool,
) -> Scan:
    """The records when some are blank or not as wide as the header: those are set apart."""
    starts = np.empty(separators.size, dtype=np.int64)
    starts[:1] = 0
    starts[1:] = separators[:-1] + 1
    stops = separators.astype(np.int64)
    carriage = terminal & (stops > starts) & (buffer[np.maximum(stops - 1, 0)] == CR)
    if open_end:
        carriage[-1] = False
    stops[carriage] -= 1

    record: IntArray = np.cumsum(terminal) - terminal
    records = int(np.count_nonzero(terminal))
    widths = np.bincount(record, minlength=records)
    first = np.ones(separators.size, dtype=bool)
    first[1:] = terminal[:-1]
    record_start = starts[first]
    record_end = separators[terminal] + 1
    if open_end:
        record_end[-1] = stop
    blank = (widths == 1) & (stops[first] == record_start)
    good = (widths == width) & ~blank

    others = [
        (r, buffer[record_start[r] : record_end[r]].tobytes())
        for r in np.flatnonzero(~good).tolist()
    ]
    buffer = _unquoted(buffer, stop, separators, quotes, starts, stops, lambda f: f)
    keep = good[record]
    kept = int(np.count_nonzero(good))
    columns = max(width, 0)
    fields = ByteFields(
        buffer,
        np.ascontiguousarray(starts[keep].reshape(kept, columns).T),
        np.ascontiguousarray(stops[keep].reshape(kept, columns).T),
        _bad_bytes(buffer),
    )
    return Scan(stop, records, fields, np.flatnonzero(good), others, irregular)


def _unquoted(
    buffer: ByteArray,
    stop: int,
    separators: IntArray,
    quotes: IntArray,
    starts: IntArray,
    stops: IntArray,
    flat: Callable[[IntArray], IntArray],
) -> ByteArray:
    """Take the quotes off quoted fields (ranges changed in place); returns the buffer.

    Field ``f`` (in record order) is ended by ``separators[f]``; its range is at ``flat(f)``
    of the flattened ``starts`` and ``stops``. A field is quoted when an opening quote (an
    even-numbered one that is not the second of a doubled quote) starts it; its range loses
    the first and last byte. A quoted field that holds doubled quotes is copied, each
    doubled quote made single, after the block's bytes and a NUL (each copy ended by a NUL,
    so that no two copies' bytes read as one character), and its range moved onto the copy;
    the buffer returned then holds the copies.
    """
    block = buffer[:stop]
    if not quotes.size:
        return block
    first, last = starts.reshape(-1), stops.reshape(-1)
    second = np.zeros(quotes.size, dtype=bool)
    second[2::2] = quotes[2::2] == quotes[1:-1:2] + 1
    opening = quotes[0::2][~second[0::2]]
    quoted = flat(np.searchsorted(separators, opening))
    first[quoted] += 1
    last[quoted] -= 1

    pairs = quotes[second]
    if not pairs.size:
        return block
    fields = flat(np.unique(np.searchsorted(separators, pairs)))
    data = block.tobytes()
    copies: list[bytes] = [data, b"\x00"]
    offset = stop + 1
    for field in fields.tolist():
        content = data[first[field] : last[field]].replace(b'""', b'"')
        first[field], last[field] = offset, offset + len(content)
        copies.append(content + b"\x00")
        offset += len(content) + 1
    return np.frombuffer(b"".join(copies), dtype=np.uint8)


def _bad_bytes(buffer: ByteArray) -> IntArray:
    """Sorted offsets of the bytes of ``buffer`` that are NUL or not valid UTF-8.

    Python decodes each invalid byte to one escape character (``surrogateescape``); the
    offsets follow from the UTF-8 length of each decoded character.
    """
    if not buffer.size:
        return np.empty(0, dtype=np.int64)
    nul = np.flatnonzero(buffer == 0) if buffer.min() == 0 else np.empty(0, dtype=np.int64)
    if buffer.max() < 0x80:
        return nul
    try:
        codecs.utf_8_decode(buffer.data, "strict", True)
    except UnicodeDecodeError:
        pass
    else:
        return nul

    text, _ = codecs.utf_8_decode(buffer.data, "surrogateescape", True)
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    escaped = (points >= 0xDC80) & (points <= 0xDCFF)
    lengths = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    lengths[escaped] = 1
    offsets = np.cumsum(lengths) - lengths
    return np.union1d(offsets[escaped], nul).astype(np.int64)


class DistinctBytes:
    """The distinct values of a categorical column, kept across blocks, a code for each.

    A field of up to :data:`_SHORT` bytes is keyed by its bytes, zero-padded into two 64-bit
    words, and its length; it is looked up among the values seen so far by a binary search
    of their keys' hashes, and a hit is confirmed on the key itself, so values that share a
    hash are never taken for one another. Fields not found (new, longer, or sharing a hash)
    go through a dict of the values; new values get the next codes in order of appearance.
    """

    def __init__(self) -> None:
        self.values: list[bytes] = []
        self._code: dict[bytes, int] = {}
        self._hashes = np.empty(0, dtype=np.uint64)
        self._hash_codes = np.empty(0, dtype=np.int64)
        self._first = np.empty(0, dtype=np.uint64)
        self._second = np.empty(0, dtype=np.uint64)
        self._lengths = np.empty(0, dtype=np.int64)

    def codes(self, column: ByteColumn) -> IntArray:
        """The code of each row's field, raw as read (not trimmed); new values are added."""
        lengths = column.stops - column.starts
        codes = np.full(len(column), -1, dtype=np.int64)
        short = np.flatnonzero(lengths <= _SHORT)
        first, second = _key_words(column, short)
        hashes = _hash_key(first, second, lengths[short])

        if self._hashes.size and short.size:
            at = np.minimum(np.searchsorted(self._hashes, hashes), self._hashes.size - 1)
            candidate = self._hash_codes[at]
            same = self._hashes[at] == hashes
            same &= self._lengths[candidate] == lengths[short]
            same &= self._first[candidate] == first
            same &= self._second[candidate] == second
            codes[short[same]] = candidate[same]

        missed = np.flatnonzero(codes[short] < 0)
        if missed.size:
            # One dict look-up per distinct key among the missed rows; rows whose key differs
            # from their hash group's first (a shared hash) are looked up one by one.
            _, leader, group = np.unique(hashes[missed], return_index=True, return_inverse=True)
            group = group.reshape(-1)
            rows = short[missed]
            head = missed[leader][group]
            alike = (first[missed] == first[head]) & (second[missed] == second[head])
            alike &= lengths[rows] == lengths[short[head]]
            group_codes = np.array(
                [self._code_of(column, int(rows[i])) for i in leader], dtype=np.int64
            )
            codes[rows[alike]] = group_codes[group[alike]]
            for row in rows[~alike].tolist():
                codes[row] = self._code_of(column, row)
        for row in np.flatnonzero(lengths > _SHORT).tolist():
            codes[row] = self._code_of(column, row)

        self._sync()
        return codes

    def _code_of(self, column: ByteColumn, row: int) -> int:
        """The code of one row's field through the dict, added if new."""
        value = column.buffer[int(column.starts[row]) : int(column.stops[row])].tobytes()
        code = self._code.get(value)
        if code is None:
            code = len(self.values)
            self._code[value] = code
            self.values.append(value)
        return code

    def _sync(self) -> None:
        """Give the values added since the last call their keys, and their hashes a place
        in the sorted search table (long values get a key that matches no field)."""
        known = len(self._lengths)
        added = self.values[known:]
        if not added:
            return

        first = np.zeros(len(added), dtype=np.uint64)
        second = np.zeros(len(added), dtype=np.uint64)
        lengths = np.full(len(added), -1, dtype=np.int64)
        for i, value in enumerate(added):
            if len(value) <= _SHORT:
                first[i], second[i] = np.frombuffer(value.ljust(_SHORT, b"\x00"), np.uint64)
                lengths[i] = len(value)
        self._first = np.concatenate([self._first, first])
        self._second = np.concatenate([self._second, second])
        self._lengths = np.concatenate([self._lengths, lengths])

        short = np.flatnonzero(lengths >= 0)
        hashes = _hash_key(first[short], second[short], lengths[short])
        hashes = np.concatenate([self._hashes, hashes])
        codes = np.concatenate([self._hash_codes, known + short])
        order = np.argsort(hashes, kind="stable")
        self._hashes, self._hash_codes = hashes[order], codes[order]


def _key_words(
    column: ByteColumn, rows: IntArray
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """The bytes of fields of at most 16 bytes as two 64-bit words, zero-padded."""
    block = _masked_windows(column.buffer, column.starts[rows], column.stops[rows], _SHORT)
    words = block.view(np.uint64)
    return words[:, 0], words[:, 1]


#: Odd multipliers of :func:`_hash_key`: for the two words and the length.
_MULTIPLIERS = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
)


def _hash_key(
    first: npt.NDArray[np.uint64], second: npt.NDArray[np.uint64], lengths: IntArray
) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of each key: two words of bytes and a length."""
    hashed = (first ^ (first >> np.uint64(29))) * _MULTIPLIERS[0]
    hashed += (second ^ (second >> np.uint64(31))) * _MULTIPLIERS[1]
    hashed += lengths.astype(np.uint64) * _MULTIPLIERS[2]
    result: npt.NDArray[np.uint64] = hashed ^ (hashed >> np.uint64(32))
    return result
