"""Code in the docs that a reader copies must run as written."""

from __future__ import annotations

import contextlib
import io
import logging
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"

# Complete programs in the docs, found by a line they contain; other blocks are fragments.
RUNNABLE = [("scoring/conformance.md", "check_scorer(AttendanceOnly())")]


def _python_block(page: Path, marker: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)
    found = [block for block in blocks if marker in block]
    assert len(found) == 1, f"{page.name}: expected one python block with {marker!r}"
    return found[0]


@pytest.mark.parametrize(("name", "marker"), RUNNABLE)
def test_documented_programs_run(name: str, marker: str) -> None:
    block = _python_block(DOCS / name, marker)

    exec(compile(block, name, "exec"), {"__name__": "docs"})


# Pages whose python blocks run in order in one namespace, from the repository root, as a
# reader pasting them into one session would run them. A ```text block right after a python
# block is the output that block prints, compared exactly (trailing blanks aside), so the
# figures a page quotes are checked every run. Real-data pages read ../shared/data and skip
# without it.
WHOLE_PAGES = [
    "quickstart.md",
    "logging.md",
    "howto/own_data.md",
    "howto/scorer.md",
    "howto/extractor.md",
    "howto/scorecard.md",
]
REALDATA_PAGES = [
    "howto/data/twcs_head5000.md",
    "howto/data/noshow_appointments.md",
    "howto/data/linux_uvc_devel_ml.md",
    "howto/data/yajhfc_user_ml.md",
    "howto/data/beer_se_2016.md",
    "howto/data/ravenstack.md",
    "howto/data/maven_crm.md",
]
ROOT = DOCS.parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)


def _steps(page: Path) -> list[tuple[str, str | None]]:
    """The python blocks of ``page``, each with the output block that follows it, if any."""
    text = page.read_text(encoding="utf-8")
    fences = list(FENCE.finditer(text))
    steps: list[tuple[str, str | None]] = []
    for i, fence in enumerate(fences):
        if fence.group(1) != "python":
            continue
        following = fences[i + 1] if i + 1 < len(fences) else None
        expected = None
        if (
            following is not None
            and following.group(1) == "text"
            and not text[fence.end() : following.start()].strip()
        ):
            expected = following.group(2)
        steps.append((fence.group(2), expected))
    return steps


def _tidy(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.strip("\n").splitlines())


def _run_page(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    page = DOCS / name
    steps = _steps(page)
    assert steps, f"{name} has no python block"
    monkeypatch.chdir(ROOT)
    root_logger = logging.getLogger()
    package_logger = logging.getLogger("touchpoint_signals")
    saved = (root_logger.level, list(root_logger.handlers), package_logger.level)
    namespace: dict[str, object] = {"__name__": "docs"}
    try:
        for number, (code, expected) in enumerate(steps, start=1):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"{name} block {number}", "exec"), namespace)
            if expected is not None:
                assert _tidy(out.getvalue()) == _tidy(expected), f"{name} block {number}"
    finally:
        root_logger.setLevel(saved[0])
        root_logger.handlers[:] = saved[1]
        package_logger.setLevel(saved[2])
        package_logger.handlers[:] = [
            h for h in package_logger.handlers if isinstance(h, logging.NullHandler)
        ]


@pytest.mark.parametrize("name", WHOLE_PAGES)
def test_pages_run_as_written(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _run_page(name, monkeypatch)


@pytest.mark.realdata
@pytest.mark.parametrize("name", REALDATA_PAGES)
def test_real_data_howtos_run_as_written(
    name: str, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run_page(name, monkeypatch)
