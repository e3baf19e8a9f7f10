"""Long runs: progress per stage on stderr when asked, the summary at the end, quiet runs.

The command writes its table to ``out`` and everything about the run to ``err``; the library
itself writes nothing (``T20`` in the lint settings refuses ``print`` in ``src``) and logs
through module loggers under ``touchpoint_signals``.
"""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest

from touchpoint_signals import cli
from touchpoint_signals.cli import main
from touchpoint_signals.ingest import read_csv, read_jsonl

# Hand-made files: acme missed three check-ins in a row, beta attends; one row is broken.
TOUCHPOINTS = "id,account_id,kind,occurred_at,status\n" + "".join(
    f"{a}{i},{a},check_in,2026-05-{i * 7 + 1:02d}T09:00:00Z,{status}\n"
    for a, statuses in (
        ("acme", ["completed", "no_show", "cancelled", "no_show"]),
        ("beta", ["completed"] * 4),
    )
    for i, status in enumerate(statuses)
)
BROKEN_ROW = "bad1,beta,check_in,not a time,completed\n"
ACCOUNTS = "id,segment\nacme,high_touch\nbeta,high_touch\n"


class _Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr is in an interactive shell."""

    def isatty(self) -> bool:
        return True


def _files(tmp_path: Path, *, broken: bool = False) -> tuple[Path, Path]:
    touchpoints, accounts = tmp_path / "tp.csv", tmp_path / "acc.csv"
    touchpoints.write_text(TOUCHPOINTS + (BROKEN_ROW if broken else ""), encoding="utf-8")
    accounts.write_text(ACCOUNTS, encoding="utf-8")
    return touchpoints, accounts


def _run(
    tmp_path: Path, *extra: str, err: io.StringIO | None = None, broken: bool = False
) -> tuple[int, str, str]:
    touchpoints, accounts = _files(tmp_path, broken=broken)
    out, err = io.StringIO(), err if err is not None else io.StringIO()
    argv = ["score", str(touchpoints), "--accounts", str(accounts), "--as-of", "2026-06-01"]

    code = main([*argv, *extra], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


STAGES = [
    "reading accounts {dir}/acc.csv ...",
    "  2 account records read",
    "reading touchpoints {dir}/tp.csv (csv) ...",
    "  8 rows read",
    "building the log ...",
    "extracting attendance ...",
    "extracting customer_reply_latency ...",
    "extracting vendor_response_latency ...",
    "extracting tone_shift ...",
    "extracting cadence ...",
    "extracting fatigue ...",
    "extracting purpose_outcome ...",
    "scoring 2 accounts with scorecard ...",
    "writing the table ...",
]


def test_progress_shows_a_line_per_stage_when_asked(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path, "--progress")

    lines = err.splitlines()
    assert code == 0
    assert lines[: len(STAGES)] == [line.format(dir=tmp_path) for line in STAGES]
    assert lines[len(STAGES)] == "summary"
    assert "reading touchpoints" not in out  # the table stays clean for a pipe


def test_no_progress_when_not_asked_and_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    _, _, err = _run(tmp_path)

    assert err.splitlines()[0] == "summary"
    assert "..." not in err


def test_progress_by_default_on_a_terminal_rewriting_the_row_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every row block updates the count: on a terminal the update rewrites its line.
    monkeypatch.setattr(cli, "PROGRESS_INTERVAL", 0.0)
    terminal = _Terminal()

    _run(tmp_path, err=terminal)

    text = terminal.getvalue()
    assert f"reading touchpoints {tmp_path}/tp.csv (csv) ...\n" in text
    assert "\r  8 rows read\r  8 rows read\n" in text


def test_a_large_input_shows_its_rows_as_they_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three blocks of rows (the reader's block size made small): a count after each.
    monkeypatch.setattr(cli, "PROGRESS_INTERVAL", 0.0)
    monkeypatch.setattr(cli, "CHUNK_ROWS", 3)

    _, _, err = _run(tmp_path, "--progress")

    counts = [line for line in err.splitlines() if line.endswith(" rows read")]
    assert counts == ["  3 rows read", "  6 rows read", "  8 rows read", "  8 rows read"]


def test_quiet_silences_progress_summary_and_warnings(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path, "--progress", "--quiet", "--lenient", broken=True)

    assert code == 1  # a record was rejected: said by the exit status alone
    assert err == ""
    assert out.startswith("2 accounts scored")


def test_the_summary_counts_what_was_read_and_the_bands(tmp_path: Path) -> None:
    _, out, err = _run(tmp_path, "--lenient", broken=True)

    summary = err[err.index("summary\n") :].splitlines()
    tp = tmp_path / "tp.csv"
    assert err.startswith(
        "WARNING touchpoint_signals.cli: 1 record was rejected:\n"
        f"  {tp}, row 9: field 'occurred_at': got 'not a time', expected a date-time such as "
        "2026-05-01T09:00Z (could not read 'not a time' as a date-time: Unknown string "
        "format: not a time)\n"
        f"to list every rejected record, run: touchpoint-signals validate {tp} --lenient "
        f"--accounts {tmp_path / 'acc.csv'}\n"
        "summary\n"
    )
    assert summary[1] == "  touchpoints  9 read, 8 accepted, 1 rejected"
    assert summary[2] == "  accounts     2 in the log; 2 account records read, 0 rejected"
    bands = re.fullmatch(r"  bands        (.*)", summary[3])
    assert bands is not None
    assert f"bands: {bands.group(1)}" in out  # the same counts as the table's header
    assert out.splitlines()[1].endswith(": 8 touchpoints, 1 record rejected")
    timing = re.fullmatch(
        r"time +(\d+\.\d\d) s in all: (.*)", " ".join(line.strip() for line in summary[4:])
    )
    assert timing is not None
    stages = [part.rsplit(" ", 2) for part in timing.group(2).split(", ")]
    assert [name for name, _, unit in stages] == [
        "reading accounts",
        "reading touchpoints",
        "building the log",
        "extracting attendance",
        "extracting customer_reply_latency",
        "extracting vendor_response_latency",
        "extracting tone_shift",
        "extracting cadence",
        "extracting fatigue",
        "extracting purpose_outcome",
        "scoring",
        "writing",
    ]
    assert {unit for _, _, unit in stages} == {"s"}
    assert sum(float(seconds) for _, seconds, _ in stages) <= float(timing.group(1)) + 0.01


def test_json_and_csv_output_stay_machine_readable(tmp_path: Path) -> None:
    _, out, err = _run(tmp_path, "--progress", "--format", "json")

    assert [s["account_id"] for s in json.loads(out)] == ["acme", "beta"]
    assert "writing the json ..." in err


def test_validate_shows_progress_too_and_no_summary(tmp_path: Path) -> None:
    touchpoints, _ = _files(tmp_path)
    out, err = io.StringIO(), io.StringIO()

    code = main(["validate", str(touchpoints), "--progress"], out=out, err=err)

    assert code == 0
    assert err.getvalue() == (
        f"reading touchpoints {touchpoints} (csv) ...\n  8 rows read\nbuilding the log ...\n"
    )
    assert out.getvalue().startswith("touchpoints: 8 read, 8 accepted, 0 rejected")


def test_verbose_shows_the_librarys_log_records_and_leaves_logging_as_it_was(
    tmp_path: Path,
) -> None:
    package = logging.getLogger("touchpoint_signals")
    before = (package.level, list(package.handlers))

    touchpoints, accounts = _files(tmp_path)
    stream = io.StringIO()

    main(
        ["-v", "validate", str(touchpoints), "--accounts", str(accounts)],
        out=io.StringIO(),
        err=stream,
    )

    assert "INFO touchpoint_signals.ingest.loader: loaded 2 accounts" in stream.getvalue()
    assert (package.level, list(package.handlers)) == before


# -- the CLI reads files through the public steps of read_csv and read_jsonl ----------------


def test_the_csv_path_loads_what_read_csv_loads(tmp_path: Path) -> None:
    touchpoints, accounts = _files(tmp_path, broken=True)
    args = cli._parser().parse_args(
        ["validate", str(touchpoints), "--accounts", str(accounts), "--lenient"]
    )

    counted = cli._read(args, cli.DEFAULT_CATALOG, cli._Run(io.StringIO(), False, False))
    direct = read_csv(touchpoints, accounts=accounts, mode="lenient")

    assert counted.log.to_touchpoints() == direct.log.to_touchpoints()
    assert counted.accounts == direct.accounts
    assert counted.rejected == direct.rejected
    assert counted.touchpoint_report.read == direct.touchpoint_report.read == 9
    assert counted.account_report is not None
    assert direct.account_report is not None
    assert counted.account_report.read == direct.account_report.read == 2


def test_the_jsonl_path_loads_what_read_jsonl_loads(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": f"t{i}", "account_id": "acme", "kind": "check_in",
                    "occurred_at": f"2026-05-0{i + 1}T09:00:00Z", "status": "completed"})
        for i in range(3)
    ] + ['{"id": "t9", "account_id": "acme"}']  # fmt: skip
    path = tmp_path / "tp.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = cli._parser().parse_args(["validate", str(path), "--lenient"])

    counted = cli._read(args, cli.DEFAULT_CATALOG, cli._Run(io.StringIO(), False, False))
    direct = read_jsonl(path, mode="lenient")

    assert counted.log.to_touchpoints() == direct.log.to_touchpoints()
    assert counted.rejected == direct.rejected
    assert len(counted.rejected) == 1
