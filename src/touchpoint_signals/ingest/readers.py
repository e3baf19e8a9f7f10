"""Readers that turn generic record formats into raw records: CSV, JSON Lines, mappings.

They only split a source into records and number them; validation happens in the loader.
All of them stream: one record at a time, or for the CSV loader one block of rows at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import DataError
from touchpoint_signals.ingest.csvscan import ByteFields, Scan, scan_records
from touchpoint_signals.ingest.records import RawRecord, Rejection

__all__ = [
    "UNDECODABLE",
    "CsvBlock",
    "csv_blocks",
    "csv_field_blocks",
    "csv_records",
    "csv_rows",
    "jsonl_records",
    "mapping_records",
    "records_for",
]

logger = logging.getLogger(__name__)

#: Files are decoded with ``errors="surrogateescape"``: a byte that is not valid in the
#: declared encoding survives as a lone surrogate, and the loader rejects the one record that
#: holds it (naming the field) instead of the whole file failing half-way through.
UNDECODABLE = "surrogateescape"


@attrs.frozen
class CsvBlock:
    """Consecutive data rows of a CSV file, as the reader split them, with their numbers.

    ``rows`` hold as many fields as the header and ``numbers`` their 1-based data row
    numbers; rows the reader refused (wrong width, empty) are in ``rejections`` instead. The
    loader turns a block into columns at once rather than into one record per row. A block
    read in bulk holds its rows as a 2-D array of ``str`` objects (rows by columns), one read
    row by row as lists of strings, and one split in bytes (:func:`csv_field_blocks`) as
    :class:`~touchpoint_signals.ingest.csvscan.ByteFields`, byte ranges of its text.
    """

    source: str
    header: tuple[str, ...]
    numbers: list[int]
    rows: list[list[str]] | npt.NDArray[Any] | ByteFields
    rejections: list[Rejection]

    def __len__(self) -> int:
        return len(self.rows) + len(self.rejections)

    def row_lists(self) -> list[list[str]]:
        """The kept rows as lists of strings, however the block was read."""
        rows = self.rows
        return rows if isinstance(rows, list) else rows.tolist()


#: Delimiters for which numpy's CSV parser reads a block exactly as :mod:`csv` does; with
#: another one every block is read row by row.
_BULK_DELIMITERS = frozenset(",;|")


def csv_blocks(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    block_rows: int = 65_536,
) -> Iterator[CsvBlock]:
    """The data rows of a CSV file with a header row, about ``block_rows`` rows at a time.

    Quoted fields may hold line breaks (the file is opened with ``newline=""``). A row with
    more or fewer fields than the header is rejected whole, since its values cannot be
    matched to columns with any confidence. A header that names a column twice raises
    :class:`DataError`: which of the two a field should come from cannot be known. Rows are
    numbered from 1, refused rows included.

    Rows are split as :func:`csv.reader` (the ``excel`` dialect with ``delimiter``) splits
    them. A block of plain lines (one row per line, no blank line, no carriage return except
    in a ``\r\n`` line end, all
    rows as wide as the header) is parsed by :func:`numpy.loadtxt` straight into a table,
    two to three times faster than :mod:`csv` and without a list per row; any other block is
    read by :mod:`csv` row by row.
    """
    source = os.fspath(path)
    with open(path, newline="", encoding=encoding, errors=UNDECODABLE) as handle:
        header = _checked_header(source, next(csv.reader(handle, delimiter=delimiter), None))
        width = len(header)
        doubled = sorted({name for name in header if header.count(name) > 1})
        if doubled:
            raise DataError(f"{source}: the header names columns more than once: {doubled}")

        first = 1
        for lines in iter(lambda: list(itertools.islice(handle, block_rows)), []):
            table = _bulk_rows(lines, delimiter, width)
            if table is not None:
                numbers = list(range(first, first + len(table)))
                first += len(table)
                yield CsvBlock(source, tuple(header), numbers, table, [])
                continue

            rows = _rows_from(lines, handle, delimiter)
            numbers = list(range(first, first + len(rows)))
            first += len(rows)
            yield _checked_block(source, tuple(header), numbers, rows)
        if first == 1:  # a header and no row: one empty block, so that the header is seen
            yield CsvBlock(source, tuple(header), [], [], [])


def _checked_header(source: str, header: list[str] | None) -> list[str]:
    """The header row, or an error for a file without one: an empty file, or one whose
    first line is blank."""
    if header is None:
        raise DataError(
            f"{source}: the file is empty; a CSV file starts with a header row naming its "
            "columns, then one row per record"
        )
    if not header:
        raise DataError(
            f"{source}: the first line is blank; a CSV file starts with a header row naming "
            "its columns: remove the blank line(s) above it"
        )
    return header


#: The codecs :func:`csv_field_blocks` splits in bytes; files in any other are read as text.
_BYTE_CODECS = frozenset({"utf-8", "utf-8-sig"})
_BOM = codecs.BOM_UTF8
_LINE_BREAK = re.compile(rb"[\r\n]")
_CR = ord("\r")
#: A guess of the bytes per row before the first block tells the real figure.
_FIRST_ROW_BYTES = 256
#: Bytes read ahead at most in search of the end of a record before :mod:`csv` is handed
#: the text (a quoted field left open would otherwise draw in the rest of the file).
_LOOKAHEAD = 1 << 24
#: Bytes of the text :mod:`csv` has read that are let go of at a time.
_RELEASE = 1 << 20


def csv_field_blocks(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    block_rows: int = 65_536,
) -> Iterator[CsvBlock]:
    """The data rows of a CSV file, split as :func:`csv_blocks` splits them, in bytes.

    Same rows, numbers, rejections and errors as :func:`csv_blocks`; what differs is the
    form of the rows. A UTF-8 file (``utf-8`` or ``utf-8-sig``) with a one-character ASCII
    delimiter is read in blocks of bytes that
    :func:`~touchpoint_signals.ingest.csvscan.scan_records` splits with numpy, and the rows
    come as :class:`~touchpoint_signals.ingest.csvscan.ByteFields`, so no Python string is
    made per field. From a record the scan cannot split as :mod:`csv` does (a stray quote, a
    lone carriage return, a quoted field open at the end of the file) to the end of its
    block, :mod:`csv` reads the lines, and those rows come as lists of strings. A file in
    another encoding, with another delimiter, or whose header row the scan cannot split, is
    read by :func:`csv_blocks` as a whole.

    Rows are decoded as UTF-8 with undecodable bytes escaped (``surrogateescape``), as the
    text reader decodes them; the header is decoded with ``encoding`` (``utf-8-sig`` drops a
    byte-order mark). A field longer than :func:`csv.field_size_limit` is read whole by the
    byte scan, where :mod:`csv` raises :class:`csv.Error`; numpy's parser, which read plain
    blocks before the scan did, read such a field whole too.
    """
    codec = codecs.lookup(encoding).name
    if codec in _BYTE_CODECS and _splits_in_bytes(delimiter):
        with open(path, "rb") as handle:
            stream = _ByteStream(handle)
            stream.fill(len(_BOM))
            if codec == "utf-8-sig" and stream.data.startswith(_BOM):
                stream.consume(len(_BOM))
            header = _header(stream, ord(delimiter), delimiter)
            if header:  # an empty file, or a blank first line: csv_blocks says which
                yield from _byte_blocks(stream, os.fspath(path), header, delimiter, block_rows)
                return

    yield from csv_blocks(path, delimiter=delimiter, encoding=encoding, block_rows=block_rows)


def _byte_blocks(
    stream: _ByteStream, source: str, header: list[str], delimiter: str, block_rows: int
) -> Iterator[CsvBlock]:
    """The data rows after the header, about ``block_rows`` at a time (see
    :func:`csv_field_blocks`).

    Each pass reads about ``block_rows`` rows' worth of bytes (estimated from the rows read
    so far), scans the complete lines, hands on what the scan split, and hands whatever the
    scan stopped at to :mod:`csv`, which reads to the end of those lines and on to finish
    its last row.
    """
    if not header:
        return
    doubled = sorted({name for name in header if header.count(name) > 1})
    if doubled:
        raise DataError(f"{source}: the header names columns more than once: {doubled}")

    names = tuple(header)
    blocks = _byte_row_blocks(stream, source, names, delimiter, block_rows)
    if (block := next(blocks, None)) is None:  # a header and no row: one empty block
        yield CsvBlock(source, names, [], [], [])
        return
    yield block
    yield from blocks


def _byte_row_blocks(
    stream: _ByteStream, source: str, names: tuple[str, ...], delimiter: str, block_rows: int
) -> Iterator[CsvBlock]:
    """The blocks of :func:`_byte_blocks`, none for a file without data rows."""
    first = 1
    row_bytes = _FIRST_ROW_BYTES
    while True:
        stream.fill(block_rows * row_bytes + 1)
        size = len(stream.data) if stream.eof else stream.data.rfind(b"\n") + 1
        scan = scan_records(
            stream.data,
            size,
            ord(delimiter),
            len(names),
            final=stream.eof,
            max_records=block_rows,
        )
        if scan is None:
            if stream.eof:
                return
            if len(stream.data) < max(_LOOKAHEAD, 4 * block_rows * row_bytes):
                stream.fill(2 * len(stream.data) + 1)
                continue
            # No record ends within the look-ahead: csv reads from here, as far as it must.
            rows = _rows_from_bytes(
                stream, _lines_end(stream.data, size, block_rows), delimiter
            )
            numbers = list(range(first, first + len(rows)))
            first += len(rows)
            yield _checked_block(source, names, numbers, rows)
            continue

        if scan.records:
            yield _scanned_block(source, names, first, scan, delimiter)
            first += scan.records
            row_bytes = max(1, -(-scan.end // scan.records))
        stream.consume(scan.end)
        if not scan.irregular:
            continue

        limit = _lines_end(stream.data, size - scan.end, block_rows)
        rows = _rows_from_bytes(stream, limit, delimiter)
        numbers = list(range(first, first + len(rows)))
        first += len(rows)
        yield _checked_block(source, names, numbers, rows)


def _lines_end(data: bytes, size: int, count: int) -> int:
    """The offset after the ``count``-th line feed of ``data[:size]``, or ``size`` if it
    holds fewer."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8, count=size) == ord("\n"))
    return int(ends[count - 1]) + 1 if ends.size > count else size


def _splits_in_bytes(delimiter: str) -> bool:
    """Whether ``delimiter`` is one ASCII character the byte scan can look for."""
    return (
        isinstance(delimiter, str)
        and len(delimiter) == 1
        and 0 < ord(delimiter) < 128
        and delimiter not in '"\r\n'
    )


class _ByteStream:
    """The unread bytes of a file, read on in large pieces as the reader asks for them."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.data = b""
        self.eof = False

    def fill(self, size: int) -> None:
        """Read until at least ``size`` bytes are held or the file ends."""
        pieces = [self.data]
        held = len(self.data)
        while held < size and not self.eof:
            piece = self.handle.read(max(size - held, 1 << 16))
            if not piece:
                self.eof = True
                break
            pieces.append(piece)
            held += len(piece)
        if len(pieces) > 1:
            self.data = b"".join(pieces)

    def more(self) -> None:
        """Read at least one more piece, unless the file has ended."""
        self.fill(len(self.data) + (1 << 16))

    def consume(self, size: int) -> None:
        """Drop the first ``size`` bytes, which have been read."""
        self.data = self.data[size:]


def _header(stream: _ByteStream, delimiter: int, text_delimiter: str) -> list[str] | None:
    """The header row, consumed from ``stream``; ``None`` if the scan cannot split it.

    An empty file gives an empty list. The record's bytes are decoded and split by
    :mod:`csv` itself, so the names are exactly those :func:`csv_blocks` reads.
    """
    stream.fill(1 << 16)
    while True:
        size = len(stream.data) if stream.eof else stream.data.rfind(b"\n") + 1
        scan = scan_records(stream.data, size, delimiter, -1, final=stream.eof, max_records=1)
        if scan is None and stream.eof:
            return []
        if scan is not None:
            break
        if len(stream.data) >= _LOOKAHEAD:
            return None
        stream.fill(2 * len(stream.data) + 1)

    if scan.irregular or not scan.records:
        return None
    (_, raw), *_ = scan.others
    row = next(csv.reader(io.StringIO(_decoded(raw), newline=""), delimiter=text_delimiter), [])
    if not row:
        return None
    stream.consume(scan.end)
    return row


def _decoded(raw: bytes) -> str:
    """Bytes of the file as the text reader decodes them (undecodable bytes escaped)."""
    return raw.decode("utf-8", "surrogateescape")


def _scanned_block(
    source: str, header: tuple[str, ...], first: int, scan: Scan, delimiter: str
) -> CsvBlock:
    """The block of a byte scan: its rows as wide as the header, the others refused."""
    numbers = (scan.numbers + first).tolist()
    width = len(header)
    rejections = []
    for position, raw in scan.others:
        reader = csv.reader(io.StringIO(_decoded(raw), newline=""), delimiter=delimiter)
        row = next(reader, [])
        rejections.append(_width_rejection(source, first + position, row, width))
    return CsvBlock(source, header, numbers, scan.fields, rejections)


def _rows_from_bytes(stream: _ByteStream, limit: int, delimiter: str) -> list[list[str]]:
    r"""csv rows of the lines of ``stream`` up to byte ``limit``, read on to finish a row.

    Lines are cut where the text reader cuts them (after ``\n``, ``\r\n`` or a lone ``\r``)
    and decoded one by one. The bytes read are consumed from ``stream``, and let go of
    every :data:`_RELEASE` bytes, so that reading on through a long stretch holds little.
    """
    position = 0
    released = 0

    def lines() -> Iterator[str]:
        nonlocal position, released
        while True:
            if position >= _RELEASE:
                stream.consume(position)
                released += position
                position = 0
            data = stream.data
            found = _LINE_BREAK.search(data, position)
            if found is None:
                if not stream.eof:
                    stream.more()
                    continue
                if position < len(data):
                    line, position = data[position:], len(data)
                    yield _decoded(line)
                return

            end = found.end()
            if data[end - 1] == _CR:
                if end == len(data) and not stream.eof:
                    stream.more()
                    continue
                if data[end : end + 1] == b"\n":
                    end += 1
            line, position = data[position:end], end
            yield _decoded(line)

    rows: list[list[str]] = []
    for row in csv.reader(lines(), delimiter=delimiter):
        rows.append(row)
        if released + position >= limit:
            break
    stream.consume(position)
    return rows


def _bulk_rows(lines: list[str], delimiter: str, width: int) -> npt.NDArray[Any] | None:
    """The rows of ``lines`` parsed by numpy, or ``None`` where it might differ from csv.

    numpy skips blank lines (csv yields an empty row) and treats a carriage return that does
    not end a line its own way, so blocks with either go to csv. A block whose line count
    differs from its row count holds a quoted line break, and one whose last row holds a
    line break ends inside a quoted field that the next lines continue: both go to csv too,
    which reads on.
    """
    if delimiter not in _BULK_DELIMITERS or "\n" in lines or "\r\n" in lines:
        return None
    text = "".join(lines)
    if text.count("\r") != text.count("\r\n") or "\x00" in text:
        return None

    try:
        table = np.loadtxt(
            lines, dtype=object, delimiter=delimiter, quotechar='"', comments=None, ndmin=2
        )
    except (ValueError, UnicodeError):
        return None

    if table.shape != (len(lines), width):
        return None
    if any("\n" in field for field in table[-1].tolist()):
        return None
    return table


def _rows_from(lines: list[str], handle: Iterable[str], delimiter: str) -> list[list[str]]:
    """csv rows of ``lines``, reading on from ``handle`` to finish a row they leave open."""
    taken = 0

    def source() -> Iterator[str]:
        nonlocal taken
        for line in lines:
            taken += 1
            yield line
        # A loop, not ``yield from``: closing this generator would close the file with it.
        for line in handle:
            yield line

    rows: list[list[str]] = []
    for row in csv.reader(source(), delimiter=delimiter):
        rows.append(row)
        if taken == len(lines):
            break
    return rows


def _checked_block(
    source: str, header: tuple[str, ...], numbers: list[int], rows: list[list[str]]
) -> CsvBlock:
    """A block of csv rows, those not as wide as the header turned into rejections."""
    width = len(header)
    lengths = list(map(len, rows))
    if lengths.count(width) == len(rows):
        return CsvBlock(source, header, numbers, rows, [])

    rejections = [
        _width_rejection(source, number, row, width)
        for number, row, length in zip(numbers, rows, lengths, strict=True)
        if length != width
    ]
    kept = [i for i, length in enumerate(lengths) if length == width]
    return CsvBlock(
        source, header, [numbers[i] for i in kept], [rows[i] for i in kept], rejections
    )


def _width_rejection(source: str, number: int, row: list[str], width: int) -> Rejection:
    """The rejection of a row whose field count differs from the header's."""
    if not row:
        return Rejection(source, number, None, "", f"{width} fields", "empty row")
    return Rejection(
        source,
        number,
        None,
        row[:width],
        f"{width} fields as in the header",
        f"row has {len(row)} fields",
    )


def csv_records(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    on_header: Callable[[str, tuple[str, ...]], None] | None = None,
) -> Iterator[RawRecord | Rejection]:
    """The data rows of a CSV file with a header row as records, numbered from 1.

    The rows are split by :func:`csv_blocks` (same rules for quoting, widths and headers),
    read a few thousand at a time, and handed out one record or rejection at a time in row
    order. ``on_header(source, header)`` is called once with the header row before the first
    record (also for a file with no data row), so that a caller can refuse a file that lacks
    a column it needs before reading on.
    """
    for number, block in enumerate(
        csv_blocks(path, delimiter=delimiter, encoding=encoding, block_rows=4096)
    ):
        if number == 0 and on_header is not None:
            on_header(block.source, block.header)
        refused = iter(block.rejections)
        pending = next(refused, None)
        for number, row in zip(block.numbers, block.row_lists(), strict=True):
            while pending is not None and pending.row < number:
                yield pending
                pending = next(refused, None)
            yield RawRecord(block.source, number, dict(zip(block.header, row, strict=True)))
        if pending is not None:
            yield pending
        yield from refused


def csv_rows(
    path: str | os.PathLike[str], columns: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """``(1-based data record number, row)`` for each record of a CSV export an adapter reads.

    The header must name ``columns``; a file without them raises :class:`DataError` naming
    the file and the missing columns. Values are stripped of surrounding spaces.
    """
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or ())]
        if missing:
            raise DataError(f"{os.fspath(path)}: missing column(s) {', '.join(missing)}")

        for number, row in enumerate(reader, start=1):
            yield number, {k: (v or "").strip() for k, v in row.items() if k is not None}


def jsonl_records(
    path: str | os.PathLike[str], *, encoding: str = "utf-8"
) -> Iterator[RawRecord | Rejection]:
    """One record per line of a JSON Lines file; ``row`` is the line number.

    Blank lines are not records and are skipped; a line that is not a JSON object is
    rejected with the parser's reason.
    """
    source = os.fspath(path)
    with open(path, encoding=encoding, errors=UNDECODABLE) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Rejection(
                    source, number, None, line[:80].rstrip(), "a JSON object", str(exc)
                )
                continue
            if not isinstance(value, dict):
                yield Rejection(
                    source, number, None, value, "a JSON object", "line is not an object"
                )
                continue
            yield RawRecord(source, number, value)


def mapping_records(
    items: Iterable[Mapping[str, object]], *, source: str = "<records>"
) -> Iterator[RawRecord | Rejection]:
    """Wrap in-memory mappings as raw records numbered from 1."""
    for number, item in enumerate(items, start=1):
        if isinstance(item, Mapping):
            yield RawRecord(source, number, item)
        else:
            yield Rejection(
                source,
                number,
                None,
                item,
                "a mapping of field names to values",
                "not a mapping",
            )


def records_for(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    encoding: str | None = None,
    on_header: Callable[[str, tuple[str, ...]], None] | None = None,
) -> Iterator[RawRecord | Rejection]:
    """Raw records of a ``.csv``, ``.jsonl`` or ``.ndjson`` file, chosen by its extension.

    ``on_header`` is passed to :func:`csv_records` for a CSV file (JSON Lines has no header).
    """
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix == ".csv":
        return csv_records(
            path, delimiter=delimiter, encoding=encoding or "utf-8-sig", on_header=on_header
        )
    if suffix in (".jsonl", ".ndjson"):
        return jsonl_records(path, encoding=encoding or "utf-8")
    raise DataError(
        f"{os.fspath(path)}: cannot tell the format from the extension {suffix!r}; "
        "expected .csv, .jsonl or .ndjson"
    )
