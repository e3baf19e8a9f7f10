"""TouchpointLog: many touchpoints as sorted numpy columns, the form every signal reads.

The log is sorted by account, then by time (ties broken by touchpoint id, so the order never
depends on the order of the input). Kinds, statuses, channels, directions and triggers are
small integer codes; account and contact ids are codes into sorted tables of the distinct ids;
``in_reply_to`` is resolved to the row of the touchpoint answered, so a reply latency is one
subtraction. ``offsets`` marks where each account's rows begin and end, which lets a signal
work on all accounts at once with ``np.add.reduceat`` and ``np.searchsorted``.

Memory
------
Per touchpoint the numeric columns take 38 bytes (account 4, two instants 16, five codes 5,
contact 4, reply row 4, csat 1, attendees 4). The touchpoint id adds 16 bytes (numpy
``StringDType``, inline up to 15 bytes; longer ids add their length on a shared heap). The
text columns (text, quoted text, purpose, outcome) cost 16 bytes each plus their length when
longer than 15 bytes; given as a :class:`TextTable` (as the simulator gives them) the four
share one 8-byte code per touchpoint until a column is first read. Per-account tables (ids,
offsets, account records) are extra but scale with accounts, not touchpoints.
:meth:`TouchpointLog.nbytes` reports the figures of a log.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import IntegrityError, NaiveDatetimeError, UnknownNameError
from touchpoint_signals.model import (
    DEFAULT_CATALOG,
    Account,
    Catalog,
    Channel,
    Direction,
    LifecycleStage,
    Segment,
    Status,
    Touchpoint,
    TouchpointKind,
    Trigger,
)
from touchpoint_signals.stats import stable_argsort
from touchpoint_signals.timeparse import from_epoch_us, to_epoch_us

__all__ = [
    "CHANNELS",
    "DIRECTIONS",
    "ROW_COLUMNS",
    "STAGES",
    "STATUSES",
    "TEXT",
    "TRIGGERS",
    "AccountColumns",
    "ReplyLinks",
    "ReplyProblem",
    "TextTable",
    "TouchpointColumns",
    "TouchpointLog",
    "link_replies",
    "resolve_replies",
]

logger = logging.getLogger(__name__)

#: String dtype of id columns: every value present.
ID = np.dtypes.StringDType()
#: String dtype of optional columns: NaN marks a missing value, so ``np.isnan`` finds them.
TEXT = np.dtypes.StringDType(na_object=np.nan)

#: Code tables: the position of a member is its code in the log.
STATUSES: tuple[Status, ...] = tuple(Status)
CHANNELS: tuple[Channel, ...] = tuple(Channel)
DIRECTIONS: tuple[Direction, ...] = tuple(Direction)
TRIGGERS: tuple[Trigger, ...] = tuple(Trigger)
STAGES: tuple[LifecycleStage, ...] = tuple(LifecycleStage)

_NO_CODE = -1
#: Rows turned into Python strings at a time where a hash table is built over a column, so
#: that only the table, not a list of every value, is held at once.
_BLOCK = 1 << 16
_TEXT_FIELDS = ("text", "quoted_text", "purpose", "outcome")

IntArray = npt.NDArray[np.integer[Any]]
BoolArray = npt.NDArray[np.bool_]


class ReplyProblem(enum.IntEnum):
    """Why an ``in_reply_to`` link could not be resolved to a row of the log."""

    NONE = 0
    UNKNOWN_TARGET = 1
    TARGET_LATER = 2

    def describe(self) -> str:
        """The problem in words, as the load report prints it."""
        return {
            ReplyProblem.NONE: "resolved",
            ReplyProblem.UNKNOWN_TARGET: "no touchpoint with that id was loaded",
            ReplyProblem.TARGET_LATER: "the touchpoint it answers occurred after the reply",
        }[self]


def factorize_strings(
    values: npt.NDArray[Any],
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int32]]:
    """The sorted distinct strings of a column, and each row's code into them.

    Missing values (NaN in a :data:`TEXT` column) get code ``-1``. This is how the log
    numbers account and contact ids; the loader uses it to check a column's distinct values
    rather than every row.
    """
    return _factorize(values)


def repeated_rows(values: npt.NDArray[Any]) -> tuple[IntArray, IntArray]:
    """Rows whose string an earlier row holds, and for each the first row that holds it.

    Rows are sorted by their string hashes; only rows that share a hash with another are
    compared as strings, so a column of distinct ids costs a numeric sort.
    """
    return IdLookup.of(values).repeated()


def search_strings(table: npt.NDArray[Any], values: npt.NDArray[Any]) -> IntArray:
    """``np.searchsorted(table, values)`` for sorted string columns.

    numpy 2.4.6 raises ``MemoryError`` from ``searchsorted`` on ``StringDType`` arrays that
    hold a string longer than 15 bytes (numpy issue 31533 and its backported fix), which any
    e-mail Message-ID triggers. The search therefore runs on Python strings, which sort in the
    same code-point order; this costs one object per value. Remove when the pinned numpy
    searches ``StringDType`` arrays with long strings.
    """
    return np.searchsorted(table.astype(object), values.astype(object))


def resolve_replies(
    ids: npt.NDArray[Any], in_reply_to: npt.NDArray[Any], occurred_at: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int8]]:
    """Resolve reply links to row numbers, and say why each unresolved link failed.

    Returns the row answered (``-1`` where there is no link or it failed) and a
    :class:`ReplyProblem` code per row; :func:`link_replies` gives the same as a
    :class:`ReplyLinks` that :meth:`TouchpointLog.from_columns` can reuse. A link is kept only
    when its target exists and did not occur after the reply: a reply cannot come before its
    message, and such a pair in the data is a clock or export error that would make latency
    negative. Duplicate ids raise :class:`IntegrityError`.

    A reply may answer a touchpoint of another account (on a mailing list, a customer joins
    another customer's thread). Such links are real and are kept; signals that measure one
    account's latency use only the replies whose target is in the same account (see
    :meth:`TouchpointLog.reply_latency_seconds`).
    """
    links = link_replies(ids, in_reply_to, occurred_at)
    return links.target, links.problem


@attrs.frozen(eq=False)
class ReplyLinks:
    """Reply links of unsorted columns, resolved to rows of the same columns.

    ``target`` is the row each row answers (``-1`` for none or a failed link) and
    ``problem`` the :class:`ReplyProblem` code of each row. A loader that reports link
    problems passes the links it made on to :meth:`TouchpointLog.from_columns`, which then
    neither checks the ids again nor resolves the links a second time.
    """

    target: npt.NDArray[np.int64]
    problem: npt.NDArray[np.int8]


def link_replies(
    ids: npt.NDArray[Any], in_reply_to: npt.NDArray[Any], occurred_at: npt.NDArray[np.int64]
) -> ReplyLinks:
    """The reply links of columns (see :func:`resolve_replies`); duplicate ids raise."""
    return IdLookup.of(ids).links(in_reply_to, occurred_at)


@attrs.frozen(eq=False)
class IdLookup:
    """A column of touchpoint ids indexed once for the checks of a load: the rows that
    repeat an id (:meth:`repeated`), then the reply links (:meth:`links`)."""

    index: _IdIndex

    @classmethod
    def of(cls, ids: npt.NDArray[Any]) -> IdLookup:
        """Index ``ids`` (repeated ids allowed until :meth:`links`)."""
        return cls(_IdIndex.of(_id_strings(ids)))

    def repeated(self) -> tuple[IntArray, IntArray]:
        """Rows whose id an earlier row holds, and for each the first row that holds it."""
        return self.index.repeated()

    def links(
        self, in_reply_to: npt.NDArray[Any], occurred_at: npt.NDArray[np.int64]
    ) -> ReplyLinks:
        """The reply links of the rows (see :func:`resolve_replies`); repeated ids raise."""
        self.index.check_unique()
        return ReplyLinks(*_resolve(self.index, in_reply_to, occurred_at))


def _id_strings(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``values`` as :data:`ID` strings, not copied when they are already.

    ``np.asarray(values, dtype=ID)`` copies a ``StringDType`` array whose dtype is an equal
    but distinct instance (each array has its own string allocator), which is most of them.
    """
    if isinstance(values, np.ndarray) and values.dtype == ID:
        return values
    return np.asarray(values, dtype=ID)


def _string_hashes(values: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """A 64-bit hash of each string, computed by numpy a block of rows at a time.

    A string's code points are packed into 64-bit words (a byte each when all are below
    256, else four bytes each), each word is mixed and weighted by its position, and the
    length is added in, so a string hashes alike whatever block it is computed in. Equal
    hashes of different strings are possible: callers confirm a match on the strings'
    exact keys (:class:`_StringKeys`).
    """
    hashes = np.empty(len(values), dtype=np.int64)
    for start in range(0, len(values), _BLOCK):
        block = values[start : start + _BLOCK]
        lengths = np.strings.str_len(block).astype(np.uint64)
        narrow, points = _fixed_width(block, int(lengths.max()) if len(block) else 0)
        hashed = lengths * _WEIGHT + _word_hashes(narrow.view(np.uint64))
        if points is not None:
            wide = np.flatnonzero(points.max(axis=1) >= 256)
            hashed[wide] += _word_hashes(points[wide].view(np.uint64)) + _WEIGHT
        mixed = (hashed ^ (hashed >> np.uint64(31))) * _WEIGHT
        hashes[start : start + len(block)] = (mixed ^ (mixed >> np.uint64(29))).view(np.int64)
    return hashes


def _fixed_width(
    block: npt.NDArray[Any], longest: int
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint32] | None]:
    """The strings of ``block`` as rows of bytes at least 16 wide, zero-padded to whole
    8-byte words, and when some are not ASCII, their code points too (four bytes each).

    Rows of bytes hold each code point below 256 as its byte and are zero for strings with
    a code point above.
    """
    width = 8 * max(2, -(-longest // 8))
    try:
        narrow = block.astype(f"S{width}").view(np.uint8).reshape(-1, width)
    except UnicodeEncodeError:
        points = block.astype(f"U{width}").view(np.uint32).reshape(-1, width)
        narrow = points.astype(np.uint8)
        narrow[points.max(axis=1) >= 256] = 0
        return narrow, points
    return narrow, None


@attrs.frozen(eq=False)
class _StringKeys:
    """An exact key of each short string of a column, to confirm matches of hashes.

    An ASCII string of at most 16 characters is identified exactly by its bytes, as two
    zero-padded 64-bit words, and its length (``short``), so two of them are compared
    without touching the strings.

    numpy 2.4.6 compares ``StringDType`` strings of one length only up to a NUL character
    (``"\\x00a" == "\\x00b"`` is true elementwise) and its ``str_len`` does not count
    trailing NULs, while its casts to fixed-width strings keep every character; ``nul``
    marks the strings that hold a NUL, which :meth:`equal` compares in Python.
    """

    words: npt.NDArray[np.uint64]
    lengths: npt.NDArray[np.int64]
    short: npt.NDArray[np.bool_]
    nul: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, values: npt.NDArray[Any]) -> _StringKeys:
        """The keys of ``values`` (no missing values), computed ``_BLOCK`` rows at a time."""
        n = len(values)
        keys = cls(
            np.zeros((n, 2), dtype=np.uint64),
            np.empty(n, dtype=np.int64),
            np.empty(n, dtype=bool),
            np.empty(n, dtype=bool),
        )
        for start in range(0, n, _BLOCK):
            keys._fill(values[start : start + _BLOCK], start)
        return keys

    def _fill(self, block: npt.NDArray[Any], start: int) -> None:
        rows = slice(start, start + len(block))
        # numpy's str_len does not count trailing NULs; with a character appended it does.
        lengths = np.strings.str_len(np.strings.add(block, "x")).astype(np.int64) - 1
        narrow, points = _fixed_width(block, int(lengths.max()) if len(block) else 0)
        matrix: npt.NDArray[Any] = narrow if points is None else points
        ascii = np.ones(len(block), dtype=bool) if points is None else points.max(axis=1) < 128

        self.words[rows] = narrow[:, :16].view(np.uint64)
        self.lengths[rows] = lengths
        self.short[rows] = ascii & (lengths <= 16)
        # A block without NUL has as many non-zero characters as its lengths add up to.
        if np.count_nonzero(matrix) == int(lengths.sum()):
            self.nul[rows] = False
        else:
            self.nul[rows] = np.count_nonzero(matrix, axis=1) < lengths

    def equal(
        self,
        values: npt.NDArray[Any],
        rows: npt.NDArray[np.int64],
        other: _StringKeys,
        other_values: npt.NDArray[Any],
        other_rows: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.bool_]:
        """Whether ``values[rows]`` equals ``other_values[other_rows]``, pair by pair.

        Pairs of short strings are compared by their keys; a short string never equals one
        that is not; the other pairs are compared as strings, by Python where one holds a
        NUL.
        """
        short = self.short[rows]
        other_short = other.short[other_rows]
        same = np.zeros(len(rows), dtype=bool)
        both = np.flatnonzero(short & other_short)
        if both.size:
            a, b = rows[both], other_rows[both]
            same[both] = (self.lengths[a] == other.lengths[b]) & (
                np.take(self.words, a, axis=0) == np.take(other.words, b, axis=0)
            ).all(axis=1)
        neither = np.flatnonzero(~short & ~other_short)
        if neither.size:
            a, b = rows[neither], other_rows[neither]
            same[neither] = values[a] == other_values[b]
            nul = np.flatnonzero(self.nul[a] | other.nul[b])
            same[neither[nul]] = [
                x == y
                for x, y in zip(
                    values[a[nul]].tolist(), other_values[b[nul]].tolist(), strict=True
                )
            ]
        return same


#: An odd 64-bit multiplier (the golden ratio's fraction) for the string hash.
_WEIGHT = np.uint64(0x9E3779B97F4A7C15)


def _word_hashes(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The sum over a row's words of each word, mixed, times a weight of its position."""
    total = np.zeros(len(words), dtype=np.uint64)
    weight = int(_WEIGHT)
    for k in range(words.shape[1]):
        word = words[:, k]
        total += (word ^ (word >> np.uint64(27))) * np.uint64(weight)
        weight = (weight * int(_WEIGHT) + 2 * k + 1) % 2**64
    return total


@attrs.frozen(eq=False)
class _IdIndex:
    """Touchpoint ids sorted by their hash: the row of an id in two numeric searches.

    Sorting 64-bit hashes and searching them is faster than a Python dict of the ids and
    holds about 50 bytes a touchpoint (with the exact keys of short ids) instead of about
    100 (a string object and a table slot per id), the largest transient of building a
    large log. A hit is confirmed on the exact key or the string, so a collision costs
    time, never a wrong row.
    """

    ids: npt.NDArray[Any]
    hashes: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int64]
    keys: _StringKeys

    @classmethod
    def build(cls, ids: npt.NDArray[Any]) -> _IdIndex:
        """Index ``ids``; duplicate ids raise :class:`IntegrityError`."""
        index = cls.of(ids)
        index.check_unique()
        return index

    @classmethod
    def of(cls, ids: npt.NDArray[Any]) -> _IdIndex:
        """Index ``ids`` as they are, duplicates included."""
        hashes = _string_hashes(ids)
        rows = stable_argsort(hashes)
        return cls(ids, hashes[rows], rows, _StringKeys.of(ids))

    def repeated(self) -> tuple[IntArray, IntArray]:
        """Rows whose id an earlier row holds, and for each the first row that holds it.

        Only rows that share a hash with another are compared, as Python strings.
        """
        shared = np.zeros(len(self.hashes), dtype=bool)
        if len(self.hashes) > 1:
            same = self.hashes[1:] == self.hashes[:-1]
            shared[1:] |= same
            shared[:-1] |= same
        rows = np.sort(self.rows[shared])

        first_row: dict[str, int] = {}
        repeated: list[int] = []
        firsts: list[int] = []
        for row, value in zip(rows.tolist(), self.ids[rows].tolist(), strict=True):
            first = first_row.setdefault(value, row)
            if first != row:
                repeated.append(row)
                firsts.append(first)
        return np.array(repeated, dtype=np.int64), np.array(firsts, dtype=np.int64)

    def check_unique(self) -> None:
        """Raise :class:`IntegrityError` if an id is held by more than one row."""
        doubled = self._duplicates()
        if doubled:
            raise IntegrityError(
                f"duplicate touchpoint ids: {doubled[:5]}",
                source="<columns>",
                row=0,
                field="id",
                value=doubled[0],
                expected="ids that are unique within the log",
            )

    def _duplicates(self) -> list[str]:
        same_hash = np.flatnonzero(self.hashes[1:] == self.hashes[:-1])
        if same_hash.size == 0:
            return []
        # Ids sharing a hash are few (duplicates or collisions): compare them as strings.
        shared = np.unique(np.concatenate([same_hash, same_hash + 1]))
        values = self.ids[self.rows[shared]].tolist()
        runs: dict[int, list[str]] = {}
        for hashed, value in zip(self.hashes[shared].tolist(), values, strict=True):
            runs.setdefault(hashed, []).append(value)
        doubled = {v for run in runs.values() for v, k in Counter(run).items() if k > 1}
        return sorted(doubled)

    def find(self, wanted: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
        """The row of each ``wanted`` id, ``-1`` where no touchpoint has it."""
        n = len(self.hashes)
        result = np.full(len(wanted), _NO_CODE, dtype=np.int64)
        if n == 0:
            return result

        wanted_hashes = _string_hashes(wanted)
        wanted_keys = _StringKeys.of(wanted)
        # Searching in hash order visits the index's memory in order: about twice as fast.
        by_hash = np.argsort(wanted_hashes)
        pos = np.empty(len(wanted), dtype=np.int64)
        pos[by_hash] = np.searchsorted(self.hashes, wanted_hashes[by_hash])
        at = np.minimum(pos, n - 1)
        hit = (pos < n) & (self.hashes[at] == wanted_hashes)
        hit_rows = np.flatnonzero(hit)
        candidate = self.rows[at[hit_rows]]
        same = self.keys.equal(self.ids, candidate, wanted_keys, wanted, hit_rows)
        result[hit_rows[same]] = candidate[same]

        # A hash hit whose string differs is a collision: try the other ids of that hash.
        for j in hit_rows[~same].tolist():
            p = int(pos[j])
            while p < n and self.hashes[p] == wanted_hashes[j]:
                if self.ids[self.rows[p]] == wanted[j]:
                    result[j] = self.rows[p]
                    break
                p += 1
        return result


def _resolve(
    index: _IdIndex, in_reply_to: npt.NDArray[Any], occurred_at: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int8]]:
    n = len(in_reply_to)
    target = np.full(n, _NO_CODE, dtype=np.int64)
    problem = np.zeros(n, dtype=np.int8)

    has_link = ~np.isnan(in_reply_to) if in_reply_to.dtype == TEXT else in_reply_to != ""
    rows = np.flatnonzero(has_link)
    if rows.size == 0:
        return target, problem

    # In blocks, so that only one block of the wanted ids is ever copied out as strings.
    pos = np.concatenate(
        [
            index.find(in_reply_to[rows[start : start + _BLOCK]])
            for start in range(0, rows.size, _BLOCK)
        ]
    )
    found = pos >= 0
    found_rows = rows[found]
    found_targets = pos[found]
    later = occurred_at[found_targets] > occurred_at[found_rows]

    target[found_rows[~later]] = found_targets[~later]
    problem[rows[~found]] = ReplyProblem.UNKNOWN_TARGET
    problem[found_rows[later]] = ReplyProblem.TARGET_LATER
    return target, problem


def _text_array(values: Iterable[str | None]) -> npt.NDArray[Any]:
    return np.array([np.nan if v is None else v for v in values], dtype=TEXT)


def _optional(value: Any) -> str | None:
    return None if isinstance(value, float) else str(value)


@attrs.define(eq=False)
class TouchpointColumns:
    """Touchpoints as unsorted, validated columns: what ingestion builds and the log sorts.

    Codes index the log's code tables (:data:`STATUSES`, :data:`CHANNELS`, ...) and
    ``kind`` indexes the ``kinds`` tuple the columns are paired with; ``-1`` marks an unknown
    channel, direction or trigger, ``0`` an unknown csat and ``-1`` unknown attendees.
    Optional strings use :data:`TEXT` with NaN for missing.
    """

    id: npt.NDArray[Any]
    account_id: npt.NDArray[Any]
    kind: npt.NDArray[np.uint8]
    occurred_at: npt.NDArray[np.int64]
    status: npt.NDArray[np.uint8]
    channel: npt.NDArray[np.int8]
    direction: npt.NDArray[np.int8]
    trigger: npt.NDArray[np.int8]
    contact_id: npt.NDArray[Any]
    in_reply_to: npt.NDArray[Any]
    text: npt.NDArray[Any]
    quoted_text: npt.NDArray[Any]
    purpose: npt.NDArray[Any]
    outcome: npt.NDArray[Any]
    recorded_at: npt.NDArray[np.int64]
    csat: npt.NDArray[np.int8]
    attendees: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.id)

    def take(self, rows: npt.NDArray[Any]) -> TouchpointColumns:
        """The columns at ``rows`` (an index array or a boolean mask)."""
        return TouchpointColumns(
            **{f.name: getattr(self, f.name)[rows] for f in attrs.fields(TouchpointColumns)}
        )

    @classmethod
    def concatenate(cls, parts: Sequence[TouchpointColumns]) -> TouchpointColumns:
        """Join column chunks end to end (ingestion builds the columns chunk by chunk)."""
        if not parts:
            return cls.from_touchpoints((), DEFAULT_CATALOG.kinds)
        return cls(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in attrs.fields(TouchpointColumns)
            }
        )

    @classmethod
    def from_touchpoints(
        cls, touchpoints: Iterable[Touchpoint], kinds: Sequence[TouchpointKind]
    ) -> TouchpointColumns:
        """Encode touchpoint objects; every kind they use must be in ``kinds``."""
        items = list(touchpoints)
        kind_code = {kind: code for code, kind in enumerate(kinds)}
        status_code = {s: i for i, s in enumerate(STATUSES)}

        def code_of(table: Sequence[Any], value: Any) -> int:
            return _NO_CODE if value is None else table.index(value)

        try:
            kind_codes = [kind_code[t.kind] for t in items]
        except KeyError as exc:
            names = ", ".join(k.name for k in kinds)
            raise UnknownNameError(
                f"touchpoint kind {exc.args[0].name!r} is not in the log's kinds: {names}"
            ) from None

        return cls(
            id=np.array([t.id for t in items], dtype=ID),
            account_id=np.array([t.account_id for t in items], dtype=ID),
            kind=np.array(kind_codes, dtype=np.uint8),
            occurred_at=np.array([to_epoch_us(t.occurred_at) for t in items], dtype=np.int64),
            status=np.array([status_code[t.status] for t in items], dtype=np.uint8),
            channel=np.array([code_of(CHANNELS, t.channel) for t in items], dtype=np.int8),
            direction=np.array(
                [code_of(DIRECTIONS, t.direction) for t in items], dtype=np.int8
            ),
            trigger=np.array([code_of(TRIGGERS, t.trigger) for t in items], dtype=np.int8),
            contact_id=_text_array(t.contact_id for t in items),
            in_reply_to=_text_array(t.in_reply_to for t in items),
            text=_text_array(t.text for t in items),
            quoted_text=_text_array(t.quoted_text for t in items),
            purpose=_text_array(t.purpose for t in items),
            outcome=_text_array(t.outcome for t in items),
            recorded_at=np.array([to_epoch_us(t.recorded_at) for t in items], dtype=np.int64),
            csat=np.array([t.csat or 0 for t in items], dtype=np.int8),
            attendees=np.array(
                [_NO_CODE if t.attendees is None else t.attendees for t in items],
                dtype=np.int32,
            ),
        )


#: Columns with one value per touchpoint, in the order the log declares them.
ROW_COLUMNS = (
    "id", "account", "occurred_at", "recorded_at", "kind", "status", "channel", "direction",
    "trigger", "contact", "reply_to", "csat", "attendees", "text", "quoted_text", "purpose",
    "outcome",
)  # fmt: skip

_Scalar = TypeVar("_Scalar", bound=np.generic)


@attrs.frozen(eq=False)
class _Gather:
    """Rows of another log's column, not copied yet.

    A point-in-time view names the rows it keeps; each column is copied the first time
    something reads it, so a signal that reads five columns pays for five, not seventeen.
    ``source`` is the column's array, or another pending gather when the column was not
    copied in the log the view was taken of either (a view of a view, or text columns kept
    as a table): the view's values are then read through it, so making the view composes
    no row numbers at all, and reading a few rows composes only theirs.
    """

    source: npt.NDArray[Any] | _Gather
    rows: npt.NDArray[np.int64]
    #: The rows as ``(start, stop)`` ranges of the source, when they form few long ones.
    runs: tuple[tuple[int, int], ...] | None = None

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype of the gathered values."""
        return self.source.dtype

    def take(self, rows: npt.NDArray[Any] | slice | None = None) -> npt.NDArray[Any]:
        """The gathered column, or only its values at ``rows`` of the view.

        A view at the present instant usually drops a few rows of a large log; its rows are
        then a few long ranges, copied as slices at memory speed instead of row by row.
        """
        if rows is None and self.runs is not None:
            return np.concatenate([self._read(slice(a, b)) for a, b in self.runs])
        return self._read(self.rows if rows is None else self.rows[rows])

    def locate(
        self, rows: npt.NDArray[Any] | slice
    ) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
        """The array that holds the values of ``rows`` and their positions in it."""
        at = self.rows[rows]
        if isinstance(self.source, _Gather):
            return self.source.locate(at)
        return self.source, at

    def flattened(self) -> _Gather:
        """The same values as a gather straight from an array (one level of row numbers)."""
        if not isinstance(self.source, _Gather):
            return self
        array, rows = self.source.locate(self.rows)
        return _Gather(array, rows)

    def _read(self, at: npt.NDArray[Any] | slice) -> npt.NDArray[Any]:
        if isinstance(self.source, _Gather):
            return self.source.take(at)
        values: npt.NDArray[Any] = self.source[at]
        return values


def _kept_runs(
    dropped: npt.NDArray[np.int64], n: int, n_kept: int
) -> tuple[tuple[int, int], ...] | None:
    """The rows of ``range(n)`` not in ``dropped`` (ascending) as ranges ``(start, stop)``,
    when they average at least 1,024 rows each; found from the dropped rows, which a view at
    the present instant has few of."""
    starts = np.concatenate([[0], dropped + 1])
    stops = np.concatenate([dropped, [n]])
    nonempty = np.flatnonzero(starts < stops)
    if n_kept == 0 or nonempty.size > max(1, n_kept // 1024):
        return None
    return tuple(zip(starts[nonempty].tolist(), stops[nonempty].tolist(), strict=True))


_Stored = npt.NDArray[Any] | _Gather


class _Column(Generic[_Scalar]):
    """A log column that a view gathers from its parent on first read (then keeps)."""

    slot: str

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    @overload
    def __get__(self, log: None, owner: type) -> _Column[_Scalar]: ...

    @overload
    def __get__(self, log: TouchpointLog, owner: type) -> npt.NDArray[_Scalar]: ...

    def __get__(
        self, log: TouchpointLog | None, owner: type
    ) -> _Column[_Scalar] | npt.NDArray[_Scalar]:
        if log is None:
            return self
        value = getattr(log, self.slot)
        if isinstance(value, _Gather):
            value = value.take()
            object.__setattr__(log, self.slot, value)
        column: npt.NDArray[_Scalar] = value
        return column


def _cutoff_us(as_of: dt.datetime) -> int:
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise NaiveDatetimeError(
            f"as_of {as_of.isoformat()} has no time zone; give an aware datetime"
        )
    return to_epoch_us(as_of)


def _log_order(
    ids: npt.NDArray[Any], account: npt.NDArray[np.int32], occurred_at: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64] | None:
    """Row order of the log: by account, then time, then touchpoint id.

    ``None`` when the rows are in that order already (the simulator builds its columns so),
    which one pass over the rows finds; the log then keeps the columns without copying them.
    The id only breaks ties of account and time, so only the tied rows' ids are sorted, not
    every id: string sorts are the slowest sorts numpy does. Account and time are sorted as
    one 64-bit key when both fit in it, which is one stable sort instead of two.
    """
    if _in_log_order(ids, account, occurred_at):
        return None

    order = _by_account_and_time(account, occurred_at)
    account_sorted, occurred_sorted = account[order], occurred_at[order]
    tied = (account_sorted[1:] == account_sorted[:-1]) & (
        occurred_sorted[1:] == occurred_sorted[:-1]
    )
    if not tied.any():
        return order

    # Tied rows stand in runs of the order; each run is put in id order where it stands.
    in_tie = np.zeros(len(order), dtype=bool)
    in_tie[1:] |= tied
    in_tie[:-1] |= tied
    positions = np.flatnonzero(in_tie)
    tie_rows = order[positions]
    id_rank = np.empty(tie_rows.size, dtype=np.int64)
    id_rank[np.argsort(ids[tie_rows], kind="stable")] = np.arange(tie_rows.size)
    run = np.cumsum(np.concatenate([[True], ~tied]))[positions]
    order[positions] = tie_rows[np.lexsort((id_rank, run))]
    return order


def _by_account_and_time(
    account: npt.NDArray[np.int32], occurred_at: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The stable order by account, then time: ``np.lexsort((occurred_at, account))``."""
    if len(account) == 0:
        return np.empty(0, dtype=np.int64)
    low = int(occurred_at.min())
    bits = (int(occurred_at.max()) - low).bit_length()
    if bits + int(account.max()).bit_length() > 62 or int(account.min()) < 0:
        return np.lexsort((occurred_at, account))
    key = (account.astype(np.int64) << bits) | (occurred_at - low)
    return stable_argsort(key)


def _run_heads(values: npt.NDArray[Any], enough: int) -> npt.NDArray[np.bool_] | None:
    """Rows whose string differs from the row before (the first row counts as differing),
    or ``None`` when there are at least ``enough`` of them.

    numpy's ``StringDType`` comparison misses a difference after a NUL between strings of
    one length (see :class:`_StringKeys`); fixed-width casts keep those characters, so rows
    it finds alike are compared that way too, a block of rows at a time.
    """
    heads = np.ones(len(values), dtype=bool)
    heads[1:] = values[1:] != values[:-1]
    if np.count_nonzero(heads) >= enough:
        return None
    for start in range(1, len(values), _BLOCK):
        block = values[start - 1 : start + _BLOCK]
        width = max(1, int(np.strings.str_len(block).max()))
        try:
            fixed = block.astype(f"S{width}")
        except UnicodeEncodeError:
            fixed = block.astype(f"U{width}")
        heads[start : start + len(block) - 1] |= fixed[1:] != fixed[:-1]
    return None if np.count_nonzero(heads) >= enough else heads


def _in_log_order(
    ids: npt.NDArray[Any], account: npt.NDArray[np.int32], occurred_at: npt.NDArray[np.int64]
) -> bool:
    """Whether the rows are sorted by account, then time, then id (as a stable sort leaves
    equal ids); columns in another order are told apart at their first step back."""
    if (account[1:] < account[:-1]).any():
        return False
    same_account = account[1:] == account[:-1]
    if (same_account & (occurred_at[1:] < occurred_at[:-1])).any():
        return False
    tied = np.flatnonzero(same_account & (occurred_at[1:] == occurred_at[:-1]))
    return bool((ids[tied] <= ids[tied + 1]).all())


def _factorize(values: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.int32]]:
    """Sorted distinct non-missing values and each row's code into them (``-1`` if missing).

    Rows are grouped by a sort of their 64-bit string hashes, each group checked to hold one
    string, and the groups renumbered by the sorted table of distinct values: numeric sorts
    and a string sort of the distinct values only, where ``np.unique`` would sort every
    row's string. Should two strings share a hash, codes are given through a dict instead.
    """
    missing = np.isnan(values) if values.dtype == TEXT else np.zeros(len(values), dtype=bool)
    codes = np.full(len(values), _NO_CODE, dtype=np.int32)
    present = values[~missing] if missing.any() else values

    # Ids often come in runs (a log in account order): number the first row of each run.
    heads = _run_heads(present, enough=-(-9 * len(present) // 10))
    if heads is not None:
        table, head_codes = _factorize(present[heads])
        codes[~missing] = head_codes[np.cumsum(heads) - 1]
        return table, codes

    hashes = _string_hashes(present)
    keys = _StringKeys.of(present)
    order = stable_argsort(hashes)
    starts = np.ones(len(present), dtype=bool)
    starts[1:] = hashes[order[1:]] != hashes[order[:-1]]
    group = np.cumsum(starts) - 1
    first = order[starts]
    if keys.equal(present, order, keys, present, first[group]).all():
        # The table is sorted from the order of first appearance, as the dict below gives
        # it, so that strings numpy's sort ties (see _StringKeys) come out in one order.
        appearance = np.argsort(first, kind="stable")
        table = present[first[appearance]].astype(ID)
        by_value = np.argsort(table, kind="stable")
        rank = np.empty(len(table), dtype=np.int32)
        rank[appearance[by_value]] = np.arange(len(table), dtype=np.int32)
        present_codes = np.empty(len(present), dtype=np.int32)
        present_codes[order] = rank[group]
        codes[~missing] = present_codes
        return table[by_value], codes

    present = present.astype(ID)
    seen: dict[str, int] = {}
    first_code = np.empty(len(present), dtype=np.int32)
    for start in range(0, len(present), _BLOCK):
        block = present[start : start + _BLOCK].tolist()
        first_code[start : start + len(block)] = [seen.setdefault(v, len(seen)) for v in block]
    table = np.array(list(seen), dtype=ID)
    by_value = np.argsort(table, kind="stable")
    rank = np.empty(len(table), dtype=np.int32)
    rank[by_value] = np.arange(len(table), dtype=np.int32)

    codes[~missing] = rank[first_code]
    return table[by_value], codes


def _pending(values: npt.NDArray[Any], order: npt.NDArray[np.int64] | None) -> _Stored:
    """A string column sorted when first read, or as it is when already in log order."""
    return values if order is None else _Gather(values, order)


@attrs.frozen(eq=False)
class AccountColumns:
    """A log's account records as columns: what the signals read of every account.

    Segments and lifecycle stages are codes, so that a signal maps a parameter of each
    segment onto every account with one gather instead of a look at each record: at 100,000
    accounts a pass over the records costs tens of milliseconds, and four signals would
    each make one. :meth:`TouchpointLog.account_columns` builds this once per log.

    Attributes
    ----------
    segments
        The distinct segments of the records (equal segments share one entry), in order of
        first appearance.
    segment
        Per account, its segment's position in ``segments``; -1 where it has no record.
    stage
        Per account, its lifecycle stage's position in :data:`STAGES`; -1 where the record
        sets none or there is no record.
    started_at
        Per account, the start of the relationship in epoch microseconds (as a float); NaN
        where unknown.

    Examples
    --------
    >>> records = (Account("a", "high_touch"), None, Account("b", "high_touch"))
    >>> table = AccountColumns.of(records)
    >>> [s.name for s in table.segments], table.segment.tolist()
    (['high_touch'], [0, -1, 0])
    """

    segments: tuple[Segment, ...]
    segment: npt.NDArray[np.int64]
    stage: npt.NDArray[np.int64]
    started_at: npt.NDArray[np.float64]

    @classmethod
    def of(cls, accounts: Sequence[Account | None]) -> AccountColumns:
        """The columns of ``accounts`` (``None`` for an account without a record)."""
        by_value: dict[Segment, int] = {}
        # Hashing a segment hashes its whole cadence policy; records share a few segment
        # objects, so each object is hashed once and then found by its identity (every one
        # stays alive while ``accounts`` is held).
        by_identity: dict[int, int] = {}

        def code_of(segment: Segment) -> int:
            code = by_identity.get(id(segment))
            if code is None:
                code = by_identity[id(segment)] = by_value.setdefault(segment, len(by_value))
            return code

        stage_code: dict[LifecycleStage | None, int] = {None: -1}
        stage_code.update((stage, code) for code, stage in enumerate(STAGES))
        records = [a for a in accounts if a is not None]
        has_record = np.fromiter((a is not None for a in accounts), bool, len(accounts))
        segment = np.full(len(accounts), -1, dtype=np.int64)
        stage = np.full(len(accounts), -1, dtype=np.int64)
        started_at = np.full(len(accounts), np.nan)
        segment[has_record] = [code_of(a.segment) for a in records]
        stage[has_record] = [stage_code[a.lifecycle_stage] for a in records]
        started_at[has_record] = [
            np.nan if a.started_at is None else float(to_epoch_us(a.started_at))
            for a in records
        ]
        return cls(tuple(by_value), segment, stage, started_at)

    def by_segment(self, values: Sequence[Any], no_record: Any) -> npt.NDArray[Any]:
        """Per account, its segment's entry of ``values`` (one per entry of ``segments``).

        An account without a record gets ``no_record``. The result has the dtype numpy
        gives ``values`` and ``no_record`` together.
        """
        if len(values) != len(self.segments):
            raise ValueError(f"values must hold one entry per segment ({len(self.segments)})")
        # Segment -1, an account without a record, reads the extra last entry.
        table = np.array([*values, no_record])
        result: npt.NDArray[Any] = table[self.segment]
        return result

    def segment_names(self, no_record: str) -> tuple[npt.NDArray[np.int64], list[str]]:
        """Per account, a code of its segment's name, and the names in code order.

        Segments are grouped by name (two policies of one name are one group), and accounts
        without a record under ``no_record``; the names are sorted.
        """
        names = [segment.name for segment in self.segments] + [no_record]
        labels, code_of_name = np.unique(np.array(names, dtype=str), return_inverse=True)
        codes = self.by_segment(code_of_name[:-1].tolist(), int(code_of_name[-1]))
        return codes.astype(np.int64, copy=False), labels.tolist()


@attrs.frozen(eq=False)
class TextTable:
    """The four text columns, dictionary encoded: a table of distinct rows and a code per row.

    ``text``, ``quoted_text``, ``purpose`` and ``outcome`` are the table's columns
    (:data:`TEXT`, NaN for missing), all of one length; ``codes`` gives the table row of each
    touchpoint, in the order of the columns it is built with. Texts drawn from a few phrases
    (a simulator's pools, a picklist's values) then cost one integer per touchpoint instead
    of four strings of 16 bytes or more: :meth:`TouchpointLog.from_columns` keeps the table
    and the codes, and a text column becomes strings only when first read, with the values
    and type it would have had if given whole.
    """

    codes: npt.NDArray[np.int64]
    text: npt.NDArray[Any]
    quoted_text: npt.NDArray[Any]
    purpose: npt.NDArray[Any]
    outcome: npt.NDArray[Any]


def _text_columns(
    columns: TouchpointColumns, texts: TextTable | None, order: npt.NDArray[np.int64] | None
) -> tuple[_Stored, _Stored, _Stored, _Stored]:
    """The log's text, quoted text, purpose and outcome, from ``columns`` or from ``texts``.

    The four columns of a table share one array of codes, so a view of the log gathers
    their rows once for all four.
    """
    if texts is None:
        text, quoted, purpose, outcome = (
            _pending(getattr(columns, f), order) for f in _TEXT_FIELDS
        )
        return text, quoted, purpose, outcome

    size = len(texts.text)
    codes = np.asarray(texts.codes, dtype=np.int64)
    if codes.shape != (len(columns),) or any(
        len(getattr(texts, f)) != size for f in _TEXT_FIELDS
    ):
        raise ValueError(
            f"texts must hold one code per row ({len(columns)}) and table columns of one length"
        )
    if codes.size and (int(codes.min()) < 0 or int(codes.max()) >= size):
        raise ValueError(f"texts.codes must be rows of its table, 0 to {size - 1}")

    codes = codes if order is None else codes[order]
    text, quoted, purpose, outcome = (_Gather(getattr(texts, f), codes) for f in _TEXT_FIELDS)
    return text, quoted, purpose, outcome


@attrs.frozen(eq=False)
class TouchpointLog:
    """Touchpoints of many accounts as sorted columns, with an index of account boundaries.

    Build one with :meth:`from_touchpoints` or :meth:`from_columns` (what the readers in
    :mod:`touchpoint_signals.ingest` use, with no Python object per record). Rows of account
    ``a`` are ``offsets[a]:offsets[a + 1]``; ``account_ids[a]`` is its id and ``accounts[a]``
    its :class:`~touchpoint_signals.model.Account` record, or ``None`` if no record was given.
    Instants are microseconds since the Unix epoch, UTC.

    Examples
    --------
    >>> log = TouchpointLog.from_touchpoints([
    ...     Touchpoint("m1", "acme", "outreach", "2026-05-01T09:00Z", "completed"),
    ...     Touchpoint("r1", "acme", "outreach", "2026-05-01T15:00Z", "completed",
    ...                in_reply_to="m1"),
    ... ])
    >>> float(log.reply_latency_seconds()[1]) / 3600
    6.0
    """

    _id: _Stored
    _account: _Stored
    _occurred_at: _Stored
    _recorded_at: _Stored
    _kind: _Stored
    _status: _Stored
    _channel: _Stored
    _direction: _Stored
    _trigger: _Stored
    _contact: _Stored
    reply_to: npt.NDArray[np.int32]
    _csat: _Stored
    _attendees: _Stored
    _text: _Stored
    _quoted_text: _Stored
    _purpose: _Stored
    _outcome: _Stored
    account_ids: npt.NDArray[Any]
    contact_ids: npt.NDArray[Any]
    offsets: npt.NDArray[np.int64]
    kinds: tuple[TouchpointKind, ...]
    accounts: tuple[Account | None, ...]
    unresolved_reply_rows: npt.NDArray[np.int64]
    unresolved_reply_ids: npt.NDArray[Any]
    #: An instant (epoch microseconds) at which every row is known, once established: a
    #: view cut at ``t`` holds only rows known at ``t``, so cutting it again there is free.
    _known_through: int | None = attrs.field(default=None, kw_only=True)
    #: Columns derived from this log's own columns, kept once computed (each read-only):
    #: several signals ask for the same ones. A view starts with none.
    _derived: dict[str, npt.NDArray[Any]] = attrs.field(factory=dict, init=False, repr=False)
    #: The account records as columns once built (:meth:`account_columns`), in a box that
    #: views share: a view holds the same records, and ``attrs.evolve`` passes the box on.
    _account_table: list[AccountColumns] = attrs.field(factory=list, kw_only=True, repr=False)

    id = _Column[Any]()
    account = _Column[np.int32]()
    occurred_at = _Column[np.int64]()
    recorded_at = _Column[np.int64]()
    kind = _Column[np.uint8]()
    status = _Column[np.uint8]()
    channel = _Column[np.int8]()
    direction = _Column[np.int8]()
    trigger = _Column[np.int8]()
    contact = _Column[np.int32]()
    csat = _Column[np.int8]()
    attendees = _Column[np.int32]()
    text = _Column[Any]()
    quoted_text = _Column[Any]()
    purpose = _Column[Any]()
    outcome = _Column[Any]()

    # -- building -------------------------------------------------------------------------

    @classmethod
    def from_columns(
        cls,
        columns: TouchpointColumns,
        *,
        kinds: Sequence[TouchpointKind] = DEFAULT_CATALOG.kinds,
        accounts: Iterable[Account] = (),
        links: ReplyLinks | None = None,
        texts: TextTable | None = None,
    ) -> TouchpointLog:
        """Sort and index validated columns into a log.

        ``accounts`` adds account records; an account with a record but no touchpoints gets
        an empty slice, so that it is scored (as having no data) rather than forgotten.
        Duplicate touchpoint ids raise :class:`IntegrityError`; the loader reports them per
        record before it gets here. Reply links that cannot be resolved (see
        :func:`resolve_replies`) are kept as written in ``unresolved_reply_ids`` but take no
        part in latencies. ``links``, from :func:`link_replies` on these same columns, saves
        checking the ids and resolving the links again. ``texts``, when given, holds the
        four text columns dictionary encoded (see :class:`TextTable`) and takes the place of
        those of ``columns``, which are then not read. The log reads the string columns of
        ``columns`` when they are first asked for, and keeps columns that arrive in log order
        as they are (nothing to sort, nothing copied), so do not change ``columns`` (or
        ``texts``) afterwards.
        """
        account_records = {a.id: a for a in accounts}
        kinds = tuple(kinds)
        ids = _id_strings(columns.id)
        n = len(ids)

        if links is None:
            links = link_replies(ids, columns.in_reply_to, columns.occurred_at)
        elif links.target.shape != (n,) or links.problem.shape != (n,):
            raise ValueError(f"links must hold one target and one problem per row ({n})")

        all_account_ids = np.concatenate(
            [
                _id_strings(columns.account_id),
                np.array(list(account_records), dtype=ID),
            ]
        )
        account_ids, all_codes = _factorize(all_account_ids)
        account_code = all_codes[:n]
        contact_ids, contact_code = _factorize(columns.contact_id)
        order = _log_order(ids, account_code, columns.occurred_at)
        # Columns already in log order are kept as they are: a slice of all rows copies none.
        sort: slice | npt.NDArray[np.int64] = slice(None) if order is None else order

        reply_to = links.target
        if order is not None:
            new_row = np.empty(n, dtype=np.int64)
            new_row[order] = np.arange(n)
            target = links.target[order]
            reply_to = np.where(target >= 0, new_row[np.maximum(target, 0)], _NO_CODE)
        unresolved = np.flatnonzero(links.problem[sort] != ReplyProblem.NONE)
        # Only the unresolved rows keep their reply ids: read from those input rows alone.
        unresolved_input = unresolved if order is None else order[unresolved]

        account_sorted = account_code[sort]
        text, quoted_text, purpose, outcome = _text_columns(columns, texts, order)
        offsets = np.zeros(len(account_ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(account_sorted, minlength=len(account_ids)), out=offsets[1:])

        # Numeric columns are sorted now; the string columns only when first read (through
        # a pending gather), since most signals never read them and sorting them is the
        # costliest step for a large log. The account columns are built here too, so that
        # their one pass over the records is part of building the log, not of a signal.
        log = cls(
            id=_pending(ids, order),
            account=account_sorted.astype(np.int32),
            occurred_at=columns.occurred_at[sort],
            recorded_at=columns.recorded_at[sort],
            kind=columns.kind[sort],
            status=columns.status[sort],
            channel=columns.channel[sort],
            direction=columns.direction[sort],
            trigger=columns.trigger[sort],
            contact=contact_code[sort],
            reply_to=reply_to.astype(np.int32),
            csat=columns.csat[sort],
            attendees=columns.attendees[sort],
            text=text,
            quoted_text=quoted_text,
            purpose=purpose,
            outcome=outcome,
            account_ids=account_ids,
            contact_ids=contact_ids,
            offsets=offsets,
            kinds=kinds,
            accounts=tuple(account_records.get(str(a)) for a in account_ids),
            unresolved_reply_rows=unresolved.astype(np.int64),
            unresolved_reply_ids=columns.in_reply_to[unresolved_input].astype(ID),
        )
        log.account_columns()
        return log

    @classmethod
    def from_touchpoints(
        cls,
        touchpoints: Iterable[Touchpoint],
        *,
        accounts: Iterable[Account] = (),
        catalog: Catalog = DEFAULT_CATALOG,
    ) -> TouchpointLog:
        """Build a log from touchpoint objects (convenient for tests and small services).

        Kinds the touchpoints use that ``catalog`` does not list are appended to the log's
        kinds, so a custom :class:`TouchpointKind` object works without a catalog.
        """
        items = list(touchpoints)
        kinds = list(catalog.kinds)
        for touchpoint in items:
            if touchpoint.kind not in kinds:
                kinds.append(touchpoint.kind)

        columns = TouchpointColumns.from_touchpoints(items, kinds)
        return cls.from_columns(columns, kinds=kinds, accounts=accounts)

    # -- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.reply_to)

    @property
    def n_accounts(self) -> int:
        """Number of accounts, those without touchpoints included."""
        return len(self.account_ids)

    def account_columns(self) -> AccountColumns:
        """The account records as columns (:class:`AccountColumns`), built on first use."""
        if not self._account_table:
            self._account_table.append(AccountColumns.of(self.accounts))
        return self._account_table[0]

    def account_code(self, account_id: str) -> int:
        """The position of ``account_id`` in :attr:`account_ids`."""
        pos = bisect.bisect_left(self.account_ids, account_id)
        if pos == len(self.account_ids) or self.account_ids[pos] != account_id:
            raise UnknownNameError(f"account {account_id!r} is not in this log")
        return pos

    def rows_of(self, account_id: str) -> slice:
        """The slice of rows that hold ``account_id``'s touchpoints, oldest first."""
        code = self.account_code(account_id)
        return slice(int(self.offsets[code]), int(self.offsets[code + 1]))

    def kind_code(self, name: str) -> int:
        """The code of the kind called ``name`` in this log."""
        for code, kind in enumerate(self.kinds):
            if kind.name == name:
                return code
        valid = ", ".join(k.name for k in self.kinds)
        raise UnknownNameError(f"unknown touchpoint kind {name!r}: expected one of {valid}")

    def known_at(self, as_of: dt.datetime) -> BoolArray:
        """Rows that had occurred and been recorded at or before ``as_of`` (point in time).

        ``as_of`` must be timezone-aware; a naive one raises :class:`NaiveDatetimeError`.
        """
        cutoff = _cutoff_us(as_of)
        return (self.occurred_at <= cutoff) & (self.recorded_at <= cutoff)

    def select(self, keep: BoolArray) -> TouchpointLog:
        """The log restricted to the rows where ``keep`` is true, every account still listed.

        Reply links to rows that are dropped become unresolved (their target id is kept in
        ``unresolved_reply_ids``), so no latency is ever measured to a touchpoint the view
        does not hold. The view copies a column only when something first reads it, so a
        signal that reads a few columns of a large log pays for those alone.
        """
        keep = np.asarray(keep, dtype=bool)
        if keep.shape != (len(self),):
            raise ValueError(f"keep must be a boolean mask of {len(self)} rows")
        if keep.all():
            return self
        return self._view(keep)

    def _view(self, keep: BoolArray, known_through: int | None = None) -> TouchpointLog:
        n = len(self)
        rows = np.flatnonzero(keep)
        dropped = np.flatnonzero(~keep)

        # ``view_row[i]`` is the row that kept row ``i`` becomes in the view, -1 for a row
        # dropped, and -1 again in the extra last slot, which ``reply_to``'s -1 ("no link")
        # indexes: one gather then moves every link, and cuts those whose target is dropped.
        view_row = np.empty(n + 1, dtype=np.int32 if n < 2**31 else np.int64)
        view_row[0] = 0
        np.cumsum(keep, out=view_row[1:])
        offsets = view_row[self.offsets].astype(np.int64)
        view_row[dropped] = -1
        view_row[n] = -1
        old_reply = self.reply_to[rows]
        reply_to = view_row[old_reply].astype(np.int32, copy=False)

        lost = rows[(reply_to < 0) & (old_reply >= 0)]
        still = self.unresolved_reply_rows[keep[self.unresolved_reply_rows]]
        unresolved_rows = np.concatenate([lost, still])
        unresolved_ids = np.concatenate(
            [
                self.ids_at(self.reply_to[lost]),
                self.unresolved_reply_ids[keep[self.unresolved_reply_rows]],
            ]
        ).astype(ID)
        order = np.argsort(unresolved_rows, kind="stable")

        # A column already copied in this log is gathered from it; one still pending is read
        # through its pending gather (flattened first if that reads through another, so
        # views of views never stack more than two levels).
        runs = _kept_runs(dropped, n, rows.size)
        flat: dict[int, _Gather] = {}
        columns: dict[str, Any] = {}
        for name in ROW_COLUMNS:
            if name == "reply_to":
                continue
            stored = getattr(self, "_" + name)
            if isinstance(stored, _Gather) and isinstance(stored.source, _Gather):
                if id(stored) not in flat:
                    flat[id(stored)] = stored.flattened()
                stored = flat[id(stored)]
            columns[name] = _Gather(stored, rows, runs)

        return attrs.evolve(
            self,
            **columns,
            reply_to=reply_to,
            offsets=offsets,
            unresolved_reply_rows=view_row[unresolved_rows[order]].astype(np.int64),
            unresolved_reply_ids=unresolved_ids[order],
            known_through=known_through,
        )

    def as_of(self, as_of: dt.datetime) -> TouchpointLog:
        """What was known at ``as_of``: rows that had occurred and been recorded by then.

        This is the point-in-time view every extractor starts from. Asking a view again for
        the instant it was cut at (or a later one) returns the view itself, so extractors
        that each take their own view of a shared one pay nothing.
        """
        cutoff = _cutoff_us(as_of)
        if self._known_through is not None and cutoff >= self._known_through:
            return self

        keep = (self.occurred_at <= cutoff) & (self.recorded_at <= cutoff)
        if keep.all():
            object.__setattr__(self, "_known_through", cutoff)
            return self
        return self._view(keep, known_through=cutoff)

    def take(self, name: str, rows: npt.NDArray[Any] | slice) -> npt.NDArray[Any]:
        """Column ``name`` at ``rows`` only (indices, a mask or a slice).

        A view that has not copied the column yet reads just those rows from its source, so
        a signal that needs the strings of a few rows does not pay for the whole column.
        """
        if name not in ROW_COLUMNS:
            raise UnknownNameError(
                f"no column {name!r}: expected one of {', '.join(ROW_COLUMNS)}"
            )
        stored = getattr(self, "_" + name) if name != "reply_to" else self.reply_to
        if isinstance(stored, _Gather):
            return stored.take(rows)
        values: npt.NDArray[Any] = stored[rows]
        return values

    def take_mapped(
        self,
        name: str,
        rows: npt.NDArray[Any] | slice,
        function: Callable[[npt.NDArray[Any]], npt.NDArray[_Scalar]],
    ) -> npt.NDArray[_Scalar]:
        """``function(self.take(name, rows))`` for an elementwise ``function``.

        Where the column is stored as a table of distinct values smaller than the rows asked
        for (text columns given as a :class:`TextTable`), ``function`` runs once per table
        row and its results are gathered: a test of many strings (is this purpose blank?)
        then costs a lookup per row.
        """
        if name not in ROW_COLUMNS:
            raise UnknownNameError(
                f"no column {name!r}: expected one of {', '.join(ROW_COLUMNS)}"
            )
        stored = getattr(self, "_" + name) if name != "reply_to" else self.reply_to
        if isinstance(stored, _Gather):
            table, positions = stored.locate(rows)
            if len(table) < len(positions):
                return function(table)[positions]
            return function(table[positions])
        return function(stored[rows])

    def ids_at(self, rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Touchpoint ids of ``rows`` without copying the whole id column of a view."""
        return self.take("id", rows)

    def id_locations(
        self, rows: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
        """Where the ids of ``rows`` are stored: an id array and positions into it.

        ``source[positions]`` equals ``ids_at(rows)``, but no string is copied yet, so a
        caller that may never read the ids (a frame's evidence) pays for integers only.
        """
        stored = self._id
        if isinstance(stored, _Gather):
            return stored.locate(rows)
        return stored, rows

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """Every per-touchpoint column by name, in declaration order (all of them copied)."""
        return {name: getattr(self, name) for name in ROW_COLUMNS}

    def replies_within_account(self) -> BoolArray:
        """Rows that answer a touchpoint of their own account (their latency is theirs).

        Computed once per log and returned read-only: both latency signals ask for it.
        """
        same = self._derived.get("replies_within_account")
        if same is None:
            # Rows are grouped by account, so a target lies in the reply's own account
            # exactly when it falls between that account's first and last row.
            counts = np.diff(self.offsets)
            first = np.repeat(self.offsets[:-1].astype(np.int32), counts)
            stop = np.repeat(self.offsets[1:].astype(np.int32), counts)
            same = (self.reply_to >= first) & (self.reply_to < stop)
            same.flags.writeable = False
            self._derived["replies_within_account"] = same
        return same

    def reply_latency_seconds(self, *, within_account: bool = False) -> npt.NDArray[np.float64]:
        """Seconds from each resolved reply back to the touchpoint it answers; NaN elsewhere.

        With ``within_account`` only replies to a touchpoint of the same account get a
        latency, which is what an account's own responsiveness should be measured on.
        """
        latency = np.full(len(self), np.nan)
        replies = self.replies_within_account() if within_account else self.reply_to >= 0
        answered = self.reply_to[replies]
        latency[replies] = (self.occurred_at[replies] - self.occurred_at[answered]) / 1e6
        return latency

    def touchpoint(self, row: int) -> Touchpoint:
        """Row ``row`` as a :class:`Touchpoint` object."""
        reply = int(self.reply_to[row])
        if reply >= 0:
            in_reply_to: str | None = str(self.id[reply])
        else:
            hit = np.searchsorted(self.unresolved_reply_rows, row)
            known = hit < len(self.unresolved_reply_rows)
            in_reply_to = (
                str(self.unresolved_reply_ids[hit])
                if known and self.unresolved_reply_rows[hit] == row
                else None
            )

        def code(table: Sequence[Any], value: int) -> Any:
            return None if value < 0 else table[value]

        return Touchpoint(
            id=str(self.id[row]),
            account_id=str(self.account_ids[self.account[row]]),
            kind=self.kinds[self.kind[row]],
            occurred_at=from_epoch_us(int(self.occurred_at[row])),
            status=STATUSES[self.status[row]],
            channel=code(CHANNELS, int(self.channel[row])),
            direction=code(DIRECTIONS, int(self.direction[row])),
            contact_id=None
            if self.contact[row] < 0
            else str(self.contact_ids[self.contact[row]]),
            in_reply_to=in_reply_to,
            trigger=code(TRIGGERS, int(self.trigger[row])),
            text=_optional(self.text[row]),
            quoted_text=_optional(self.quoted_text[row]),
            purpose=_optional(self.purpose[row]),
            outcome=_optional(self.outcome[row]),
            recorded_at=from_epoch_us(int(self.recorded_at[row])),
            csat=int(self.csat[row]) or None,
            attendees=None if self.attendees[row] < 0 else int(self.attendees[row]),
        )

    def to_touchpoints(self) -> list[Touchpoint]:
        """Every row as a :class:`Touchpoint`, in log order (account, then time)."""
        return [self.touchpoint(row) for row in range(len(self))]

    def counts(self) -> Mapping[str, dict[str, int]]:
        """Touchpoints per kind, per status and per account, for summaries."""
        per_kind = np.bincount(self.kind, minlength=len(self.kinds))
        per_status = np.bincount(self.status, minlength=len(STATUSES))
        per_account = np.diff(self.offsets)
        return {
            "kind": {k.name: int(n) for k, n in zip(self.kinds, per_kind, strict=True)},
            "status": {s.value: int(n) for s, n in zip(STATUSES, per_status, strict=True)},
            "account": {
                str(a): int(n) for a, n in zip(self.account_ids, per_account, strict=True)
            },
        }

    def nbytes(self) -> dict[str, int]:
        """Bytes each column holds, or will hold once read (long strings' heaps not counted).

        Per-touchpoint columns come first, then the per-account tables. A column not yet
        copied is counted at its size once copied, and is not copied to be counted.
        """
        sizes: dict[str, int] = {}
        for name in ROW_COLUMNS:
            stored = self.reply_to if name == "reply_to" else getattr(self, "_" + name)
            if isinstance(stored, _Gather):
                sizes[name] = len(stored.rows) * stored.dtype.itemsize
            else:
                sizes[name] = int(stored.nbytes)
        for name in (
            "account_ids", "contact_ids", "offsets", "unresolved_reply_rows",
            "unresolved_reply_ids",
        ):  # fmt: skip
            sizes[name] = int(getattr(self, name).nbytes)
        return sizes
