"""The byte path of read_csv equals the general path: CSV splitting against csv.reader, column
conversions against the per-value rules, whole loads against the record-by-record loader, and
the numpy string hashes of the log build against exact comparison when hashes collide."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpoint_signals import log as log_module
from touchpoint_signals.errors import DataError, RecordError
from touchpoint_signals.ingest import csvscan, loader, readers
from touchpoint_signals.ingest.csvscan import ByteColumn, ByteFields, DistinctBytes
from touchpoint_signals.ingest.loader import load_touchpoints, read_csv
from touchpoint_signals.ingest.mapping import ColumnMapping, MappingFile, normalise
from touchpoint_signals.ingest.readers import csv_blocks, csv_field_blocks
from touchpoint_signals.ingest.records import TOUCHPOINT_FIELDS, RawRecord
from touchpoint_signals.log import ID, TEXT, factorize_strings, repeated_rows
from touchpoint_signals.model import BUILTIN_SEGMENTS, Account
from touchpoint_signals.timeparse import parse_timezone

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# -- references ------------------------------------------------------------------------------


def reference_rows(data: bytes, delimiter: str = ",") -> tuple[list[str] | None, list[Any]]:
    """The header and every data row of ``data`` as csv.reader splits the decoded text, each
    row as ``(number, fields)`` or, when not as wide as the header, ``(number, reason,
    value)`` as csv_blocks refuses it."""
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return None, []
    rows: list[Any] = []
    for number, row in enumerate(reader, start=1):
        if len(row) == len(header):
            rows.append((number, row))
        elif not row:
            rows.append((number, "empty row", ""))
        else:
            rows.append((number, f"row has {len(row)} fields", row[: len(header)]))
    return header, rows


def scanned_rows(
    path: Path, block_rows: int, delimiter: str = ","
) -> tuple[list[str] | None, list[Any], dict[str, int]]:
    """What csv_field_blocks reads, in the form of :func:`reference_rows`, and how many rows
    came split in bytes and how many through csv."""
    header: list[str] | None = None
    rows: list[Any] = []
    kinds = {"bytes": 0, "csv": 0}
    for block in csv_field_blocks(path, block_rows=block_rows, delimiter=delimiter):
        header = list(block.header)
        kinds["bytes" if isinstance(block.rows, ByteFields) else "csv"] += len(block.rows)
        rows += list(zip(block.numbers, block.row_lists(), strict=True))
        rows += [(r.row, r.reason, r.value) for r in block.rejections]
    return header, sorted(rows, key=lambda r: r[0]), kinds


def write(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> Path:
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(data)
    return path


# -- generated CSV text ----------------------------------------------------------------------

#: Pieces of field text: plain, whitespace (ASCII and not), separators, quotes, line ends,
#: non-ASCII, an undecodable byte (as its surrogate escape) and NUL.
_PIECES = st.sampled_from(
    [
        *["a", "b", "7", " ", "\t", ",", ";", '"', '""', "\n", "\r\n", "\r"],
        *["é", "中", "\udce9", "\x00", "\xa0", "\u3000", "\x1c", "x" * 40],
    ]
)
field_text = st.lists(_PIECES, max_size=6).map("".join)


@st.composite
def csv_bytes(draw: st.DrawFn, delimiter: str = ",") -> bytes:
    """A CSV file: a header, rows written as a writer quotes them (sometimes not quoted where
    they should be, sometimes padded, short or long), blank lines and raw junk lines."""
    width = draw(st.integers(1, 4))
    header = [f"c{i}" for i in range(width)]
    lines = [delimiter.join(header) + draw(st.sampled_from(["\n", "\r\n"]))]
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            lines.append(draw(st.sampled_from(["\n", "\r\n", "\r"])))
            continue
        if kind == 1:
            lines.append(draw(field_text))
            continue
        count = width + draw(st.sampled_from([0, 0, 0, 0, -1, 1])) if kind > 2 else width
        fields = [draw(field_text) for _ in range(max(count, 1))]
        out = io.StringIO()
        quoting = csv.QUOTE_ALL if draw(st.booleans()) else csv.QUOTE_MINIMAL
        csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n").writerow(
            fields
        )
        line = out.getvalue()
        if kind == 2:  # fields not quoted where they should be
            line = delimiter.join(fields) + "\n"
        lines.append(line)
    text = "".join(lines)
    if draw(st.booleans()):
        text = text.rstrip("\n")
    bom = b"\xef\xbb\xbf" if draw(st.integers(0, 9)) == 0 else b""
    return bom + text.encode("utf-8", "surrogateescape")


# -- splitting -------------------------------------------------------------------------------


@given(data=csv_bytes(), block=st.integers(1, 5))
@SETTINGS
def test_field_blocks_split_rows_as_csv_reader_does(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, block: int
) -> None:
    path = write(tmp_path_factory, data)

    header, rows, _ = scanned_rows(path, block)

    expected_header, expected = reference_rows(data)
    assert rows == expected
    if rows:
        assert header == expected_header


@given(
    data=csv_bytes(delimiter=";") | csv_bytes(delimiter="\t"),
    block=st.integers(1, 3),
)
@settings(max_examples=100, deadline=None)
def test_field_blocks_split_other_delimiters_as_csv_reader_does(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, block: int
) -> None:
    delimiter = ";" if b";" in data.split(b"\n", 1)[0] else "\t"
    path = write(tmp_path_factory, data)

    _, rows, _ = scanned_rows(path, block, delimiter)

    assert rows == reference_rows(data, delimiter)[1]


@st.composite
def written_csv(draw: st.DrawFn) -> bytes:
    """A CSV file csv.writer wrote: every quote where RFC 4180 puts it."""
    width = draw(st.integers(1, 4))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"c{i}" for i in range(width)])
    for _ in range(draw(st.integers(1, 10))):
        writer.writerow(
            [draw(field_text.filter(lambda t: "\r" not in t)) for _ in range(width)]
        )
    return out.getvalue().encode("utf-8", "surrogateescape")


@given(data=written_csv(), block=st.integers(1, 4))
@SETTINGS
def test_written_files_are_split_in_bytes(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, block: int
) -> None:
    # What csv.writer writes never needs csv to read it back: every row comes split in bytes.
    path = write(tmp_path_factory, data)

    _, rows, kinds = scanned_rows(path, block)

    assert rows == reference_rows(data)[1]
    width = len(rows[0][1]) if rows and isinstance(rows[0][1], list) else 0
    if width > 1:
        assert kinds["csv"] == 0


@pytest.mark.parametrize(
    ("data", "rows", "csv_rows"),
    [
        (b'a,b\r\n1,"x, ""y""\r\nz"\r\n2,\r\n', [["1", 'x, "y"\r\nz'], ["2", ""]], 0),
        (b'a,b\n1,5" screen\n2,ok\n', [["1", '5" screen'], ["2", "ok"]], 2),
        (b'a,b\n1,"quoted"tail\n', [["1", "quotedtail"]], 1),
        (b"a,b\r1,2\r3,4\r", [["1", "2"], ["3", "4"]], 2),
        (b'a,b\n1,"open\n2,x\n', [["1", "open\n2,x\n"]], 1),
        (b"\xef\xbb\xbfa,b\n1,2", [["1", "2"]], 0),
        (b'a,b\n"1","2"\n', [["1", "2"]], 0),
        (b"a,b\n1,caf\xe9\n", [["1", "caf\udce9"]], 0),
        (b"a,b\n1,\x00x\x00\n", [["1", "\x00x\x00"]], 0),
    ],
)
def test_hand_made_files_split_as_csv_reader_does(
    tmp_path: Path, data: bytes, rows: list[list[str]], csv_rows: int
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(data)

    _, got, kinds = scanned_rows(path, 65_536)

    assert [row for _, row in got] == rows
    assert kinds["csv"] == csv_rows


def test_rows_of_the_wrong_width_are_refused_in_the_byte_path(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b\n1,2\n\n1,2,3\n"x"\n4,5\r\n\r\n')

    blocks = list(csv_field_blocks(path))

    assert all(isinstance(b.rows, ByteFields) for b in blocks)
    refused = [(r.row, r.reason, r.value) for b in blocks for r in b.rejections]
    assert refused == [
        (2, "empty row", ""),
        (3, "row has 3 fields", ["1", "2"]),
        (4, "row has 1 fields", ["x"]),
        (6, "empty row", ""),
    ]


def test_a_header_that_repeats_a_column_is_refused_in_the_byte_path(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_bytes(b"id,status,status\nt1,completed,cancelled\n")

    with pytest.raises(DataError, match=r"dup\.csv: the header names columns more than once"):
        list(csv_field_blocks(path))


@pytest.mark.parametrize(
    ("data", "options"),
    [
        (b"id;kind\nt1;qbr\n", {"delimiter": ";", "encoding": "latin-1"}),
        ("id§kind\nt1§qbr\n".encode(), {"delimiter": "§"}),
        (b'"id","ki"nd"\nt1,qbr\n', {}),
        (b'\xef\xbb\xbf"id",kind\nt1,qbr\n', {"encoding": "utf-8"}),
        (b"\nid,kind\n", {}),
        (b"", {}),
    ],
)
def test_other_files_are_read_as_csv_blocks_reads_them(
    tmp_path: Path, data: bytes, options: dict[str, str]
) -> None:
    # Another encoding or delimiter, or a header the scan cannot split: the text reader.
    path = tmp_path / "t.csv"
    path.write_bytes(data)

    def read(blocks: Any) -> list[tuple[tuple[str, ...], list[int], object]] | str:
        try:
            return [(b.header, b.numbers, b.row_lists()) for b in blocks]
        except DataError as error:  # no header row: the same error either way
            return str(error)

    assert read(csv_field_blocks(path, **options)) == read(csv_blocks(path, **options))


def test_a_quoted_field_longer_than_the_first_read_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "_FIRST_ROW_BYTES", 4)
    text = "x, y\n" * 2000
    path = tmp_path / "t.csv"
    path.write_bytes(f'a,b\n1,"{text}"\n2,z\n'.encode())

    _, rows, kinds = scanned_rows(path, 1)

    assert rows == [(1, ["1", text]), (2, ["2", "z"])]
    assert kinds == {"bytes": 2, "csv": 0}


# -- column conversions ----------------------------------------------------------------------


def byte_column(values: list[bytes]) -> ByteColumn:
    """A column of the given raw fields, laid out in one buffer as a block would be."""
    starts, stops, offset = [], [], 0
    for value in values:
        starts.append(offset)
        stops.append(offset + len(value))
        offset += len(value) + 1
    buffer = np.frombuffer(b",".join(values) or b"\x00", dtype=np.uint8)
    return ByteColumn(
        buffer,
        np.array(starts, dtype=np.int64),
        np.array(stops, dtype=np.int64),
        csvscan._bad_bytes(buffer),
    )


_RAW_PIECES = st.sampled_from(
    [
        *[
            b"a",
            b"Z",
            b"0",
            b" ",
            b"\t",
            b"\x0b",
            b"\x1c",
            b"\x1f",
            b"\xc2\xa0",
            b"\xe3\x80\x80",
        ],
        *[b"\xc2\x85", b"\xe2\x80\xa8", b"\xc3\xa9", b"\xe4\xb8\xad", b"\xe9", b"\x00", b'"'],
        *[b"\xed\xa0\x80", b"\xf0\x9f\x98\x81", b"\xc3", b"y" * 20],
    ]
)
raw_fields = st.lists(_RAW_PIECES, max_size=5).map(b"".join)


@given(st.lists(raw_fields, max_size=12), st.booleans())
@SETTINGS
def test_text_columns_equal_the_per_value_rule(values: list[bytes], required: bool) -> None:
    def rule(value: object) -> str | None:
        return loader._text(value, "text", required=required)

    column = byte_column(values)

    converted = loader._byte_text(column, rule, required=required)

    for row, value in enumerate(values):
        raw = value.decode("utf-8", "surrogateescape")
        assert column[row] == raw
        expected = _ruled(rule, normalise(raw, None))
        if isinstance(expected, loader._FieldError):
            assert converted.failed[row]
            assert converted.error(row).reason == expected.reason
            continue
        assert not converted.failed[row]
        got = converted.values[row]
        assert (None if not isinstance(got, str) else got) == expected


def _ruled(rule: Callable[[object], object], value: object) -> object:
    """What a per-value rule gives for ``value``: its result or the error it raises."""
    try:
        return rule(value)
    except loader._FieldError as problem:
        return problem


iso_bytes = st.builds(
    lambda moment, sep, fraction, zone: (
        moment.strftime(f"%Y-%m-%d{sep}%H:%M:%S")
        + {0: "", 3: moment.strftime(".%f")[:4], 6: moment.strftime(".%f")}[fraction]
        + zone
    ).encode(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59)),
    st.sampled_from(["T", " ", "t"]),
    st.sampled_from([0, 3, 6]),
    st.sampled_from(["Z", "+00:00", "-05:30", "+23:59", "", "+24:00", " Z"]),
)
instant_fields = st.one_of(
    iso_bytes,
    iso_bytes.map(lambda b: b" " + b + b"\t"),
    iso_bytes.map(lambda b: b"\xc2\xa0" + b),
    st.sampled_from(
        [
            *[b"", b"  ", b"2024-02-30T00:00:00Z", b"0000-01-01T00:00:00Z"],
            *[b"2024-01-01T24:00:00Z", b"9999-12-31T23:59:59-01:00", b"2026-01-01"],
            *[b"Tue Oct 31 22:10:47 +0000 2017", b"2026-01-01 10:00 EST", b"2026-03-08 02:30"],
            b"\xe92026-01-01T00:00:00Z",
        ]
    ),
    st.text("0123456789-:T Z+.", min_size=18, max_size=32).map(str.encode),
)


@given(
    st.lists(instant_fields, max_size=12),
    st.booleans(),
    st.sampled_from([None, "America/New_York"]),
)
@SETTINGS
def test_instant_columns_equal_the_per_value_rule(
    values: list[bytes], required: bool, zone_name: str | None
) -> None:
    zone = None if zone_name is None else parse_timezone(zone_name)

    def rule(value: object) -> int | None:
        return loader._epoch_us(value, "occurred_at", zone, required=required)

    converted = loader._byte_instants(byte_column(values), rule)

    micros, missing = converted.values
    for row, value in enumerate(values):
        raw = value.decode("utf-8", "surrogateescape")
        expected = _ruled(rule, normalise(raw, None))
        if isinstance(expected, loader._FieldError):
            assert converted.failed[row], raw
            continue
        assert not converted.failed[row], raw
        assert (None if missing[row] else int(micros[row])) == expected, raw


@given(st.lists(st.lists(raw_fields | st.sampled_from([b"x" * 17, b"x" * 30]), max_size=8)))
@settings(max_examples=200, deadline=None)
def test_distinct_values_get_one_code_each_across_blocks(blocks: list[list[bytes]]) -> None:
    table = DistinctBytes()
    for values in blocks:
        codes = table.codes(byte_column(values))

        assert [table.values[c] for c in codes.tolist()] == values
    assert len(set(table.values)) == len(table.values)


def test_distinct_values_stay_apart_when_every_hash_collides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        csvscan, "_hash_key", lambda first, second, lengths: np.zeros(len(first), np.uint64)
    )
    table = DistinctBytes()
    values = [b"completed", b"cancelled", b"completed", b"", b"no_show", b"a\x00", b"a"]

    for _ in range(3):
        codes = table.codes(byte_column(values))

        assert [table.values[c] for c in codes.tolist()] == values
    assert len(table.values) == 6


def test_unicode_spaces_are_those_str_strip_removes() -> None:
    spaces = {chr(c) for c in range(0x110000) if chr(c).isspace()}

    assert {c for c in spaces if ord(c) >= 0x80} == set(csvscan.UNICODE_SPACES)
    assert {ord(c) for c in spaces if ord(c) < 0x80} == set(
        np.flatnonzero(csvscan._ASCII_SPACE).tolist()
    )


def test_days_since_epoch_agree_with_datetime() -> None:
    first, last = dt.date(1, 1, 1).toordinal(), dt.date(9999, 12, 31).toordinal()
    ordinals = np.arange(first, last + 1, 7)
    dates = [dt.date.fromordinal(o) for o in ordinals.tolist()]

    days, exists = loader._days_since_epoch(
        np.array([d.year for d in dates]),
        np.array([d.month for d in dates]),
        np.array([d.day for d in dates]),
    )

    assert exists.all()
    assert (days == ordinals - dt.date(1970, 1, 1).toordinal()).all()
    _, exists = loader._days_since_epoch(
        np.array([2023, 2024, 1900, 2000, 2023, 0]),
        np.array([2, 2, 2, 2, 4, 1]),
        np.array([29, 29, 29, 29, 31, 1]),
    )
    assert exists.tolist() == [False, True, False, True, False, False]


# -- whole loads -----------------------------------------------------------------------------


def outcome(run: Callable[[], loader.LoadResult]) -> tuple[Any, ...]:
    """What a load gives, comparable: the report and log columns, or the error raised."""
    try:
        result = run()
    except RecordError as error:
        return (type(error), str(error), error.field, error.value)
    log = result.log
    columns = {name: getattr(log, name).tolist() for name in log_module.ROW_COLUMNS}
    for name in ("text", "quoted_text", "purpose", "outcome"):
        values = getattr(log, name)
        columns[name] = [
            None if m else v for v, m in zip(values.tolist(), np.isnan(values), strict=True)
        ]
    tables = (log.account_ids.tolist(), log.contact_ids.tolist(), log.offsets.tolist())
    unresolved = (log.unresolved_reply_rows.tolist(), log.unresolved_reply_ids.tolist())
    return (repr(result.touchpoint_report), columns, tables, unresolved)


def reference_records(path: Path, delimiter: str = ",") -> list[Any]:
    """The records of a CSV file one dict per row, as csv.reader reads the text, and the
    rows not as wide as the header refused as the CSV readers refuse them."""
    text = path.read_bytes().decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    records: list[Any] = []
    for number, row in enumerate(reader, start=1):
        if len(row) == len(header):
            records.append(RawRecord(str(path), number, dict(zip(header, row, strict=True))))
        else:
            records.append(readers._width_rejection(str(path), number, row, len(header)))
    return records


#: Values a touchpoint field may hold in a messy export: valid ones, spellings, padding,
#: junk, undecodable bytes, NUL, quotes and line breaks.
_VALUES: dict[str, st.SearchStrategy[str]] = {
    "id": st.sampled_from(["t1", "t2", "t3", " t4 ", "t5\xa0", "t\x006", "", "tä7", "\udce9"]),
    "account_id": st.sampled_from(["acme", "globex", " acme", "acmé", "", "unknown"]),
    "kind": st.sampled_from(["qbr", "Check-in", " support ", "meeting", "", "QBR\u3000"]),
    "status": st.sampled_from(["completed", "No Show", "cancelled ", "done", "", "\udce9"]),
    "channel": st.sampled_from(["email", "", "phone", "fax", " Video "]),
    "direction": st.sampled_from(["inbound", "outbound", "", "sideways"]),
    "trigger": st.sampled_from(["scheduled", "", "event", "?"]),
    "contact_id": st.sampled_from(["c1", "", " c2", "c\x003", "cé"]),
    "in_reply_to": st.sampled_from(["", "t1", "t2", " t3 ", "missing", "t5\xa0"]),
    "text": field_text,
    "quoted_text": st.sampled_from(["", '"quoted"\r\nreply', "x"]),
    "purpose": st.sampled_from(["", "renewal", " ", "\xa0"]),
    "outcome": st.sampled_from(["", "signed", "a,b"]),
    "occurred_at": instant_fields.map(lambda b: b.decode("utf-8", "surrogateescape")),
    "recorded_at": instant_fields.map(lambda b: b.decode("utf-8", "surrogateescape")),
    "csat": st.sampled_from(["", "1", "5", " 3 ", "6", "4.0", "x", "nan", "1e0"]),
    "attendees": st.sampled_from(["", "0", "12", "-1", "2147483648", "3.5"]),
}


@st.composite
def touchpoint_csv(draw: st.DrawFn) -> bytes:
    """A touchpoint export: the canonical columns in any order (a required one sometimes
    missing, an unknown one sometimes added), messy values, and now and then a broken row."""
    columns = draw(st.permutations(TOUCHPOINT_FIELDS))
    if draw(st.integers(0, 5)) == 0:
        columns = [c for c in columns if c != draw(st.sampled_from(["id", "status", "kind"]))]
    if draw(st.booleans()):
        columns = [*columns, "notes"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(columns)
    text = out.getvalue()
    for _ in range(draw(st.integers(0, 10))):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
        writer.writerow([draw(_VALUES.get(c, field_text)) for c in columns])
        line = out.getvalue()
        damage = draw(st.integers(0, 15))
        if damage == 0:
            line = line.replace(",", ",,", 1)
        elif damage == 1:
            line = '"' + line
        elif damage == 2:
            line = "\n"
        text += line
    return text.encode("utf-8", "surrogateescape")


@given(
    data=touchpoint_csv(),
    chunk=st.sampled_from([1, 2, 3, 65_536]),
    option=st.sampled_from(["none", "accounts", "default_tz"]),
)
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_read_csv_equals_the_record_path(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    chunk: int,
    option: str,
) -> None:
    monkeypatch.setattr(loader, "CHUNK_ROWS", chunk)
    path = write(tmp_path_factory, data)
    options: dict[str, Any] = {
        "none": {},
        "accounts": {
            "accounts": [
                Account("acme", BUILTIN_SEGMENTS[0]),
                Account("globex", BUILTIN_SEGMENTS[1]),
            ]
        },
        "default_tz": {"default_tz": parse_timezone("America/New_York")},
    }[option]

    header = data.decode("utf-8", "surrogateescape").split("\n", 1)[0].strip().split(",")
    missing = [c for c in loader.REQUIRED_TOUCHPOINT_FIELDS if c not in header]
    for mode in ("lenient", "strict"):
        if missing:
            # A header without a required column refuses the file, in both modes; records
            # (which have no header) are rejected one by one instead.
            names = ", ".join(map(repr, missing))
            plural = "s" if len(missing) > 1 else ""
            with pytest.raises(DataError, match=f"missing required column{plural} {names};"):
                read_csv(path, mode=mode, **options)
            continue
        expected = outcome(
            partial(
                load_touchpoints,
                reference_records(path),
                mode=mode,
                source=str(path),
                **options,
            )
        )
        assert outcome(partial(read_csv, path, mode=mode, **options)) == expected


mapping = MappingFile(
    touchpoints=ColumnMapping(
        columns={"id": "ticket", "occurred_at": "opened"},
        values={
            "status": {"closed": "completed", "Yes": "no_show"},
            "text": {"n/a": "none"},
            "opened": {"soon": "2026-01-01T00:00:00Z"},
            "occurred_at": {"soon": "2026-01-01T00:00:00Z"},
            "csat": {"top": "5"},
        },
        constants={"direction": "inbound"},
    )
)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["t1", "t2", "t3", " t4"]),
            st.sampled_from(["closed", "Yes", "done", "completed", ""]),
            st.sampled_from(["n/a", " n/a ", "x", ""]),
            st.sampled_from(["soon", "2026-01-02T00:00:00Z", "later"]),
            st.sampled_from(["top", "3", ""]),
        ),
        max_size=8,
    )
)
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_read_csv_with_a_mapping_equals_the_record_path(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, ...]]
) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ticket", "account_id", "kind", "opened", "status", "text", "csat"])
    for ticket, status, text, opened, csat in rows:
        writer.writerow([ticket, "acme", "support", opened, status, text, csat])
    path = write(tmp_path_factory, out.getvalue().encode())

    for mode in ("lenient", "strict"):
        expected = outcome(
            partial(
                load_touchpoints,
                reference_records(path),
                mode=mode,
                mapping=mapping.touchpoints,
                source=str(path),
            )
        )
        assert outcome(partial(read_csv, path, mode=mode, mapping=mapping)) == expected


def test_a_clean_export_reads_in_bytes_and_equals_the_record_path(tmp_path: Path) -> None:
    # Hand-made: CRLF lines, a BOM, quoted commas, doubled quotes and a quoted line break,
    # an undecodable byte, non-ASCII padding, a naive time, and a reply.
    path = tmp_path / "tp.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid,account_id,kind,occurred_at,status,in_reply_to,text\r\n"
        b't1,acme,qbr,2026-05-01T09:00:00Z,completed,,"agenda, ""v2""\r\nsent"\r\n'
        b"t2,acme,outreach,2026-05-01T12:30:00.250+02:00,completed,t1,\xc2\xa0thanks\r\n"
        b"t3,caf\xe9,support,2026-05-02T00:00:00Z,completed,,\r\n"
        b"t4,acme,support,2026-05-02 08:00,No-Show,,\r\n"
    )

    blocks = list(csv_field_blocks(path))
    lenient = read_csv(path, mode="lenient")

    assert [isinstance(b.rows, ByteFields) for b in blocks] == [True]
    assert [(r.row, r.field, r.reason) for r in lenient.rejected] == [
        (3, "account_id", "lone surrogate"),
        (4, "occurred_at", lenient.rejected[1].reason),
    ]
    assert lenient.log.text.tolist() == ['agenda, "v2"\r\nsent', "thanks"]
    assert lenient.log.reply_latency_seconds().tolist()[1] == 5400.25
    expected = outcome(
        partial(load_touchpoints, reference_records(path), mode="lenient", source=str(path))
    )
    assert outcome(partial(read_csv, path, mode="lenient")) == expected
    with pytest.raises(RecordError) as error:
        read_csv(path)
    assert (error.value.row, error.value.field, error.value.value) == (
        3,
        "account_id",
        "caf\udce9",
    )


# -- string hashes of the log build ----------------------------------------------------------

strings = st.lists(
    st.text(st.sampled_from("ab\x00é中😁 "), max_size=20) | st.sampled_from(["x" * 40, ""]),
    max_size=30,
)


def _colliding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every string of one length hash alike."""
    monkeypatch.setattr(
        log_module, "_word_hashes", lambda words: np.zeros(len(words), dtype=np.uint64)
    )


@given(strings, st.booleans())
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_factorize_is_exact_whatever_the_hashes(
    monkeypatch: pytest.MonkeyPatch, values: list[str], collide: bool
) -> None:
    if collide:
        _colliding(monkeypatch)
    column = np.array(values, dtype=ID)

    table, codes = factorize_strings(column)

    # The distinct values sorted by numpy from their order of first appearance (numpy's sort
    # ties strings that agree up to a NUL, so the order they come in matters).
    distinct = list(dict.fromkeys(values))
    by_value = np.argsort(np.array(distinct, dtype=ID), kind="stable").tolist()
    assert table.tolist() == [distinct[i] for i in by_value]
    assert [table[c] for c in codes.tolist()] == values
    repeated, first = repeated_rows(column)
    expected = [(i, values.index(v)) for i, v in enumerate(values) if values.index(v) < i]
    assert list(zip(repeated.tolist(), first.tolist(), strict=True)) == expected


@given(strings, strings, st.booleans())
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_reply_links_find_ids_exactly_whatever_the_hashes(
    monkeypatch: pytest.MonkeyPatch, ids: list[str], wanted: list[str], collide: bool
) -> None:
    if collide:
        _colliding(monkeypatch)
    unique = list(dict.fromkeys(ids))
    index = log_module._IdIndex.build(np.array(unique, dtype=ID))

    rows = index.find(np.array(wanted, dtype=TEXT))

    assert rows.tolist() == [unique.index(w) if w in unique else -1 for w in wanted]


def test_a_string_hashes_alike_in_any_block() -> None:
    alone = log_module._string_hashes(np.array(["abc", "é"], dtype=ID))
    ascii_block = log_module._string_hashes(np.array(["abc", "x" * 100], dtype=ID))
    wide_block = log_module._string_hashes(np.array(["中", "abc", "é"], dtype=ID))

    assert alone[0] == ascii_block[0] == wide_block[1]
    assert alone[1] == wide_block[2]
    keys = log_module._StringKeys.of(np.array(["a", "a\x00", "a\x00\x00"], dtype=ID))
    assert keys.lengths.tolist() == [1, 2, 3]


@pytest.mark.parametrize("first", ["long", "irregular"])
def test_columns_laid_out_whole_equal_the_record_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    # Hand-made: a first row far longer than the rest (the estimate of rows falls short and
    # the laid-out columns grow), or a first row csv must read (the first chunk is joined
    # to the laid-out ones), with rejections inside later chunks.
    monkeypatch.setattr(loader, "CHUNK_ROWS", 4)
    header = "id,account_id,kind,occurred_at,status,contact_id,text\n"
    first_row = {
        "long": 't0,acme,qbr,2026-01-01T00:00:00Z,completed,c0,"' + "x" * 5000 + '"\n',
        "irregular": 't0,acme,qbr,2026-01-01T00:00:00Z,completed,c0,5" screen\n',
    }[first]
    rows = [
        f"t{i},acme,qbr,2026-01-{1 + i % 28:02d}T00:00:00Z,"
        f"{'completed' if i % 7 else 'late'},{'c1' if i % 3 else ''},t{i}\n"
        for i in range(1, 60)
    ]
    path = tmp_path / "tp.csv"
    path.write_text(header + first_row + "".join(rows), encoding="utf-8")

    expected = outcome(
        partial(load_touchpoints, reference_records(path), mode="lenient", source=str(path))
    )
    assert outcome(partial(read_csv, path, mode="lenient")) == expected
    assert len(read_csv(path, mode="lenient").rejected) == 8


def test_long_and_short_texts_are_cast_whole(tmp_path: Path) -> None:
    # Hand-made: one 70,000-character text among short ones (the cast width follows the
    # short ones; the long one is cast again at its own width), non-ASCII included.
    header = "id,account_id,kind,occurred_at,status,text\n"
    long_text = ("mot clé, " * 7800)[:70_000]
    rows = [f"t{i},acme,qbr,2026-01-01T00:00:00Z,completed,short {i} é\n" for i in range(200)]
    rows[17] = f't17,acme,qbr,2026-01-01T00:00:00Z,completed,"{long_text}"\n'
    path = tmp_path / "tp.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")

    texts = dict(
        zip(read_csv(path).log.id.tolist(), read_csv(path).log.text.tolist(), strict=True)
    )

    assert texts["t17"] == long_text
    assert texts["t3"] == "short 3 é"
    expected = outcome(partial(load_touchpoints, reference_records(path), source=str(path)))
    assert outcome(partial(read_csv, path)) == expected


def test_a_stray_quote_hands_only_its_block_to_csv(tmp_path: Path) -> None:
    # Hand-made: a quote inside an unquoted field early on, and no quote after it, so every
    # later line looks quoted to a count of quotes; csv reads that block only.
    lines = [f"{i},plain text {i}\n" for i in range(2000)]
    lines[3] = '3,a 5" screen\n'
    data = ("a,b\n" + "".join(lines)).encode()
    path = tmp_path / "t.csv"
    path.write_bytes(data)

    blocks = list(csv_field_blocks(path, block_rows=16))
    _, rows, kinds = scanned_rows(path, 16)

    assert rows == reference_rows(data)[1]
    assert max(len(b) for b in blocks) <= 64
    assert kinds["bytes"] > 1900


@pytest.mark.parametrize("lookahead", [1 << 24, 256])
def test_a_quote_left_open_reads_to_the_end_as_csv_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lookahead: int
) -> None:
    # Hand-made: a quoted field opened and never closed; csv reads the rest of the file
    # into it. With a small look-ahead the reader hands csv the text before the end.
    monkeypatch.setattr(readers, "_LOOKAHEAD", lookahead)
    data = ('a,b\n1,x\n2,"open\n' + "".join(f"{i},y\n" for i in range(500))).encode()
    path = tmp_path / "t.csv"
    path.write_bytes(data)

    _, rows, kinds = scanned_rows(path, 4)

    assert rows == reference_rows(data)[1]
    assert rows[-1][1][1].endswith("499,y\n")
    assert kinds["bytes"] == 1
