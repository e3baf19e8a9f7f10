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
ACCOUNTS = "id,segment\nacme,smb\nbeta,enterprise\n"
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
