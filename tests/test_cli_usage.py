"""What the command line says when it is used wrongly or given data it cannot use.

Every message is pinned whole: it names the file or option, says what was expected and what
to do. Hand-made files throughout.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from touchpoint_signals.cli import main

HEADER = "id,account_id,kind,occurred_at,status\n"
# Hand-made fixture: two accounts, three good touchpoints.
GOOD = (
    HEADER
    + "t1,acme,check_in,2026-05-01T09:00:00Z,completed\n"
    + "t2,acme,check_in,2026-05-15T09:00:00Z,completed\n"
    + "t3,beta,support,2026-05-20T10:00:00Z,completed\n"
)
ACCOUNTS = "id,segment\nacme,high_touch\nbeta,tech_touch\n"
FORMATS = "csv, jsonl, mbox, support_threads, appointments, qa_dump, ravenstack, crm_pipeline"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


# -- formats and paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "flag"), [("score", "--input-format"), ("validate", "--format")]
)
def test_an_unknown_extension_names_the_input_format_option_of_the_command(
    tmp_path: Path, command: str, flag: str
) -> None:
    source = _write(tmp_path, "tp.txt", GOOD)

    code, out, err = _run(command, source)

    assert (code, out) == (2, "")
    assert err == (
        f"touchpoint-signals: error: cannot tell the format of {source} (extension '.txt'); "
        f"pass {flag} with one of {FORMATS}\n"
    )


def test_a_folder_without_a_format_names_the_score_option(tmp_path: Path) -> None:
    code, _, err = _run("score", tmp_path)

    assert code == 2
    assert err == (
        f"touchpoint-signals: error: cannot tell the format of {tmp_path} (a folder); "
        f"pass --input-format with one of {FORMATS}\n"
    )


@pytest.mark.parametrize(
    ("command", "flag", "name"),
    [("score", "--input-format", "csv"), ("validate", "--format", "jsonl")],
)
def test_a_folder_given_to_a_file_format_names_the_formats_that_read_folders(
    tmp_path: Path, command: str, flag: str, name: str
) -> None:
    code, out, err = _run(command, tmp_path, flag, name)

    assert (code, out) == (2, "")
    assert err == (
        f"touchpoint-signals: error: {tmp_path} is a folder, and format {name!r} reads one "
        "file: pass the file itself, or name a format that reads a folder (mbox, "
        "support_threads, appointments, qa_dump, ravenstack, crm_pipeline) with "
        f"{flag}\n"
    )


def test_validate_takes_the_input_format_option_of_score_too(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.txt", GOOD)

    code, out, err = _run("validate", source, "--input-format", "csv")

    assert (code, err) == (0, "")
    assert out.startswith("touchpoints: 3 read, 3 accepted, 0 rejected\n")


def test_a_header_of_one_column_holding_semicolons_suggests_the_delimiter(
    tmp_path: Path,
) -> None:
    source = _write(tmp_path, "tp.csv", GOOD.replace(",", ";"))

    code, _, err = _run("validate", source)

    assert code == 2
    assert (
        "the header has 'id;account_id;kind;occurred_at;status'. The header reads as one "
        "column holding ';': if that separates the columns, pass --delimiter ';' on the "
        "command line (delimiter= in Python). A touchpoint needs id, "
    ) in err
    assert _run("validate", source, "--delimiter", ";")[0] == 0


@pytest.mark.parametrize(
    ("command", "flag"), [("score", "--input-format"), ("validate", "--format")]
)
def test_an_unknown_format_is_reported_before_anything_else(
    tmp_path: Path, command: str, flag: str
) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)
    accounts = _write(tmp_path, "a.csv", ACCOUNTS)

    code, _, err = _run(command, source, "--accounts", accounts, flag, "excel")

    assert code == 2
    assert err == (
        f"touchpoint-signals: error: unknown format 'excel' given to {flag}: expected one of "
        f"{FORMATS}\n"
    )


def test_an_unknown_format_comes_before_a_missing_source(tmp_path: Path) -> None:
    code, _, err = _run("score", tmp_path / "nope.csv", "--input-format", "excel")

    assert code == 2
    assert err.startswith("touchpoint-signals: error: unknown format 'excel' given to")


def test_a_missing_accounts_file_is_named_with_its_option(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)
    missing = tmp_path / "nope.csv"

    code, out, err = _run("score", source, "--accounts", missing)

    assert (code, out) == (2, "")
    assert err == (
        f"touchpoint-signals: error: {missing}: no such file or folder (given to --accounts); "
        "check the path\n"
    )


@pytest.mark.parametrize("option", ["--mapping", "--catalog", "--scorecard"])
def test_every_missing_file_is_named_with_its_option(tmp_path: Path, option: str) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)
    missing = tmp_path / "nope.toml"

    code, _, err = _run("score", source, option, missing)

    assert code == 2
    assert err == (
        f"touchpoint-signals: error: {missing}: no such file or folder (given to {option}); "
        "check the path\n"
    )


def test_a_missing_touchpoints_source_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"

    code, _, err = _run("validate", missing)

    assert code == 2
    assert err == (
        f"touchpoint-signals: error: {missing}: no such file or folder (the touchpoints "
        "source); check the path\n"
    )


# -- time zones --------------------------------------------------------------------------------

# Hand-made fixture: naive times, written in Berlin.
NAIVE = (
    HEADER
    + "t1,acme,check_in,2026-05-01 09:00,completed\n"
    + "t2,acme,check_in,2026-05-15 09:00,completed\n"
)


def test_a_naive_time_says_once_how_to_name_its_zone(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", NAIVE)

    code, _, err = _run("validate", source)

    assert code == 2
    assert err == (
        f"touchpoint-signals: error: {source}, row 1: field 'occurred_at': got "
        "'2026-05-01 09:00', expected a date-time with a time zone (it has none; give the "
        "zone it was written in, an IANA name such as 'Europe/Berlin': default_tz= in "
        "Python, --default-tz on the command line, or default_tz in the mapping file)\n"
    )


def test_default_tz_places_naive_times_for_validate(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", NAIVE)

    code, out, _ = _run("validate", source, "--default-tz", "Europe/Berlin")

    assert code == 0
    assert out.startswith("touchpoints: 2 read, 2 accepted, 0 rejected\n")


def test_default_tz_places_naive_times_for_score(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", NAIVE)

    code, out, _ = _run("score", source, "--default-tz", "Europe/Berlin", "--format", "csv")

    assert code == 0
    # The latest touchpoint, 09:00 in Berlin summer time, is 07:00 UTC.
    assert ",2026-05-15T07:00:00+00:00," in out


def test_default_tz_overrides_the_mapping_zone(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", NAIVE)
    mapping = _write(tmp_path, "m.toml", 'default_tz = "America/New_York"\n')

    code, out, _ = _run(
        "score", source, "--mapping", mapping, "--default-tz", "UTC", "--format", "csv"
    )

    assert code == 0
    assert ",2026-05-15T09:00:00+00:00," in out


@pytest.mark.parametrize("command", ["validate", "score"])
def test_an_unknown_zone_is_a_usage_error(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, "tp.csv", NAIVE)

    with pytest.raises(SystemExit) as caught:
        main([command, str(source), "--default-tz", "Mars/Base"])

    assert caught.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"touchpoint-signals {command}: error: argument --default-tz: unknown time zone "
        "'Mars/Base': expected an IANA name such as 'UTC' or 'America/New_York'"
    )


def test_a_naive_as_of_is_refused_without_a_zone(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)

    code, out, err = _run("score", source, "--as-of", "2026-06-01T10:00")

    assert (code, out) == (2, "")
    assert err == (
        "touchpoint-signals: error: --as-of 2026-06-01T10:00: no time zone; add an offset "
        "such as +02:00 (or Z for UTC), or pass --default-tz ZONE to read it in that zone\n"
    )


def test_a_naive_as_of_is_read_in_default_tz(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)

    code, out, _ = _run(
        "score", source, "--as-of", "2026-06-01T10:00", "--default-tz", "Europe/Berlin"
    )

    assert code == 0
    assert out.startswith("2 accounts scored as of 2026-06-01T08:00:00+00:00 (given)")


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ((), "2026-06-01T00:00:00+00:00"),
        (("--default-tz", "Asia/Tokyo"), "2026-05-31T15:00:00+00:00"),
    ],
)
def test_a_date_as_of_is_its_start_in_default_tz_else_in_utc(
    tmp_path: Path, zone: tuple[str, ...], start: str
) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)

    code, out, _ = _run("score", source, "--as-of", "2026-06-01", *zone)

    assert code == 0
    assert out.startswith(f"2 accounts scored as of {start} (given)")


def test_an_unreadable_as_of_is_named_with_its_option(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)

    code, _, err = _run("score", source, "--as-of", "soon")

    assert code == 2
    assert err == (
        "touchpoint-signals: error: --as-of soon: could not read 'soon' as a date-time: "
        "Unknown string format: soon\n"
    )


# -- missing columns, empty files ------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "score"])
@pytest.mark.parametrize("lenient", [(), ("--lenient",)])
def test_a_header_without_required_columns_is_one_error(
    tmp_path: Path, command: str, lenient: tuple[str, ...]
) -> None:
    source = _write(
        tmp_path,
        "tp.csv",
        "ident,customer,kind,when\n"
        + "t1,acme,qbr,2026-05-01T09:00:00Z\n"
        + "t2,acme,qbr,2026-05-02T09:00:00Z\n",
    )

    code, out, err = _run(command, source, *lenient)

    assert (code, out) == (2, "")
    assert err == (
        f"touchpoint-signals: error: {source}: missing required columns 'id', 'account_id', "
        "'occurred_at', 'status'; the header has 'ident', 'customer', 'kind', 'when'. A "
        "touchpoint needs id, account_id, kind, occurred_at, status: rename the columns in "
        "the header, or map them in a mapping file (--mapping on the command line, mapping= "
        'in Python): [touchpoints.columns] names the column that holds a field (id = "your '
        'column"), [touchpoints.constants] gives a field one value for every record\n'
    )


def test_a_mapped_column_that_is_missing_names_its_field(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)
    mapping = _write(tmp_path, "m.toml", '[touchpoints.columns]\nstatus = "Status"\n')

    code, _, err = _run("validate", source, "--mapping", mapping, "--lenient")

    assert code == 2
    assert err.startswith(
        f"touchpoint-signals: error: {source}: missing required column 'Status' (mapped to "
        "status); the header has 'id', 'account_id', 'kind', 'occurred_at', 'status'. "
    )


def test_an_accounts_file_without_a_segment_column_is_one_error(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)
    accounts = _write(tmp_path, "a.csv", "id,tier\nacme,gold\nbeta,silver\n")

    code, _, err = _run("validate", source, "--accounts", accounts, "--lenient")

    assert code == 2
    assert err.startswith(
        f"touchpoint-signals: error: {accounts}: missing required column 'segment'; the "
        "header has 'id', 'tier'. An account needs id, segment: rename the column in the "
        "header, or map it in a mapping file"
    )


@pytest.mark.parametrize("command", ["validate", "score"])
def test_an_empty_file_has_no_header(tmp_path: Path, command: str) -> None:
    source = _write(tmp_path, "tp.csv", "")

    code, out, err = _run(command, source, "--lenient")

    assert (code, out) == (2, "")
    assert err == (
        f"touchpoint-signals: error: {source}: the file is empty; a CSV file starts with a "
        "header row naming its columns, then one row per record\n"
    )


def test_validate_says_a_header_only_file_holds_no_records(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", HEADER)

    code, out, err = _run("validate", source)

    assert code == 1
    assert out.startswith("touchpoints: 0 read, 0 accepted, 0 rejected\n")
    assert err == (
        f"touchpoint-signals: error: {source} holds no touchpoint records (its header row is "
        "followed by no data row), so there is nothing to check\n"
    )


def test_score_refuses_a_header_only_file(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", HEADER)

    code, out, err = _run("score", source, "--lenient")

    assert (code, out) == (2, "")
    assert err == (
        f"touchpoint-signals: error: {source} holds no touchpoint records (its header row is "
        "followed by no data row), so there is nothing to score\n"
    )


def test_score_refuses_an_empty_json_lines_file(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.jsonl", "\n")

    code, _, err = _run("score", source)

    assert code == 2
    assert err == (
        f"touchpoint-signals: error: {source} holds no touchpoint records (it has no line that "
        "is not blank), so there is nothing to score\n"
    )


# -- everything rejected, exit status ---------------------------------------------------------

# Hand-made fixture: four naive times, every one rejected without a zone.
ALL_NAIVE = HEADER + "".join(
    f"t{i},acme,check_in,2026-05-0{i} 09:00,completed\n" for i in range(1, 5)
)


def _naive_rejection(source: Path, row: int) -> str:
    return (
        f"  {source}, row {row}: field 'occurred_at': got '2026-05-0{row} 09:00', expected a "
        "date-time with a time zone (it has none; give the zone it was written in, an IANA "
        "name such as 'Europe/Berlin': default_tz= in Python, --default-tz on the command "
        "line, or default_tz in the mapping file)\n"
    )


def test_nothing_to_score_says_what_was_read_and_rejected_and_why(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", ALL_NAIVE)
    accounts = _write(tmp_path, "a.csv", ACCOUNTS)

    code, out, err = _run("score", source, "--accounts", accounts, "--lenient")

    assert (code, out) == (2, "")
    assert err == (
        "touchpoint-signals: error: no touchpoints were loaded, so there is nothing to score: "
        "4 touchpoint records read, all rejected; the first 3:\n"
        + "".join(_naive_rejection(source, row) for row in (1, 2, 3))
        + "  ... and 1 more\n"
        + f"to list every rejected record, run: touchpoint-signals validate {source} "
        f"--lenient --accounts {accounts}\n"
    )


def test_nothing_to_score_with_one_record(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", ALL_NAIVE.split("t2,")[0])

    code, _, err = _run("score", source, "--lenient", "--input-format", "csv")

    assert code == 2
    assert err == (
        "touchpoint-signals: error: no touchpoints were loaded, so there is nothing to score: "
        "1 touchpoint record read, and rejected:\n"
        + _naive_rejection(source, 1)
        + f"to list every rejected record, run: touchpoint-signals validate {source} "
        "--lenient --format csv\n"
    )


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ("", 0),  # every record accepted
        ("t9,acme,check_in,2026-05-03 09:00,completed\n", 1),  # one rejected
        ("t9,acme,check_in,2026-05-03T09:00:00Z,completed\n", 0),
    ],
)
@pytest.mark.parametrize("command", ["validate", "score"])
def test_score_and_validate_exit_1_when_a_lenient_run_rejected_records(
    tmp_path: Path, rows: str, code: int, command: str
) -> None:
    source = _write(tmp_path, "tp.csv", GOOD + rows)

    got, out, _ = _run(command, source, "--lenient")

    assert got == code
    assert out  # the table (score) or the report (validate) is written either way


def test_score_exits_1_for_an_unresolved_reply_link_too(tmp_path: Path) -> None:
    source = _write(
        tmp_path,
        "tp.csv",
        "id,account_id,kind,occurred_at,status,in_reply_to\n"
        "t1,acme,outreach,2026-05-01T09:00:00Z,completed,nowhere\n",
    )

    code, out, _ = _run("score", source, "--lenient", "--format", "csv")

    assert code == 1
    assert out.splitlines()[1].startswith("acme,")


def test_the_help_states_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("score", "validate"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert (
            "exit status: 0 when every record was accepted; 1 when a lenient run rejected "
            "records or left reply links unresolved (the report or the scores are still "
            "written), or validate found no records; 2 for a usage error, an unreadable or "
            "unusable file (a missing column, no header, no records to score), or in strict "
            "mode the first bad record"
        ) in text


# -- singular and plural -----------------------------------------------------------------------


def test_counts_of_one_are_singular(tmp_path: Path) -> None:
    source = _write(
        tmp_path,
        "tp.csv",
        HEADER + "t1,acme,check_in,2026-05-01T09:00:00Z,"
        "completed\nt2,acme,check_in,2026-05-01 10:00,completed\n",
    )
    accounts = _write(tmp_path, "a.csv", "id,segment\nacme,high_touch\nzeta,nope\n")

    code, out, err = _run(
        "score", source, "--accounts", accounts, "--lenient", "--progress", "--width", "0"
    )

    assert code == 1
    assert out.splitlines()[:2] == [
        "1 account scored as of 2026-05-01T09:00:00+00:00 (the latest touchpoint), riskiest "
        "first",
        f"source: {source} (csv): 1 touchpoint, 2 records rejected",
    ]
    assert "  2 account records read\n" in err
    assert "  2 rows read\n" in err
    assert "scoring 1 account with scorecard ...\n" in err
    assert "  accounts     1 in the log; 2 account records read, 1 rejected\n" in err

    code, out, _ = _run("validate", source, "--accounts", accounts, "--lenient")
    assert "accounts: 1 in the log (1 account record rejected)\n" in out


@pytest.mark.parametrize(
    ("as_of", "warning"),
    [
        (
            "2026-04-01T00:00Z",
            "WARNING touchpoint_signals.cli: --as-of 2026-04-01T00:00:00+00:00 is before the "
            "first touchpoint (2026-05-01T09:00:00+00:00): nothing was known yet, so every "
            "account reads as insufficient_data\n",
        ),
        (
            "2026-09-01T00:00Z",
            "WARNING touchpoint_signals.cli: --as-of 2026-09-01T00:00:00+00:00 is 103 days "
            "after the latest touchpoint (2026-05-20T10:00:00+00:00): the default recent "
            "windows hold no touchpoint of any account; check the date\n",
        ),
        ("2026-08-15T00:00Z", ""),
    ],
)
def test_an_as_of_outside_the_data_is_warned_about(
    tmp_path: Path, as_of: str, warning: str
) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)

    code, out, err = _run("score", source, "--as-of", as_of)

    assert code == 0
    assert out.startswith(f"2 accounts scored as of {as_of[:10]}")
    warnings = [line + "\n" for line in err.splitlines() if line.startswith("WARNING")]
    assert "".join(warnings) == warning
