"""Code in the docs that a reader copies must run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"

# Pages whose Python blocks are complete programs (others show fragments of a session).
RUNNABLE = ["scoring/conformance.md"]


def _python_blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)


@pytest.mark.parametrize("name", RUNNABLE)
def test_python_blocks_run(name: str) -> None:
    blocks = _python_blocks(DOCS / name)

    assert blocks, f"{name} has no python block"
    for block in blocks:
        exec(compile(block, f"{name}", "exec"), {"__name__": "docs"})
