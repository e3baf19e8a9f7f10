"""Generic readers (CSV, JSON Lines, mappings) and read_csv/read_jsonl end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from touchpoint_signals.errors import DataError, RecordError
from touchpoint_signals.ingest.loader import read_csv, read_jsonl
from touchpoint_signals.ingest.mapping import ColumnMapping, MappingFile
from touchpoint_signals.ingest.readers import csv_records, jsonl_records, mapping_records
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.log import STATUSES
from touchpoint_signals.model import Account, Status


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding, newline="")
    return path


# -- csv_records ------------------------------------------------------------------------


def test_csv_rows_are_numbered_from_one(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,kind\nt1,qbr\nt2,ebr\n")

    assert list(csv_records(path)) == [
        RawRecord(str(path), 1, {"id": "t1", "kind": "qbr"}),
        RawRecord(str(path), 2, {"id": "t2", "kind": "ebr"}),
    ]


def test_csv_quoted_newline_stays_in_one_record(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", 'id,text\nt1,"line one\r\nline two"\nt2,x\n')

    records = list(csv_records(path))

    assert records[0].values["text"] == "line one\r\nline two"  # type: ignore[union-attr]
    assert [r.row for r in records] == [1, 2]


def test_csv_row_with_wrong_field_count_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,kind\nt1,qbr,extra\nt2\nt3,ebr\n")

    records = list(csv_records(path))

    assert records[:2] == [
        Rejection(
            str(path), 1, None, ["t1", "qbr"], "2 fields as in the header", "row has 3 fields"
        ),
        Rejection(str(path), 2, None, ["t2"], "2 fields as in the header", "row has 1 fields"),
    ]
    assert records[2] == RawRecord(str(path), 3, {"id": "t3", "kind": "ebr"})


def test_csv_empty_row_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,kind\n\nt2,ebr\n")

    assert next(iter(csv_records(path))) == Rejection(
        str(path), 1, None, "", "2 fields", "empty row"
    )


def test_csv_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,kind\nt1,qbr\n", encoding="utf-8-sig")

    assert next(iter(csv_records(path))).values == {"id": "t1", "kind": "qbr"}  # type: ignore[union-attr]


def test_an_empty_csv_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "")

    with pytest.raises(DataError) as caught:
        list(csv_records(path))

    assert str(caught.value) == (
        f"{path}: the file is empty; a CSV file starts with a header row naming its columns, "
        "then one row per record"
    )


def test_a_csv_file_whose_first_line_is_blank_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "\nid,kind\nt1,qbr\n")

    with pytest.raises(DataError) as caught:
        list(csv_records(path))

    assert str(caught.value) == (
        f"{path}: the first line is blank; a CSV file starts with a header row naming its "
        "columns: remove the blank line(s) above it"
    )


def test_a_header_only_csv_file_has_no_records_but_its_header_is_seen(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,kind\n")
    seen: list[tuple[str, tuple[str, ...]]] = []

    assert list(csv_records(path, on_header=lambda *header: seen.append(header))) == []
    assert seen == [(str(path), ("id", "kind"))]


def test_csv_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id;kind\nt1;qbr\n")

    assert next(iter(csv_records(path, delimiter=";"))).values == {"id": "t1", "kind": "qbr"}  # type: ignore[union-attr]


# -- jsonl_records ----------------------------------------------------------------------


def test_jsonl_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", '{"id": "t1"}\n\n   \n{"id": "t2"}\n')

    assert list(jsonl_records(path)) == [
        RawRecord(str(path), 1, {"id": "t1"}),
        RawRecord(str(path), 4, {"id": "t2"}),
    ]


def test_jsonl_bad_json_is_rejected_with_parser_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", '{"id": "t1"\n')

    (rejection,) = list(jsonl_records(path))

    assert (rejection.row, rejection.field, rejection.value, rejection.expected) == (
        1,
        None,
        '{"id": "t1"',
        "a JSON object",
    )  # type: ignore[union-attr]
    assert rejection.reason.startswith("Expecting ',' delimiter")  # type: ignore[union-attr]


def test_jsonl_non_object_line_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", '[1, 2]\n"text"\n')

    assert list(jsonl_records(path)) == [
        Rejection(str(path), 1, None, [1, 2], "a JSON object", "line is not an object"),
        Rejection(str(path), 2, None, "text", "a JSON object", "line is not an object"),
    ]


def test_jsonl_long_bad_line_is_cut_to_80_characters(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", "{" + "x" * 200 + "\n")

    (rejection,) = list(jsonl_records(path))

    assert rejection.value == "{" + "x" * 79  # type: ignore[union-attr]


# -- mapping_records --------------------------------------------------------------------


def test_mapping_records_wraps_and_numbers() -> None:
    records = list(mapping_records([{"id": "t1"}, "junk", {"id": "t3"}], source="api"))  # type: ignore[list-item]

    assert records == [
        RawRecord("api", 1, {"id": "t1"}),
        Rejection(
            "api", 2, None, "junk", "a mapping of field names to values", "not a mapping"
        ),
        RawRecord("api", 3, {"id": "t3"}),
    ]


# -- read_csv / read_jsonl end to end ----------------------------------------------------

TICKETS = """ticket_id,customer,opened,state,note
T-1,acme,2026-03-08 02:30,closed,"first line
second line"
T-2,acme,2026-03-09 10:00,Yes,
T-3,ghost,2026-03-09 11:00,closed,
T-4,beta,not a date,closed,
"""

ACCOUNTS = """account,tier
acme,high_touch
beta,tech_touch
quiet,mid_touch
"""

MAPPING = """
default_tz = "America/New_York"

[touchpoints.columns]
id = "ticket_id"
account_id = "customer"
occurred_at = "opened"
status = "state"
text = "note"

[touchpoints.values.status]
closed = "completed"
Yes = "no_show"

[touchpoints.constants]
kind = "support"

[accounts.columns]
id = "account"
segment = "tier"
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Hand-made ticket export, accounts table and mapping file."""
    return (
        write(tmp_path / "tickets.csv", TICKETS),
        write(tmp_path / "accounts.csv", ACCOUNTS),
        write(tmp_path / "mapping.toml", MAPPING),
    )


def test_read_csv_end_to_end(files: tuple[Path, Path, Path]) -> None:
    tickets, accounts, mapping = files

    result = read_csv(tickets, accounts=accounts, mapping=mapping, mode="lenient")

    log = result.log
    assert log.id.tolist() == ["T-1", "T-2"]
    assert log.account_ids.tolist() == ["acme", "beta", "quiet"]
    assert log.offsets.tolist() == [0, 2, 2, 2]
    assert [STATUSES[s] for s in log.status] == [Status.COMPLETED, Status.NO_SHOW]
    assert log.touchpoint(0).text == "first line\nsecond line"
    assert log.touchpoint(0).occurred_at.isoformat() == "2026-03-08T07:30:00+00:00"


def test_read_csv_reports_rejections_with_file_and_row(files: tuple[Path, Path, Path]) -> None:
    tickets, accounts, mapping = files

    result = read_csv(tickets, accounts=accounts, mapping=mapping, mode="lenient")

    # Field errors surface while streaming; checks across records (accounts) come after.
    assert [(r.source, r.row, r.field, r.value) for r in result.rejected] == [
        (str(tickets), 4, "occurred_at", "not a date"),
        (str(tickets), 3, "account_id", "ghost"),
    ]
    assert result.account_report is not None
    assert (result.account_report.read, result.account_report.accepted) == (3, 3)


def test_read_csv_strict_names_the_file_row(files: tuple[Path, Path, Path]) -> None:
    tickets, accounts, mapping = files

    with pytest.raises(
        RecordError, match=r"tickets.csv, row 4: field 'occurred_at': got 'not a date'"
    ):
        read_csv(tickets, accounts=accounts, mapping=mapping)


def test_read_csv_with_mapping_object_and_account_objects(
    files: tuple[Path, Path, Path],
) -> None:
    tickets, _, mapping = files

    result = read_csv(
        tickets,
        accounts=[Account("acme", "high_touch"), Account("beta", "tech_touch")],
        mapping=MappingFile.from_toml(mapping),
        mode="lenient",
    )

    assert result.log.id.tolist() == ["T-1", "T-2"]
    assert result.account_report is None


def test_read_csv_honours_delimiter(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        "id;account_id;kind;occurred_at;status\nt1;acme;qbr;2026-05-01T09:00Z;completed\n",
    )

    assert read_csv(path, delimiter=";").log.id.tolist() == ["t1"]


def test_read_csv_rejects_other_mapping_types(files: tuple[Path, Path, Path]) -> None:
    with pytest.raises(TypeError, match=r"mapping must be a MappingFile or a path, got dict"):
        read_csv(files[0], mapping={"default_tz": "UTC"})


def test_read_jsonl_end_to_end(tmp_path: Path) -> None:
    lines = [
        {
            "id": "m1",
            "account_id": "acme",
            "kind": "outreach",
            "occurred_at": "2026-05-01T09:00:00+02:00",
            "status": "completed",
            "csat": 5,
        },
        {
            "id": "r1",
            "account_id": "acme",
            "kind": "outreach",
            "occurred_at": "2026-05-01T09:45:00+02:00",
            "status": "completed",
            "in_reply_to": "m1",
        },
    ]
    path = write(
        tmp_path / "t.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n\n[1]\n"
    )
    accounts = write(
        tmp_path / "a.jsonl", '{"id": "acme", "segment": "mid_touch", "annual_revenue": 5000}\n'
    )

    result = read_jsonl(path, accounts=accounts, mode="lenient")

    assert result.log.reply_latency_seconds().tolist()[1] == 2700.0
    assert result.log.touchpoint(0).csat == 5
    assert result.accounts[0].annual_revenue == 5000.0
    assert [(r.row, r.reason) for r in result.rejected] == [(4, "line is not an object")]


# -- found by a first-time user ---------------------------------------------------------

TP_HEADER = "id,account_id,kind,occurred_at,status\n"


def test_accounts_file_format_follows_its_own_extension(tmp_path: Path) -> None:
    # Hand-made fixture: CSV touchpoints with JSON Lines accounts.
    touchpoints = tmp_path / "tp.csv"
    touchpoints.write_text(TP_HEADER + "t1,acme,support,2024-01-01T00:00:00Z,completed\n")
    accounts = tmp_path / "accounts.jsonl"
    accounts.write_text('{"id": "acme", "segment": "tech_touch"}\n')

    result = read_csv(touchpoints, accounts=accounts)

    assert [a.id for a in result.accounts] == ["acme"]
    assert len(result.log) == 1


def test_an_undecodable_byte_rejects_only_its_record(tmp_path: Path) -> None:
    # Hand-made fixture: row 1 holds a latin-1 byte in a file read as UTF-8.
    path = tmp_path / "latin.csv"
    path.write_bytes(
        TP_HEADER.encode()
        + b"l1,caf\xe9,support,2024-01-01T00:00:00Z,completed\n"
        + b"l2,cafe,support,2024-01-02T00:00:00Z,completed\n"
    )

    result = read_csv(path, mode="lenient")

    rejected = result.touchpoint_report.rejected
    assert [(r.row, r.field, r.reason) for r in rejected] == [
        (1, "account_id", "lone surrogate")
    ]
    assert result.log.id.tolist() == ["l2"]


def test_the_declared_encoding_is_used(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(
        TP_HEADER.encode() + b"l1,caf\xe9,support,2024-01-01T00:00:00Z,completed\n"
    )

    result = read_csv(path, encoding="latin-1")

    assert result.log.account_ids.tolist() == ["caf\u00e9"]


def test_a_header_that_repeats_a_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,status,status\nt1,completed,cancelled\n")

    with pytest.raises(DataError, match=r"dup\.csv: the header names columns more than once"):
        list(csv_records(path))


@pytest.mark.parametrize("mode", ["strict", "lenient"])
def test_a_header_without_required_columns_is_refused_naming_every_one(
    tmp_path: Path, mode: str
) -> None:
    path = tmp_path / "tp.csv"
    path.write_text("ident,account_id,kind,when\nt1,acme,qbr,2024-01-01Z\nt2,acme,qbr,x\n")

    with pytest.raises(DataError) as caught:
        read_csv(path, mode=mode)

    # One error for the file, not one rejection per row; every missing column named.
    assert str(caught.value) == (
        f"{path}: missing required columns 'id', 'occurred_at', 'status'; the header has "
        "'ident', 'account_id', 'kind', 'when'. A touchpoint needs id, account_id, kind, "
        "occurred_at, status: rename the columns in the header, or map them in a mapping "
        "file (--mapping on the command line, mapping= in Python): [touchpoints.columns] "
        'names the column that holds a field (id = "your column"), [touchpoints.constants] '
        "gives a field one value for every record"
    )


def test_a_header_only_file_without_required_columns_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "tp.csv"
    path.write_text("id,account_id,kind,occurred_at\n")

    with pytest.raises(DataError, match=r"tp\.csv: missing required column 'status'; "):
        read_csv(path, mode="lenient")


def test_a_column_named_by_the_mapping_must_be_there(tmp_path: Path) -> None:
    path = tmp_path / "tp.csv"
    path.write_text(TP_HEADER + "t1,acme,support,2026-07-01T09:00Z,completed\n")
    mapping = MappingFile(touchpoints=ColumnMapping(columns={"occurred_at": "opened"}))

    with pytest.raises(
        DataError,
        match=r"missing required column 'opened' \(mapped to "
        r"occurred_at\); the header has 'id', ",
    ):
        read_csv(path, mapping=mapping, mode="lenient")


def test_a_constant_stands_in_for_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "tp.csv"
    path.write_text("id,account_id,kind,occurred_at\nt1,acme,support,2026-07-01T09:00Z\n")
    mapping = MappingFile(touchpoints=ColumnMapping(constants={"status": "completed"}))

    assert read_csv(path, mapping=mapping).touchpoint_report.accepted == 1


@pytest.mark.parametrize("mode", ["strict", "lenient"])
def test_an_accounts_csv_without_a_segment_column_is_refused_whole(
    tmp_path: Path, mode: str
) -> None:
    path = tmp_path / "tp.csv"
    path.write_text(TP_HEADER + "t1,acme,support,2026-07-01T09:00Z,completed\n")
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("id,tier\nacme,gold\n")

    with pytest.raises(DataError) as caught:
        read_csv(path, accounts=accounts, mode=mode)

    assert str(caught.value).startswith(
        f"{accounts}: missing required column 'segment'; the header has 'id', 'tier'. An "
        "account needs id, segment: rename the column in the header, or map it in a "
        "mapping file (--mapping on the command line, mapping= in Python): "
        '[accounts.columns] names the column that holds a field (segment = "your column")'
    )


def test_a_header_only_file_loads_nothing_quietly(tmp_path: Path) -> None:
    path = tmp_path / "tp.csv"
    path.write_text(TP_HEADER)

    result = read_csv(path, mode="strict")

    assert (result.touchpoint_report.read, len(result.log)) == (0, 0)


def test_an_empty_touchpoints_file_is_refused_by_read_csv(tmp_path: Path) -> None:
    path = tmp_path / "tp.csv"
    path.write_bytes(b"")

    with pytest.raises(DataError, match=r"tp\.csv: the file is empty; a CSV file starts"):
        read_csv(path, mode="lenient")


def test_default_tz_may_be_given_by_name(tmp_path: Path) -> None:
    path = tmp_path / "tp.csv"
    path.write_text(TP_HEADER + "t1,acme,support,2026-07-01 09:00,completed\n")

    result = read_csv(path, default_tz="Europe/Berlin")

    # 09:00 in Berlin summer time (UTC+2) is 07:00 UTC.
    assert result.log.touchpoint(0).occurred_at.hour == 7
