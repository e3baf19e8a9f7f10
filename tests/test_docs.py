"""Code in the docs that a reader copies must run as written."""

from __future__ import annotations

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
