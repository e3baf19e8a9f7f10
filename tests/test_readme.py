"""The README is true: its two set-up commands, the table the first prints, its Python example.

The project's definition of done: the README has exactly two set-up commands near the top,
both working on a fresh machine with only Python. The first installs the library and runs its
main job on data shipped in the repository; the second installs and runs the test suite, and
is what ``.ci/run`` runs. The install steps are checked by running them in CI (``.ci/run``);
here the part of the first command after the install runs in-process, on the shipped data.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from touchpoint_signals.cli import main
from touchpoint_signals.scoring.registry import extractor_names

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

INSTALL = "python3 -m venv .venv && .venv/bin/pip install -q -e . && "
CLI = ".venv/bin/touchpoint-signals "


def _fenced(language: str, text: str = README) -> list[str]:
    """The bodies of the fenced blocks of ``text`` opened with ```` ```language ````."""
    blocks: list[tuple[str, list[str]]] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("```"):
            if not inside:
                blocks.append((line[3:].strip(), []))
            inside = not inside
        elif inside:
            blocks[-1][1].append(line + "\n")
    return ["".join(body) for name, body in blocks if name == language]


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else len(README)]


def _setup_commands() -> list[str]:
    return [block.strip() for block in _fenced("bash", _section("Set up and run"))]


def _main_job() -> str:
    """What the first command prints after its install step, run in the repository root."""
    command = _setup_commands()[0]
    argv = shlex.split(command.removeprefix(INSTALL).removeprefix(CLI))
    out, err = io.StringIO(), io.StringIO()

    with contextlib.chdir(ROOT):
        assert main(argv, out=out, err=err) == 0
    return out.getvalue()


def test_exactly_two_setup_commands_near_the_top() -> None:
    commands = _setup_commands()

    assert len(commands) == 2
    assert all("\n" not in command for command in commands)  # one line each, to copy whole
    # They open the README: the first section, and no other command block comes before them.
    assert README.index("\n## ") == README.index("\n## Set up and run\n")
    assert _fenced("bash")[:2] == [f"{command}\n" for command in commands]
    assert README.index(commands[1]) < 2500


def test_the_second_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()

    assert _setup_commands()[1] == ci[-1]
    assert ci[-1] == (
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && "
        ".venv/bin/python -m pytest -q"
    )


def test_the_first_command_installs_then_scores_shipped_data() -> None:
    command = _setup_commands()[0]

    assert command.startswith(INSTALL + CLI + "score examples/data/ravenstack ")
    assert "shared" not in command  # nothing outside the repository
    assert (
        ROOT / "examples" / "data" / "ravenstack" / "ravenstack_support_tickets.csv"
    ).is_file()
    assert "--scorecard examples/tickets_scorecard.toml" in command


def test_the_main_job_prints_the_riskiest_accounts_with_band_score_and_reasons() -> None:
    lines = _main_job().splitlines()

    assert lines[:4] == [
        "500 accounts scored as of 2024-12-31T02:29:00+00:00 (the latest touchpoint), "
        "riskiest first",
        "source: examples/data/ravenstack (ravenstack): 4,000 touchpoints, 0 records rejected",
        "scorecard: tickets-scorecard (examples/tickets_scorecard.toml)",
        "bands: red 0, yellow 17, insufficient_data 253, green 230",
    ]
    assert lines[5].split() == ["account", "band", "score", "coverage", "reasons"]
    rows = [line.split(maxsplit=4) for line in lines[6:] if not line.startswith(" ")]
    assert rows[-1] == ["...", "485", "more", "accounts", "not shown"]
    assert [row[:4] for row in rows[:6]] == [
        ["A-82861f", "yellow", "55.1", "100%"],
        ["A-ad64c6", "yellow", "60.0", "50%"],
        ["A-34d880", "yellow", "61.3", "100%"],
        ["A-69b156", "yellow", "61.5", "100%"],
        ["A-17939a", "yellow", "61.7", "100%"],
        ["A-139c3b", "yellow", "62.3", "100%"],
    ]
    assert len(rows) == 16  # 15 accounts and the line saying how many were left out
    assert {row[1] for row in rows[:15]} == {"yellow"}  # no account is red
    assert rows[0][4] == (
        "satisfaction cost 25.00 points: 0 of 3 ratings at 4-5 in the 182 days to 2024-12-31 "
        "(mean 3.0; tech_touch 71%); 1 of 2 in the 548 days before"
    )
    assert rows[9][4] == (
        "rule satisfaction_fell: satisfied share down 0.31 on the account's earlier ratings"
    )


def test_the_readme_shows_what_the_main_job_prints_in_a_terminal() -> None:
    shown = [block for block in _fenced("") if block.startswith("500 accounts scored")]
    assert len(shown) == 1
    command = _setup_commands()[0].removeprefix(INSTALL).removeprefix(CLI)
    out = io.StringIO()

    with contextlib.chdir(ROOT):
        main([*shlex.split(command), "--width", "100", "--quiet"], out=out)

    assert out.getvalue().startswith(shown[0])


def test_the_readme_states_the_main_jobs_band_counts_and_limits() -> None:
    section = _section("Set up and run")

    assert "253 accounts have too few recent tickets" in section
    assert "no account is\nred" in section
    assert "River @ Rivalytics" in section
    assert "synthetic" in section
    assert "generated at random" in section
    assert "not** that these scores\npredict churn" in section


def test_the_python_example_runs_and_prints_what_the_readme_says(
    capsys: pytest.CaptureFixture[str],
) -> None:
    section = _section("In Python")
    (program,) = _fenced("python", section)
    (printed,) = _fenced("", section)

    with contextlib.chdir(ROOT):
        exec(compile(program, "README.md", "exec"), {"__name__": "readme"})

    assert capsys.readouterr().out == printed


def test_the_signal_table_lists_every_registered_extractor() -> None:
    table = _section("Signals")

    listed = re.findall(r"^\| \[`([a-z_]+)`\]", table, re.MULTILINE)
    assert listed == extractor_names()


def test_local_links_point_at_files_of_the_repository() -> None:
    links = set(re.findall(r"\]\(([^)#]+)\)", README))
    local = {link for link in links if "://" not in link}

    missing = sorted(link for link in local if not (ROOT / link).exists())
    assert missing == []
    assert len(local) > 20
    assert {"docs/quickstart.md", "docs/howto/", "docs/logging.md"} <= local
