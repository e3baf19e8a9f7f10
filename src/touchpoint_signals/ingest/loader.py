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
the columnar result rather than the size of the source text.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import (
    ConfigError,
    DataError,
    IntegrityError,
    RecordError,
    UnknownNameError,
)
from touchpoint_signals.ingest.mapping import ColumnMapping, MappingFile
from touchpoint_signals.ingest.readers import csv_records, jsonl_records, records_for
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
    ReplyProblem,
    TouchpointColumns,
    TouchpointLog,
    resolve_replies,
    search_strings,
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
    except DataError as exc:
        raise _FieldError(
            field, value, "a date-time with a time zone (or pass default_tz)", str(exc)
        ) from None


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


class _TouchpointValidator:
    """Validates the canonical fields of one touchpoint record into a row of codes."""

    def __init__(self, catalog: Catalog, zone: dt.tzinfo | None) -> None:
        self.zone = zone
        self.kind = _Codes("kind", catalog.kind_names, required=True)
        self.status = _Codes("status", tuple(m.value for m in STATUSES), required=True)
        self.channel = _Codes("channel", tuple(m.value for m in CHANNELS), required=False)
        self.direction = _Codes("direction", tuple(m.value for m in DIRECTIONS), required=False)
        self.trigger = _Codes("trigger", tuple(m.value for m in TRIGGERS), required=False)

    def __call__(self, fields: Mapping[str, object]) -> tuple[Any, ...]:
        nan = np.nan
        zone = self.zone
        record_id = _text(fields["id"], "id", required=True)
        account_id = _text(fields["account_id"], "account_id", required=True)
        kind = self.kind(fields["kind"])
        occurred = _epoch_us(fields["occurred_at"], "occurred_at", zone, required=True)
        status = self.status(fields["status"])
        channel = self.channel(fields["channel"])
        direction = self.direction(fields["direction"])
        trigger = self.trigger(fields["trigger"])

        contact = _text(fields["contact_id"], "contact_id")
        reply = _text(fields["in_reply_to"], "in_reply_to")
        if reply is not None and reply == record_id:
            raise _FieldError(
                "in_reply_to", reply, "the id of another touchpoint", "self-reply"
            )

        texts = [_text(fields[name], name) for name in _TEXT_FIELDS]
        recorded = _epoch_us(fields["recorded_at"], "recorded_at", zone, required=False)
        csat = _small_int(fields["csat"], "csat", 1, 5)
        attendees = _small_int(fields["attendees"], "attendees", 0, 2**31 - 1)

        return (
            record_id,
            account_id,
            kind,
            occurred,
            status,
            channel,
            direction,
            trigger,
            nan if contact is None else contact,
            nan if reply is None else reply,
            *(nan if t is None else t for t in texts),
            occurred if recorded is None else recorded,
            0 if csat is None else csat,
            -1 if attendees is None else attendees,
        )


_TEXT_FIELDS = ("text", "quoted_text", "purpose", "outcome")


class _ColumnBuilder:
    """Accumulates validated touchpoint values and flushes them into column chunks."""

    def __init__(self) -> None:
        self.chunks: list[TouchpointColumns] = []
        self.sources: list[str] = []
        self.source_code: dict[str, int] = {}
        self.where: list[npt.NDArray[np.int64]] = []
        self._rows: list[tuple[Any, ...]] = []
        self._where: list[tuple[int, int]] = []

    def add(self, values: tuple[Any, ...], source: str, row: int) -> None:
        code = self.source_code.setdefault(source, len(self.source_code))
        if code == len(self.sources):
            self.sources.append(source)
        self._rows.append(values)
        self._where.append((code, row))
        if len(self._rows) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self._rows:
            return
        cols = list(zip(*self._rows, strict=True))
        self.chunks.append(
            TouchpointColumns(
                id=np.array(cols[0], dtype=ID),
                account_id=np.array(cols[1], dtype=ID),
                kind=np.array(cols[2], dtype=np.uint8),
                occurred_at=np.array(cols[3], dtype=np.int64),
                status=np.array(cols[4], dtype=np.uint8),
                channel=np.array(cols[5], dtype=np.int8),
                direction=np.array(cols[6], dtype=np.int8),
                trigger=np.array(cols[7], dtype=np.int8),
                contact_id=np.array(cols[8], dtype=TEXT),
                in_reply_to=np.array(cols[9], dtype=TEXT),
                text=np.array(cols[10], dtype=TEXT),
                quoted_text=np.array(cols[11], dtype=TEXT),
                purpose=np.array(cols[12], dtype=TEXT),
                outcome=np.array(cols[13], dtype=TEXT),
                recorded_at=np.array(cols[14], dtype=np.int64),
                csat=np.array(cols[15], dtype=np.int8),
                attendees=np.array(cols[16], dtype=np.int32),
            )
        )
        self.where.append(np.array(self._where, dtype=np.int64).reshape(-1, 2))
        self._rows.clear()
        self._where.clear()

    def finish(self) -> tuple[TouchpointColumns, npt.NDArray[np.int64]]:
        self.flush()
        columns = TouchpointColumns.concatenate(self.chunks)
        where = np.concatenate(self.where) if self.where else np.empty((0, 2), dtype=np.int64)
        self.chunks.clear()
        self.where.clear()
        return columns, where


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
                        raise _FieldError(
                            field,
                            None,
                            f"a column {column!r} (or a mapping naming the column that "
                            f"holds {field!r})",
                            "the record has no such column",
                        )
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
        keep = _cross_check(self.columns, self.where, self.sources, accounts, self.intake)
        columns = self.columns.take(keep)
        where = self.where[keep]

        _check_links(columns, where, self.sources, self.intake)
        log = TouchpointLog.from_columns(
            columns, kinds=self.catalog.kinds, accounts=accounts or ()
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


def _stage_touchpoints(
    records: Iterable[RawRecord | Rejection | Mapping[str, object]],
    mode: Mode,
    mapping: ColumnMapping | None,
    catalog: Catalog,
    default_tz: dt.tzinfo | None,
    source: str,
) -> _StagedTouchpoints:
    intake = _Intake(LoadReport(source), mode)
    mapping = mapping or ColumnMapping()
    builder = _ColumnBuilder()
    validate = _TouchpointValidator(catalog, default_tz)

    for raw, values in intake.each(
        records, mapping, TOUCHPOINT_FIELDS, validate, required=REQUIRED_TOUCHPOINT_FIELDS
    ):
        builder.add(values, raw.source, raw.row)

    columns, where = builder.finish()
    return _StagedTouchpoints(columns, where, builder.sources, intake, catalog)


def _cross_check(
    columns: TouchpointColumns,
    where: npt.NDArray[np.int64],
    sources: list[str],
    accounts: tuple[Account, ...] | None,
    intake: _Intake,
) -> npt.NDArray[np.bool_]:
    """Rows to keep after rejecting repeated ids and touchpoints of unknown accounts."""
    keep = np.ones(len(columns), dtype=bool)
    ids = columns.id

    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    repeat = np.zeros(len(ids), dtype=bool)
    if len(ids) > 1:
        repeat[1:] = sorted_ids[1:] == sorted_ids[:-1]
    first_of_run = np.maximum.accumulate(np.where(~repeat, np.arange(len(ids)), 0))
    duplicates = [(int(order[i]), int(order[first_of_run[i]])) for i in np.flatnonzero(repeat)]

    unknown_rows: list[int] = []
    if accounts is not None:
        known = np.unique(np.array([a.id for a in accounts], dtype=ID))
        pos = np.minimum(search_strings(known, columns.account_id), max(len(known) - 1, 0))
        found = (
            known[pos] == columns.account_id
            if len(known)
            else np.zeros(len(columns), dtype=bool)
        )
        unknown_rows = np.flatnonzero(~found).tolist()

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
    where: npt.NDArray[np.int64],
    sources: list[str],
    intake: _Intake,
) -> None:
    """Report replies whose link cannot be resolved; strict mode raises on the first."""
    _, problem = resolve_replies(columns.id, columns.in_reply_to, columns.occurred_at)
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
    records = csv_records(path, delimiter=delimiter, encoding=encoding)
    return _read_files(path, records, accounts, mode, mapping, catalog, default_tz)


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
    records: Iterable[RawRecord | Rejection],
    accounts: str | os.PathLike[str] | Iterable[Account] | None,
    mode: Mode,
    mapping: MappingFile | str | os.PathLike[str] | None,
    catalog: Catalog,
    default_tz: dt.tzinfo | str | None,
) -> LoadResult:
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
            records_for(accounts),
            mode=mode,
            mapping=mapping.accounts,
            catalog=catalog,
            default_tz=zone,
            source=os.fspath(accounts),
        )
    else:
        account_list = None if accounts is None else tuple(accounts)

    result = load_touchpoints(
        records,
        accounts=account_list,
        mode=mode,
        mapping=mapping.touchpoints,
        catalog=catalog,
        default_tz=zone,
        source=os.fspath(path),
    )
    return attrs.evolve(result, account_report=account_report)
