"""Readers that turn generic record formats into raw records: CSV, JSON Lines, mappings.

They only split a source into records and number them; validation happens in the loader.
All of them stream: one record at a time, or for the CSV loader one block of rows at a time.
"""

from __future__ import annotations

import csv
import itertools
import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import DataError
from touchpoint_signals.ingest.records import RawRecord, Rejection

__all__ = [
    "UNDECODABLE",
    "CsvBlock",
    "csv_blocks",
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
    row by row as lists of strings.
    """

    source: str
    header: tuple[str, ...]
    numbers: list[int]
    rows: list[list[str]] | npt.NDArray[Any]
    rejections: list[Rejection]

    def __len__(self) -> int:
        return len(self.rows) + len(self.rejections)

    def row_lists(self) -> list[list[str]]:
        """The kept rows as lists of strings, however the block was read."""
        rows = self.rows
        return rows.tolist() if isinstance(rows, np.ndarray) else rows


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
        header = next(csv.reader(handle, delimiter=delimiter), None)
        if header is None:
            return
        width = len(header)
        doubled = sorted({name for name in header if header.count(name) > 1})
        if doubled:
            raise DataError(f"{source}: the header names columns more than once: {doubled}")

        first = 1
        while lines := list(itertools.islice(handle, block_rows)):
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
    path: str | os.PathLike[str], *, delimiter: str = ",", encoding: str = "utf-8-sig"
) -> Iterator[RawRecord | Rejection]:
    """The data rows of a CSV file with a header row as records, numbered from 1.

    The rows are split by :func:`csv_blocks` (same rules for quoting, widths and headers),
    read a few thousand at a time, and handed out one record or rejection at a time in row
    order.
    """
    for block in csv_blocks(path, delimiter=delimiter, encoding=encoding, block_rows=4096):
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
    path: str | os.PathLike[str], *, delimiter: str = ",", encoding: str | None = None
) -> Iterator[RawRecord | Rejection]:
    """Raw records of a ``.csv``, ``.jsonl`` or ``.ndjson`` file, chosen by its extension."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix == ".csv":
        return csv_records(path, delimiter=delimiter, encoding=encoding or "utf-8-sig")
    if suffix in (".jsonl", ".ndjson"):
        return jsonl_records(path, encoding=encoding or "utf-8")
    raise DataError(
        f"{os.fspath(path)}: cannot tell the format from the extension {suffix!r}; "
        "expected .csv, .jsonl or .ndjson"
    )
