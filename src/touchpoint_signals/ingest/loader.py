"""Validate raw records and build a TouchpointLog, in strict or lenient mode.

Strict mode (the default) raises :class:`~touchpoint_signals.errors.RecordError` at the first
bad record, naming the source, row, field, the value received and what was expected. Lenient
mode loads every good record and lists every rejected one in a
:class:`~touchpoint_signals.ingest.records.LoadReport` with the same detail; in both modes
``accepted + rejected == read``.

Beyond single fields the loader checks records against each other, and never repairs what it
finds without saying so:

* a touchpoint id seen before is rejected, naming the row that used it first;
* a touchpoint of an account the accounts table does not hold is rejected (when accounts are
  given);
* a reply whose ``in_reply_to`` names no loaded touchpoint, or one that occurred after the
  reply, is accepted but its link is left unresolved, and the report lists it as a link
  issue. Strict mode raises instead.

Records are turned into columns as they stream by, in chunks, so memory follows the size of
the columnar result rather than the size of the source text. Each chunk is validated column by
column: a field's rule runs once per distinct value, or in bulk with numpy, and an error is
built only for a record that fails.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import (
    ConfigError,
    DataError,
    IntegrityError,
    NaiveDatetimeError,
    RecordError,
    UnknownNameError,
)
from touchpoint_signals.ingest.csvscan import ByteColumn, ByteFields, DistinctBytes
from touchpoint_signals.ingest.mapping import (
    ColumnMapping,
    MappingFile,
    normalise,
    strip_strings,
)
from touchpoint_signals.ingest.readers import (
    CsvBlock,
    csv_field_blocks,
    jsonl_records,
    records_for,
)
from touchpoint_signals.ingest.records import (
    ACCOUNT_FIELDS,
    TOUCHPOINT_FIELDS,
    LinkIssue,
    LoadReport,
    RawRecord,
    Rejection,
)
from touchpoint_signals.ingest.sources import SourceRecords
from touchpoint_signals.log import (
    CHANNELS,
    DIRECTIONS,
    ID,
    STATUSES,
    TEXT,
    TRIGGERS,
    IdLookup,
    ReplyLinks,
    ReplyProblem,
    TouchpointColumns,
    TouchpointLog,
    factorize_strings,
)
from touchpoint_signals.model import (
    DEFAULT_CATALOG,
    Account,
    Catalog,
    LifecycleStage,
    parse_choice,
)
from touchpoint_signals.timeparse import (
    EPOCH,
    from_epoch_us,
    parse_instant,
    parse_timezone,
    to_epoch_us,
)

__all__ = [
    "LoadResult",
    "Mode",
    "load",
    "load_accounts",
    "load_csv_blocks",
    "load_touchpoints",
    "read_csv",
    "read_jsonl",
]

logger = logging.getLogger(__name__)

Mode = Literal["strict", "lenient"]

#: Fields a touchpoint record must have; a source without a column for one of them (and no
#: constant for it in the mapping) has every record rejected with that reason.
REQUIRED_TOUCHPOINT_FIELDS = ("id", "account_id", "kind", "occurred_at", "status")
#: Fields an account record must have.
REQUIRED_ACCOUNT_FIELDS = ("id", "segment")

#: What an instant field expects.
WITH_ZONE = "a date-time with a time zone"
#: What a value that does not read as a date-time at all should have been: its zone is not
#: what is wrong with it, so the expectation does not mention one.
DATE_TIME = "a date-time such as 2026-05-01T09:00Z"
#: Why a naive instant is rejected, and the three ways of naming its zone (said once).
NAIVE_ADVICE = (
    "it has none; give the zone it was written in, an IANA name such as 'Europe/Berlin': "
    "default_tz= in Python, --default-tz on the command line, or default_tz in the "
    "mapping file"
)

#: Rows per column chunk while streaming; bounds the Python objects alive at once.
CHUNK_ROWS = 65_536

_MODES = ("strict", "lenient")


class _FieldError(Exception):
    """A field failed validation; carries what the rejection and the error need."""

    def __init__(self, field: str, value: object, expected: str, reason: str = "") -> None:
        super().__init__(reason or expected)
        self.field = field
        self.value = value
        self.expected = expected
        self.reason = reason


def _text(value: object, field: str, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise _FieldError(field, value, "a non-empty value", "missing")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _FieldError(field, value, "a string")
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _FieldError(field, value, "valid Unicode text", "lone surrogate") from None
    return str(value)


def _instant(
    value: object, field: str, zone: dt.tzinfo | None, *, required: bool
) -> int | None:
    if value is None:
        if required:
            raise _FieldError(field, value, "a date-time", "missing")
        return None
    try:
        return to_epoch_us(parse_instant(value, default_tz=zone))
    except NaiveDatetimeError:
        raise _FieldError(field, value, WITH_ZONE, NAIVE_ADVICE) from None
    except DataError as exc:
        raise _FieldError(field, value, DATE_TIME, str(exc)) from None


def _small_int(value: object, field: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    number: float
    if isinstance(value, bool):
        raise _FieldError(field, value, f"an integer from {low} to {high}")
    try:
        number = float(value) if isinstance(value, int | float) else float(str(value))
    except (ValueError, OverflowError):
        raise _FieldError(field, value, f"an integer from {low} to {high}") from None
    if not number.is_integer() or not low <= number <= high:
        raise _FieldError(field, value, f"an integer from {low} to {high}")
    return int(number)


class _Codes:
    """Codes of one categorical field, remembered per raw spelling.

    A log of millions of touchpoints spells its statuses a handful of ways; resolving each
    spelling once keeps validation of categorical fields to one dictionary lookup per record.
    """

    def __init__(self, field: str, names: tuple[str, ...], *, required: bool) -> None:
        self.field = field
        self.names = names
        self.required = required
        self.expected = f"one of {', '.join(names)}"
        self._code = {name: code for code, name in enumerate(names)}
        self._seen: dict[object, int] = {}

    def __call__(self, value: object) -> int:
        if value is None:
            if self.required:
                raise _FieldError(self.field, value, self.expected, "missing")
            return -1

        try:
            return self._seen[value]
        except (KeyError, TypeError):
            pass

        key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        if key not in self._code:
            raise _FieldError(self.field, value, self.expected)
        code = self._code[key]
        if isinstance(value, str):
            self._seen[value] = code
        return code


def _epoch_us(
    value: object, field: str, zone: dt.tzinfo | None, *, required: bool
) -> int | None:
    """Microseconds since the epoch of an instant field, with a fast path for ISO 8601."""
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.utcoffset() is not None:
            try:
                delta = moment - EPOCH
            except OverflowError:
                pass
            else:
                micros: int = (delta.days * 86_400 + delta.seconds) * 1_000_000
                micros += delta.microseconds
                if _MIN_US <= micros <= _MAX_US:
                    return micros
    return _instant(value, field, zone, required=required)


#: The instants a datetime can hold in UTC; anything outside goes to the slow path, which
#: rejects it with the reason.
_MIN_US = to_epoch_us(dt.datetime.min.replace(tzinfo=dt.UTC))
_MAX_US = to_epoch_us(dt.datetime.max.replace(tzinfo=dt.UTC))


#: Marks a key a record does not have (as opposed to one whose value is ``None``).
_ABSENT: Any = object()
#: Marks a value that failed validation in a column of converted values.
_FAILED: Any = object()


def _missing_column(field: str, column: str) -> _FieldError:
    """The error of a record without the column that a required field is read from."""
    return _FieldError(
        field,
        None,
        f"a column {column!r} (or a mapping naming the column that holds {field!r})",
        "the record has no such column",
    )


def require_columns(
    source: str,
    columns: Iterable[str],
    mapping: ColumnMapping | None,
    required: tuple[str, ...],
    *,
    table: str = "header",
    section: str = "touchpoints",
) -> None:
    """Raise :class:`DataError` if a table lacks a column a required field is read from.

    A missing column is a fault of the whole file (or DataFrame), not of each of its
    records, so it is refused at once, in strict and lenient mode alike, in one message that
    names ``source``, every missing column (and the field the mapping reads from it), the
    columns the ``table`` has, and how to fix it: rename the columns, or map them under
    ``[section.columns]`` in a mapping file. Fields the mapping gives a constant need no
    column.
    """
    present = list(columns)
    mapping = mapping or ColumnMapping()
    missing = [
        (step.field, step.column)
        for step in mapping.plan(required)
        if not step.is_constant and step.column not in present
    ]
    if not missing:
        return
    names = ", ".join(
        repr(column) if column == field else f"{column!r} (mapped to {field})"
        for field, column in missing
    )
    has = ", ".join(map(repr, present)) if present else "no columns"
    plural = "s" if len(missing) > 1 else ""
    kind = section.removesuffix("s")
    kind = f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"
    them = "them" if plural else "it"
    # A header read as one column that holds another separator: the file is most likely
    # delimited by it, which no renaming or mapping fixes.
    separators = [c for c in (";", "\t", "|", ",") if len(present) == 1 and c in present[0]]
    hint = (
        f" The {table} reads as one column holding {separators[0]!r}: if that separates the "
        f"columns, pass --delimiter {separators[0]!r} on the command line (delimiter= in "
        "Python)."
        if separators
        else ""
    )
    raise DataError(
        f"{source}: missing required column{plural} {names}; the {table} has {has}.{hint} "
        f"{kind.capitalize()} needs {', '.join(required)}: rename the column{plural} in the "
        f"{table}, or map {them} in a mapping file (--mapping on the command line, mapping= "
        f"in Python): [{section}.columns] names the column that holds a field "
        f'({missing[0][0]} = "your column"), [{section}.constants] gives a field one value '
        "for every record"
    )


def _self_reply(record_id: str | None, reply: str | None) -> None:
    """Refuse a touchpoint that names itself in ``in_reply_to``."""
    if reply is not None and reply == record_id:
        raise _FieldError("in_reply_to", reply, "the id of another touchpoint", "self-reply")


@attrs.frozen
class _Chunk:
    """Consecutive items of one touchpoint stream, the records among them held as columns.

    ``values`` maps a source column to its values, one per record, for the columns the
    mapping reads; a column no record has is left out (a CSV block split in bytes holds each
    column as a :class:`~touchpoint_signals.ingest.csvscan.ByteColumn`). ``absent`` marks,
    per required column, the records that lack it. ``strings`` says every value is a ``str``
    (true of CSV), which lets whole columns go to numpy at once. ``positions`` place the
    records among the ``size`` items of the chunk, and ``rejections`` the items refused
    before validation.
    """

    size: int
    positions: npt.NDArray[np.int64]
    sources: str | list[str]
    rows: npt.NDArray[np.int64]
    values: dict[str, list[object] | npt.NDArray[Any] | ByteColumn]
    absent: dict[str, npt.NDArray[np.bool_]]
    strings: bool
    rejections: list[tuple[int, Rejection]]

    def __len__(self) -> int:
        return len(self.positions)


def _record_chunks(
    items: Iterable[RawRecord | Rejection | Mapping[str, object]],
    source: str,
    columns: tuple[str, ...],
    required: tuple[str, ...],
) -> Iterator[_Chunk]:
    """Records of any reader or adapter, CHUNK_ROWS items at a time, turned into columns."""
    iterator = iter(items)
    done = 0
    while batch := list(itertools.islice(iterator, CHUNK_ROWS)):
        refused: list[tuple[int, Rejection]] = []
        kept: list[Mapping[str, object]] = []
        positions: list[int] = []
        sources: list[str] = []
        rows: list[int] = []
        for i, item in enumerate(batch):
            number = done + i + 1
            if isinstance(item, Rejection):
                refused.append((i, item))
            elif isinstance(item, RawRecord):
                kept.append(item.values)
                positions.append(i)
                sources.append(item.source)
                rows.append(item.row)
            elif isinstance(item, Mapping):
                kept.append(item)
                positions.append(i)
                sources.append(source)
                rows.append(number)
            else:
                refused.append(
                    (
                        i,
                        Rejection(
                            source,
                            number,
                            None,
                            item,
                            "a mapping of field names to values",
                            f"got a {type(item).__name__}",
                        ),
                    )
                )
        done += len(batch)

        values: dict[str, list[object] | npt.NDArray[Any] | ByteColumn] = {}
        absent: dict[str, npt.NDArray[np.bool_]] = {}
        for column in columns:
            if column not in required:
                values[column] = [record.get(column) for record in kept]
                continue
            found = [record.get(column, _ABSENT) for record in kept]
            missing = np.fromiter((v is _ABSENT for v in found), dtype=bool, count=len(kept))
            if missing.any():
                absent[column] = missing
                found = [None if v is _ABSENT else v for v in found]
            values[column] = found

        yield _Chunk(
            len(batch),
            np.array(positions, dtype=np.int64),
            sources,
            np.array(rows, dtype=np.int64),
            values,
            absent,
            False,
            refused,
        )


def _csv_chunks(blocks: Iterable[CsvBlock], columns: tuple[str, ...]) -> Iterator[_Chunk]:
    """Blocks of CSV rows turned into columns without a record per row.

    A block split in bytes gives each column as byte ranges, and one read in bulk is a
    string array, whose columns are taken as they are; the rows of one read row by row are
    laid end to end in one list and each column taken as a strided slice of it, which costs
    a pointer copy per value.
    """
    for block in blocks:
        where = {name: j for j, name in enumerate(block.header)}
        values: dict[str, list[object] | npt.NDArray[Any] | ByteColumn]
        if isinstance(block.rows, ByteFields):
            fields = block.rows
            values = {c: fields.column(where[c]) for c in columns if c in where}
        elif isinstance(block.rows, np.ndarray):
            values = {c: block.rows[:, where[c]] for c in columns if c in where}
        else:
            width = len(block.header)
            flat: list[object] = list(itertools.chain.from_iterable(block.rows))
            values = {c: flat[where[c] :: width] for c in columns if c in where}
        absent = {c: np.ones(len(block.rows), dtype=bool) for c in columns if c not in where}

        n = len(block.rows)
        position = np.arange(len(block), dtype=np.int64)
        if block.rejections:
            numbers = block.numbers + [r.row for r in block.rejections]
            position[np.argsort(np.array(numbers, dtype=np.int64), kind="stable")] = (
                position.copy()
            )
        yield _Chunk(
            len(block),
            position[:n],
            block.source,
            np.array(block.numbers, dtype=np.int64),
            values,
            absent,
            True,
            [(int(p), r) for p, r in zip(position[n:], block.rejections, strict=True)],
        )


def _by_value(
    values: list[object],
    spellings: Mapping[str, object] | None,
    convert: Callable[[object], object],
    *,
    strings: bool = False,
) -> tuple[list[object], npt.NDArray[np.bool_]]:
    """``convert(normalise(value))`` for each value, worked out once per distinct value.

    Strings, integers and ``None`` are looked up in a table of values already converted;
    other values (dates, floats, junk) are converted one by one, since values that compare
    equal across types (``1``, ``1.0``, ``True``) need not convert alike. ``strings`` says
    every value is known to be a ``str``. Returns the converted values, with
    :data:`_FAILED` where the rule raised, and the mask of those.
    """
    seen: dict[object, object] = {}

    def run(value: object) -> object:
        try:
            return convert(normalise(value, spellings))
        except _FieldError:
            return _FAILED

    if strings or all(type(v) is str for v in values):
        for value in set(values):
            seen[value] = run(value)
        converted = list(map(seen.__getitem__, values))
        if not any(v is _FAILED for v in seen.values()):
            return converted, np.zeros(len(values), dtype=bool)
    else:
        converted = []
        for value in values:
            kind = type(value)
            if kind is str or kind is int or value is None:
                key = (kind, value)
                if key not in seen:
                    seen[key] = run(value)
                converted.append(seen[key])
            else:
                converted.append(run(value))

    failed = np.fromiter((v is _FAILED for v in converted), dtype=bool, count=len(values))
    return converted, failed


def _trimmed(
    values: list[object], strings: bool
) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]] | None:
    """``values`` trimmed into a ``StringDType`` array with the mask of blanks, when all are
    strings numpy can hold; else ``None``.

    A lone surrogate (an undecodable byte read with ``surrogateescape``) cannot be stored,
    and such a column is left to :func:`_by_value`, which rejects the record holding it.
    """
    if not strings and not all(type(v) is str for v in values):
        return None
    try:
        return strip_strings(values, TEXT)  # type: ignore[arg-type]
    except UnicodeEncodeError:
        return None


#: Layouts of ISO 8601 text read column-wise: by length, the digits of the fraction of a
#: second and whether the zone is ``Z`` (else ``+HH:MM`` or ``-HH:MM``).
_ISO_LAYOUTS = {20: (0, True), 24: (3, True), 27: (6, True), 25: (0, False), 29: (3, False)}
_ISO_LAYOUTS[32] = (6, False)
_DIGIT = np.uint8(9)


def _number(digit: npt.NDArray[Any], first: int, count: int) -> npt.NDArray[np.int64]:
    """The decimal number written by ``count`` digit columns from ``first`` on, per row."""
    value = digit[:, first].astype(np.int64)
    for k in range(first + 1, first + count):
        value = value * 10 + digit[:, k]
    return value


#: Days before each month in a year that is not a leap year, and the days of each month.
_DAYS_BEFORE = np.array([0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334])
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _days_since_epoch(
    year: npt.NDArray[np.int64], month: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Days from 1970-01-01 to each proleptic Gregorian date, and whether the date exists
    (year 1 or later, month 1 to 12, a day the month has)."""
    month_index = np.clip(month, 1, 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    february = (month_index == 2) & leap
    exists = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    exists &= day <= _MONTH_DAYS[month_index] + february

    before = year - 1
    days = before * 365 + before // 4 - before // 100 + before // 400
    days += _DAYS_BEFORE[month_index] + ((month_index > 2) & leap) + day - 1
    return days - 719_162, exists


def _ascii_bytes(strings: npt.NDArray[Any], length: int) -> npt.NDArray[np.uint8]:
    """The bytes of the ASCII strings among ``strings`` (all ``length`` characters long), a
    row per string; strings with other characters are left out."""
    try:
        encoded = strings.astype(f"S{length}")
    except UnicodeEncodeError:
        as_utf8 = np.strings.encode(strings, "utf-8")
        encoded = as_utf8[np.strings.str_len(as_utf8) == length].astype(f"S{length}")
    return encoded.view(np.uint8).reshape(-1, length)


def _iso_micros(
    strings: npt.NDArray[Any],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Microseconds since the epoch of the common ISO 8601 spellings, a column at a time.

    Reads ``YYYY-MM-DDTHH:MM:SS`` (``T`` or a space between date and time), an optional
    fraction of 3 or 6 digits, and ``Z`` or a ``+HH:MM``/``-HH:MM`` offset: the text
    :meth:`datetime.datetime.fromisoformat` reads into an aware datetime. Returns the
    instants and the mask of the values read; anything else (another spelling, a date that
    does not exist, an instant beyond what a datetime holds) is left unread for
    :func:`_epoch_us`, which reads or rejects it value by value with the same rules.
    """
    micros = np.zeros(len(strings), dtype=np.int64)
    done = np.zeros(len(strings), dtype=bool)
    if not len(strings):
        return micros, done
    lengths = np.strings.str_len(strings)

    for length in _ISO_LAYOUTS:
        rows = np.flatnonzero(lengths == length)
        if not rows.size:
            continue
        text = _ascii_bytes(strings[rows], length)
        if len(text) != len(rows):
            rows = rows[np.strings.str_len(np.strings.encode(strings[rows], "utf-8")) == length]
        value, valid = _layout_micros(text)
        micros[rows[valid]] = value[valid]
        done[rows[valid]] = True
    return micros, done


def _layout_micros(
    text: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Microseconds since the epoch of rows of ISO 8601 bytes of one length, and which rows
    are written in the layout of that length (see :data:`_ISO_LAYOUTS`) and hold a real
    instant; the others' values are meaningless.

    The layout is checked character by character (digits where digits belong, the
    separators, ``Z`` or a signed ``HH:MM`` offset), then the calendar: a day that the month
    has, hours, minutes and seconds in range, and an instant a datetime can hold.
    """
    length = text.shape[1]
    fraction, utc = _ISO_LAYOUTS[length]
    offsets = text - np.uint8(48)

    zone = 19 + (fraction + 1 if fraction else 0)
    digits = [*range(4), 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
    digits += list(range(20, 20 + fraction))
    shape = np.ones(len(text), dtype=bool)
    for k in digits:
        shape &= offsets[:, k] <= _DIGIT
    shape &= (text[:, 4] == ord("-")) & (text[:, 7] == ord("-"))
    shape &= (text[:, 10] == ord("T")) | (text[:, 10] == ord(" "))
    shape &= (text[:, 13] == ord(":")) & (text[:, 16] == ord(":"))
    if fraction:
        shape &= text[:, 19] == ord(".")
    if utc:
        shape &= text[:, zone] == ord("Z")
    else:
        shape &= (text[:, zone] == ord("+")) | (text[:, zone] == ord("-"))
        shape &= text[:, zone + 3] == ord(":")
        for k in (zone + 1, zone + 2, zone + 4, zone + 5):
            shape &= offsets[:, k] <= _DIGIT
    digit = offsets

    year, month, day = _number(digit, 0, 4), _number(digit, 5, 2), _number(digit, 8, 2)
    hour, minute, second = (
        _number(digit, 11, 2),
        _number(digit, 14, 2),
        _number(digit, 17, 2),
    )
    days, exists = _days_since_epoch(year, month, day)
    valid = shape & exists
    valid &= (hour <= 23) & (minute <= 59) & (second <= 59)

    seconds = days * 86_400 + hour * 3_600 + minute * 60 + second
    if not utc:
        sign = np.where(text[:, zone] == ord("+"), 1, -1)
        zone_hours, zone_minutes = _number(digit, zone + 1, 2), _number(digit, zone + 4, 2)
        valid &= (zone_hours <= 23) & (zone_minutes <= 59)
        seconds -= sign * (zone_hours * 3_600 + zone_minutes * 60)
    value = seconds * 1_000_000
    if fraction:
        value += _number(digit, 20, fraction) * 10 ** (6 - fraction)
    valid &= (value >= _MIN_US) & (value <= _MAX_US)
    return value, valid


@attrs.frozen
class _Converted:
    """One field of a chunk after validation: its values, which failed, and why."""

    values: Any
    failed: npt.NDArray[np.bool_]
    raw: list[object] | ByteColumn
    spellings: Mapping[str, object] | None
    convert: Callable[[object], object]

    def error(self, row: int) -> _FieldError:
        """The error the field's rule raises for the value of ``row`` (known to fail)."""
        try:
            self.convert(normalise(self.raw[row], self.spellings))
        except _FieldError as problem:
            return problem
        raise AssertionError(f"value {self.raw[row]!r} was marked as failing but converts")


class _TouchpointValidator:
    """Validates the touchpoint records of a chunk column by column.

    Each field's rule is written once, for one value (:func:`_text`, :class:`_Codes`,
    :func:`_epoch_us`, :func:`_small_int`); a column applies it once per distinct value, or
    in bulk with numpy where the column's values allow (ids and texts, ISO 8601 instants).
    Only the records that fail get an error built, by running the rule on the failing value,
    so messages are exactly those of the rule.

    Two cases stay value by value (once per distinct value), and are slower on large files
    with many distinct values: naive times placed with ``default_tz``, and text or instant
    fields that the mapping respells.
    """

    def __init__(
        self, catalog: Catalog, zone: dt.tzinfo | None, mapping: ColumnMapping
    ) -> None:
        self.zone = zone
        self.plan = {step.field: step for step in mapping.plan(TOUCHPOINT_FIELDS)}
        self.required = tuple(
            (field, self.plan[field].column)
            for field in REQUIRED_TOUCHPOINT_FIELDS
            if not self.plan[field].is_constant
        )
        self.codes = {
            "kind": _Codes("kind", catalog.kind_names, required=True),
            "status": _Codes("status", tuple(m.value for m in STATUSES), required=True),
            "channel": _Codes("channel", tuple(m.value for m in CHANNELS), required=False),
            "direction": _Codes(
                "direction", tuple(m.value for m in DIRECTIONS), required=False
            ),
            "trigger": _Codes("trigger", tuple(m.value for m in TRIGGERS), required=False),
        }
        self.distinct: dict[str, _DistinctValues] = {}

    @property
    def columns(self) -> tuple[str, ...]:
        """The source columns the mapping reads."""
        return tuple(dict.fromkeys(s.column for s in self.plan.values() if not s.is_constant))

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The source columns whose absence rejects a record."""
        return tuple(column for _, column in self.required)

    def _raw(self, chunk: _Chunk, field: str) -> tuple[list[object], bool]:
        """The field's values before mapping, and whether all are known to be ``str``."""
        step = self.plan[field]
        if step.is_constant:
            return [step.constant] * len(chunk), type(step.constant) is str
        found = chunk.values.get(step.column)
        if found is None:
            return [None] * len(chunk), False
        if isinstance(found, ByteColumn):
            return list[object](found.strings()), True
        if isinstance(found, np.ndarray):
            return found.tolist(), True
        return found, chunk.strings

    def _bytes_of(self, chunk: _Chunk, field: str) -> ByteColumn | None:
        """The field's column split in bytes, when it is one and the mapping respells none
        of its values."""
        step = self.plan[field]
        if step.is_constant or step.spellings is not None:
            return None
        found = chunk.values.get(step.column)
        return found if isinstance(found, ByteColumn) else None

    def _strings_of(
        self, chunk: _Chunk, field: str
    ) -> tuple[list[object], npt.NDArray[Any], npt.NDArray[np.bool_]] | None:
        """The field's raw values, trimmed strings and blanks, when it can go in bulk."""
        step = self.plan[field]
        if step.is_constant or step.spellings is not None or step.column not in chunk.values:
            return None
        raw, strings = self._raw(chunk, field)
        trimmed = _trimmed(raw, strings)
        return None if trimmed is None else (raw, *trimmed)

    def _generic(
        self, chunk: _Chunk, field: str, convert: Callable[[object], Any]
    ) -> _Converted:
        raw, strings = self._raw(chunk, field)
        spellings = self.plan[field].spellings
        values, failed = _by_value(raw, spellings, convert, strings=strings)
        return _Converted(values, failed, raw, spellings, convert)

    def _coded(self, chunk: _Chunk, field: str, convert: Callable[[object], Any]) -> _Converted:
        """A field whose rule gives few distinct results (codes, small numbers), as
        :class:`_Coded` values when its column is split in bytes.

        The rule runs once per distinct raw value of the whole load, spellings applied, as
        :func:`_by_value` runs it once per distinct value of a chunk.
        """
        step = self.plan[field]
        found = None if step.is_constant else chunk.values.get(step.column)
        if not isinstance(found, ByteColumn):
            return self._generic(chunk, field, convert)

        table = self.distinct.setdefault(field, _DistinctValues())
        codes = table.values.codes(found)
        converted = table.converted
        for raw_value in table.values.values[len(converted) :]:
            text = raw_value.decode("utf-8", "surrogateescape")
            try:
                converted.append(convert(normalise(text, step.spellings)))
            except _FieldError:
                converted.append(_FAILED)
        failed = np.array([v is _FAILED for v in converted], dtype=bool)[codes]
        return _Converted(_Coded(converted, codes), failed, found, step.spellings, convert)

    def _text(
        self,
        chunk: _Chunk,
        field: str,
        *,
        required: bool,
        out: npt.NDArray[Any] | None = None,
    ) -> _Converted:
        def convert(value: object) -> str | None:
            return _text(value, field, required=required)

        column_bytes = self._bytes_of(chunk, field)
        if column_bytes is not None:
            return _byte_text(column_bytes, convert, required=required, out=out)

        bulk = self._strings_of(chunk, field)
        if bulk is None:
            generic = self._generic(chunk, field, convert)
            column = np.array(
                [np.nan if v is None or v is _FAILED else v for v in generic.values],
                dtype=TEXT,
            )
            return attrs.evolve(generic, values=column)

        raw, column, blank = bulk
        column[blank] = np.nan
        failed = blank if required else np.zeros(len(blank), dtype=bool)
        return _Converted(column, failed, raw, None, convert)

    def _instant(self, chunk: _Chunk, field: str, *, required: bool) -> _Converted:
        zone = self.zone

        def convert(value: object) -> int | None:
            return _epoch_us(value, field, zone, required=required)

        column_bytes = self._bytes_of(chunk, field)
        if column_bytes is not None:
            return _byte_instants(column_bytes, convert)

        raw, known_strings = self._raw(chunk, field)
        micros = np.zeros(len(chunk), dtype=np.int64)
        missing = np.zeros(len(chunk), dtype=bool)
        failed = np.zeros(len(chunk), dtype=bool)

        bulk = self._strings_of(chunk, field)
        if bulk is None:
            rest = np.arange(len(chunk))
        else:
            micros, done = _iso_micros(bulk[1])
            rest = np.flatnonzero(~done)

        if rest.size:
            spellings = self.plan[field].spellings
            values, rest_failed = _by_value(
                [raw[i] for i in rest.tolist()], spellings, convert, strings=known_strings
            )
            failed[rest] = rest_failed
            missing[rest] = [v is None for v in values]
            micros[rest] = np.array(
                [0 if v is None or v is _FAILED else v for v in values], dtype=np.int64
            )
        return _Converted((micros, missing), failed, raw, self.plan[field].spellings, convert)

    def _small_int(self, chunk: _Chunk, field: str, low: int, high: int) -> _Converted:
        def convert(value: object) -> int | None:
            return _small_int(value, field, low, high)

        return self._coded(chunk, field, convert)

    def __call__(
        self, chunk: _Chunk, slots: Mapping[str, npt.NDArray[Any]] | None = None
    ) -> tuple[TouchpointColumns, npt.NDArray[np.bool_], list[tuple[int, Rejection]]]:
        """The columns of the chunk's good records, which records those are, and the
        rejections of the others with their positions in the chunk.

        ``slots`` are arrays, by field, that the string columns may be written into (see
        :meth:`_ColumnBuilder.slots`); a column of the result that is one of them was.
        """
        slots = slots or {}
        record_id = self._text(chunk, "id", required=True, out=slots.get("id"))
        account_id = self._text(chunk, "account_id", required=True, out=slots.get("account_id"))
        codes = {name: self._coded(chunk, name, rule) for name, rule in self.codes.items()}
        occurred = self._instant(chunk, "occurred_at", required=True)
        contact = self._text(chunk, "contact_id", required=False, out=slots.get("contact_id"))
        reply = self._text(chunk, "in_reply_to", required=False, out=slots.get("in_reply_to"))
        texts = [
            self._text(chunk, name, required=False, out=slots.get(name))
            for name in _TEXT_FIELDS
        ]
        recorded = self._instant(chunk, "recorded_at", required=False)
        csat = self._small_int(chunk, "csat", 1, 5)
        attendees = self._small_int(chunk, "attendees", 0, 2**31 - 1)

        ids, replies = record_id.values, reply.values
        self_reply = ~np.isnan(replies) & ~record_id.failed & ~reply.failed
        self_reply[self_reply] = replies[self_reply] == ids[self_reply]
        # numpy finds strings equal that agree up to a NUL: Python has the last word.
        for row in np.flatnonzero(self_reply).tolist():
            self_reply[row] = str(replies[row]) == str(ids[row])

        checks: list[tuple[npt.NDArray[np.bool_], Callable[[int], _FieldError]]] = [
            (
                chunk.absent.get(column, np.zeros(len(chunk), dtype=bool)),
                _always(_missing_column(field, column)),
            )
            for field, column in self.required
        ]
        ordered = [
            record_id,
            account_id,
            codes["kind"],
            occurred,
            codes["status"],
            codes["channel"],
            codes["direction"],
            codes["trigger"],
            contact,
            reply,
        ]
        checks += [(c.failed, c.error) for c in ordered]
        checks.append(
            (self_reply, lambda row: _self_reply_error(str(ids[row]), str(replies[row])))
        )
        checks += [(c.failed, c.error) for c in (*texts, recorded, csat, attendees)]

        first = np.full(len(chunk), len(checks), dtype=np.int64)
        for k in range(len(checks) - 1, -1, -1):
            first[checks[k][0]] = k
        good = first == len(checks)

        rejections = []
        for row in np.flatnonzero(~good).tolist():
            problem = checks[int(first[row])][1](row)
            source = chunk.sources if isinstance(chunk.sources, str) else chunk.sources[row]
            rejection = Rejection(
                source,
                int(chunk.rows[row]),
                problem.field,
                problem.value,
                problem.expected,
                problem.reason,
            )
            rejections.append((int(chunk.positions[row]), rejection))

        # Every record good (the usual case) takes the columns as they are, without a copy.
        every = bool(good.all())

        def kept(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return values if every else values[good]

        occurred_us = kept(occurred.values[0])
        recorded_us, recorded_missing = kept(recorded.values[0]), kept(recorded.values[1])
        columns = TouchpointColumns(
            id=kept(record_id.values).astype(ID, copy=False),
            account_id=kept(account_id.values).astype(ID, copy=False),
            kind=_code_array(codes["kind"], good, np.uint8),
            occurred_at=occurred_us,
            status=_code_array(codes["status"], good, np.uint8),
            channel=_code_array(codes["channel"], good, np.int8),
            direction=_code_array(codes["direction"], good, np.int8),
            trigger=_code_array(codes["trigger"], good, np.int8),
            contact_id=kept(contact.values),
            in_reply_to=kept(replies),
            text=kept(texts[0].values),
            quoted_text=kept(texts[1].values),
            purpose=kept(texts[2].values),
            outcome=kept(texts[3].values),
            recorded_at=np.where(recorded_missing, occurred_us, recorded_us),
            csat=_int_array(csat, good, 0, np.int8),
            attendees=_int_array(attendees, good, -1, np.int32),
        )
        return columns, good, rejections


def _always(problem: _FieldError) -> Callable[[int], _FieldError]:
    """An error builder that gives ``problem`` whatever the row."""
    return lambda _: problem


def _self_reply_error(record_id: str, reply: str) -> _FieldError:
    try:
        _self_reply(record_id, reply)
    except _FieldError as problem:
        return problem
    raise AssertionError(f"{reply!r} was marked as a self-reply of {record_id!r}")


def _code_array(codes: _Converted, good: npt.NDArray[np.bool_], dtype: Any) -> npt.NDArray[Any]:
    """The codes of the good records (their codes are all ints: none failed)."""
    values = codes.values
    if isinstance(values, _Coded):
        return values.array(good, 0).astype(dtype)
    kept = [values[i] for i in np.flatnonzero(good).tolist()] if not good.all() else values
    return np.array(kept, dtype=dtype)


def _int_array(
    numbers: _Converted, good: npt.NDArray[np.bool_], missing: int, dtype: Any
) -> npt.NDArray[Any]:
    """The integers of the good records, ``missing`` where the field was empty."""
    values = numbers.values
    if isinstance(values, _Coded):
        return values.array(good, missing).astype(dtype)
    kept = [values[i] for i in np.flatnonzero(good).tolist()] if not good.all() else values
    return np.array([missing if v is None else v for v in kept], dtype=dtype)


_TEXT_FIELDS = ("text", "quoted_text", "purpose", "outcome")


@attrs.define
class _DistinctValues:
    """The distinct raw values of one field over a load, and the rule's result for each."""

    values: DistinctBytes = attrs.field(factory=DistinctBytes)
    converted: list[object] = attrs.field(factory=list)


@attrs.frozen(eq=False)
class _Coded:
    """Converted values of a column as codes into a table of the distinct results."""

    table: list[object]
    codes: npt.NDArray[np.int64]

    def array(self, good: npt.NDArray[np.bool_], missing: int) -> npt.NDArray[np.int64]:
        """The integers of the ``good`` rows, ``missing`` where the rule gave ``None``."""
        table = np.array(
            [missing if v is None or v is _FAILED else v for v in self.table], dtype=np.int64
        )
        kept: npt.NDArray[np.int64] = table[self.codes[good]]
        return kept


def _byte_text(
    column: ByteColumn,
    convert: Callable[[object], str | None],
    *,
    required: bool,
    out: npt.NDArray[Any] | None = None,
) -> _Converted:
    """A text field from a column split in bytes: trimmed, blank as missing, in bulk.

    Fields trimmed to nothing are missing (NaN), or fail when ``required`` (the column is
    then of dtype ``ID``, without a missing marker); the others are cast to ``StringDType``
    by numpy. Fields that hold a byte numpy cannot cast as Python decodes it, or that start
    or end with non-ASCII whitespace, are made by the field's rule one by one, from the
    string :mod:`csv` would have read. Given ``out`` (of the column's dtype, a slot per
    row), the values are written there and ``out`` is the column returned.
    """
    starts, stops, python = column.trimmed()
    blank = (starts == stops) & ~python
    failed = blank if required else np.zeros(len(column), dtype=bool)

    # A required field's missing values fail, so its column needs no missing marker (ID).
    # A mostly blank column is made missing first and its few values cast and set after.
    absent = blank | python
    dtype = ID if required else TEXT
    values: npt.NDArray[Any] = np.empty(len(column), dtype=dtype) if out is None else out
    if not required and np.count_nonzero(absent) > len(column) // 2:
        values.fill(np.nan)
        if not absent.all():
            rows = np.flatnonzero(~absent)
            values[~absent] = column.text(starts[rows], stops[rows], TEXT)
    else:
        column.text(starts, np.where(python, starts, stops), dtype, out=values)
        if not required and absent.any():
            values[absent] = np.nan

    for row in np.flatnonzero(python).tolist():
        try:
            value = convert(normalise(column[row], None))
        except _FieldError:
            failed[row] = True
            continue
        if value is not None:
            values[row] = value
    return _Converted(values, failed, column, None, convert)


def _byte_instants(column: ByteColumn, convert: Callable[[object], int | None]) -> _Converted:
    """An instant field from a column split in bytes.

    Fields in one of the ISO 8601 layouts of :data:`_ISO_LAYOUTS` are read from their digits
    at once; blank fields are missing (a failure when the field is required); the rest
    (other spellings, naive times placed in the default zone) go through the field's rule
    once per distinct value, from the strings :mod:`csv` would have read.
    """
    starts, stops, python = column.trimmed()
    lengths = stops - starts
    micros = np.zeros(len(column), dtype=np.int64)
    missing = np.zeros(len(column), dtype=bool)
    failed = np.zeros(len(column), dtype=bool)
    done = np.zeros(len(column), dtype=bool)

    for length in _ISO_LAYOUTS:
        rows = np.flatnonzero((lengths == length) & ~python)
        if rows.size:
            value, valid = _layout_micros(column.fixed(starts[rows], length))
            micros[rows[valid]] = value[valid]
            done[rows[valid]] = True

    blank = (lengths == 0) & ~python
    if blank.any():
        try:
            convert(None)
        except _FieldError:
            failed[blank] = True
        else:
            missing[blank] = True

    rest = np.flatnonzero(~done & ~blank)
    if rest.size:
        strings = list[object](column.strings(rest))
        values, rest_failed = _by_value(strings, None, convert, strings=True)
        failed[rest] = rest_failed
        missing[rest] = [v is None for v in values]
        micros[rest] = np.array(
            [0 if v is None or v is _FAILED else v for v in values], dtype=np.int64
        )
    return _Converted((micros, missing), failed, column, None, convert)


class _ColumnBuilder:
    """Collects the column chunks of good records and where each record came from.

    Given the size of the source in bytes (``size_hint``, what :func:`read_csv` knows), the
    builder lays the string columns out whole once the first chunk tells the bytes per row,
    and hands the validator each chunk's slice of them (:meth:`slots`): a column split in
    bytes is cast straight into its place, rather than cast per chunk and copied again when
    the chunks are joined. Other columns, and any chunk whose values were not cast in place,
    are copied in. Without a size hint the chunks are joined at the end.
    """

    def __init__(self, size_hint: int | None = None) -> None:
        self.chunks: list[TouchpointColumns] = []
        self.sources: list[str] = []
        self.source_code: dict[str, int] = {}
        self.where: list[npt.NDArray[np.int64]] = []
        self.size_hint = size_hint
        self.final: dict[str, npt.NDArray[Any]] = {}
        self.size = 0
        self.handed: dict[str, npt.NDArray[Any]] = {}

    def slots(self, chunk: _Chunk) -> dict[str, npt.NDArray[Any]]:
        """Where the string columns of ``chunk``'s records go, by field (none without a
        size hint or for a chunk not split in bytes)."""
        self.handed = {}
        columns = [v for v in chunk.values.values() if isinstance(v, ByteColumn)]
        if self.size_hint is None or not columns or not len(chunk):
            return self.handed
        if not self.final:
            per_row = max(1.0, len(columns[0].buffer) / len(chunk))
            capacity = int(self.size_hint / per_row * 1.02) + 2 * len(chunk)
            self.final = {
                name: np.empty(capacity, dtype=ID if name in _REQUIRED_TEXT else TEXT)
                for name in _STRING_COLUMNS
            }
        self._reserve(self.size + len(chunk))
        stop = self.size + len(chunk)
        self.handed = {name: self.final[name][self.size : stop] for name in _STRING_COLUMNS}
        return self.handed

    def _reserve(self, rows: int) -> None:
        """Grow the laid-out columns to hold at least ``rows`` rows."""
        capacity = len(next(iter(self.final.values())))
        if rows <= capacity:
            return
        capacity = max(2 * capacity, rows)
        for name, column in self.final.items():
            grown = np.empty(capacity, dtype=column.dtype)
            grown[: self.size] = column[: self.size]
            self.final[name] = grown

    def add(
        self, columns: TouchpointColumns, chunk: _Chunk, good: npt.NDArray[np.bool_]
    ) -> None:
        if isinstance(chunk.sources, str):
            code = np.full(len(columns), self._code(chunk.sources), dtype=np.int64)
        else:
            kept = [chunk.sources[i] for i in np.flatnonzero(good).tolist()]
            code = np.array([self._code(s) for s in kept], dtype=np.int64)
        self.where.append(np.stack([code, chunk.rows[good]], axis=1))
        if not self.final:
            self.chunks.append(columns)
            return

        self._reserve(self.size + len(columns))
        stop = self.size + len(columns)
        for field in attrs.fields(TouchpointColumns):
            values = getattr(columns, field.name)
            if field.name not in self.final:
                self.final[field.name] = np.empty(len(self.final["id"]), dtype=values.dtype)
            if values is not self.handed.get(field.name):
                self.final[field.name][self.size : stop] = values
        self.size = stop
        self.handed = {}

    def _code(self, source: str) -> int:
        code = self.source_code.setdefault(source, len(self.source_code))
        if code == len(self.sources):
            self.sources.append(source)
        return code

    def finish(self) -> tuple[TouchpointColumns, npt.NDArray[np.int64]]:
        if self.final:
            columns = TouchpointColumns(
                **{
                    f.name: self.final[f.name][: self.size]
                    for f in attrs.fields(TouchpointColumns)
                }
            )
            if self.chunks:
                columns = TouchpointColumns.concatenate([*self.chunks, columns])
        else:
            columns = TouchpointColumns.concatenate(self.chunks)
        where = np.concatenate(self.where) if self.where else np.empty((0, 2), dtype=np.int64)
        self.chunks.clear()
        self.where.clear()
        self.final = {}
        return columns, where


#: The string columns of :class:`TouchpointColumns`; the required ones hold no missing value.
_STRING_COLUMNS = ("id", "account_id", "contact_id", "in_reply_to", *_TEXT_FIELDS)
_REQUIRED_TEXT = ("id", "account_id")


def _account_values(fields: Mapping[str, object], catalog: Catalog, zone: Any) -> Account:
    """Validate one record's canonical fields into an Account."""
    record_id = _text(fields["id"], "id", required=True)

    segment_value = fields["segment"]
    if segment_value is None:
        raise _FieldError(
            "segment", None, f"one of {', '.join(catalog.segment_names)}", "missing"
        )
    try:
        segment = catalog.segment(str(segment_value))
    except KeyError:
        raise _FieldError(
            "segment", segment_value, f"one of {', '.join(catalog.segment_names)}"
        ) from None

    revenue_value = fields["annual_revenue"]
    revenue = None
    if revenue_value is not None:
        try:
            revenue = float(str(revenue_value))
        except ValueError:
            raise _FieldError(
                "annual_revenue", revenue_value, "a non-negative number"
            ) from None
        if not revenue >= 0:
            raise _FieldError("annual_revenue", revenue_value, "a non-negative number")

    stage_value = fields["lifecycle_stage"]
    stage = None
    if stage_value is not None:
        try:
            stage = parse_choice(LifecycleStage, stage_value, what="lifecycle stage")
        except UnknownNameError:
            valid = ", ".join(s.value for s in LifecycleStage)
            raise _FieldError("lifecycle_stage", stage_value, f"one of {valid}") from None

    instants = {}
    for name in ("started_at", "renews_at", "churned_at"):
        micros = _instant(fields[name], name, zone, required=False)
        instants[name] = None if micros is None else from_epoch_us(micros)

    return Account(
        id=str(record_id),
        segment=segment,
        name=_text(fields["name"], "name"),
        annual_revenue=revenue,
        owner=_text(fields["owner"], "owner"),
        lifecycle_stage=stage,
        **instants,
    )


def _check_mode(mode: str) -> None:
    if mode not in _MODES:
        raise ConfigError(f"mode must be one of {', '.join(_MODES)}, got {mode!r}")


class _Intake:
    """Turns a stream of raw records into validated items, keeping the report."""

    def __init__(self, report: LoadReport, mode: Mode) -> None:
        self.report = report
        self.mode = mode

    def reject(self, rejection: Rejection, *, error: type[RecordError] = RecordError) -> None:
        if self.mode == "strict":
            raise error(
                f"{rejection.describe()}",
                source=rejection.source,
                row=rejection.row,
                field=rejection.field,
                value=rejection.value,
                expected=rejection.expected,
            )
        self.report.rejected.append(rejection)

    def each(
        self,
        records: Iterable[RawRecord | Rejection | Mapping[str, object]],
        mapping: ColumnMapping,
        fields: tuple[str, ...],
        validate: Callable[[Mapping[str, object]], Any],
        required: tuple[str, ...] = (),
    ) -> Iterable[tuple[RawRecord, Any]]:
        canonical = mapping.compile(fields)
        required_columns = [
            (field, mapping.columns.get(field, field))
            for field in required
            if field not in mapping.constants
        ]
        for item in records:
            self.report.read += 1
            if isinstance(item, Rejection):
                self.reject(item)
                continue
            if not isinstance(item, RawRecord):
                if not isinstance(item, Mapping):
                    self.reject(
                        Rejection(
                            self.report.source,
                            self.report.read,
                            None,
                            item,
                            "a mapping of field names to values",
                            f"got a {type(item).__name__}",
                        )
                    )
                    continue
                item = RawRecord(self.report.source, self.report.read, item)

            try:
                for field, column in required_columns:
                    if column not in item.values:
                        raise _missing_column(field, column)
                yield item, validate(canonical(item.values))
            except _FieldError as problem:
                self.reject(
                    Rejection(
                        item.source,
                        item.row,
                        problem.field,
                        problem.value,
                        problem.expected,
                        problem.reason,
                    )
                )


@attrs.frozen
class LoadResult:
    """A loaded log with its accounts and the reports of what was read and rejected."""

    log: TouchpointLog
    accounts: tuple[Account, ...]
    touchpoint_report: LoadReport
    account_report: LoadReport | None = None

    @property
    def rejected(self) -> list[Rejection]:
        """Every rejected record, accounts first, then touchpoints."""
        first = self.account_report.rejected if self.account_report else []
        return [*first, *self.touchpoint_report.rejected]


def load_accounts(
    records: Iterable[RawRecord | Rejection | Mapping[str, object]],
    *,
    mode: Mode = "strict",
    mapping: ColumnMapping | None = None,
    catalog: Catalog = DEFAULT_CATALOG,
    default_tz: dt.tzinfo | None = None,
    source: str = "<accounts>",
) -> tuple[tuple[Account, ...], LoadReport]:
    """Validate account records; a repeated account id is rejected, naming the first row."""
    _check_mode(mode)
    report = LoadReport(source)
    intake = _Intake(report, mode)
    mapping = mapping or ColumnMapping()

    accounts: dict[str, Account] = {}
    first_row: dict[str, tuple[str, int]] = {}
    for raw, account in intake.each(
        records,
        mapping,
        ACCOUNT_FIELDS,
        lambda f: _account_values(f, catalog, default_tz),
        required=REQUIRED_ACCOUNT_FIELDS,
    ):
        if account.id in accounts:
            where = first_row[account.id]
            intake.reject(
                Rejection(
                    raw.source,
                    raw.row,
                    "id",
                    account.id,
                    "an account id not used before",
                    f"duplicate of {where[0]}, row {where[1]}",
                ),
                error=IntegrityError,
            )
            continue
        accounts[account.id] = account
        first_row[account.id] = (raw.source, raw.row)

    report.accepted = len(accounts)
    report.check()
    logger.info(
        "loaded %d accounts from %s, rejected %d", len(accounts), source, len(report.rejected)
    )
    return tuple(accounts.values()), report


def load_touchpoints(
    records: Iterable[RawRecord | Rejection | Mapping[str, object]],
    *,
    accounts: Iterable[Account] | None = None,
    mode: Mode = "strict",
    mapping: ColumnMapping | None = None,
    catalog: Catalog = DEFAULT_CATALOG,
    default_tz: dt.tzinfo | None = None,
    source: str = "<touchpoints>",
) -> LoadResult:
    """Validate touchpoint records and build the log.

    Parameters
    ----------
    records
        Raw records from a reader or adapter, or plain mappings with canonical field names.
    accounts
        Account records. When given, touchpoints of other accounts are rejected, and
        accounts without touchpoints still appear in the log. When ``None`` no account check
        is made.
    mode
        ``"strict"`` raises at the first bad record; ``"lenient"`` reports every one.
    mapping
        Column names and value spellings of the source.
    catalog
        The kinds and segments that records may name.
    default_tz
        The zone naive times were written in; without it naive times are rejected.
    """
    _check_mode(mode)
    staged = _stage_touchpoints(records, mode, mapping, catalog, default_tz, source)
    return staged.finish(None if accounts is None else tuple(accounts))


@attrs.define
class _StagedTouchpoints:
    """Touchpoints validated field by field, waiting for the checks across records."""

    columns: TouchpointColumns
    where: npt.NDArray[np.int64]
    sources: list[str]
    intake: _Intake
    catalog: Catalog

    def finish(self, accounts: tuple[Account, ...] | None) -> LoadResult:
        report = self.intake.report
        ids = IdLookup.of(self.columns.id)
        keep = _cross_check(self.columns, ids, self.where, self.sources, accounts, self.intake)
        # Nothing rejected across records (the usual case) leaves the columns as they are,
        # and the ids indexed for the check serve the reply links.
        kept = bool(keep.all())
        columns = self.columns if kept else self.columns.take(keep)
        where = self.where if kept else self.where[keep]

        links = _check_links(
            columns, ids if kept else IdLookup.of(columns.id), where, self.sources, self.intake
        )
        del ids
        log = TouchpointLog.from_columns(
            columns, kinds=self.catalog.kinds, accounts=accounts or (), links=links
        )

        report.accepted = len(log)
        report.check()
        logger.info(
            "loaded %d touchpoints of %d accounts from %s, rejected %d, %d link issues",
            len(log),
            log.n_accounts,
            report.source,
            len(report.rejected),
            len(report.link_issues),
        )
        return LoadResult(log, accounts or (), report)


#: Where a touchpoint load reads from: records of any reader or adapter, or CSV row blocks.
_Input = Iterable[RawRecord | Rejection | Mapping[str, object]] | tuple[Iterable[CsvBlock]]


def _stage_touchpoints(
    records: _Input,
    mode: Mode,
    mapping: ColumnMapping | None,
    catalog: Catalog,
    default_tz: dt.tzinfo | None,
    source: str,
    size_hint: int | None = None,
) -> _StagedTouchpoints:
    """Validate touchpoints chunk by chunk into columns, reporting rejections in stream order.

    ``records`` is either a stream of records or a one-element tuple holding CSV blocks
    (what :func:`read_csv` passes, so that CSV rows never become one dict each), and
    ``size_hint`` the size of the source in bytes when known (see :class:`_ColumnBuilder`).
    """
    intake = _Intake(LoadReport(source), mode)
    validate = _TouchpointValidator(catalog, default_tz, mapping or ColumnMapping())
    builder = _ColumnBuilder(size_hint)
    if isinstance(records, tuple):
        chunks = _csv_chunks(_header_checked(records[0], mapping), validate.columns)
    else:
        chunks = _record_chunks(records, source, validate.columns, validate.required_columns)

    for chunk in chunks:
        intake.report.read += chunk.size
        columns, good, rejections = validate(chunk, builder.slots(chunk))
        refused = sorted([*chunk.rejections, *rejections], key=lambda p: p[0])
        for _, rejection in refused:
            intake.reject(rejection)
        builder.add(columns, chunk, good)

    columns, where = builder.finish()
    return _StagedTouchpoints(columns, where, builder.sources, intake, catalog)


def _header_checked(
    blocks: Iterable[CsvBlock], mapping: ColumnMapping | None
) -> Iterator[CsvBlock]:
    """``blocks``, once the header of the first is known to hold every required column."""
    for number, block in enumerate(blocks):
        if number == 0:
            require_columns(block.source, block.header, mapping, REQUIRED_TOUCHPOINT_FIELDS)
        yield block


def account_records(
    path: str | os.PathLike[str],
    mapping: ColumnMapping | None = None,
    *,
    delimiter: str = ",",
    encoding: str | None = None,
) -> Iterator[RawRecord | Rejection]:
    """The records of an accounts file (CSV or JSON Lines, by its extension), with a CSV
    header checked for the required account columns first (see :func:`require_columns`)."""

    def check(source: str, header: tuple[str, ...]) -> None:
        require_columns(source, header, mapping, REQUIRED_ACCOUNT_FIELDS, section="accounts")

    return records_for(path, delimiter=delimiter, encoding=encoding, on_header=check)


def _cross_check(
    columns: TouchpointColumns,
    id_lookup: IdLookup,
    where: npt.NDArray[np.int64],
    sources: list[str],
    accounts: tuple[Account, ...] | None,
    intake: _Intake,
) -> npt.NDArray[np.bool_]:
    """Rows to keep after rejecting repeated ids and touchpoints of unknown accounts."""
    keep = np.ones(len(columns), dtype=bool)
    ids = columns.id

    repeated, first_rows = id_lookup.repeated()
    duplicates = list(zip(repeated.tolist(), first_rows.tolist(), strict=True))

    unknown_rows: list[int] = []
    if accounts is not None:
        known = {a.id for a in accounts}
        table, codes = factorize_strings(columns.account_id)
        listed = np.array([value in known for value in table.tolist()], dtype=bool)
        unknown_rows = np.flatnonzero(~listed[codes]).tolist()

    problems: list[tuple[int, Rejection]] = []
    for row, first in duplicates:
        problems.append(
            (
                row,
                Rejection(
                    sources[where[row, 0]],
                    int(where[row, 1]),
                    "id",
                    str(ids[row]),
                    "a touchpoint id not used before",
                    f"duplicate of {sources[where[first, 0]]}, row {int(where[first, 1])}",
                ),
            )
        )
    for row in unknown_rows:
        if keep[row]:
            problems.append(
                (
                    row,
                    Rejection(
                        sources[where[row, 0]],
                        int(where[row, 1]),
                        "account_id",
                        str(columns.account_id[row]),
                        "the id of an account in the accounts table",
                        "unknown account",
                    ),
                )
            )

    for row, rejection in sorted(problems, key=lambda p: (p[0], p[1].field or "")):
        if not keep[row]:
            continue
        keep[row] = False
        intake.reject(rejection, error=IntegrityError)
    return keep


def _check_links(
    columns: TouchpointColumns,
    id_lookup: IdLookup,
    where: npt.NDArray[np.int64],
    sources: list[str],
    intake: _Intake,
) -> ReplyLinks:
    """Report replies whose link cannot be resolved; strict mode raises on the first.

    Returns the links, which the log reuses instead of resolving them again.
    """
    links = id_lookup.links(columns.in_reply_to, columns.occurred_at)
    problem = links.problem
    for row in np.flatnonzero(problem != ReplyProblem.NONE):
        issue = LinkIssue(
            sources[where[row, 0]],
            int(where[row, 1]),
            str(columns.id[row]),
            str(columns.in_reply_to[row]),
            ReplyProblem(int(problem[row])).describe(),
        )
        if intake.mode == "strict":
            raise IntegrityError(
                issue.describe(),
                source=issue.source,
                row=issue.row,
                field="in_reply_to",
                value=issue.in_reply_to,
                expected="the id of a loaded touchpoint that occurred before the reply",
            )
        intake.report.link_issues.append(issue)
    return links


def load(
    records: SourceRecords,
    *,
    mode: Mode = "strict",
    touchpoint_mapping: ColumnMapping | None = None,
    account_mapping: ColumnMapping | None = None,
    catalog: Catalog = DEFAULT_CATALOG,
    default_tz: dt.tzinfo | None = None,
    source: str = "<source>",
) -> LoadResult:
    """Load what a format adapter read: its touchpoints, then its accounts.

    The touchpoints stream into columns first; the adapter's accounts (which it may derive
    from the touchpoints it has seen) are read after, and touchpoints of accounts it did not
    produce are then rejected like any other unknown account.
    """
    _check_mode(mode)
    staged = _stage_touchpoints(
        records.touchpoints, mode, touchpoint_mapping, catalog, default_tz, source
    )
    if records.accounts is None:
        return staged.finish(None)

    accounts, account_report = load_accounts(
        records.accounts,
        mode=mode,
        mapping=account_mapping,
        catalog=catalog,
        default_tz=default_tz,
        source=source,
    )
    result = staged.finish(accounts)
    return attrs.evolve(result, account_report=account_report)


def load_csv_blocks(
    blocks: Iterable[CsvBlock],
    *,
    accounts: Iterable[Account] | None = None,
    mode: Mode = "strict",
    mapping: ColumnMapping | None = None,
    catalog: Catalog = DEFAULT_CATALOG,
    default_tz: dt.tzinfo | None = None,
    source: str = "<blocks>",
) -> LoadResult:
    """Validate touchpoints given as blocks of text rows and build the log.

    :func:`load_touchpoints` for rows that are already split into text columns, the form
    :func:`read_csv` reads a file into: each block is validated a column at a time, by the
    same rules and with the same messages, and no record becomes a dict of its own. The
    dataframe readers of :mod:`touchpoint_signals.frames` hand their tables over this way,
    which is why a table and the CSV file written from it load into the same log. The
    parameters are those of :func:`load_touchpoints`.
    """
    _check_mode(mode)
    staged = _stage_touchpoints((blocks,), mode, mapping, catalog, default_tz, source)
    return staged.finish(None if accounts is None else tuple(accounts))


def read_csv(
    path: str | os.PathLike[str],
    *,
    accounts: str | os.PathLike[str] | Iterable[Account] | None = None,
    mode: Mode = "strict",
    mapping: MappingFile | str | os.PathLike[str] | None = None,
    catalog: Catalog = DEFAULT_CATALOG,
    default_tz: dt.tzinfo | str | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
) -> LoadResult:
    """Load touchpoints from a CSV file with a header row, and optionally accounts.

    ``accounts`` is a file (CSV or JSON Lines, told apart by its extension) or account
    objects; ``mapping`` a :class:`MappingFile` or the path of one; ``default_tz`` the zone
    of naive times, as a ``tzinfo`` or an IANA name.
    """
    blocks = csv_field_blocks(
        path, delimiter=delimiter, encoding=encoding, block_rows=CHUNK_ROWS
    )
    return _read_files(path, (blocks,), accounts, mode, mapping, catalog, default_tz)


def read_jsonl(
    path: str | os.PathLike[str],
    *,
    accounts: str | os.PathLike[str] | Iterable[Account] | None = None,
    mode: Mode = "strict",
    mapping: MappingFile | str | os.PathLike[str] | None = None,
    catalog: Catalog = DEFAULT_CATALOG,
    default_tz: dt.tzinfo | str | None = None,
    encoding: str = "utf-8",
) -> LoadResult:
    """Load touchpoints from a JSON Lines file, and optionally accounts (see read_csv)."""
    records = jsonl_records(path, encoding=encoding)
    return _read_files(path, records, accounts, mode, mapping, catalog, default_tz)


def _read_files(
    path: str | os.PathLike[str],
    records: _Input,
    accounts: str | os.PathLike[str] | Iterable[Account] | None,
    mode: Mode,
    mapping: MappingFile | str | os.PathLike[str] | None,
    catalog: Catalog,
    default_tz: dt.tzinfo | str | None,
) -> LoadResult:
    _check_mode(mode)
    if mapping is None:
        mapping = MappingFile()
    elif isinstance(mapping, str | os.PathLike):
        mapping = MappingFile.from_toml(mapping)
    if not isinstance(mapping, MappingFile):
        raise TypeError(
            f"mapping must be a MappingFile or a path, got {type(mapping).__name__}"
        )
    zone = parse_timezone(default_tz) if isinstance(default_tz, str) else default_tz
    zone = zone or mapping.default_tz

    account_report = None
    account_list: tuple[Account, ...] | None
    if isinstance(accounts, str | os.PathLike):
        account_list, account_report = load_accounts(
            account_records(accounts, mapping.accounts),
            mode=mode,
            mapping=mapping.accounts,
            catalog=catalog,
            default_tz=zone,
            source=os.fspath(accounts),
        )
    else:
        account_list = None if accounts is None else tuple(accounts)

    staged = _stage_touchpoints(
        records, mode, mapping.touchpoints, catalog, zone, os.fspath(path), _size_of(path)
    )
    result = staged.finish(account_list)
    return attrs.evolve(result, account_report=account_report)


def _size_of(path: str | os.PathLike[str]) -> int | None:
    """The size of a file in bytes, or ``None`` if it cannot be read (reading it says why)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return None
