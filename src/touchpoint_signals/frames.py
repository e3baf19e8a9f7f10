"""Touchpoints, signals and health scores as pandas DataFrames and Arrow tables.

Reading
-------
:func:`read_pandas` and :func:`read_arrow` load a table of touchpoints, and optionally one of
accounts, by the path :func:`~touchpoint_signals.read_csv` takes: the same
:class:`~touchpoint_signals.ingest.MappingFile` (column names, value spellings, constants,
``default_tz``), strict and lenient modes, and a
:class:`~touchpoint_signals.ingest.LoadResult` whose rejections name the row and the field.
Each column is written out, a block of rows at a time, in the text a CSV file would hold, and
the blocks go to the loader as CSV blocks
(:func:`~touchpoint_signals.ingest.loader.load_csv_blocks`), so a table and the CSV file
written from it load into the same log, with the same rejections. A column is converted as
a whole, by its type:

=============================================  ==============================================
column                                         read as
=============================================  ==============================================
timezone-aware timestamps                      the instant, to the microsecond (finer digits
                                               are dropped: the log keeps microseconds)
naive timestamps                               a wall-clock time with no zone: rejected unless
                                               ``default_tz`` names one, as in a CSV file
dates (Arrow ``date32``/``date64``)            midnight, naive
integers, nullable integers                    their digits
floats                                         whole numbers as integers (what pandas makes of
                                               an integer column with gaps), others as written
                                               by ``repr``
categoricals, Arrow dictionaries               the values of their categories
strings                                        as they are; trimmed, and blank read as missing,
                                               as in a CSV file
``None``, ``NaN``, ``NaT``, ``pd.NA``, null    missing
anything else                                  ``str(value)``
=============================================  ==============================================

Rows are numbered from 1 in table order, as the data rows of a CSV file are; a DataFrame's
index is not read (``reset_index()`` first to read what it holds).

Writing
-------
:func:`log_to_pandas` and :func:`log_to_arrow` give one row per touchpoint, in log order,
with the touchpoint's own ids and names (account and contact ids, kind, status...), never the
log's codes: read back with :func:`read_pandas` (with the log's accounts from
:func:`accounts_to_pandas`) they give the same log. :func:`signals_to_pandas` and
:func:`scores_to_pandas` (and their Arrow twins) give one row per account: the score, band,
coverage, ``as_of`` and scorer, then a column per field of each signal and of each
contribution.

Both pandas and pyarrow are optional (the ``pandas`` and ``arrow`` extras). Neither is
imported by ``import touchpoint_signals``; a function that needs one imports it when called
and raises :class:`~touchpoint_signals.errors.MissingExtraError`, naming the extra to
install, if it is missing.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import DataError, MissingExtraError, ProtocolError
from touchpoint_signals.ingest.loader import (
    CHUNK_ROWS,
    REQUIRED_ACCOUNT_FIELDS,
    REQUIRED_TOUCHPOINT_FIELDS,
    LoadResult,
    Mode,
    load_accounts,
    load_csv_blocks,
    require_columns,
)
from touchpoint_signals.ingest.mapping import ColumnMapping, MappingFile
from touchpoint_signals.ingest.readers import CsvBlock
from touchpoint_signals.ingest.records import (
    ACCOUNT_FIELDS,
    TOUCHPOINT_FIELDS,
    RawRecord,
)
from touchpoint_signals.log import CHANNELS, DIRECTIONS, ID, STATUSES, TRIGGERS, TouchpointLog
from touchpoint_signals.model import DEFAULT_CATALOG, Account, Catalog, LifecycleStage
from touchpoint_signals.scoring.base import Band, HealthScore, SignalSet
from touchpoint_signals.signals.base import SignalFrame, SignalStatus
from touchpoint_signals.timeparse import parse_timezone, to_epoch_us

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "accounts_to_arrow",
    "accounts_to_pandas",
    "log_to_arrow",
    "log_to_pandas",
    "read_arrow",
    "read_pandas",
    "scores_to_arrow",
    "scores_to_pandas",
    "signals_to_arrow",
    "signals_to_pandas",
]

logger = logging.getLogger(__name__)

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
#: A column of texts: Python ``str`` objects, ``""`` where the value is missing.
Texts = npt.NDArray[np.object_]

#: Bands in the order :meth:`~touchpoint_signals.scoring.Scores.riskiest_first` ranks them;
#: the ``band`` column of a scores frame is an ordered categorical in this order.
BAND_ORDER: tuple[Band, ...] = tuple(sorted(Band, key=lambda band: band.risk))

#: Whole floats below this size are written as integers; above it a float no longer holds
#: every integer exactly, and is written as it is.
_EXACT_INTEGERS = 2.0**53
#: Rows of a table turned into text and validated at a time: the loader's chunk, so the
#: texts alive at once are bounded as they are when a CSV file is read.
BLOCK_ROWS = CHUNK_ROWS
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


# -- reading: columns to text -----------------------------------------------------------------


def _float_text(value: float) -> str:
    if math.isnan(value):
        return ""
    if value.is_integer() and abs(value) < _EXACT_INTEGERS:
        return str(int(value))
    return repr(value)


def _cell_text(value: object) -> str:
    """One value of a column of mixed Python objects as a CSV file would hold it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return _float_text(float(value))
    if isinstance(value, dt.date):  # datetimes and pandas Timestamps included
        return value.isoformat()
    return str(value)


def _object_texts(values: Sequence[object], missing: BoolArray) -> Texts:
    """A column of mixed Python objects as texts, one value at a time."""
    texts = np.empty(len(values), dtype=object)
    texts[:] = [
        "" if gone else _cell_text(v) for v, gone in zip(values, missing.tolist(), strict=True)
    ]
    return texts


def _micros(counts: IntArray, unit: str) -> IntArray:
    """Counts of ``unit`` since the epoch as microseconds, rounded down (toward the past)."""
    per_second = _PER_SECOND[unit]
    if per_second <= 1_000_000:
        return counts * (1_000_000 // per_second)
    return np.floor_divide(counts, per_second // 1_000_000)


def _instant_texts(micros: IntArray, missing: BoolArray, *, aware: bool) -> Texts:
    """ISO 8601 text of instants (``Z`` when ``aware``), the layout the loader reads fast."""
    stamps: npt.NDArray[np.datetime64] = np.where(missing, 0, micros).astype("datetime64[us]")
    zone: Literal["UTC", "naive"] = "UTC" if aware else "naive"
    texts: Texts = np.datetime_as_string(stamps, unit="us", timezone=zone).astype(object)
    texts[missing] = ""
    return texts


def _datetime64_texts(values: npt.NDArray[np.datetime64], *, aware: bool) -> Texts:
    unit, _ = np.datetime_data(values.dtype)
    missing = np.isnat(values)
    counts = values.view(np.int64)
    if unit not in _PER_SECOND:  # a coarser numpy unit (days, minutes): exact in microseconds
        counts = values.astype("datetime64[us]").view(np.int64)
        unit = "us"
    return _instant_texts(_micros(counts, unit), missing, aware=aware)


def _number_texts(values: npt.NDArray[Any], missing: BoolArray) -> Texts:
    texts: Texts = values.astype(ID).astype(object)
    texts[missing] = ""
    return texts


def _float_texts(values: FloatArray, missing: BoolArray) -> Texts:
    missing = missing | np.isnan(values)
    texts = _number_texts(values, missing)
    whole = ~missing & np.isfinite(values) & (np.abs(values) < _EXACT_INTEGERS)
    whole[whole] = values[whole] == np.round(values[whole])
    texts[whole] = _number_texts(values[whole].astype(np.int64), missing[whole])
    return texts


def _bool_texts(values: BoolArray, missing: BoolArray) -> Texts:
    texts: Texts = np.where(values, "True", "False").astype(object)
    texts[missing] = ""
    return texts


def _pandas_texts(column: pd.Series[Any]) -> Texts:
    """A pandas column as texts, converted by its dtype (see the module's table)."""
    import pandas as pd

    dtype = column.dtype
    missing = column.isna().to_numpy(dtype=bool)

    if isinstance(dtype, pd.CategoricalDtype):
        names = _pandas_texts(pd.Series(dtype.categories))
        codes = column.cat.codes.to_numpy(dtype=np.int64)
        texts: Texts = np.append(names, "")[np.where(codes < 0, len(names), codes)]
        return texts
    if isinstance(dtype, pd.DatetimeTZDtype):
        utc = column.dt.tz_convert("UTC").dt.tz_localize(None)
        return _datetime64_texts(utc.to_numpy(), aware=True)
    if isinstance(dtype, pd.ArrowDtype):
        MissingExtraError.require(
            "pyarrow", extra="arrow", needed_by="reading a pyarrow-backed column"
        )
        import pyarrow as pa

        return _arrow_texts(pa.array(column.array))
    if pd.api.types.is_datetime64_dtype(dtype):
        return _datetime64_texts(column.to_numpy(), aware=False)
    if pd.api.types.is_bool_dtype(dtype):
        return _bool_texts(column.to_numpy(dtype=bool, na_value=False), missing)
    if pd.api.types.is_integer_dtype(dtype) and str(dtype).lower() != "uint64":
        return _number_texts(column.to_numpy(dtype=np.int64, na_value=0), missing)
    if pd.api.types.is_float_dtype(dtype):
        return _float_texts(column.to_numpy(dtype=np.float64, na_value=np.nan), missing)
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        strings: Texts = column.to_numpy(dtype=object, na_value="")
        return strings
    return _object_texts(column.to_numpy(dtype=object).tolist(), missing)


def _arrow_texts(column: pa.Array[Any] | pa.ChunkedArray[Any]) -> Texts:
    """An Arrow column as texts, converted by its type (see the module's table)."""
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        parts = [_arrow_texts(chunk) for chunk in column.chunks]
        return np.concatenate(parts) if parts else np.empty(0, dtype=object)

    kind = column.type
    missing = column.is_null().to_numpy(zero_copy_only=False)

    if isinstance(column, pa.DictionaryArray):
        names = _arrow_texts(column.dictionary)
        codes = column.indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        texts: Texts = names[codes] if len(names) else np.full(len(codes), "", dtype=object)
        texts[missing] = ""
        return texts
    if pa.types.is_timestamp(kind):
        counts = column.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        micros = _micros(counts.astype(np.int64), kind.unit)
        return _instant_texts(micros, missing, aware=kind.tz is not None)
    if pa.types.is_date(kind):
        days = column.cast(pa.date32()).cast(pa.int32()).fill_null(0)
        stamps = days.to_numpy(zero_copy_only=False).astype("datetime64[D]")
        dates: Texts = np.datetime_as_string(stamps, unit="D").astype(object)
        dates[missing] = ""
        return dates
    if pa.types.is_boolean(kind):
        flags = column.fill_null(False).to_numpy(zero_copy_only=False)
        return _bool_texts(flags.astype(bool), missing)
    if pa.types.is_integer(kind) and kind != pa.uint64():
        counts = column.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        return _number_texts(counts, missing)
    if pa.types.is_floating(kind):
        floats = column.cast(pa.float64()).fill_null(math.nan).to_numpy(zero_copy_only=False)
        return _float_texts(floats, missing)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        strings: Texts = column.to_numpy(zero_copy_only=False).astype(object)
        strings[missing] = ""
        return strings
    return _object_texts(column.to_pylist(), missing)


class _Table:
    """A table's columns by name, turned into texts a block of rows at a time."""

    def __init__(self, names: Sequence[object], rows: int, what: str, source: str) -> None:
        labels = [str(name) for name in names]
        doubled = sorted({label for label in labels if labels.count(label) > 1})
        if doubled:
            raise DataError(f"{source}: the {what} names columns more than once: {doubled}")
        self.position = {label: j for j, label in enumerate(labels)}
        self.rows = rows
        self.source = source
        self.what = what

    def require(self, mapping: ColumnMapping, required: tuple[str, ...], section: str) -> None:
        """Refuse the table at once if it lacks a column a required field is read from."""
        require_columns(
            self.source, self.position, mapping, required, table=self.what, section=section
        )

    def texts(self, name: str, start: int, stop: int) -> Texts:
        """Rows ``start:stop`` of column ``name`` as texts (each kind of table says how)."""
        raise NotImplementedError

    def blocks(self, columns: Iterable[str]) -> Iterator[CsvBlock]:
        """The table's rows as CSV blocks holding ``columns`` (those the table has)."""
        header = tuple(c for c in dict.fromkeys(columns) if c in self.position)
        for start in range(0, self.rows, BLOCK_ROWS):
            stop = min(self.rows, start + BLOCK_ROWS)
            rows = np.empty((stop - start, len(header)), dtype=object)
            for j, name in enumerate(header):
                rows[:, j] = self.texts(name, start, stop)
            numbers = list(range(start + 1, stop + 1))
            yield CsvBlock(self.source, header, numbers, rows, [])

    def records(self, columns: Iterable[str]) -> Iterator[RawRecord]:
        """The table's rows as raw records of text, numbered from 1 (for account tables)."""
        for block in self.blocks(columns):
            for number, row in zip(block.numbers, block.row_lists(), strict=True):
                yield RawRecord(self.source, number, dict(zip(block.header, row, strict=True)))


class _PandasTable(_Table):
    def __init__(self, frame: pd.DataFrame, what: str, source: str) -> None:
        super().__init__(list(frame.columns), len(frame), what, source)
        self.frame = frame

    def texts(self, name: str, start: int, stop: int) -> Texts:
        return _pandas_texts(self.frame.iloc[start:stop, self.position[name]])


class _ArrowTable(_Table):
    def __init__(self, table: pa.Table, what: str, source: str) -> None:
        super().__init__(table.column_names, table.num_rows, what, source)
        self.table = table

    def texts(self, name: str, start: int, stop: int) -> Texts:
        return _arrow_texts(self.table.column(self.position[name]).slice(start, stop - start))


def _source_columns(mapping: ColumnMapping, fields: tuple[str, ...]) -> tuple[str, ...]:
    """The columns a mapping reads for ``fields`` (fields given as constants read none)."""
    return tuple(s.column for s in mapping.plan(fields) if not s.is_constant)


def _mapping_file(mapping: MappingFile | str | os.PathLike[str] | None) -> MappingFile:
    if mapping is None:
        return MappingFile()
    if isinstance(mapping, str | os.PathLike):
        return MappingFile.from_toml(mapping)
    if not isinstance(mapping, MappingFile):
        raise TypeError(
            f"mapping must be a MappingFile or a path, got {type(mapping).__name__}"
        )
    return mapping


def _load_tables(
    touchpoints: _Table,
    accounts: _Table | Iterable[Account] | None,
    mode: Mode,
    mapping: MappingFile | str | os.PathLike[str] | None,
    catalog: Catalog,
    default_tz: dt.tzinfo | str | None,
) -> LoadResult:
    """What read_csv does after opening its files, for tables: accounts first, then
    touchpoints, with the same mapping, zone and mode."""
    mapping = _mapping_file(mapping)
    zone = parse_timezone(default_tz) if isinstance(default_tz, str) else default_tz
    zone = zone or mapping.default_tz

    # A missing column is the table's fault, not each row's: refused before any row is read.
    touchpoints.require(mapping.touchpoints, REQUIRED_TOUCHPOINT_FIELDS, "touchpoints")
    if isinstance(accounts, _Table):
        accounts.require(mapping.accounts, REQUIRED_ACCOUNT_FIELDS, "accounts")

    account_report = None
    account_list: tuple[Account, ...] | None
    if isinstance(accounts, _Table):
        columns = _source_columns(mapping.accounts, ACCOUNT_FIELDS)
        account_list, account_report = load_accounts(
            accounts.records(columns),
            mode=mode,
            mapping=mapping.accounts,
            catalog=catalog,
            default_tz=zone,
            source=accounts.source,
        )
    else:
        account_list = None if accounts is None else tuple(accounts)

    columns = _source_columns(mapping.touchpoints, TOUCHPOINT_FIELDS)
    result = load_csv_blocks(
        touchpoints.blocks(columns),
        accounts=account_list,
        mode=mode,
        mapping=mapping.touchpoints,
        catalog=catalog,
        default_tz=zone,
        source=touchpoints.source,
    )
    return attrs.evolve(result, account_report=account_report)


def read_pandas(
    touchpoints: pd.DataFrame,
    *,
    accounts: pd.DataFrame | Iterable[Account] | None = None,
    mode: Mode = "strict",
    mapping: MappingFile | str | os.PathLike[str] | None = None,
    catalog: Catalog = DEFAULT_CATALOG,
    default_tz: dt.tzinfo | str | None = None,
    source: str = "<dataframe>",
    accounts_source: str = "<accounts dataframe>",
) -> LoadResult:
    """Load touchpoints from a pandas DataFrame, and optionally accounts, as read_csv does.

    Parameters
    ----------
    touchpoints
        One row per touchpoint; the columns are found by the mapping as in a CSV file.
        tz-aware and naive ``datetime64`` columns, strings, categoricals, nullable integers
        and floats are read as the module's table says; ``None``, ``NaN``, ``NaT`` and
        ``pd.NA`` are missing values.
    accounts
        A DataFrame of account records (mapped by ``mapping.accounts``) or account objects.
        When given, touchpoints of other accounts are rejected.
    mode, mapping, catalog, default_tz
        As for :func:`~touchpoint_signals.read_csv`: strict or lenient, a
        :class:`~touchpoint_signals.ingest.MappingFile` or the path of one, the kinds and
        segments records may name, and the zone naive times were written in.
    source, accounts_source
        Names for the tables in rejections and errors, where a file's path would stand.

    Returns
    -------
    LoadResult
        The log, the accounts and the load reports; a rejection names the 1-based row of
        the DataFrame (its position, not its index label) and the field.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "id": ["t1", "t2"],
    ...     "account_id": ["acme", "acme"],
    ...     "kind": ["check_in", "qbr"],
    ...     "occurred_at": pd.to_datetime(["2026-05-01 09:00", "2026-06-01 09:00"], utc=True),
    ...     "status": ["completed", "no_show"],
    ...     "csat": pd.array([5, None], dtype="Int8"),
    ... })
    >>> result = read_pandas(frame)
    >>> len(result.log), [str(a) for a in result.log.account_ids]
    (2, ['acme'])
    """
    MissingExtraError.require("pandas", extra="pandas", needed_by="read_pandas")
    import pandas as pd

    if not isinstance(touchpoints, pd.DataFrame):
        raise ProtocolError(
            f"read_pandas takes a pandas DataFrame, got {type(touchpoints).__name__}"
        )
    table = _PandasTable(touchpoints, "DataFrame", source)
    account_table: _Table | Iterable[Account] | None
    if isinstance(accounts, pd.DataFrame):
        account_table = _PandasTable(accounts, "DataFrame", accounts_source)
    else:
        account_table = accounts
    return _load_tables(table, account_table, mode, mapping, catalog, default_tz)


def read_arrow(
    touchpoints: pa.Table | pa.RecordBatch,
    *,
    accounts: pa.Table | pa.RecordBatch | Iterable[Account] | None = None,
    mode: Mode = "strict",
    mapping: MappingFile | str | os.PathLike[str] | None = None,
    catalog: Catalog = DEFAULT_CATALOG,
    default_tz: dt.tzinfo | str | None = None,
    source: str = "<arrow table>",
    accounts_source: str = "<accounts arrow table>",
) -> LoadResult:
    """Load touchpoints from a pyarrow Table or RecordBatch, as read_csv does.

    The parameters are those of :func:`read_pandas`. Timestamps with a time zone are the
    instants they hold; timestamps without one are wall-clock times, refused unless
    ``default_tz`` is given; dictionary columns are read as their values.
    """
    MissingExtraError.require("pyarrow", extra="arrow", needed_by="read_arrow")
    import pyarrow as pa

    def table_of(value: object, what: str) -> pa.Table:
        if isinstance(value, pa.RecordBatch):
            return pa.Table.from_batches([value])
        if isinstance(value, pa.Table):
            return value
        raise ProtocolError(
            f"read_arrow takes a pyarrow Table or RecordBatch for {what}, "
            f"got {type(value).__name__}"
        )

    table = _ArrowTable(table_of(touchpoints, "touchpoints"), "table", source)
    account_table: _Table | Iterable[Account] | None
    if isinstance(accounts, pa.Table | pa.RecordBatch):
        account_table = _ArrowTable(table_of(accounts, "accounts"), "table", accounts_source)
    else:
        account_table = accounts
    return _load_tables(table, account_table, mode, mapping, catalog, default_tz)


# -- writing: columns out ---------------------------------------------------------------------

_Kind = Literal["string", "category", "instant", "float", "integer", "strings"]


@attrs.frozen(eq=False)
class _Column:
    """One output column, independent of the library it goes to.

    ``string``: an object array of ``str`` with ``None`` where missing; ``category``: int
    codes into ``categories`` (``-1`` missing); ``instant``: epoch microseconds with a
    ``missing`` mask; ``float``: NaN where missing; ``integer``: ints of ``bits`` bits with a
    ``missing`` mask; ``strings``: one list of ``str`` per row.
    """

    name: str
    kind: _Kind
    values: Any
    missing: BoolArray | None = None
    categories: tuple[str, ...] = ()
    ordered: bool = False
    bits: int = 64


def _strings(values: npt.NDArray[Any]) -> npt.NDArray[np.object_]:
    """A numpy string column as ``str`` objects with ``None`` where it holds NaN."""
    objects: npt.NDArray[np.object_] = values.astype(object)
    if values.dtype.kind == "T" and getattr(values.dtype, "na_object", None) is not None:
        objects[np.isnan(values)] = None
    return objects


def _object_column(values: Sequence[object]) -> npt.NDArray[np.object_]:
    column = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        column[i] = value
    return column


def _to_pandas(columns: list[_Column], attrs_: Mapping[str, Any] | None = None) -> pd.DataFrame:
    import pandas as pd

    data: dict[str, Any] = {}
    for column in columns:
        values = column.values
        if column.kind == "string":
            data[column.name] = pd.array(values, dtype=pd.StringDtype())
        elif column.kind == "category":
            data[column.name] = pd.Categorical.from_codes(
                values, categories=pd.Index(list(column.categories)), ordered=column.ordered
            )
        elif column.kind == "instant":
            assert column.missing is not None, "an instant column carries its mask"
            stamps = np.where(column.missing, np.iinfo(np.int64).min, values)
            data[column.name] = pd.DatetimeIndex(stamps.astype("datetime64[us]")).tz_localize(
                "UTC"
            )
        elif column.kind == "integer":
            data[column.name] = pd.arrays.IntegerArray(
                np.asarray(values, dtype=f"int{column.bits}"),
                np.zeros(len(values), dtype=bool) if column.missing is None else column.missing,
            )
        else:  # float, strings
            data[column.name] = values
    frame = pd.DataFrame(data)
    if attrs_:
        frame.attrs.update(attrs_)
    return frame


def _to_arrow(columns: list[_Column], metadata: Mapping[str, str] | None = None) -> pa.Table:
    import pyarrow as pa

    arrays: list[pa.Array[Any]] = []
    for column in columns:
        values = column.values
        if column.kind == "string":
            arrays.append(pa.array(values, type=pa.string()))
        elif column.kind == "category":
            codes = np.asarray(values, dtype=np.int32)
            arrays.append(
                pa.DictionaryArray.from_arrays(
                    pa.array(codes, type=pa.int32(), mask=codes < 0),
                    pa.array(list(column.categories), type=pa.string()),
                    ordered=column.ordered,
                )
            )
        elif column.kind == "instant":
            arrays.append(
                pa.array(values, type=pa.timestamp("us", tz="UTC"), mask=column.missing)
            )
        elif column.kind == "integer":
            bits = {8: pa.int8(), 32: pa.int32(), 64: pa.int64()}[column.bits]
            arrays.append(pa.array(values, type=bits, mask=column.missing))
        elif column.kind == "float":
            arrays.append(pa.array(values, type=pa.float64(), mask=np.isnan(values)))
        else:
            arrays.append(pa.array(list(values), type=pa.list_(pa.string())))
    names = [c.name for c in columns]
    return pa.table(arrays, names=names, metadata=None if metadata is None else dict(metadata))


def _codes_column(name: str, codes: npt.NDArray[Any], table: Sequence[Any]) -> _Column:
    names = tuple(str(getattr(m, "value", getattr(m, "name", m))) for m in table)
    return _Column(name, "category", np.asarray(codes, dtype=np.int64), categories=names)


def _log_columns(log: TouchpointLog) -> list[_Column]:
    ids = log.id
    reply = np.full(len(log), None, dtype=object)
    linked = np.flatnonzero(log.reply_to >= 0)
    reply[linked] = ids[log.reply_to[linked]].astype(object)
    reply[log.unresolved_reply_rows] = log.unresolved_reply_ids.astype(object)

    contact = np.concatenate([log.contact_ids.astype(object), np.array([None], dtype=object)])[
        np.where(log.contact < 0, len(log.contact_ids), log.contact)
    ]
    kinds = tuple(kind.name for kind in log.kinds)
    no_time = np.zeros(len(log), dtype=bool)

    columns = {
        "id": _Column("id", "string", ids.astype(object)),
        "account_id": _Column(
            "account_id", "string", log.account_ids.astype(object)[log.account]
        ),
        "kind": _Column("kind", "category", log.kind.astype(np.int64), categories=kinds),
        "occurred_at": _Column("occurred_at", "instant", log.occurred_at, no_time),
        "status": _codes_column("status", log.status, STATUSES),
        "channel": _codes_column("channel", log.channel, CHANNELS),
        "direction": _codes_column("direction", log.direction, DIRECTIONS),
        "contact_id": _Column("contact_id", "string", contact),
        "in_reply_to": _Column("in_reply_to", "string", reply),
        "trigger": _codes_column("trigger", log.trigger, TRIGGERS),
        "recorded_at": _Column("recorded_at", "instant", log.recorded_at, no_time),
        "csat": _Column("csat", "integer", log.csat, log.csat == 0, bits=8),
        "attendees": _Column("attendees", "integer", log.attendees, log.attendees < 0, bits=32),
    }
    for name in ("text", "quoted_text", "purpose", "outcome"):
        columns[name] = _Column(name, "string", _strings(getattr(log, name)))
    return [columns[name] for name in TOUCHPOINT_FIELDS]


def _instants(moments: Sequence[dt.datetime | None]) -> tuple[IntArray, BoolArray]:
    missing = np.array([m is None for m in moments], dtype=bool)
    micros = np.array([0 if m is None else to_epoch_us(m) for m in moments], dtype=np.int64)
    return micros, missing


def _account_columns(accounts: Sequence[Account]) -> list[_Column]:
    stages = tuple(LifecycleStage)
    columns = [
        _Column("id", "string", _object_column([a.id for a in accounts])),
        _Column("segment", "string", _object_column([a.segment.name for a in accounts])),
        _Column("name", "string", _object_column([a.name for a in accounts])),
        _Column(
            "annual_revenue",
            "float",
            np.array(
                [math.nan if a.annual_revenue is None else a.annual_revenue for a in accounts],
                dtype=np.float64,
            ),
        ),
        _Column("owner", "string", _object_column([a.owner for a in accounts])),
        _codes_column(
            "lifecycle_stage",
            np.array(
                [
                    -1 if a.lifecycle_stage is None else stages.index(a.lifecycle_stage)
                    for a in accounts
                ],
                dtype=np.int64,
            ),
            stages,
        ),
    ]
    for name in ("started_at", "renews_at", "churned_at"):
        micros, missing = _instants([getattr(a, name) for a in accounts])
        columns.append(_Column(name, "instant", micros, missing))
    return columns


def _accounts_of(accounts: TouchpointLog | Iterable[Account]) -> list[Account]:
    if isinstance(accounts, TouchpointLog):
        return [a for a in accounts.accounts if a is not None]
    return list(accounts)


def _frames_of(
    signals: SignalSet | Mapping[str, SignalFrame] | SignalFrame,
) -> tuple[dict[str, SignalFrame], npt.NDArray[Any], dt.datetime | None]:
    """The frames, their shared account ids and their ``as_of`` (checked to agree)."""
    if isinstance(signals, SignalSet):
        return dict(signals.frames), signals.account_ids, signals.as_of
    frames = {signals.name: signals} if isinstance(signals, SignalFrame) else dict(signals)
    if not frames:
        return {}, np.empty(0, dtype=ID), None

    first = next(iter(frames.values()))
    for name, frame in frames.items():
        if not np.array_equal(frame.account_ids, first.account_ids):
            raise DataError(f"signal {name!r} covers other accounts than {first.name!r}")
        if frame.as_of != first.as_of:
            raise DataError(
                f"signal {name!r} is as of {frame.as_of.isoformat()}, "
                f"{first.name!r} as of {first.as_of.isoformat()}"
            )
    return frames, first.account_ids, first.as_of


def _signal_columns(frames: Mapping[str, SignalFrame], rows: IntArray) -> list[_Column]:
    """A column per field of each frame, at ``rows`` (positions in the frames' accounts)."""
    statuses = tuple(s.value for s in SignalStatus)
    columns: list[_Column] = []
    for name, frame in frames.items():
        starts, stops = frame.evidence_offsets[rows], frame.evidence_offsets[rows + 1]
        evidence = frame.evidence_ids.astype(object)
        columns += [
            _Column(f"{name}.value", "float", frame.value[rows]),
            _Column(f"{name}.severity", "float", frame.severity[rows]),
            _Column(
                f"{name}.status",
                "category",
                frame.status[rows].astype(np.int64),
                categories=statuses,
            ),
            _Column(
                f"{name}.reason", "string", _object_column([frame.reasons[a] for a in rows])
            ),
        ]
        columns += [
            _Column(f"{name}.samples.{key}", "integer", values[rows])
            for key, values in frame.samples.items()
        ]
        columns += [
            _Column(f"{name}.details.{key}", "float", values[rows])
            for key, values in frame.details.items()
        ]
        columns.append(
            _Column(
                f"{name}.evidence",
                "strings",
                _object_column(
                    [
                        evidence[a:b].tolist()
                        for a, b in zip(starts.tolist(), stops.tolist(), strict=True)
                    ]
                ),
            )
        )
    return columns


def _units(frames: Mapping[str, SignalFrame]) -> dict[str, str]:
    return {name: frame.unit for name, frame in frames.items()}


#: The columns of a contribution, and how each is read off a Contribution.
_CONTRIBUTION_COLUMNS = ("points", "weight", "effective_weight", "scored_severity", "handling")


def _score_columns(
    scores: Sequence[HealthScore],
    signals: SignalSet | Mapping[str, SignalFrame] | SignalFrame | None,
) -> tuple[list[_Column], dict[str, str]]:
    band_code = {band: code for code, band in enumerate(BAND_ORDER)}
    micros, _ = _instants([s.as_of for s in scores])
    columns = [
        _Column("account_id", "string", _object_column([s.account_id for s in scores])),
        _Column(
            "band",
            "category",
            np.array([band_code[s.band] for s in scores], dtype=np.int64),
            categories=tuple(b.value for b in BAND_ORDER),
            ordered=True,
        ),
        _Column(
            "score",
            "float",
            np.array([math.nan if s.score is None else s.score for s in scores], dtype=float),
        ),
        _Column("coverage", "float", np.array([s.coverage for s in scores], dtype=float)),
        _Column("segment", "string", _object_column([s.segment for s in scores])),
        _Column("as_of", "instant", micros, np.zeros(len(scores), dtype=bool)),
        _Column("scorer", "string", _object_column([s.scorer for s in scores])),
        _Column("config_hash", "string", _object_column([s.config_hash for s in scores])),
        _Column("reasons", "strings", _object_column([list(s.reasons) for s in scores])),
        _Column(
            "adjustments",
            "strings",
            _object_column(
                [
                    [f"{a.kind} {a.source}: {a.description}" for a in s.adjustments]
                    for s in scores
                ]
            ),
        ),
    ]

    table: dict[str, dict[str, list[Any]]] = {}
    for row, score in enumerate(scores):
        for contribution in score.contributions:
            cells = table.setdefault(
                contribution.signal,
                {key: [None] * len(scores) for key in _CONTRIBUTION_COLUMNS},
            )
            if cells["points"][row] is not None:
                raise DataError(
                    f"health score of {score.account_id!r} has two contributions of "
                    f"signal {contribution.signal!r}; one column each cannot hold both"
                )
            cells["points"][row] = contribution.points
            cells["weight"][row] = contribution.weight
            cells["effective_weight"][row] = contribution.effective_weight
            cells["scored_severity"][row] = contribution.severity
            cells["handling"][row] = contribution.handling
    for signal, cells in table.items():
        for key in _CONTRIBUTION_COLUMNS[:-1]:
            numbers = np.array(
                [math.nan if v is None else v for v in cells[key]], dtype=np.float64
            )
            columns.append(_Column(f"{signal}.{key}", "float", numbers))
        columns.append(
            _Column(f"{signal}.handling", "string", _object_column(cells["handling"]))
        )

    if signals is None:
        return columns, {}
    frames, account_ids, _ = _frames_of(signals)
    code = {str(a): i for i, a in enumerate(account_ids.tolist())}
    missing = [s.account_id for s in scores if s.account_id not in code]
    if missing:
        raise DataError(f"accounts {missing[:5]} have a health score but no signals")
    rows = np.array([code[s.account_id] for s in scores], dtype=np.int64)
    return columns + _signal_columns(frames, rows), _units(frames)


# -- public writers ---------------------------------------------------------------------------


def log_to_pandas(log: TouchpointLog) -> pd.DataFrame:
    """One row per touchpoint of ``log``, in log order (account, then time, then id).

    The columns are the canonical touchpoint fields (those :func:`read_pandas` reads
    without a mapping): ids as strings, ``kind``, ``status``, ``channel``, ``direction`` and
    ``trigger`` as categoricals listing every name of the log's tables, instants as
    ``datetime64[us, UTC]``, ``csat`` and ``attendees`` as nullable integers, ``pd.NA``
    where a value is missing. ``in_reply_to`` holds the id a touchpoint answers, resolved or
    not, as the source wrote it. ``read_pandas(log_to_pandas(log))`` gives the same log
    (with ``accounts=accounts_to_pandas(log)`` when the log holds account records, the same
    ``catalog``, and ``mode="lenient"`` when some reply links are unresolved).
    """
    MissingExtraError.require("pandas", extra="pandas", needed_by="log_to_pandas")
    return _to_pandas(_log_columns(log))


def log_to_arrow(log: TouchpointLog) -> pa.Table:
    """:func:`log_to_pandas` as a pyarrow Table (dictionary columns, ``timestamp[us, UTC]``)."""
    MissingExtraError.require("pyarrow", extra="arrow", needed_by="log_to_arrow")
    return _to_arrow(_log_columns(log))


def accounts_to_pandas(accounts: TouchpointLog | Iterable[Account]) -> pd.DataFrame:
    """One row per account record (a log's, or the accounts given), with the canonical
    account fields; segments by name, lifecycle stages as a categorical."""
    MissingExtraError.require("pandas", extra="pandas", needed_by="accounts_to_pandas")
    return _to_pandas(_account_columns(_accounts_of(accounts)))


def accounts_to_arrow(accounts: TouchpointLog | Iterable[Account]) -> pa.Table:
    """:func:`accounts_to_pandas` as a pyarrow Table."""
    MissingExtraError.require("pyarrow", extra="arrow", needed_by="accounts_to_arrow")
    return _to_arrow(_account_columns(_accounts_of(accounts)))


def _signals_table(
    signals: SignalSet | Mapping[str, SignalFrame] | SignalFrame,
) -> tuple[list[_Column], dict[str, str]]:
    frames, account_ids, as_of = _frames_of(signals)
    n = len(account_ids)
    micros = np.full(n, 0 if as_of is None else to_epoch_us(as_of), dtype=np.int64)
    columns = [
        _Column("account_id", "string", account_ids.astype(object)),
        _Column("as_of", "instant", micros, np.zeros(n, dtype=bool)),
    ]
    return columns + _signal_columns(frames, np.arange(n, dtype=np.int64)), _units(frames)


def signals_to_pandas(
    signals: SignalSet | Mapping[str, SignalFrame] | SignalFrame,
) -> pd.DataFrame:
    """One row per account, in the signals' account order: ``account_id``, ``as_of``, then
    for each signal ``<name>.value``, ``.severity`` (NaN where the data were insufficient),
    ``.status``, ``.reason``, ``.samples.<key>``, ``.details.<key>`` and ``.evidence`` (the
    ids of the touchpoints the reading rests on).

    Each signal's unit is in ``frame.attrs["units"]``.
    """
    MissingExtraError.require("pandas", extra="pandas", needed_by="signals_to_pandas")
    columns, units = _signals_table(signals)
    return _to_pandas(columns, {"units": units})


def signals_to_arrow(signals: SignalSet | Mapping[str, SignalFrame] | SignalFrame) -> pa.Table:
    """:func:`signals_to_pandas` as a pyarrow Table; units are in the schema's metadata
    (``b"units.<signal>"``)."""
    MissingExtraError.require("pyarrow", extra="arrow", needed_by="signals_to_arrow")
    columns, units = _signals_table(signals)
    return _to_arrow(columns, {f"units.{k}": v for k, v in units.items()})


def scores_to_pandas(
    scores: Iterable[HealthScore],
    *,
    signals: SignalSet | Mapping[str, SignalFrame] | SignalFrame | None = None,
) -> pd.DataFrame:
    """One row per health score, in the order given, with a column per contribution field.

    Parameters
    ----------
    scores
        A :class:`~touchpoint_signals.scoring.Scores` (account order) or any sequence of
        health scores, such as ``scores.riskiest_first()``.
    signals
        The signals the scores were made from; when given, their columns (as
        :func:`signals_to_pandas` names them) follow, matched by account id.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``band`` (a categorical ordered riskiest first: red, yellow,
        insufficient_data, green), ``score`` (NaN when there is none), ``coverage``,
        ``segment``, ``as_of``, ``scorer``, ``config_hash``, ``reasons`` and ``adjustments``
        (lists of lines), then for each signal that contributed to any score
        ``<signal>.points``, ``.weight``, ``.effective_weight``, ``.scored_severity`` (the
        severity the scorer used, imputed where ``.handling`` says so) and ``.handling``;
        NaN and ``pd.NA`` where a score has no contribution of that signal.
    """
    MissingExtraError.require("pandas", extra="pandas", needed_by="scores_to_pandas")
    columns, units = _score_columns(list(scores), signals)
    return _to_pandas(columns, {"units": units} if units else None)


def scores_to_arrow(
    scores: Iterable[HealthScore],
    *,
    signals: SignalSet | Mapping[str, SignalFrame] | SignalFrame | None = None,
) -> pa.Table:
    """:func:`scores_to_pandas` as a pyarrow Table (lists as ``list<string>``)."""
    MissingExtraError.require("pyarrow", extra="arrow", needed_by="scores_to_arrow")
    columns, units = _score_columns(list(scores), signals)
    return _to_arrow(columns, {f"units.{k}": v for k, v in units.items()} or None)
