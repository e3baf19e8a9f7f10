"""Dataframes in and out: pandas and Arrow tables load as the CSV reader loads their file, and
the log, accounts, signals and scores come back out exactly.

The reading tests compare a table with the CSV file that holds the same rows, through
``read_csv``; the round trips start from logs the loader built (their strings are trimmed and
blanks are missing, as every loaded log's are) and must come back field for field.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import touchpoint_signals as ts
from strategies import accounts, ids, instants
from touchpoint_signals import frames
from touchpoint_signals.errors import DataError, MissingExtraError, ProtocolError, RecordError
from touchpoint_signals.ingest.records import ACCOUNT_FIELDS, TOUCHPOINT_FIELDS
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.scoring import Contribution, HealthScore, Scores
from touchpoint_signals.simulate import simulate_portfolio, write_csv
from touchpoint_signals.timeparse import from_epoch_us, to_epoch_us

UTC = dt.UTC
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# -- helpers ----------------------------------------------------------------------------------


def same_log(got: TouchpointLog, expected: TouchpointLog) -> None:
    """Every field of the two logs equal, arrays in dtype and value (NaN equal to NaN)."""
    mine, theirs = got.account_columns(), expected.account_columns()
    assert mine.segments == theirs.segments
    for column in ("segment", "stage", "started_at"):
        np.testing.assert_array_equal(getattr(mine, column), getattr(theirs, column))
    for field in attrs.fields(TouchpointLog):
        name = field.name.lstrip("_")
        name = name if hasattr(TouchpointLog, name) else field.name
        if name in ("known_through", "_account_table"):  # a cut; compared above
            continue
        mine, theirs = getattr(got, name), getattr(expected, name)
        if isinstance(theirs, np.ndarray):
            assert mine.dtype == theirs.dtype, name
            left, right = mine.tolist(), theirs.tolist()
            assert len(left) == len(right), name
            assert all(
                a == b or (a != a and b != b) for a, b in zip(left, right, strict=True)
            ), name
        else:
            assert mine == theirs, name


def rejections(result: ts.LoadResult) -> list[tuple[int, str | None, str, str]]:
    """The rejections without their source (a file's path there, the table's name here)."""
    return [(r.row, r.field, r.expected, r.reason) for r in result.rejected]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


AS_OF = dt.datetime(2025, 12, 31, tzinfo=UTC)


@pytest.fixture(scope="module")
def portfolio() -> Any:
    """A small SIMULATED portfolio with every kind of touchpoint, reply links and texts."""
    return simulate_portfolio(40, seed=5, start=dt.datetime(2025, 1, 1, tzinfo=UTC), end=AS_OF)


@pytest.fixture(scope="module")
def scored(portfolio: Any) -> tuple[ts.SignalSet, Scores]:
    signals = ts.SignalSet.from_log(portfolio.log, AS_OF)
    return signals, ts.default_scorecard().score(signals)


# -- reading: a table loads as its CSV file loads ---------------------------------------------


#: Text values a CSV cell may hold for each field: valid ones and the junk the loader refuses.
CELLS: dict[str, st.SearchStrategy[str]] = {
    "id": st.sampled_from(["t1", "t2", "t3", "t4", " t5 ", ""]),
    "account_id": st.sampled_from(["acme", "globex", "", " initech"]),
    "kind": st.sampled_from(["check_in", "Check-in", "qbr", "support", "webinar", ""]),
    "occurred_at": st.one_of(
        instants().map(lambda m: m.isoformat()),
        st.sampled_from(["2026-01-01 10:00", "2026-13-01T00:00Z", "", "soon"]),
    ),
    "status": st.sampled_from(["completed", "No-Show", "maybe", ""]),
    "channel": st.sampled_from(["email", "video", "pigeon", ""]),
    "in_reply_to": st.sampled_from(["t1", "t2", "missing!", ""]),
    "text": st.text(max_size=8),
    "csat": st.sampled_from(["1", "5", "5.0", "6", "x", ""]),
    "attendees": st.sampled_from(["0", "3", "-1", ""]),
}


@st.composite
def csv_tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header of some fields and rows of text cells, valid and not."""
    header = draw(
        st.lists(st.sampled_from(list(CELLS)), min_size=1, max_size=len(CELLS), unique=True)
    )
    rows = draw(st.lists(st.tuples(*(CELLS[name] for name in header)).map(list), max_size=12))
    return header, rows


def _text_cell_safe(rows: list[list[str]]) -> bool:
    """Whether every cell survives a CSV file unchanged (csv turns a lone CR into a break)."""
    return all("\r" not in cell and "\x00" not in cell for row in rows for cell in row)


@SETTINGS
@given(csv_tables(), st.sampled_from(["strict", "lenient"]))
def test_a_dataframe_of_text_loads_as_its_csv_file(
    tmp_path: Path, table: tuple[list[str], list[list[str]]], mode: str
) -> None:
    header, rows = table
    if not _text_cell_safe(rows):
        return
    path = write_rows(tmp_path / "touchpoints.csv", header, rows)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    arrow = pa.table({name: [row[j] for row in rows] for j, name in enumerate(header)})

    outcomes = []
    for load in (
        lambda: ts.read_csv(path, mode=mode),
        lambda: ts.read_pandas(frame, mode=mode),
        lambda: ts.read_arrow(arrow, mode=mode),
        lambda: ts.read_pandas(pd.read_csv(path, dtype=str, keep_default_na=False), mode=mode),
    ):
        try:
            result = load()
        except RecordError as error:
            outcomes.append((type(error), error.row, error.field, error.expected))
        except DataError as error:  # a required column missing: what is missing, per table
            outcomes.append((DataError, str(error).split(": ", 1)[1].split(";")[0]))
        else:
            outcomes.append((rejections(result), result))

    first = outcomes[0]
    for other in outcomes[1:]:
        if isinstance(first[1], ts.LoadResult):
            assert other[0] == first[0]
            same_log(other[1].log, first[1].log)
            assert other[1].touchpoint_report.read == first[1].touchpoint_report.read
        else:
            assert other == first


def test_typed_frames_of_a_real_csv_load_as_read_csv(tmp_path: Path, portfolio: Any) -> None:
    touchpoints, accounts_path, _ = write_csv(portfolio, tmp_path)
    expected = ts.read_csv(touchpoints, accounts=accounts_path)

    instants_ = ["occurred_at", "recorded_at"]
    inferred = pd.read_csv(touchpoints, parse_dates=instants_)
    assert isinstance(inferred["occurred_at"].dtype, pd.DatetimeTZDtype)
    assert inferred["csat"].dtype == np.float64  # an integer column with gaps
    by_pandas = ts.read_pandas(inferred, accounts=pd.read_csv(accounts_path))
    by_arrow = ts.read_arrow(
        pa_csv.read_csv(touchpoints), accounts=pa_csv.read_csv(accounts_path)
    )
    assert pa_csv.read_csv(touchpoints).schema.field("occurred_at").type == pa.timestamp(
        "s", tz="UTC"
    )

    for result in (by_pandas, by_arrow):
        assert result.rejected == []
        same_log(result.log, expected.log)
        same_log(result.log, portfolio.log)


def test_a_rejection_names_the_row_position_and_the_field() -> None:
    frame = pd.DataFrame(
        {
            "id": ["t1", "t2", "t3"],
            "account_id": ["acme"] * 3,
            "kind": ["check_in"] * 3,
            "occurred_at": pd.to_datetime(["2026-05-01", "2026-05-02", "2026-05-03"], utc=True),
            "status": ["completed", "maybe", "completed"],
        },
        index=[10, 20, 30],
    )

    lenient = ts.read_pandas(frame, mode="lenient", source="crm export")
    assert [(r.source, r.row, r.field, r.value) for r in lenient.rejected] == [
        ("crm export", 2, "status", "maybe")
    ]
    assert len(lenient.log) == 2
    assert lenient.touchpoint_report.read == 3

    with pytest.raises(RecordError, match="row 2: field 'status'") as caught:
        ts.read_pandas(frame)
    assert (caught.value.source, caught.value.row, caught.value.field) == (
        "<dataframe>",
        2,
        "status",
    )


@pytest.mark.parametrize("mode", ["strict", "lenient"])
def test_a_frame_without_a_required_column_is_refused_whole(mode: str) -> None:
    frame = pd.DataFrame({"id": ["t1", "t2"], "account_id": ["a", "a"], "kind": ["qbr"] * 2})

    with pytest.raises(DataError) as caught:
        ts.read_pandas(frame, mode=mode, source="crm export")

    assert str(caught.value) == (
        "crm export: missing required columns 'occurred_at', 'status'; the DataFrame has "
        "'id', 'account_id', 'kind'. A touchpoint needs id, account_id, kind, occurred_at, "
        "status: rename the columns in the DataFrame, or map them in a mapping file "
        "(--mapping on the command line, mapping= in Python): [touchpoints.columns] names "
        'the column that holds a field (occurred_at = "your column"), '
        "[touchpoints.constants] gives a field one value for every record"
    )


def test_an_arrow_table_without_a_mapped_column_is_refused_naming_the_mapping() -> None:
    table = pa.table(
        {
            "id": ["t1"],
            "account_id": ["acme"],
            "kind": ["qbr"],
            "occurred_at": ["2026-05-01T09:00:00Z"],
            "status": ["completed"],
        }
    )
    mapping = ts.MappingFile(touchpoints=ts.ColumnMapping(columns={"account_id": "customer"}))

    with pytest.raises(
        DataError,
        match=r"^<arrow table>: missing required column 'customer' "
        r"\(mapped to account_id\); the table has 'id', 'account_id',",
    ):
        ts.read_arrow(table, mapping=mapping, mode="lenient")


def test_an_accounts_frame_without_a_segment_is_refused_whole() -> None:
    frame = _one_column(["2026-05-01T09:00:00Z"])
    accounts = pd.DataFrame({"id": ["acme"]})

    with pytest.raises(
        DataError,
        match=r"^<accounts dataframe>: missing required column "
        r"'segment'; the DataFrame has 'id'\. An account needs id, segment: ",
    ):
        ts.read_pandas(frame, accounts=accounts, mode="lenient")


def _one_column(values: Any, name: str = "occurred_at") -> pd.DataFrame:
    n = len(values)
    columns: dict[str, Any] = {
        "id": [f"t{i}" for i in range(n)],
        "account_id": ["acme"] * n,
        "kind": ["check_in"] * n,
        "occurred_at": pd.to_datetime(["2026-05-01T09:00Z"] * n),
        "status": ["completed"] * n,
    }
    columns[name] = values
    return pd.DataFrame(columns)


def _instants(result: ts.LoadResult, field: str = "occurred_at") -> list[str]:
    """The instants of ``field`` in input order (the ids are t0, t1, ...), as ISO text."""
    values = getattr(result.log, field)[np.argsort(result.log.id)]
    return [from_epoch_us(v).isoformat() for v in values.tolist()]


def test_naive_timestamps_are_refused_without_a_zone_and_follow_the_dst_policy_with_one() -> (
    None
):
    naive = pd.to_datetime(["2026-11-01 01:30", "2026-03-08 02:30", "2026-06-01 12:00"])
    frame = _one_column(naive)
    assert frame["occurred_at"].dt.tz is None

    with pytest.raises(RecordError) as caught:
        ts.read_pandas(frame)
    assert (caught.value.row, caught.value.field) == (1, "occurred_at")
    assert caught.value.expected == "a date-time with a time zone"
    assert len(ts.read_pandas(frame, mode="lenient").rejected) == 3

    placed = ts.read_pandas(frame, default_tz="America/New_York")
    # Ambiguous 01:30 is its first (summer) occurrence; 02:30 in the spring gap moves on an
    # hour to 03:30 local; 12:00 in June is EDT.
    assert _instants(placed) == [
        "2026-11-01T05:30:00+00:00",
        "2026-03-08T07:30:00+00:00",
        "2026-06-01T16:00:00+00:00",
    ]
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    assert arrow.schema.field("occurred_at").type.tz is None
    same_log(ts.read_arrow(arrow, default_tz="America/New_York").log, placed.log)


def test_aware_timestamps_in_any_zone_and_unit_are_their_instants_to_the_microsecond() -> None:
    stamps = pd.Series(
        pd.to_datetime(
            [
                "2026-05-01 09:00:00.123456789+02:00",
                "1969-12-31 23:59:59.9999999+00:00",
                None,
            ],
            format="ISO8601",
            utc=True,
        )
    ).dt.tz_convert("Europe/Berlin")
    frame = _one_column(stamps.astype("datetime64[ns, Europe/Berlin]"), "recorded_at")

    result = ts.read_pandas(frame)

    assert result.log.recorded_at[np.argsort(result.log.id)].tolist() == [
        to_epoch_us(dt.datetime(2026, 5, 1, 7, 0, 0, 123456, tzinfo=UTC)),
        -1,  # a tenth of a microsecond before the epoch rounds down to the one before
        to_epoch_us(dt.datetime(2026, 5, 1, 9, tzinfo=UTC)),  # missing: occurred
    ]
    for unit in ("s", "ms", "us"):
        coarse = _one_column(stamps.dt.floor("s").astype(f"datetime64[{unit}, Europe/Berlin]"))
        coarse["recorded_at"] = coarse["occurred_at"]
        loaded = ts.read_pandas(coarse.dropna())
        assert loaded.log.occurred_at[np.argsort(loaded.log.id)].tolist() == [
            to_epoch_us(dt.datetime(2026, 5, 1, 7, tzinfo=UTC)),
            -1_000_000,
        ]


def test_missing_values_of_every_spelling_are_missing() -> None:
    frame = pd.DataFrame(
        {
            "id": ["t1", "t2", "t3", "t4", "t5"],
            "account_id": ["acme"] * 5,
            "kind": pd.Categorical(["check_in", "qbr", "qbr", "check_in", "support"]),
            "occurred_at": pd.to_datetime(["2026-05-01T09:00Z"] * 5),
            "status": ["completed"] * 5,
            "channel": pd.Categorical(["email", None, "video", np.nan, "email"]),
            "text": [None, np.nan, pd.NA, "  ", "hello "],
            "purpose": pd.array(["kick-off", None, pd.NA, "", "renewal"], dtype="string"),
            "csat": pd.array([5, None, 3, pd.NA, 1], dtype="Int8"),
            "attendees": [2.0, np.nan, 4.0, 0.0, np.nan],
            "recorded_at": pd.to_datetime(["2026-05-02T09:00Z", None, None, None, None]),
        }
    )

    log = ts.read_pandas(frame).log
    rows = np.argsort(log.id)

    assert [log.touchpoint(int(r)).text for r in rows] == [None, None, None, None, "hello"]
    assert [log.touchpoint(int(r)).purpose for r in rows] == [
        "kick-off", None, None, None, "renewal",
    ]  # fmt: skip
    assert [log.touchpoint(int(r)).channel for r in rows] == [
        ts.Channel.EMAIL, None, ts.Channel.VIDEO, None, ts.Channel.EMAIL,
    ]  # fmt: skip
    assert [log.touchpoint(int(r)).csat for r in rows] == [5, None, 3, None, 1]
    assert [log.touchpoint(int(r)).attendees for r in rows] == [2, None, 4, 0, None]
    assert log.recorded_at[rows].tolist() == [
        to_epoch_us(dt.datetime(2026, 5, 2, 9, tzinfo=UTC)),
        *[to_epoch_us(dt.datetime(2026, 5, 1, 9, tzinfo=UTC))] * 4,
    ]


def test_a_float_that_is_not_whole_is_refused_as_written() -> None:
    frame = _one_column([4.5, 2.0], "csat")

    result = ts.read_pandas(frame, mode="lenient")

    assert [(r.row, r.field, r.value) for r in result.rejected] == [(1, "csat", "4.5")]


def test_the_mapping_renames_respells_and_fills_in_constants(tmp_path: Path) -> None:
    mapping_path = tmp_path / "mapping.toml"
    mapping_path.write_text(
        'default_tz = "Europe/Berlin"\n'
        "[touchpoints.columns]\n"
        'id = "ticket"\naccount_id = "customer"\noccurred_at = "opened"\nstatus = "state"\n'
        "[touchpoints.values.status]\n"
        'closed = "completed"\nmissed = "no_show"\n'
        "[touchpoints.constants]\n"
        'kind = "support"\ndirection = "inbound"\n'
        "[accounts.columns]\n"
        'id = "customer"\nsegment = "tier"\n'
        "[accounts.values.segment]\n"
        'gold = "high_touch"\nbasic = "tech_touch"\n',
        encoding="utf-8",
    )
    touchpoints = pd.DataFrame(
        {
            "ticket": [101, 102, 103],
            "customer": pd.Categorical(["c1", "c2", "c1"]),
            "opened": pd.to_datetime(
                ["2026-03-29 02:30", "2026-05-01 09:00", "2026-05-02 00:00"]
            ),
            "state": ["closed", "missed", "open"],
            "unused": [object(), object(), object()],
        }
    )
    customers = pd.DataFrame(
        {"customer": ["c1", "c2", "c3"], "tier": ["gold", "basic", "gold"]}
    )

    result = ts.read_pandas(
        touchpoints, accounts=customers, mapping=mapping_path, mode="lenient"
    )
    touchpoints.drop(columns="unused").to_csv(tmp_path / "t.csv", index=False)
    customers.to_csv(tmp_path / "a.csv", index=False)
    expected = ts.read_csv(
        tmp_path / "t.csv", accounts=tmp_path / "a.csv", mapping=mapping_path, mode="lenient"
    )

    assert [(r.row, r.field, r.value) for r in result.rejected] == [(3, "status", "open")]
    assert rejections(result) == rejections(expected)
    same_log(result.log, expected.log)
    assert [str(a) for a in result.log.account_ids] == ["c1", "c2", "c3"]
    assert [a.segment.name for a in result.accounts] == [
        "high_touch",
        "tech_touch",
        "high_touch",
    ]
    first = result.log.touchpoint(0)
    # 02:30 on the night Berlin springs forward is read as 03:30 CEST, 01:30 UTC.
    assert (first.id, first.kind.name, first.direction, first.occurred_at) == (
        "101",
        "support",
        ts.Direction.INBOUND,
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    )


def test_touchpoints_of_accounts_the_accounts_table_lacks_are_rejected() -> None:
    touchpoints = _one_column(pd.to_datetime(["2026-05-01T09:00Z"] * 2))
    touchpoints["account_id"] = ["acme", "globex"]
    account_table = pd.DataFrame({"id": ["acme", "initech"], "segment": ["mid_touch"] * 2})

    result = ts.read_pandas(touchpoints, accounts=account_table, mode="lenient")

    assert [(r.row, r.field, r.reason) for r in result.rejected] == [
        (2, "account_id", "unknown account")
    ]
    assert [str(a) for a in result.log.account_ids] == ["acme", "initech"]
    assert result.account_report is not None
    assert result.account_report.source == "<accounts dataframe>"
    objects = ts.read_pandas(touchpoints, accounts=result.accounts, mode="lenient")
    same_log(objects.log, result.log)


def test_a_table_that_names_a_column_twice_is_refused() -> None:
    frame = pd.DataFrame([["t1", "t2"]], columns=["id", "id"])

    with pytest.raises(DataError, match=r"names columns more than once: \['id'\]"):
        ts.read_pandas(frame)
    with pytest.raises(DataError, match="names columns more than once"):
        ts.read_arrow(pa.table([pa.array(["a"]), pa.array(["b"])], names=["id", "id"]))


def test_only_tables_are_read() -> None:
    with pytest.raises(ProtocolError, match="takes a pandas DataFrame, got dict"):
        ts.read_pandas({"id": ["t1"]})  # type: ignore[arg-type]
    with pytest.raises(ProtocolError, match="pyarrow Table or RecordBatch for touchpoints"):
        ts.read_arrow(pd.DataFrame())  # type: ignore[arg-type]


def test_rows_are_numbered_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frames, "BLOCK_ROWS", 2)
    statuses = ["completed", "bad", "completed", "completed", "worse"]
    frame = _one_column(statuses, "status")

    result = ts.read_pandas(frame, mode="lenient")
    arrow = ts.read_arrow(pa.Table.from_pandas(frame).to_batches()[0], mode="lenient")

    assert [(r.row, r.value) for r in result.rejected] == [(2, "bad"), (5, "worse")]
    assert rejections(arrow) == rejections(result)
    same_log(arrow.log, result.log)


def test_arrow_types_read_as_their_values() -> None:
    batches = [
        pa.record_batch(
            {
                "id": pa.array(["t1", "t2"], type=pa.large_string()),
                "account_id": pa.array(["acme", "acme"]).dictionary_encode(),
                "kind": pa.array(["check_in", "qbr"]).dictionary_encode(),
                "occurred_at": pa.array([0, 86_400], type=pa.timestamp("s", tz="Asia/Tokyo")),
                "status": pa.array(["completed", None]).dictionary_encode(),
                "csat": pa.array([5, None], type=pa.uint8()),
                "attendees": pa.array([3.0, None], type=pa.float32()),
            }
        ),
        pa.record_batch(
            {
                "id": pa.array(["t3"], type=pa.large_string()),
                "account_id": pa.array(["globex"]).dictionary_encode(),
                "kind": pa.array(["qbr"]).dictionary_encode(),
                "occurred_at": pa.array([172_800], type=pa.timestamp("s", tz="Asia/Tokyo")),
                "status": pa.array(["no_show"]).dictionary_encode(),
                "csat": pa.array([None], type=pa.uint8()),
                "attendees": pa.array([0.0], type=pa.float32()),
            }
        ),
    ]
    table = pa.Table.from_batches(batches)
    assert table.column("id").num_chunks == 2

    result = ts.read_arrow(table, mode="lenient")

    assert [(r.row, r.field, r.reason) for r in result.rejected] == [(2, "status", "missing")]
    assert [t.id for t in result.log.to_touchpoints()] == ["t1", "t3"]
    first, third = result.log.to_touchpoints()
    assert (first.occurred_at, first.csat, first.attendees) == (
        dt.datetime(1970, 1, 1, tzinfo=UTC),
        5,
        3,
    )
    assert (third.account_id, third.status, third.csat, third.attendees) == (
        "globex",
        ts.Status.NO_SHOW,
        None,
        0,
    )


def test_arrow_dates_are_naive_midnights() -> None:
    table = pa.table(
        {
            "id": ["t1"],
            "account_id": ["acme"],
            "kind": ["qbr"],
            "occurred_at": pa.array([dt.date(2026, 5, 1)], type=pa.date32()),
            "status": ["completed"],
        }
    )

    with pytest.raises(RecordError, match="it has none; give the zone it was written in"):
        ts.read_arrow(table)
    placed = ts.read_arrow(table, default_tz="Asia/Tokyo").log.touchpoint(0)
    assert placed.occurred_at == dt.datetime(2026, 4, 30, 15, tzinfo=UTC)


def test_pyarrow_backed_pandas_columns_read_as_arrow_columns() -> None:
    frame = _one_column(
        pd.array(
            [dt.datetime(2026, 5, 1, 9, tzinfo=UTC)],
            dtype=pd.ArrowDtype(pa.timestamp("us", "UTC")),
        )
    )
    frame["csat"] = pd.array([4], dtype=pd.ArrowDtype(pa.int16()))

    touchpoint = ts.read_pandas(frame).log.touchpoint(0)

    assert (touchpoint.occurred_at, touchpoint.csat) == (
        dt.datetime(2026, 5, 1, 9, tzinfo=UTC),
        4,
    )


# -- round trips -------------------------------------------------------------------------------


@st.composite
def loaded_logs(draw: st.DrawFn) -> tuple[TouchpointLog, list[ts.Account] | None]:
    """A log the loader built from canonical records (lenient: unresolved links stay), with
    account records or without."""
    pool = draw(st.lists(ids(4), min_size=1, max_size=10, unique=True))
    account_ids = draw(st.lists(ids(2), min_size=1, max_size=3, unique=True))
    optional_text = st.none() | st.text(max_size=10)
    records = []
    for touchpoint_id in pool:
        occurred = draw(instants())
        records.append(
            {
                "id": touchpoint_id,
                "account_id": draw(st.sampled_from(account_ids)),
                "kind": draw(st.sampled_from([k.name for k in ts.BUILTIN_KINDS])),
                "occurred_at": occurred,
                "status": draw(st.sampled_from(ts.Status)).value,
                "channel": draw(st.none() | st.sampled_from([c.value for c in ts.Channel])),
                "direction": draw(st.none() | st.sampled_from(["inbound", "outbound"])),
                "contact_id": draw(st.none() | ids(2)),
                "in_reply_to": draw(st.none() | st.sampled_from([*pool, "missing!"])),
                "trigger": draw(st.none() | st.sampled_from([t.value for t in ts.Trigger])),
                "text": draw(optional_text),
                "quoted_text": draw(optional_text),
                "purpose": draw(optional_text),
                "outcome": draw(optional_text),
                "recorded_at": draw(st.none() | instants()),
                "csat": draw(st.none() | st.integers(1, 5)),
                "attendees": draw(st.none() | st.integers(0, 2**31 - 1)),
            }
        )
    records_of_accounts = None
    if draw(st.booleans()):  # with account records, one of them without touchpoints
        drawn = [draw(accounts(id=st.just(a))) for a in [*account_ids, "idle"]]
        loaded, _ = ts.load_accounts([_account_record(a) for a in drawn], mode="lenient")
        records_of_accounts = list(loaded)
    result = ts.load_touchpoints(records, accounts=records_of_accounts, mode="lenient")
    return result.log, records_of_accounts


def _account_record(account: ts.Account) -> dict[str, object]:
    """An account as a canonical record, for the loader to bring into its form."""
    fields = {field.name: getattr(account, field.name) for field in attrs.fields(ts.Account)}
    return fields | {"segment": account.segment.name}


@SETTINGS
@given(loaded_logs())
def test_log_to_pandas_and_back_is_the_same_log(
    loaded: tuple[TouchpointLog, list[ts.Account] | None],
) -> None:
    log, account_records = loaded
    account_frame = None if account_records is None else frames.accounts_to_pandas(log)

    back = ts.read_pandas(frames.log_to_pandas(log), accounts=account_frame, mode="lenient")

    same_log(back.log, log)
    assert len(back.touchpoint_report.link_issues) == len(log.unresolved_reply_rows)
    assert back.rejected == []


@SETTINGS
@given(loaded_logs())
def test_log_to_arrow_and_back_is_the_same_log(
    loaded: tuple[TouchpointLog, list[ts.Account] | None],
) -> None:
    log, account_records = loaded
    account_table = None if account_records is None else frames.accounts_to_arrow(log)

    back = ts.read_arrow(frames.log_to_arrow(log), accounts=account_table, mode="lenient")

    same_log(back.log, log)
    assert back.rejected == []


def test_a_point_in_time_view_round_trips_with_its_cut_links(portfolio: Any) -> None:
    view = portfolio.log.as_of(dt.datetime(2025, 6, 30, tzinfo=UTC))
    assert len(view) < len(portfolio.log)

    back = ts.read_pandas(
        frames.log_to_pandas(view), accounts=frames.accounts_to_pandas(view), mode="lenient"
    )

    # The view keeps its parent's table of contacts; the touchpoints, accounts and links
    # it holds come back as they were.
    assert back.log.to_touchpoints() == view.to_touchpoints()
    assert back.log.account_ids.tolist() == view.account_ids.tolist()
    assert back.log.accounts == view.accounts
    assert back.log.unresolved_reply_ids.tolist() == view.unresolved_reply_ids.tolist()


def test_log_frame_columns_hold_ids_names_and_typed_values() -> None:
    log = TouchpointLog.from_touchpoints(
        [
            ts.Touchpoint("m1", "acme", "outreach", "2026-05-01T09:00Z", "completed",
                          channel="email", direction="outbound", contact_id="csm"),
            ts.Touchpoint("r1", "acme", "outreach", "2026-05-01T15:00Z", "completed",
                          in_reply_to="m1", contact_id="ann", csat=4),
            ts.Touchpoint("r2", "globex", "qbr", "2026-05-02T10:00Z", "no_show",
                          in_reply_to="gone", attendees=0,
                          recorded_at="2026-05-03T08:00Z"),
        ]
    )  # fmt: skip

    frame = frames.log_to_pandas(log)

    assert list(frame.columns) == list(TOUCHPOINT_FIELDS)
    assert frame["id"].tolist() == ["m1", "r1", "r2"]
    assert frame["account_id"].tolist() == ["acme", "acme", "globex"]
    assert frame["kind"].tolist() == ["outreach", "outreach", "qbr"]
    assert list(frame["kind"].cat.categories) == [k.name for k in ts.BUILTIN_KINDS]
    assert list(frame["status"].cat.categories) == [s.value for s in ts.Status]
    assert frame["in_reply_to"].tolist() == [pd.NA, "m1", "gone"]
    assert frame["contact_id"].tolist() == ["csm", "ann", pd.NA]
    assert frame["channel"].tolist()[0] == "email"
    assert pd.isna(frame["channel"][1])
    assert str(frame["occurred_at"].dtype) == "datetime64[us, UTC]"
    assert frame["recorded_at"][2] == pd.Timestamp("2026-05-03T08:00Z")
    assert frame["csat"].tolist() == [pd.NA, 4, pd.NA]
    assert str(frame["csat"].dtype) == "Int8"
    assert str(frame["attendees"].dtype) == "Int32"
    assert frame["attendees"].tolist() == [pd.NA, pd.NA, 0]

    table = frames.log_to_arrow(log)
    assert table.schema.field("occurred_at").type == pa.timestamp("us", tz="UTC")
    assert pa.types.is_dictionary(table.schema.field("status").type)
    assert table.column("in_reply_to").to_pylist() == [None, "m1", "gone"]
    assert table.column("csat").to_pylist() == [None, 4, None]


def test_accounts_frame_holds_the_records() -> None:
    records = [
        ts.Account("acme", "high_touch", name="Acme", annual_revenue=1200.5, owner="kim",
                   lifecycle_stage="renewal", renews_at="2026-09-01T00:00Z"),
        ts.Account("globex", "tech_touch"),
    ]  # fmt: skip

    frame = frames.accounts_to_pandas(records)

    assert list(frame.columns) == list(ACCOUNT_FIELDS)
    assert frame["segment"].tolist() == ["high_touch", "tech_touch"]
    assert frame["annual_revenue"].tolist()[0] == 1200.5
    assert math.isnan(frame["annual_revenue"][1])
    assert frame["lifecycle_stage"].tolist()[0] == "renewal"
    assert frame["renews_at"][0] == pd.Timestamp("2026-09-01T00:00Z")
    assert pd.isna(frame["renews_at"][1])
    assert pd.isna(frame["owner"][1])
    loaded, _ = ts.load_accounts(frames.accounts_to_arrow(records).to_pylist())
    assert list(loaded) == records


# -- signals and scores out --------------------------------------------------------------------


def _float(value: float | None) -> float:
    return math.nan if value is None else value


def _same_float(got: object, expected: float | None) -> bool:
    if expected is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    return got == expected


def test_signals_frame_values_are_the_signals(scored: tuple[ts.SignalSet, Scores]) -> None:
    signals, _ = scored

    frame = frames.signals_to_pandas(signals)
    table = frames.signals_to_arrow(signals).to_pylist()

    assert frame["account_id"].tolist() == [str(a) for a in signals.account_ids]
    assert (frame["as_of"] == pd.Timestamp(AS_OF)).all()
    assert frame.attrs["units"] == {n: f.unit for n, f in signals.frames.items()}
    for name, signal_frame in signals.frames.items():
        for code, signal in enumerate(signal_frame):
            row, arrow_row = frame.iloc[code], table[code]
            for got in (row, arrow_row):
                assert _same_float(got[f"{name}.value"], signal.value)
                assert _same_float(got[f"{name}.severity"], signal.severity)
                assert got[f"{name}.status"] == signal.status.value
                assert got[f"{name}.reason"] == signal.reason
                assert tuple(got[f"{name}.evidence"]) == signal.evidence
                for key, count in signal.samples.items():
                    assert got[f"{name}.samples.{key}"] == count
                for key, number in signal.details.items():
                    assert _same_float(got[f"{name}.details.{key}"], number) or (
                        math.isnan(number) and pd.isna(got[f"{name}.details.{key}"])
                    )


def test_scores_frame_values_are_the_health_scores(scored: tuple[ts.SignalSet, Scores]) -> None:
    signals, scores = scored
    ranked = scores.riskiest_first()

    frame = frames.scores_to_pandas(ranked, signals=signals)
    table = frames.scores_to_arrow(ranked, signals=signals).to_pylist()

    assert frame["account_id"].tolist() == [s.account_id for s in ranked]
    assert list(frame["band"].cat.categories) == ["red", "yellow", "insufficient_data", "green"]
    assert frame["band"].cat.ordered
    assert len({s.band for s in ranked}) > 1  # the portfolio has more than one band
    for position, health in enumerate(ranked):
        for row in (frame.iloc[position], table[position]):
            assert row["band"] == health.band.value
            assert _same_float(row["score"], health.score)
            assert row["coverage"] == health.coverage
            assert row["as_of"] == pd.Timestamp(health.as_of)
            assert (row["scorer"], row["config_hash"]) == (health.scorer, health.config_hash)
            assert row["segment"] == health.segment
            assert list(row["reasons"]) == list(health.reasons)
            assert list(row["adjustments"]) == []
            for c in health.contributions:
                assert row[f"{c.signal}.points"] == c.points
                assert row[f"{c.signal}.weight"] == c.weight
                assert row[f"{c.signal}.effective_weight"] == c.effective_weight
                assert _same_float(row[f"{c.signal}.scored_severity"], c.severity)
                assert row[f"{c.signal}.handling"] == c.handling
            code = signals.account_ids.tolist().index(health.account_id)
            reading = signals.frame("attendance").at(code)
            assert row["attendance.reason"] == reading.reason
    points = frame[[c for c in frame.columns if c.endswith(".points")]].sum(axis=1)
    assert np.allclose(points, frame["score"].fillna(0.0), atol=0.011)


def _hand_score(account: str, **changes: Any) -> HealthScore:
    base = HealthScore(
        account_id=account,
        as_of=dt.datetime(2026, 6, 30, 12, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        score=72.5,
        band=ts.Band.YELLOW,
        coverage=0.75,
        contributions=(
            Contribution("attendance", 40.0, 50.0, 0.5, 0.2, "observed", "fine"),
            Contribution("cadence", 32.5, 50.0, 0.5, None, "neutral", "no data"),
        ),
        reasons=("cadence had no data",),
        scorer="card",
        config_hash="abc",
        segment="mid_touch",
    )
    return attrs.evolve(base, **changes)


def test_a_hand_made_score_row() -> None:
    scores = [
        _hand_score("acme"),
        _hand_score(
            "globex", score=None, band=ts.Band.INSUFFICIENT_DATA, contributions=(), reasons=()
        ),
    ]

    frame = frames.scores_to_pandas(scores)

    assert list(frame.columns) == [
        "account_id", "band", "score", "coverage", "segment", "as_of", "scorer",
        "config_hash", "reasons", "adjustments", "attendance.points", "attendance.weight",
        "attendance.effective_weight", "attendance.scored_severity", "attendance.handling",
        "cadence.points", "cadence.weight", "cadence.effective_weight",
        "cadence.scored_severity", "cadence.handling",
    ]  # fmt: skip
    first = frame.iloc[0].to_dict()
    assert first["as_of"] == pd.Timestamp("2026-06-30T10:00Z")
    assert (first["score"], first["attendance.points"], first["cadence.points"]) == (
        72.5,
        40.0,
        32.5,
    )
    assert first["cadence.handling"] == "neutral"
    assert math.isnan(first["cadence.scored_severity"])
    second = frame.iloc[1]
    assert second["band"] == "insufficient_data"
    assert math.isnan(second["score"])
    assert math.isnan(second["attendance.points"])
    assert pd.isna(second["attendance.handling"])
    arrow = frames.scores_to_arrow(scores).to_pylist()
    assert arrow[1]["score"] is None
    assert arrow[1]["attendance.points"] is None


def test_two_contributions_of_one_signal_cannot_share_a_column() -> None:
    doubled = _hand_score(
        "acme",
        contributions=(
            Contribution("attendance", 40.0, 50.0, 0.5, 0.2, "observed", "a"),
            Contribution("attendance", 32.5, 50.0, 0.5, 0.35, "observed", "b"),
        ),
    )

    with pytest.raises(DataError, match="two contributions of signal 'attendance'"):
        frames.scores_to_pandas([doubled])


def test_scores_without_signals_are_refused_when_signals_are_joined(
    scored: tuple[ts.SignalSet, Scores],
) -> None:
    signals, _ = scored

    with pytest.raises(DataError, match=r"accounts \['nobody'\] have a health score"):
        frames.scores_to_pandas([_hand_score("nobody")], signals=signals)


# -- the extras -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("package", "extra", "call"),
    [
        ("pandas", "pandas", lambda log: ts.read_pandas(None)),  # type: ignore[arg-type]
        ("pandas", "pandas", frames.log_to_pandas),
        ("pyarrow", "arrow", lambda log: ts.read_arrow(None)),  # type: ignore[arg-type]
        ("pyarrow", "arrow", frames.log_to_arrow),
        ("pyarrow", "arrow", lambda log: frames.scores_to_arrow([])),
    ],
)
def test_a_missing_extra_is_named(
    monkeypatch: pytest.MonkeyPatch, package: str, extra: str, call: Any
) -> None:
    monkeypatch.setitem(__import__("sys").modules, package, None)
    log = TouchpointLog.from_touchpoints([])

    with pytest.raises(
        MissingExtraError, match=rf"pip install 'touchpoint-signals\[{extra}\]'"
    ):
        call(log)
    with pytest.raises(ImportError):
        call(log)


def test_the_dataframes_page_runs_as_written() -> None:
    page = Path(__file__).resolve().parents[1] / "docs" / "dataframes.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 2

    namespace: dict[str, Any] = {"__name__": "docs"}
    for block in blocks:  # the second block goes on from the first
        exec(compile(block, "dataframes.md", "exec"), namespace)
