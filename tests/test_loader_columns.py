"""The column-wise loader equals a row-by-row reference: CSV splitting, ISO instants, mapping
normalisation and whole loads (log and report) on random valid and invalid rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies import garbage_rows, instants, touchpoint_records
from touchpoint_signals.errors import RecordError
from touchpoint_signals.ingest import loader
from touchpoint_signals.ingest.loader import load_touchpoints, read_csv
from touchpoint_signals.ingest.mapping import ColumnMapping, normalise, strip_strings
from touchpoint_signals.ingest.readers import csv_blocks
from touchpoint_signals.ingest.records import TOUCHPOINT_FIELDS, RawRecord, Rejection
from touchpoint_signals.log import CHANNELS, DIRECTIONS, STATUSES, TEXT, TRIGGERS
from touchpoint_signals.model import DEFAULT_CATALOG
from touchpoint_signals.timeparse import from_epoch_us, parse_timezone

# -- a row-by-row reference ---------------------------------------------------------------


def reference_csv_rows(text: str, delimiter: str = ",") -> list[tuple[int, list[str]]]:
    """Every data row of ``text`` as csv.reader splits it, numbered from 1 (header skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader, None)
    return list(enumerate(reader, start=1))


def reference_validate(
    fields: Mapping[str, object], zone: dt.tzinfo | None
) -> dict[str, object]:
    """One canonical record validated field by field in the old order, through the
    per-value rules; returns the record as clean text the loader takes unchanged."""
    codes = {
        name: loader._Codes(name, tuple(m.value for m in table), required=name == "status")
        for name, table in (
            ("status", STATUSES),
            ("channel", CHANNELS),
            ("direction", DIRECTIONS),
            ("trigger", TRIGGERS),
        )
    }
    kinds = loader._Codes("kind", DEFAULT_CATALOG.kind_names, required=True)

    record_id = loader._text(fields["id"], "id", required=True)
    account_id = loader._text(fields["account_id"], "account_id", required=True)
    kind = kinds(fields["kind"])
    occurred = loader._epoch_us(fields["occurred_at"], "occurred_at", zone, required=True)
    status = codes["status"](fields["status"])
    channel = codes["channel"](fields["channel"])
    direction = codes["direction"](fields["direction"])
    trigger = codes["trigger"](fields["trigger"])
    contact = loader._text(fields["contact_id"], "contact_id")
    reply = loader._text(fields["in_reply_to"], "in_reply_to")
    loader._self_reply(record_id, reply)
    texts = {name: loader._text(fields[name], name) for name in loader._TEXT_FIELDS}
    recorded = loader._epoch_us(fields["recorded_at"], "recorded_at", zone, required=False)
    csat = loader._small_int(fields["csat"], "csat", 1, 5)
    attendees = loader._small_int(fields["attendees"], "attendees", 0, 2**31 - 1)

    def name(table: tuple[Any, ...], code: int) -> str | None:
        return None if code < 0 else str(table[code].value)

    assert occurred is not None
    return {
        "id": record_id,
        "account_id": account_id,
        "kind": DEFAULT_CATALOG.kind_names[kind],
        "occurred_at": from_epoch_us(occurred).isoformat(),
        "status": name(STATUSES, status),
        "channel": name(CHANNELS, channel),
        "direction": name(DIRECTIONS, direction),
        "trigger": name(TRIGGERS, trigger),
        "contact_id": contact,
        "in_reply_to": reply,
        **texts,
        "recorded_at": from_epoch_us(occurred if recorded is None else recorded).isoformat(),
        "csat": None if csat is None else str(csat),
        "attendees": None if attendees is None else str(attendees),
    }


def reference_load(
    items: list[object], mapping: ColumnMapping | None = None, **options: Any
) -> loader.LoadResult:
    """The old loader's order of work: one record at a time, the required columns checked,
    mapped, then validated field by field; the cross-record checks then run on the clean
    records that passed."""
    mapping = mapping or ColumnMapping()
    apply = mapping.compile(TOUCHPOINT_FIELDS)
    zone = options.get("default_tz")
    required = [
        (f, mapping.columns.get(f, f))
        for f in loader.REQUIRED_TOUCHPOINT_FIELDS
        if f not in mapping.constants
    ]
    records: list[object] = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, Rejection) or not isinstance(item, RawRecord | Mapping):
            records.append(item)
            continue
        raw = item if isinstance(item, RawRecord) else RawRecord("<touchpoints>", number, item)
        try:
            for field, column in required:
                if column not in raw.values:
                    raise loader._missing_column(field, column)
            clean = reference_validate(apply(raw.values), zone)
        except loader._FieldError as problem:
            records.append(
                Rejection(
                    raw.source,
                    raw.row,
                    problem.field,
                    problem.value,
                    problem.expected,
                    problem.reason,
                )
            )
            continue
        records.append(RawRecord(raw.source, raw.row, clean))
    return load_touchpoints(records, **options)  # type: ignore[arg-type]


def log_columns(result: loader.LoadResult) -> dict[str, list[object]]:
    log = result.log
    names: tuple[str, ...] = ("id", "account", "kind", "occurred_at", "recorded_at", "status")
    names += ("channel",)
    names += ("direction", "trigger", "contact", "reply_to", "csat", "attendees", "offsets")
    columns: dict[str, list[object]] = {name: getattr(log, name).tolist() for name in names}
    for name in ("text", "quoted_text", "purpose", "outcome"):
        values = getattr(log, name)
        columns[name] = [
            None if missing else v
            for v, missing in zip(values.tolist(), np.isnan(values), strict=True)
        ]
    return columns


# -- CSV blocks ----------------------------------------------------------------------------

csv_text = st.text(st.sampled_from('ab ,"\n\r;é\t'), max_size=60)


@given(body=csv_text, width=st.integers(1, 3), block=st.integers(1, 4))
@settings(max_examples=400, deadline=None)
def test_csv_blocks_split_rows_as_csv_reader_does(
    tmp_path_factory: pytest.TempPathFactory, body: str, width: int, block: int
) -> None:
    header = ",".join(f"c{i}" for i in range(width)) + "\n"
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(header + body, encoding="utf-8", newline="")

    got: list[tuple[int, object]] = []
    for part in csv_blocks(path, block_rows=block):
        got += list(zip(part.numbers, part.row_lists(), strict=True))
        got += [(r.row, r.reason) for r in part.rejections]

    expected: list[tuple[int, object]] = []
    for number, row in reference_csv_rows(header + body):
        if len(row) == width:
            expected.append((number, row))
        else:
            expected.append((number, "empty row" if not row else f"row has {len(row)} fields"))
    assert sorted(got, key=lambda r: r[0]) == expected


def test_csv_blocks_read_a_quoted_line_break_across_blocks(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,"x\ny"\n2,z\n3,"open\n\nclosed"\n', encoding="utf-8", newline="")

    blocks = list(csv_blocks(path, block_rows=1))

    rows = [(n, r) for b in blocks for n, r in zip(b.numbers, b.row_lists(), strict=True)]
    assert rows == [(1, ["1", "x\ny"]), (2, ["2", "z"]), (3, ["3", "open\n\nclosed"])]


def test_csv_blocks_use_numpy_for_plain_blocks(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,"x, y"\n2,\n', encoding="utf-8", newline="")

    (block,) = list(csv_blocks(path))

    assert isinstance(block.rows, np.ndarray)
    assert block.row_lists() == [["1", "x, y"], ["2", ""]]


# -- instants and trimming -----------------------------------------------------------------

offsets = st.sampled_from(["Z", "+00:00", "-00:00", "+05:30", "-11:45", "+23:59"])
iso_text = st.builds(
    lambda moment, sep, fraction, zone: (
        moment.strftime(f"%Y-%m-%d{sep}%H:%M:%S")
        + {0: "", 3: moment.strftime(".%f")[:4], 6: moment.strftime(".%f")}[fraction]
        + zone
    ),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59)),
    st.sampled_from(["T", " ", "t", "_"]),
    st.sampled_from([0, 3, 6]),
    offsets,
)
near_iso = st.text(st.sampled_from("0123456789-:T Z+.é"), min_size=19, max_size=32)


@given(
    st.lists(
        iso_text
        | near_iso
        | st.sampled_from(
            [
                "2024-02-30T00:00:00Z",
                "0000-01-01T00:00:00Z",
                "2024-01-01T24:00:00Z",
                "9999-12-31T23:59:59-01:00",
                "0001-01-01T00:00:00+01:00",
            ]
        ),
        max_size=20,
    )
)
@settings(max_examples=300, deadline=None)
def test_iso_column_equals_the_per_value_rule(texts: list[str]) -> None:
    micros, done = loader._iso_micros(np.array(texts, dtype=TEXT))

    for text, value, read in zip(texts, micros.tolist(), done.tolist(), strict=True):
        try:
            expected = loader._epoch_us(text, "occurred_at", None, required=True)
        except loader._FieldError:
            assert not read, text
            continue
        if read:
            assert value == expected, text


def test_iso_column_reads_the_common_spellings() -> None:
    texts = [
        "2025-01-06T16:46:00Z",
        "2025-01-06 16:46:00.5000+01:00"[:0] + "2025-01-06 17:46:00.500+01:00",
    ]

    micros, done = loader._iso_micros(np.array(texts, dtype=TEXT))

    assert done.tolist() == [True, True]
    assert micros.tolist() == [1_736_181_960_000_000, 1_736_181_960_500_000]


@given(
    st.lists(
        st.text(st.sampled_from(" \t\n\x0b\x0c\r\x1c\x85\xa0\u2003\u3000ab"), max_size=5),
        max_size=10,
    )
)
def test_strip_strings_equals_normalise(values: list[str]) -> None:
    trimmed, blank = strip_strings(values, TEXT)

    expected = [normalise(v, None) for v in values]
    assert [
        None if b else t for t, b in zip(trimmed.tolist(), blank.tolist(), strict=True)
    ] == expected


# -- whole loads ---------------------------------------------------------------------------


def outcome(run: Callable[[], loader.LoadResult]) -> tuple[Any, ...]:
    """What a load gives, comparable: the report and log columns, or the error raised."""
    try:
        result = run()
    except RecordError as error:
        return (type(error), str(error), error.field, error.value)
    # The report is compared through its repr: a rejected value may be NaN, which is never
    # equal to itself, while its repr is.
    return (repr(result.touchpoint_report), log_columns(result))


def _same(rows: list[Any], mapping: ColumnMapping | None = None, **options: Any) -> None:
    for mode in ("lenient", "strict"):
        expected = outcome(partial(reference_load, rows, mapping, mode=mode, **options))
        got = outcome(partial(load_touchpoints, rows, mapping=mapping, mode=mode, **options))
        assert got == expected


@given(garbage_rows())
@settings(max_examples=150, deadline=None)
def test_column_path_equals_row_reference_on_garbage(rows: list[object]) -> None:
    _same(rows)


@given(garbage_rows(max_size=12), st.integers(1, 4))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_column_path_equals_row_reference_in_small_chunks(
    monkeypatch: pytest.MonkeyPatch, rows: list[object], chunk: int
) -> None:
    monkeypatch.setattr(loader, "CHUNK_ROWS", chunk)

    _same(rows)


mapping = ColumnMapping(
    columns={"id": "ticket", "occurred_at": "opened"},
    values={"status": {"closed": "completed", "Yes": "no_show"}, "text": {"n/a": "none"}},
    constants={"direction": "inbound"},
)


def _renamed(record: dict[str, object]) -> dict[str, object]:
    renamed = {
        "ticket" if k == "id" else "opened" if k == "occurred_at" else k: v
        for k, v in record.items()
    }
    return renamed


@given(
    st.lists(touchpoint_records().map(_renamed), max_size=10),
    st.lists(st.sampled_from(["closed", "Yes", " n/a ", "done"]), min_size=10, max_size=10),
)
@settings(max_examples=100, deadline=None)
def test_column_path_equals_row_reference_with_a_mapping(
    rows: list[dict[str, object]], spellings: list[str]
) -> None:
    for row, spelling in zip(rows, spellings, strict=False):
        row["status"] = spelling
        row["text"] = spelling

    _same(list(rows), mapping)


@given(st.lists(instants(), min_size=1, max_size=8))
@settings(max_examples=50, deadline=None)
def test_column_path_equals_row_reference_for_naive_times_in_a_zone(
    moments: list[dt.datetime],
) -> None:
    rows: list[object] = [
        {
            "id": f"t{i}",
            "account_id": "a",
            "kind": "qbr",
            "status": "completed",
            "occurred_at": m.strftime("%Y-%m-%d %H:%M"),
        }
        for i, m in enumerate(moments)
    ]

    _same(rows, default_tz=parse_timezone("America/New_York"))


@given(garbage_rows(max_size=15))
@settings(max_examples=60, deadline=None)
def test_read_csv_equals_the_record_path(
    tmp_path_factory: pytest.TempPathFactory, rows: list[object]
) -> None:
    records: list[Any] = [
        r.values if isinstance(r, RawRecord) else r
        for r in rows
        if isinstance(r, RawRecord | Mapping)
    ]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(TOUCHPOINT_FIELDS)
    for record in records:
        writer.writerow(
            ["" if record.get(f) is None else str(record.get(f)) for f in TOUCHPOINT_FIELDS]
        )
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(text.getvalue().encode("utf-8", "surrogatepass"))

    for mode in ("lenient", "strict"):
        records_read = reference_csv_records(path)
        expected = outcome(partial(load_touchpoints, records_read, mode=mode, source=str(path)))
        assert outcome(partial(read_csv, path, mode=mode)) == expected


def reference_csv_records(path: Path) -> list[RawRecord]:
    """The records of a CSV file one dict per row, as the row-by-row reader made them."""
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
        text = handle.read()
    header = next(csv.reader(io.StringIO(text, newline="")))
    return [
        RawRecord(str(path), number, dict(zip(header, row, strict=True)))
        for number, row in reference_csv_rows(text)
    ]
