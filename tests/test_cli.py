"""The ``touchpoint-signals validate`` command, on small hand-made files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from touchpoint_signals.cli import main

HEADER = "id,account_id,kind,occurred_at,status,in_reply_to\n"

# Hand-made fixture: two accounts, one reply link, nothing wrong.
GOOD = (
    HEADER
    + "m1,acme,outreach,2026-05-01T09:00:00Z,completed,\n"
    + "r1,acme,outreach,2026-05-01T15:00:00Z,completed,m1\n"
    + "c1,beta,check_in,2026-05-02T10:00:00Z,no_show,\n"
)

# Hand-made fixture: row 2 has an unknown status, row 3 repeats the id of row 1.
BAD = (
    HEADER
    + "m1,acme,outreach,2026-05-01T09:00:00Z,completed,\n"
    + "m2,acme,outreach,2026-05-01T10:00:00Z,finished,\n"
    + "m1,beta,check_in,2026-05-02T10:00:00Z,no_show,\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_validate_counts_kinds_statuses_accounts_and_links(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)

    code, text = _run("validate", str(source))

    assert code == 0
    assert "touchpoints: 3 read, 3 accepted, 0 rejected" in text
    assert "reply links resolved: 1" in text
    assert "outreach                          2" in text
    assert "no_show                           1" in text
    assert "acme" in text
    assert "rejected records (0):" in text


def test_validate_json_carries_every_count(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)

    code, text = _run("validate", str(source), "--json")
    report = json.loads(text)

    assert code == 0
    assert report["touchpoints"] == {"read": 3, "accepted": 3, "rejected": 0}
    assert report["per_kind"] == {"outreach": 2, "check_in": 1}
    assert report["per_status"] == {"completed": 2, "no_show": 1}
    assert report["per_account"] == {"acme": 2, "beta": 1}
    assert report["reply_links"] == 1


def test_strict_validate_stops_at_the_first_bad_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, "tp.csv", BAD)

    code, _ = _run("validate", str(source))

    assert code == 2
    err = capsys.readouterr().err
    assert "row 2" in err
    assert "field 'status'" in err
    assert "'finished'" in err
    assert "no_show" in err


def test_lenient_validate_lists_every_rejection(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", BAD)

    code, text = _run("validate", str(source), "--lenient")

    assert code == 1
    assert "touchpoints: 3 read, 1 accepted, 2 rejected" in text
    assert f"{source}, row 2: field 'status': got 'finished'" in text
    assert f"{source}, row 3: field 'id': got 'm1'" in text
    assert f"duplicate of {source}, row 1" in text


def test_accounts_file_rejects_touchpoints_of_unknown_accounts(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)
    accounts = _write(tmp_path, "acc.csv", "id,segment\nacme,high_touch\ngamma,tech_touch\n")

    code, text = _run("validate", str(source), "--accounts", str(accounts), "--lenient")

    assert code == 1
    assert "touchpoints: 3 read, 2 accepted, 1 rejected" in text
    assert "field 'account_id': got 'beta'" in text
    assert "accounts: 2 in the log" in text


def test_mapping_file_renames_columns_and_respells_values(tmp_path: Path) -> None:
    # Hand-made fixture in the shape of an appointment export.
    source = _write(
        tmp_path,
        "appointments.csv",
        "AppointmentID,PatientId,Day,No-show\n1,p1,2016-04-29,No\n2,p1,2016-05-06,Yes\n",
    )
    mapping = _write(
        tmp_path,
        "mapping.toml",
        'default_tz = "America/Sao_Paulo"\n'
        "[touchpoints.columns]\n"
        'id = "AppointmentID"\naccount_id = "PatientId"\noccurred_at = "Day"\n'
        'status = "No-show"\n'
        "[touchpoints.values.status]\n"
        'Yes = "no_show"\nNo = "completed"\n'
        "[touchpoints.constants]\n"
        'kind = "check_in"\n',
    )

    code, text = _run("validate", str(source), "--mapping", str(mapping), "--json")
    report = json.loads(text)

    assert code == 0
    assert report["per_status"] == {"completed": 1, "no_show": 1}
    assert report["per_kind"] == {"check_in": 1 + 1}


def test_catalog_file_adds_a_kind(tmp_path: Path) -> None:
    source = _write(
        tmp_path, "tp.csv", HEADER + "w1,acme,webinar,2026-05-01T09:00:00Z,completed,\n"
    )
    catalog = _write(tmp_path, "catalog.toml", "[kinds.webinar]\nmeeting = true\n")

    code, text = _run("validate", str(source), "--catalog", str(catalog), "--json")

    assert code == 0
    assert json.loads(text)["per_kind"] == {"webinar": 1}


def test_unknown_format_lists_the_valid_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, "tp.csv", GOOD)

    code, _ = _run("validate", str(source), "--format", "parquet")

    assert code == 2
    err = capsys.readouterr().err
    assert "unknown format 'parquet'" in err
    assert "mbox" in err
    assert "csv" in err


def test_a_folder_needs_a_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run("validate", str(tmp_path))

    assert code == 2
    assert "pass --format" in capsys.readouterr().err


def test_bad_adapter_option_names_the_adapter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = _write(tmp_path, "m.toml", "[adapter]\nno_such_option = 1\n")

    code, _ = _run("validate", str(tmp_path), "--format", "mbox", "--mapping", str(mapping))

    assert code == 2
    err = capsys.readouterr().err
    assert "adapter.no_such_option: unknown option of the mbox adapter" in err
    assert "vendor_addresses" in err


def test_a_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run("validate", str(tmp_path / "nope.csv"))

    assert code == 2
    assert "nope.csv: no such file or folder" in capsys.readouterr().err


def test_delimiter_and_encoding_options(tmp_path: Path) -> None:
    # Hand-made fixture: semicolons and a latin-1 account name.
    path = tmp_path / "tp.csv"
    path.write_bytes(
        b"id;account_id;kind;occurred_at;status\n"
        b"t1;caf\xe9;support;2024-01-01T00:00:00Z;completed\n"
    )

    code, text = _run(
        "validate", str(path), "--delimiter", ";", "--encoding", "latin-1", "--json"
    )

    assert code == 0
    assert json.loads(text)["per_account"] == {"caf\u00e9": 1}


def test_json_rejections_carry_values_as_json(tmp_path: Path) -> None:
    source = _write(tmp_path, "tp.csv", BAD)

    _, text = _run("validate", str(source), "--lenient", "--json")

    values = [r["value"] for r in json.loads(text)["rejections"]]
    assert values == ["finished", "m1"]


def test_top_must_not_be_negative(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _run("validate", "x.csv", "--top", "-1")

    assert "expected a count of 0 or more" in capsys.readouterr().err
