"""The optional parts stay optional: importing them, or showing HTML, loads no extra package,
and a process without the extras can import everything and is told what to install."""

from __future__ import annotations

import subprocess
import sys

OPTIONAL = ("pandas", "pyarrow", "matplotlib", "nbformat", "nbclient", "ipykernel")


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_the_optional_modules_and_the_html_import_no_optional_package() -> None:
    code = (
        "import sys, datetime as dt\n"
        "import touchpoint_signals as ts\n"
        "from touchpoint_signals import display, frames, plot\n"
        "s = ts.HealthScore('a', dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 50.0, ts.Band.YELLOW,"
        " 1.0, (), ('r',), 'card', 'h')\n"
        "html = s._repr_html_() + ts.Scores((s,))._repr_html_()\n"
        f"print(sorted(m for m in {OPTIONAL!r} if m in sys.modules), 'yellow' in html)"
    )

    assert _run(code) == "[] True"


def test_without_the_extras_everything_imports_and_the_calls_name_the_extra() -> None:
    blocked = ", ".join(f"{m!r}: None" for m in ("pandas", "pyarrow", "matplotlib"))
    code = (
        f"import sys; sys.modules.update({{{blocked}}})\n"
        "import touchpoint_signals as ts\n"
        "from touchpoint_signals import frames, plot\n"
        "for call in (lambda: ts.read_pandas(None), lambda: ts.read_arrow(None),\n"
        "             lambda: frames.scores_to_pandas([]), lambda: plot.plot_history(None)):\n"
        "    try:\n"
        "        call()\n"
        "    except ts.MissingExtraError as error:\n"
        "        print(error.extra, isinstance(error, ImportError))\n"
    )

    assert _run(code).splitlines() == [
        "pandas True",
        "arrow True",
        "pandas True",
        "plot True",
    ]
